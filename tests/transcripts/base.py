"""What every platform's transcript driver offers: a chat per role, and the services behind it."""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from bot.services import Services


class Role(Enum):
    """Who is typing, and where."""

    PRIVATE_USER = "a user in a private chat"
    BOT_ADMIN = "a bot admin in a private chat"
    MEMBER = "a group or channel member who is not an admin"
    CHAT_ADMIN = "a group or channel admin (not a bot admin)"


GROUP_ROLES = frozenset({Role.MEMBER, Role.CHAT_ADMIN})


class Transcript(Protocol):
    """One chat with the bot."""

    async def say(self, line: str) -> str:
        """Send `line`; the text the user sees of the reply, as plain text."""
        ...


class Transcripts(Protocol):
    """A running platform: chats by role, and the services (with a recording broadcaster) it answers with."""

    @property
    def services(self) -> Services:
        """The services the platform's commands run with."""
        ...

    def chat(self, role: Role) -> Transcript:
        """A chat as `role`; the same role always gets the same chat."""
        ...
