"""Console chats through handlers/console.py's line handling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from bot.bootstrap import build_services
from bot.services import Services
from handlers.console import CONSOLE_CHAT, answer
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.transcripts.base import GROUP_ROLES, Role


@dataclass
class ConsoleChat:
    """Lines typed at the console prompt, answered as `run_console` answers them."""

    services: Services

    async def say(self, line: str) -> str:
        """The console's reply to `line` (off the event loop, as the console platform runs it)."""
        reply = await asyncio.to_thread(answer, self.services, line)
        assert reply is not None, f"{line!r} ended the console"
        return reply


@dataclass
class ConsoleTranscripts:
    """The console as its local admin, and as a stranger (the same services without that admin)."""

    services: Services

    def chat(self, role: Role) -> ConsoleChat:
        """The console has one private chat: its user is a bot admin or a stranger."""
        if role in GROUP_ROLES:
            raise LookupError("the console has no group chats")
        if role is Role.BOT_ADMIN:
            return ConsoleChat(self.services)
        return ConsoleChat(replace(self.services, admins=self.services.admins - {("console", CONSOLE_CHAT)}))


@asynccontextmanager
async def console_transcripts(services: Services) -> AsyncIterator[ConsoleTranscripts]:
    """Console services built as `paperbot` builds them, over the test's database and settings."""
    built = build_services(services.settings, services.db).with_broadcaster(RecordingBroadcaster())
    yield ConsoleTranscripts(built)
