"""The Telegram platform end to end: the real PTB client, polling (or a webhook) on the fake Bot API."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot import texts
from bot.commands import help_text, menu
from bot.ingest import store_digest
from bot.services import Services
from bot.sources.markdown import parse_digest
from handlers.telegram.bot import TelegramPlatform
from storage import subscribers
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.fakes.telegram_server import (
    BOT_USER,
    SECRET_HEADER,
    TOKEN,
    FakeTelegramServer,
    Sent,
    channel_chat,
    group_chat,
    message_payload,
    private_chat,
    user,
)

BOT = BOT_USER["username"]
ADMIN = 42  # the bot admin of the `services` fixture
ANONYMOUS_ADMIN_BOT = 1087968824


def visible(text: str) -> str:
    """What a Telegram user sees of an HTML message."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


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


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()
    assert server.violations == []


def use_fake(services: Services, fake: FakeTelegramServer, **settings: object) -> Services:
    update = {"telegram_token": SecretStr(TOKEN), "telegram_api_base": fake.base_url, **settings}
    return replace(
        services, settings=services.settings.model_copy(update=update), broadcaster=RecordingBroadcaster()
    )


@pytest.fixture
async def platform(services: Services, fake: FakeTelegramServer) -> AsyncIterator[TelegramPlatform]:
    bot = TelegramPlatform(use_fake(services, fake), poll_timeout=1)
    await bot.start()
    yield bot
    await bot.stop()


def subscription(services: Services, chat_id: int) -> subscribers.SubscriberView | None:
    with services.db.session() as session:
        return subscribers.get(session, "telegram", str(chat_id))


async def test_start_publishes_the_menu_and_polls(
    platform: TelegramPlatform, fake: FakeTelegramServer
) -> None:
    [poll] = (await fake.wait_for(lambda: fake.calls_of("getUpdates"), what="a poll"))[:1]
    assert [c.method for c in fake.calls][:4] == ["getMe", "setMyCommands", "deleteWebhook", "getUpdates"]
    assert [c["command"] for c in fake.commands] == [name for name, _ in menu()]
    assert all(re.search("[가-힣]", c["description"]) for c in fake.commands)
    assert float(poll.params["timeout"]) == 1
    assert set(poll.params["allowed_updates"]) == {"message", "channel_post", "callback_query"}


