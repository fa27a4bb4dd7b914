"""A fake Telegram Bot API server on loopback for the real python-telegram-bot client.

It speaks the Bot API shapes PTB expects (`POST /bot<token>/<method>`, JSON or form bodies), serves
updates by long polling or pushes them to a webhook, validates every sendMessage (HTML that Telegram
would accept, a well-formed inline keyboard) and injects faults per chat: 403 blocked, 429
retry_after, 400 migrate_to_chat_id, "message is too long", slow answers, and global latency; and
outages, during which it refuses connections.

In-process (tests)::

    server = FakeTelegramServer()
    await server.start()
    server.push_message(private_chat(7), user(7), "/top")
    [message] = await server.wait_sent(7)

As a process (crash tests of the broadcast engine)::

    python -m tests.fakes.telegram_server --port 0 --port-file F --log L --latency-ms 20 \\
        --retry-after-rate 0.05 --retry-after 1 --forbidden-chats 5,7 --seed 1 \\
        --outage-after 600 --outage-seconds 40
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import hashlib
import itertools
import json
import math
import os
import random
import signal
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from aiohttp import ClientSession, ClientTimeout, web

from tests.html_check import check_telegram_html

TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdef"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "paperbot",
    "username": "paperbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = {
    "reply_markup",
    "link_preview_options",
    "reply_parameters",
    "commands",
    "allowed_updates",
    "scope",
}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_MAX = 64


class ApiError(Exception):
    """An error answer: `{"ok": false, "error_code": …, "description": …, "parameters": …}`."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Sent:
    """One accepted sendMessage."""

    chat_id: int
    text: str
    t: float
    message_id: int
    params: dict[str, Any]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Fault:
    """What goes wrong for one chat (or, as the default fault, for every chat)."""

    blocked: str | None = None  # 403 description
    migrate_to: int | None = None
    too_long: bool = False
    retry_after: int | None = None  # seconds of a 429
    retry_probability: float = 1.0
    global_penalty: bool = False  # the 429 pauses every chat, not just this one
    delay: float = 0.0  # seconds between accepting a message and answering


@dataclass
class Call:
    """One Bot API request the server received."""

    method: str
    params: dict[str, Any]
    t: float


# --- update payloads, in the shapes Telegram sends ---------------------------------------------


def user(user_id: int, first_name: str = "사용자", username: str | None = None) -> dict[str, Any]:
    """A Telegram user."""
    found = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ko"}
    return found | ({"username": username} if username else {})


def private_chat(user_id: int, first_name: str = "사용자") -> dict[str, Any]:
    """The private chat with a user (its id is the user's)."""
    return {"id": user_id, "first_name": first_name, "type": "private"}


def group_chat(chat_id: int, title: str = "ML 스터디", supergroup: bool = True) -> dict[str, Any]:
    """A group or supergroup."""
    return {"id": chat_id, "title": title, "type": "supergroup" if supergroup else "group"}


def channel_chat(chat_id: int, title: str = "논문 채널", username: str | None = None) -> dict[str, Any]:
    """A channel."""
    return {"id": chat_id, "title": title, "type": "channel"} | ({"username": username} if username else {})


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram adds when a message starts with a command."""
    if not text.startswith("/"):
        return []
    head = text.split(maxsplit=1)[0]
    return [{"offset": 0, "length": len(head.encode("utf-16-le")) // 2, "type": "bot_command"}]


def message_payload(
    message_id: int,
    chat: dict[str, Any],
    sender: dict[str, Any] | None,
    text: str,
    sender_chat: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A text message (or channel post) as it appears inside an update."""
    message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": text}
    if sender is not None:
        message["from"] = sender
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    if entities := command_entities(text):
        message["entities"] = entities
    return message


# --- the server --------------------------------------------------------------------------------


