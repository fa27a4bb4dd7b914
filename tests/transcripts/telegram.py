"""Telegram chats through the real PTB application polling the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import SecretStr

from bot.commands import help_text
from bot.services import Services
from handlers.telegram.bot import TelegramPlatform
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.fakes.telegram_server import (
    BOT_USER,
    TOKEN,
    FakeTelegramServer,
    Sent,
    group_chat,
    private_chat,
    user,
)
from tests.transcripts.base import Role
from tests.transcripts.visible import visible

BOT = str(BOT_USER["username"])
ADMIN = 42  # the bot admin of the `services` fixture
GROUP = -1001987654321


@dataclass
class TgChat:
    """One chat with the bot through the fake server, as one sender."""

    fake: FakeTelegramServer
    chat: dict[str, Any]
    sender: dict[str, Any] | None = None
    sender_chat: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return self.chat["id"]

    def push(self, text: str) -> None:
        if self.chat["type"] == "channel":
            self.fake.push_channel_post(self.chat, text)
        else:
            self.fake.push_message(self.chat, self.sender, text, self.sender_chat)

    async def ask(self, text: str, replies: int = 1) -> list[Sent]:
        """Send `text`, return the bot's next `replies` messages in this chat."""
        before = len(self.fake.sent_to(self.id))
        self.push(text)
        return await self.fake.wait_sent(self.id, replies, after=before)

    async def say(self, text: str) -> str:
        """Send `text`, return what the user sees of the (single) reply."""
        [reply] = await self.ask(text)
        return visible(reply.text)

    async def press(self, message: Sent, data: str, presser: dict[str, Any] | None = None) -> Sent:
        """Press the button with callback `data` under `message`."""
        assert data in [b["callback_data"] for b in message.buttons]
        before = len(self.fake.sent_to(self.id))
        self.fake.push_callback(message, presser or self.sender or user(1), data)
        [reply] = await self.fake.wait_sent(self.id, 1, after=before)
        return reply

    async def assert_ignored(self, text: str) -> None:
        """No reply to `text`: a later /help is the next thing the bot says here."""
        before = len(self.fake.sent_to(self.id))
        self.push(text)
        probe = TgChat(self.fake, self.chat, self.sender or user(1), self.sender_chat)
        assert visible((await probe.ask("/help@" + BOT))[0].text) == help_text()
        await asyncio.sleep(0.2)  # a late answer to `text` would show up now
        assert len(self.fake.sent_to(self.id)) == before + 1


def use_fake(services: Services, fake: FakeTelegramServer, **settings: object) -> Services:
    """`services` talking to the fake Bot API, with a recording broadcaster."""
    update = {"telegram_token": SecretStr(TOKEN), "telegram_api_base": fake.base_url, **settings}
    return replace(
        services, settings=services.settings.model_copy(update=update), broadcaster=RecordingBroadcaster()
    )


def role_chat(fake: FakeTelegramServer, role: Role) -> TgChat:
    """The chat and sender playing `role`; the group's admin is one by the fake's getChatMember."""
    if role is Role.PRIVATE_USER:
        return TgChat(fake, private_chat(7001), user(7001))
    if role is Role.BOT_ADMIN:
        return TgChat(fake, private_chat(ADMIN), user(ADMIN))
    if role is Role.MEMBER:
        return TgChat(fake, group_chat(GROUP), user(601))
    fake.set_member(GROUP, 602, "administrator")
    return TgChat(fake, group_chat(GROUP), user(602))


@dataclass
class TelegramTranscripts:
    """The running Telegram app and its chats by role."""

    platform: TelegramPlatform
    fake: FakeTelegramServer
    chats: dict[Role, TgChat] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        return self.platform.services

    def chat(self, role: Role) -> TgChat:
        """The chat playing `role`."""
        if role not in self.chats:
            self.chats[role] = role_chat(self.fake, role)
        return self.chats[role]


@asynccontextmanager
async def telegram_transcripts(services: Services) -> AsyncIterator[TelegramTranscripts]:
    """The PTB application polling a fresh fake Bot API server, for the length of the block."""
    fake = await FakeTelegramServer().start()
    platform = TelegramPlatform(use_fake(services, fake), poll_timeout=1)
    try:
        await platform.start()
        yield TelegramTranscripts(platform, fake)
    finally:
        await platform.stop()
        await fake.stop()
    assert fake.violations == []
