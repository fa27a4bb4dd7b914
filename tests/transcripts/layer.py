"""The command layer without a platform: a chat line in, the neutral reply (or its plain text) out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import dispatch, parse_command
from bot.models import ChatKind, Reply, Request
from bot.render.text import render_reply_text
from bot.services import Services


@dataclass
class Chat:
    """One chat with the bot through the command layer, as a given user in a given chat."""

    services: Services
    platform: str = "telegram"
    chat_id: str = "1001"
    user_id: str | None = "1001"
    chat_kind: ChatKind = "private"
    is_chat_admin: bool = False

    def reply(self, line: str) -> Reply:
        """The neutral reply to one command line."""
        parsed = parse_command(line)
        assert parsed is not None, f"not a command: {line!r}"
        command, args = parsed
        request = Request(
            platform=self.platform,
            chat_id=self.chat_id,
            user_id=self.user_id,
            command=command,
            args=args,
            chat_kind=self.chat_kind,
            is_chat_admin=self.is_chat_admin,
        )
        return dispatch(self.services, request)

    def say(self, line: str) -> str:
        """The reply to one command line, rendered as plain text."""
        return render_reply_text(self.reply(line))
