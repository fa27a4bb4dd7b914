"""Pure translation between Slack payloads and the neutral Request/Reply, plus request signatures."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot import texts
from bot.commands import TABLE, parse_command
from bot.models import ChatKind, Reply, Request
from bot.render.slack import SlackMessage, slack_escape

SIGNATURE_VERSION = "v0"
MAX_CLOCK_SKEW = 5 * 60  # seconds; Slack's own replay window
ACTION_ID = re.compile(r"\Arun_command_\d+\Z")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
_MENTION = re.compile(r"(?<![\w/-])/(" + "|".join(sorted(TABLE, key=len, reverse=True)) + r")(?![\w-])")


def slash_names(prefix: str) -> dict[str, str]:
    """Slash command as Slack sends it ("/paper-top") → command name ("top")."""
    return {f"/{prefix}{name}": name for name in TABLE}


def chat_kind(channel_id: str) -> ChatKind:
    """Direct messages (ids starting with D) are private; everything else is a channel."""
    return "private" if channel_id.startswith("D") else "channel"


def user_key(team_id: str | None, user_id: str | None) -> str | None:
    """The "TEAM:USER" form bot admins are listed in."""
    return f"{team_id}:{user_id}" if team_id and user_id else None


def slack_user(request: Request) -> str | None:
    """The Slack user id (U…) of a request built here."""
    return (request.user_id or "").partition(":")[2] or None


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _dict(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def command_request(payload: Mapping[str, Any], prefix: str = "") -> Request | None:
    """A slash-command payload as a Request; None when it is not one of ours or lacks a channel."""
    name = slash_names(prefix).get(_str(payload.get("command")))
    channel = _str(payload.get("channel_id"))
    if name is None or not channel:
        return None
    return Request(
        platform="slack",
        chat_id=channel,
        user_id=user_key(_str(payload.get("team_id")), _str(payload.get("user_id"))),
        command=name,
        args=tuple(_unescape(_str(payload.get("text"))).split()),
        chat_kind=chat_kind(channel),
        chat_title=_str(payload.get("channel_name")) or None,
    )


def action_request(payload: Mapping[str, Any]) -> Request | None:
    """A button press (block_actions) as the Request its value names; None when unusable."""
    actions = payload.get("actions")
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    parsed = parse_command("/" + _str(action.get("value")))
    channel, user, team = _dict(payload, "channel"), _dict(payload, "user"), _dict(payload, "team")
    channel_id = _str(channel.get("id"))
    if not ACTION_ID.fullmatch(_str(action.get("action_id"))) or parsed is None or not channel_id:
        return None
    team_id = _str(team.get("id")) or _str(user.get("team_id"))
    return Request(
        platform="slack",
        chat_id=channel_id,
        user_id=user_key(team_id, _str(user.get("id"))),
        command=parsed[0],
        args=parsed[1],
        chat_kind=chat_kind(channel_id),
        chat_title=_str(channel.get("name")) or None,
    )


def is_private(request: Request, reply: Reply) -> bool:
    """True when only the sender should see the reply (refusals, errors, personal commands)."""
    command = TABLE.get(request.command)
    return reply.ephemeral or reply.error or (command is not None and command.private_reply)


def with_prefix(reply: Reply, prefix: str) -> Reply:
    """The reply with command mentions ("/top") renamed to the installed slash commands ("/paper-top")."""
    if not prefix:
        return reply
    return replace(reply, text=_MENTION.sub(lambda m: f"/{prefix}{m.group(1)}", reply.text))


def invite_message(bot_user_id: str | None, command: str) -> SlackMessage:
    """How to add the bot to a channel, with a mention Slack shows as the bot's real name."""
    bot = f"<@{bot_user_id}>" if bot_user_id and _USER_ID.fullmatch(bot_user_id) else "@paperbot"
    text = slack_escape(texts.SLACK_NOT_MEMBER).format(bot=bot, command=slack_escape(command))
    return SlackMessage(text=text, blocks=({"type": "section", "text": {"type": "mrkdwn", "text": text}},))


def verify_signature(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> bool:
    """Slack's v0 request signature: HMAC-SHA256 of "v0:<ts>:<body>", timestamp within 5 minutes.

    Stricter than int() parsing: only ASCII digits count as a timestamp and only a lower-case hex
    digest as a signature, so odd headers are refused instead of raising.
    """
    if not secret or not timestamp or not signature:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Slack-Signature value Slack would send (for tools and tests)."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    return f"{SIGNATURE_VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class ReplayGuard:
    """Remembers the signatures of the last five minutes: a signed request is accepted once."""

    def __init__(self, window: float = MAX_CLOCK_SKEW) -> None:
        self.window = window
        self._seen: dict[str, float] = {}

    def first_time(self, signature: str, now: float) -> bool:
        """True the first time `signature` is seen within the window (older ones are forgotten)."""
        if len(self._seen) > 1000:
            self._seen = {s: t for s, t in self._seen.items() if now - t <= 2 * self.window}
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True