async def test_private_chat_transcript(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    chat = TgChat(fake, private_chat(7001), user(7001))
    assert await chat.say("/start") == help_text()
    assert await chat.say("/help") == help_text()

    top = await chat.say("/top")
    assert top.startswith(texts.digest_header("2025-02-11", 5)) and "5. 제목" in top
    top3 = await chat.say("/top 3 2025-02-11")
    assert texts.digest_header("2025-02-11", 3) in top3 and "3. 제목" in top3 and "4. 제목" not in top3
    [reply] = await chat.ask("/top")
    assert reply.params["parse_mode"] == "HTML" and "<b>" in reply.text

    nlp = await chat.say("/field 자연어처리")
    assert "자연어 처리 분야" in nlp.splitlines()[0]

    [listing] = await chat.ask("/fields")
    assert texts.FIELD_LIST_HEADER.format(days=7) in visible(listing.text)
    rows = listing.params["reply_markup"]["inline_keyboard"]
    assert all(len(row) <= 2 for row in rows) and len(listing.buttons) == len(services.taxonomy.fields)
    answered = len(fake.callback_answers)
    pressed = await chat.press(listing, "field nlp")
    assert "자연어 처리 분야" in visible(pressed.text)
    assert len(fake.callback_answers) == answered + 1

    subscribed = await chat.say("/subscribe 비전")
    assert "컴퓨터 비전" in subscribed and subscribed.startswith("✅")
    assert (sub := subscription(services, 7001)) is not None and sub.active and sub.fields == ("vision",)
    assert "컴퓨터 비전" in await chat.say("/settings")
    assert await chat.say("/unsubscribe") == texts.UNSUBSCRIBED
    assert await chat.say("/settings") == texts.SETTINGS_INACTIVE
    assert fake.calls_of("getChatMember") == []  # a DM never asks who administers it


async def test_group_transcript(platform: TelegramPlatform, fake: FakeTelegramServer, services) -> None:
    group = group_chat(-1001987654321)
    member, admin = TgChat(fake, group, user(601)), TgChat(fake, group, user(602))
    fake.set_member(group["id"], 602, "administrator")

    [top] = await member.ask(f"/top@{BOT} 3")
    assert texts.digest_header("2025-02-11", 3) in visible(top.text)
    assert top.params["reply_parameters"]["message_id"] > 0  # answers quote the command in groups
    assert "2025-02-11" in await member.say("/top 3 2025-02-11")
    assert "5. 제목" in await member.say("/top")
    assert "자연어 처리 분야" in await member.say(f"/field@{BOT} 자연어처리")
    assert await member.say("/help") == help_text() and await member.say(f"/start@{BOT}") == help_text()
    await member.assert_ignored("/top@another_bot")
    await member.assert_ignored("/ban")  # someone else's command
    assert "/ban" in await member.say(f"/ban@{BOT}")

    [listing] = await member.ask("/fields")
    assert "컴퓨터 비전 분야" in visible((await member.press(listing, "field vision")).text)

    assert await member.say("/subscribe") == texts.NOT_CHAT_ADMIN
    assert subscription(services, group["id"]) is None
    assert "컴퓨터 비전" in await admin.say("/subscribe 비전")
    assert (sub := subscription(services, group["id"])) is not None and sub.active
    assert "컴퓨터 비전" in await member.say("/settings")  # anyone may look
    assert await member.say("/unsubscribe") == texts.NOT_CHAT_ADMIN
    assert subscription(services, group["id"]).active
    assert await admin.say(f"/unsubscribe@{BOT}") == texts.UNSUBSCRIBED
    asked = [int(c.params["user_id"]) for c in fake.calls_of("getChatMember")]
    assert asked == [601, 602, 601, 602]  # only for /subscribe and /unsubscribe


async def test_channel_posts(platform: TelegramPlatform, fake: FakeTelegramServer, services) -> None:
    channel = TgChat(fake, channel_chat(-1001122334455, username="papers_ko"))
    assert "5. 제목" in await channel.say("/top")
    assert "자연어 처리 분야" in await channel.say("/field 자연어처리")
    assert "컴퓨터 비전" in await channel.say("/subscribe 비전")
    sub = subscription(services, -1001122334455)
    assert sub is not None and sub.active and sub.chat_kind == "channel"
    assert "컴퓨터 비전" in await channel.say("/settings")
    assert await channel.say("/rebroadcast") == texts.NOT_BOT_ADMIN  # a post carries no user id
    assert await channel.say("/unsubscribe") == texts.UNSUBSCRIBED
    assert fake.calls_of("getChatMember") == []  # only channel admins can post
    assert platform.services.broadcaster.calls == []


async def test_rebroadcast_only_for_bot_admins(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
):
    recorder: RecordingBroadcaster = platform.services.broadcaster
    stranger = TgChat(fake, private_chat(7002), user(7002))
    assert await stranger.say("/rebroadcast 2025-02-11") == texts.NOT_BOT_ADMIN
    assert await stranger.say("/stats") == texts.NOT_BOT_ADMIN
    assert recorder.calls == []

    admin = TgChat(fake, private_chat(ADMIN), user(ADMIN))
    started = await admin.say("/rebroadcast 2025-02-11 here")
    assert started == texts.REBROADCAST_STARTED.format(day="2025-02-11", count=1)
    assert recorder.calls == [(dt.date(2025, 2, 11), f"telegram:{ADMIN}", ("telegram", str(ADMIN)))]
    assert (await admin.say("/stats")).startswith(texts.STATS_HEADER)


async def test_anonymous_and_service_senders_are_never_bot_admins(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    # A likely misconfiguration: the id an admin saw on their anonymous message in a group.
    platform.services = replace(
        platform.services, admins=services.admins | {("telegram", str(ANONYMOUS_ADMIN_BOT))}
    )
    group = group_chat(-1001555000111)
    anonymous = TgChat(fake, group, user(ANONYMOUS_ADMIN_BOT, "Group"), sender_chat=group)
    assert await anonymous.say("/stats") == texts.NOT_BOT_ADMIN
    assert await anonymous.say("/rebroadcast") == texts.NOT_BOT_ADMIN
    assert platform.services.broadcaster.calls == []
    assert (await anonymous.say("/subscribe")).startswith("✅")  # yet it is an admin of this group
    assert fake.calls_of("getChatMember") == []
    # The same command from the bot admin's own account in that group works.
    assert (await TgChat(fake, group, user(ADMIN)).say("/stats")).startswith(texts.STATS_HEADER)


async def test_channel_post_echoed_into_its_group_is_ignored(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    group, linked = group_chat(-1001987654322), channel_chat(-1001122334456)
    message = message_payload(900, group, user(777000, "Telegram"), "/subscribe", linked)
    fake.push_update({"message": message | {"is_automatic_forward": True}})
    await TgChat(fake, group, user(601)).assert_ignored("/top@another_bot")
    assert subscription(services, group["id"]) is None


async def test_hostile_title_reaches_telegram_escaped(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    title = '<b>&</b> <script>alert("x")</script> & <!channel>'
    digest = (
        f"## 제목:\n{title}\n\n**쉬운설명**:\n<i>태그</i> & 기호가 섞인 설명이에요.\n\n**추천수**:\n99\n\n"
        "**PDF 다운로드 링크**: [PDF 다운로드](https://arxiv.org/pdf/2502.09999)\n"
    )
    day = dt.date(2025, 2, 12)
    store_digest(services.db, parse_digest(digest, day), services.taxonomy, day)
    [reply] = await TgChat(fake, private_chat(7003), user(7003)).ask("/top 1 2025-02-12")
    assert "&lt;script&gt;" in reply.text and "<script>" not in reply.text
    assert title in visible(reply.text) and "<i>태그</i> & 기호" in visible(reply.text)
    assert fake.violations == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def webhook_platform(
    services: Services, fake: FakeTelegramServer, secret: str | None
) -> TelegramPlatform:
    port = free_port()
    services = use_fake(
        services,
        fake,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram",
        telegram_webhook_secret=SecretStr(secret) if secret else None,
    )
    bot = TelegramPlatform(services, webhook_port=port, listen="127.0.0.1")
    await bot.start()
    return bot


async def post_update(url: str, secret: str | None, chat_id: int) -> int:
    update = {"update_id": 1, "message": message_payload(1, private_chat(chat_id), user(chat_id), "/stats")}
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize("configured", ["s3cret-Token_1", None])
async def test_webhook_requires_the_secret(
    services, fake: FakeTelegramServer, configured: str | None
) -> None:
    bot = await webhook_platform(services, fake, configured)
    try:
        assert fake.webhook is not None and fake.calls_of("getUpdates") == []
        url, secret = fake.webhook["url"], fake.webhook["secret_token"]
        assert secret == configured if configured else len(secret) >= 32  # unset: a random one
        assert await post_update(url, None, ADMIN) == 403  # a forged admin command
        assert await post_update(url, "wrong", ADMIN) == 403
        chat = TgChat(fake, private_chat(7004), user(7004))
        assert "5. 제목" in await chat.say("/top")  # delivered by the fake with the right secret
        assert fake.webhook_statuses == [200]
        assert fake.sent_to(ADMIN) == []
    finally:
        await bot.stop()


async def test_a_rejected_token_fails_the_start_without_showing_it(
    services, fake: FakeTelegramServer
) -> None:
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken_xyz"
    bot = TelegramPlatform(use_fake(services, fake, telegram_token=SecretStr(wrong)))
    with pytest.raises(RuntimeError, match="InvalidToken") as failure:
        await bot.start()
    assert wrong.split(":")[1] not in str(failure.value) and failure.value.__cause__ is None
    assert fake.calls == []  # the fake only answers its own token
    await bot.stop()  # stopping again is harmless


async def test_handler_errors_are_logged_once_without_the_token(
    platform: TelegramPlatform, fake: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake.block(7005)  # the user blocked the bot right after sending a command
    fake.push_message(private_chat(7005), user(7005), "/help")

    def logged() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "handlers.telegram.bot" and r.levelno == logging.ERROR]

    [record] = await fake.wait_for(logged, what="the error handler's log line")
    message = record.getMessage()
    assert "Forbidden" in message and "Traceback" in message
    assert TOKEN.split(":")[1] not in message


async def test_search_transcript(platform: TelegramPlatform, fake: FakeTelegramServer) -> None:
    chat = TgChat(fake, private_chat(7301), user(7301))
    found = await chat.say("/search 이진 결과 보상")
    assert found.startswith("🔍 '이진 결과 보상' 검색 결과 1편 (2025-02-11)")
    assert "huggingface.co/papers/2502.06781" in found
    [reply] = await chat.ask('/search "test-time scaling" <b>')
    assert reply.params["parse_mode"] == "HTML" and "&lt;b&gt;" in reply.text  # the query is escaped
    assert await chat.say("/search") == texts.SEARCH_USAGE.format(max_n=10)
    assert await chat.say("/search " + "가" * 5000) == texts.ARGS_TOO_LONG
    for line in ('" * ( ) : NEAR OR', "'; DROP TABLE papers; --"):
        assert await chat.say(f"/search {line}") == texts.SEARCH_NONE.format(query=line)
    assert "5. 제목" in await chat.say("/top")