class FakeTelegramServer:
    """The Bot API for one bot token, with recordings the tests assert on."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        latency_ms: float = 0.0,
        seed: int = 0,
        poll_cap: float = 1.0,
        max_lifetime: float = 600.0,
        log: TextIO | None = None,
        outage_after: int = 0,
        outage_seconds: float = 0.0,
    ) -> None:
        self.token, self.latency, self.poll_cap = token, latency_ms / 1000, poll_cap
        self.outage_after, self.outage_seconds = outage_after, outage_seconds  # after N accepted sends
        self.down = False
        self.max_lifetime, self.log = max_lifetime, log
        self.random = random.Random(seed)
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.violations: list[str] = []
        self.request_times: dict[int, list[float]] = defaultdict(list)  # sendMessage attempts per chat
        self.penalty_hits: list[tuple[int, float]] = []  # sends during a 429 penalty
        self.commands: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.webhook_statuses: list[int] = []
        self.faults: dict[int, Fault] = {}
        self.default_fault = Fault()
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self._penalties: dict[int | str, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(10_000)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_message = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._session: ClientSession | None = None
        self._delivering = asyncio.Lock()
        self.port = 0
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "close": self._true,
            "logOut": self._true,
        }

    # -- lifecycle --

    @property
    def base_url(self) -> str:
        """What PAPERBOT_TELEGRAM_API_BASE should be (the token is appended by the client)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> FakeTelegramServer:
        """Listen on 127.0.0.1 (`port` 0 picks a free one)."""
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{prefix}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024)
        await self._site.start()
        self.port = self._runner.addresses[0][1]
        self._spawn(self._watchdog())
        return self

    async def stop(self) -> None:
        """Wake long polls, stop serving and release the port."""
        self._stopping.set()
        self._new_update.set()
        for task in list(self._tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _watchdog(self) -> None:
        """Never outlive a hung test."""
        await asyncio.sleep(self.max_lifetime)
        self._stopping.set()
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def outage(self, seconds: float) -> None:
        """Refuse connections for `seconds`, then listen on the same port again.

        Requests already on an open connection are answered (with `Connection: close`), so the
        client sees nothing cut in half: every new request meets a refused connection.
        """
        assert self._runner is not None and self._site is not None
        self.down = True
        self._write({"outage": "start", "t": time.time()})
        await self._site.stop()
        await asyncio.sleep(seconds)
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024)
        await self._site.start()
        self.down = False
        self._write({"outage": "end", "t": time.time()})

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- test controls --

    def fault(self, chat_id: int | None, **changes: Any) -> Fault:
        """Set fault fields for one chat (None: every chat), e.g. `fault(5, blocked="Forbidden: …")`."""
        target = self.default_fault if chat_id is None else self.faults.setdefault(chat_id, Fault())
        for name, value in changes.items():
            setattr(target, name, value)
        return target

    def block(self, chat_id: int, description: str = "Forbidden: bot was blocked by the user") -> None:
        """sendMessage to `chat_id` answers 403."""
        self.fault(chat_id, blocked=description)

    def rate_limit(self, chat_id: int | None, seconds: int, probability: float = 1.0) -> None:
        """sendMessage answers 429 retry_after=`seconds` (for a share `probability` of the calls)."""
        self.fault(chat_id, retry_after=seconds, retry_probability=probability)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: 400 with migrate_to_chat_id."""
        self.fault(chat_id, migrate_to=new_chat_id)

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """getChatMember answers `status` (creator, administrator, member, left, kicked)."""
        self.members[(chat_id, user_id)] = status

    def add_chat(self, chat: dict[str, Any]) -> None:
        """Make a chat known to getChat (by id, and by @username when it has one)."""
        self.chats[chat["id"]] = chat

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here) for getUpdates or the webhook."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        self._new_update.set()
        if self.webhook is not None:
            self._spawn(self._deliver())
        return update_id

    def push_message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any] | None,
        text: str,
        sender_chat: dict[str, Any] | None = None,
    ) -> int:
        """A user's text message (sender None with sender_chat: sent on behalf of a chat)."""
        self.add_chat(chat)
        message = message_payload(next(self._message_ids), chat, sender, text, sender_chat)
        return self.push_update({"message": message})

    def push_channel_post(self, chat: dict[str, Any], text: str) -> int:
        """A post in a channel (no sender user; the channel itself is the sender chat)."""
        self.add_chat(chat)
        return self.push_update(
            {"channel_post": message_payload(next(self._message_ids), chat, None, text, chat)}
        )

    def push_callback(self, sent: Sent, sender: dict[str, Any], data: str) -> int:
        """A press of the button with callback `data` under the bot's message `sent`."""
        chat = self.chats.get(sent.chat_id, {"id": sent.chat_id, "type": "private", "first_name": "?"})
        message = message_payload(sent.message_id, chat, BOT_USER, sent.text) | {
            "reply_markup": sent.params.get("reply_markup")
        }
        query = {
            "id": str(next(self._message_ids) * 1000 + 7),
            "from": sender,
            "message": message,
            "chat_instance": str(-abs(sent.chat_id)),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Accepted messages to one chat, oldest first."""
        return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[Call]:
        """Requests of one Bot API method."""
        return [c for c in self.calls if c.method == method]

    async def wait_sent(
        self, chat_id: int, count: int = 1, after: int = 0, timeout: float = 60.0
    ) -> list[Sent]:
        """The first `count` messages to `chat_id` beyond the first `after`; AssertionError on timeout."""

        def probe() -> list[Sent] | None:
            new = self.sent_to(chat_id)[after:]
            return new[:count] if len(new) >= count else None

        return await self.wait_for(probe, timeout, f"{count} message(s) to chat {chat_id}")

    async def wait_for(self, probe: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
        """Poll `probe` on every server event until it returns something truthy (bounded)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (found := probe()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            self._new_message.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_message.wait(), min(remaining, 0.05))
        return found

    # -- HTTP --

    async def _handle(self, request: web.Request) -> web.Response:
        response = await self._answer(request)
        if self.down:  # no connection outlives the start of an outage
            response.force_close()
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["prefix"] != f"bot{self.token}":
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        method = request.match_info["method"]
        handler = self._methods.get(method)
        if handler is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        params = await _params(request)
        self.calls.append(Call(method, params, time.time()))
        self._new_message.set()
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            result = await handler(params)
        except ApiError as exc:
            return web.json_response(exc.body(), status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _true(self, _params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        allowed = params.get("allowed_updates") or None
        self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed ones go
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout") or 0), self.poll_cap)
        while True:
            ready = [u for u in self._updates if allowed is None or _kind(u) in allowed][:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._stopping.is_set():
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        chat_id, now = chat["id"], time.time()
        self.request_times[chat_id].append(now)
        fault = self.faults.get(chat_id, self.default_fault)
        self._check_penalty(chat_id, now)
        if fault.blocked:
            self._write({"forbidden": chat_id, "t": now})
            raise ApiError(403, fault.blocked)
        if fault.migrate_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.migrate_to},
            )
        if fault.too_long:
            raise ApiError(400, "Bad Request: message is too long")
        if fault.retry_after and self.random.random() < fault.retry_probability:
            self._rate_limited("global" if fault.global_penalty else chat_id, now, fault.retry_after)
        self._validate(chat_id, params)
        sent = Sent(chat_id, params["text"], now, next(self._message_ids), params)
        self.sent.append(sent)
        if self.outage_after and len(self.sent) == self.outage_after:
            self._spawn(self.outage(self.outage_seconds))
        self._new_message.set()
        self._write(
            {"chat_id": chat_id, "text_sha": hashlib.sha256(sent.text.encode()).hexdigest(), "t": now}
        )
        if fault.delay:
            await asyncio.sleep(fault.delay)  # accepted, but the answer comes late: a client read timeout
        return message_payload(sent.message_id, chat, BOT_USER, sent.text) | {
            "reply_markup": params.get("reply_markup")
        }

    def _check_penalty(self, chat_id: int, now: float) -> None:
        until = max(self._penalties.get(chat_id, 0.0), self._penalties.get("global", 0.0))
        if now < until:
            self.penalty_hits.append((chat_id, now))
            self._write({"penalty_hit": chat_id, "t": now})
            seconds = max(1, math.ceil(until - now))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    def _rate_limited(self, key: int | str, now: float, seconds: int) -> NoReturn:
        """Start a penalty for `key` (a chat, or "global") and answer 429."""
        self._penalties[key] = now + seconds
        self._write({"penalty": key, "until": now + seconds})
        raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    def _validate(self, chat_id: int, params: dict[str, Any]) -> None:
        """Reject (400) and record what the real server would reject, or what this project forbids."""
        text = params.get("text")
        if not isinstance(text, str):
            raise ApiError(400, "Bad Request: message text is empty")
        html = params.get("parse_mode") == "HTML"
        problems = list(_html_problems(text)) if html else ["parse_mode is not HTML"]
        problems += _markup_problems(params.get("reply_markup"))
        if not (params.get("link_preview_options") or {}).get("is_disabled"):
            problems.append("link previews are not disabled")
        if not problems:
            return
        self.violations.append(f"chat {chat_id}: {'; '.join(problems)} in {text[:80]!r}")
        if any("after entity parsing" in p for p in problems):
            raise ApiError(400, "Bad Request: message is too long")
        raise ApiError(400, f"Bad Request: can't parse entities: {problems[0]}")

    def _chat(self, chat_ref: Any) -> dict[str, Any]:
        """The chat a chat_id parameter names (an id, or @username of a known chat)."""
        ref = str(chat_ref or "")
        if ref.startswith("@"):
            for chat in self.chats.values():
                if (chat.get("username") or "").lower() == ref[1:].lower():
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        try:
            chat_id = int(ref)
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None
        return self.chats.get(chat_id) or _default_chat(chat_id)

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        if chat["id"] not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return chat | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = self._chat(params.get("chat_id"))["id"], int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": user(user_id)}
        if status == "creator":
            member |= {"is_anonymous": False}
        elif status == "administrator":
            member |= dict.fromkeys(_ADMIN_RIGHTS, True) | {"is_anonymous": False, "can_be_edited": False}
        elif status == "kicked":
            member |= {"until_date": 0}
        return member

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for c in commands:
            name, description = c.get("command", ""), c.get("description", "")
            if not (
                1 <= len(name) <= 32 and name.isascii() and name.replace("_", "").isalnum() and name.islower()
            ):
                raise ApiError(400, f"Bad Request: BOT_COMMAND_INVALID ({name!r})")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _get_my_commands(self, _params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        if self._updates:
            self._spawn(self._deliver())
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if str(params.get("drop_pending_updates")).lower() == "true":
            self._updates.clear()
        return True

    async def _get_webhook_info(self, _params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _deliver(self) -> None:
        """Post pending updates to the webhook in order, with its secret token (like Telegram)."""
        async with self._delivering:
            if self._session is None:
                self._session = ClientSession(timeout=ClientTimeout(total=5))
            while self.webhook is not None and self._updates:
                update, hook = self._updates[0], self.webhook
                headers = {SECRET_HEADER: hook["secret_token"]} if hook["secret_token"] else {}
                async with self._session.post(hook["url"], json=update, headers=headers) as response:
                    self.webhook_statuses.append(response.status)
                if response.status != 200:
                    return
                self._updates.remove(update)

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        self.callback_answers.append(params)
        return True

    async def _edit_reply_markup(self, params: dict[str, Any]) -> bool:
        if problems := _markup_problems(params.get("reply_markup")):
            self.violations.append(f"editMessageReplyMarkup: {'; '.join(problems)}")
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return True

    def _write(self, record: dict[str, Any]) -> None:
        if self.log is not None:
            self.log.write(json.dumps(record) + "\n")
            self.log.flush()


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)


def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


def _default_chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "사용자"}
    return {"id": chat_id, "type": "supergroup" if chat_id < -1_000_000_000_000 else "group", "title": "chat"}


@functools.lru_cache(maxsize=256)
def _html_problems(text: str) -> tuple[str, ...]:
    """`check_telegram_html`, run once per distinct text: a broadcast sends the same text to every chat."""
    return tuple(check_telegram_html(text))


def _markup_problems(markup: Any) -> list[str]:
    """What is wrong with an inline keyboard (none given is fine)."""
    if markup is None:
        return []
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        return ["reply_markup is not an inline keyboard"]
    problems = []
    for button in (b for row in rows for b in row):
        data = button.get("callback_data")
        if not button.get("text"):
            problems.append("a button has no text")
        if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_MAX:
            problems.append(f"callback_data {str(data)[:20]!r}… is not 1-{CALLBACK_DATA_MAX} bytes")
        if data is None and not button.get("url"):
            problems.append("a button has neither callback_data nor url")
    return problems


async def _params(request: web.Request) -> dict[str, Any]:
    """Request parameters from a JSON or form body (form values of objects are JSON strings)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params |= await request.json()
    elif request.can_read_body:
        params |= {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params


# --- running as a process ------------------------------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115  (closed below)
    server = FakeTelegramServer(
        args.token,
        latency_ms=args.latency_ms,
        seed=args.seed,
        max_lifetime=args.max_lifetime,
        log=log,
        outage_after=args.outage_after,
        outage_seconds=args.outage_seconds,
    )
    if args.retry_after_rate:
        server.fault(
            None,
            retry_after=args.retry_after,
            retry_probability=args.retry_after_rate,
            global_penalty=args.global_penalty,
        )
    for chat_id in filter(None, args.forbidden_chats.split(",")):
        server.block(int(chat_id))
    await server.start(args.port)
    if args.port_file:
        tmp = Path(f"{args.port_file}.tmp")
        tmp.write_text(str(server.port))
        os.replace(tmp, args.port_file)  # readers never see a half-written file
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_lifetime)
    await server.stop()
    if log is not None:
        log.close()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the bound port here")
    parser.add_argument("--log", help="append one JSON line per accepted sendMessage and per 429")
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--retry-after-rate", type=float, default=0.0, help="share of sends answered 429")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds in those 429s")
    parser.add_argument("--global-penalty", action="store_true", help="a 429 pauses every chat")
    parser.add_argument("--forbidden-chats", default="", help="comma-separated chat ids answered 403")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--outage-after", type=int, default=0, help="refuse connections after N sends")
    parser.add_argument("--outage-seconds", type=float, default=0.0, help="for this long")
    parser.add_argument("--max-lifetime", type=float, default=600.0, help="seconds before exiting anyway")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
