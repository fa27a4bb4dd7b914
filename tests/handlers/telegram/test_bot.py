"""The Telegram platform end to end: the real PTB client, polling (or a webhook) on the fake Bot API."""

from __future__ import annotations

import datetime as dt
import logging
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from pydantic import SecretStr

from bot import texts
from bot.commands import help_text, menu
from bot.ingest import store_digest
from bot.selection import top_of_day
from bot.services import Services
from bot.sources.markdown import parse_digest
from handlers.telegram.bot import TelegramPlatform
from storage import subscribers
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.fakes.telegram_server import (
    SECRET_HEADER,
    TOKEN,
    FakeTelegramServer,
    channel_chat,
    group_chat,
    message_payload,
    private_chat,
    user,
)
from tests.transcripts.telegram import ADMIN, BOT, TgChat, use_fake
from tests.transcripts.visible import visible

ANONYMOUS_ADMIN_BOT = 1087968824


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()
    assert server.violations == []


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


async def test_private_chat_html_buttons_and_no_admin_lookups(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    chat = TgChat(fake, private_chat(7001), user(7001))
    assert await chat.say("/start") == help_text()
    [reply] = await chat.ask("/top")
    assert reply.params["parse_mode"] == "HTML" and "<b>" in reply.text

    [listing] = await chat.ask("/fields")
    rows = listing.params["reply_markup"]["inline_keyboard"]
    assert all(len(row) <= 2 for row in rows) and len(listing.buttons) == len(services.taxonomy.fields)
    answered = len(fake.callback_answers)
    pressed = await chat.press(listing, "field nlp")
    assert "자연어 처리 분야" in visible(pressed.text)
    assert len(fake.callback_answers) == answered + 1

    assert (await chat.say("/subscribe 비전")).startswith("✅")
    assert (sub := subscription(services, 7001)) is not None and sub.active and sub.fields == ("vision",)
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


async def test_rebroadcast_by_a_bot_admin(platform: TelegramPlatform, fake: FakeTelegramServer, services):
    recorder: RecordingBroadcaster = platform.services.broadcaster
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


def store_hostile_paper(services: Services) -> None:
    """A paper whose every external text is full of markup, listed on 2025-02-12."""
    from storage.papers import upsert_papers
    from storage.records import PaperIn

    paper = PaperIn(
        id="2502.09999",
        title="<b>Bold</b> & <script>x</script>",
        abstract="We test <FinQA> & co. It breaks <i>things</i>. Third. Fourth sentence stays out.",
        ai_keywords=["<long> & context", "finance"],
        upvotes=7,
    )
    with services.db.session() as session:
        upsert_papers(session, [paper], dt.date(2025, 2, 12), "hf")


async def test_detail_button_answers_with_the_summary_keywords_and_links(
    platform: TelegramPlatform, fake: FakeTelegramServer, services
) -> None:
    chat = TgChat(fake, private_chat(7101), user(7101))
    [top] = await chat.ask("/top 2 2025-02-11")
    ids = [c.paper_id for c in top_of_day(services, dt.date(2025, 2, 11), 2).cards]
    assert [b["callback_data"] for b in top.buttons] == [f"paper {i}" for i in ids]
    assert [b["text"] for b in top.buttons] == [f"{texts.DETAIL_BUTTON} 1", f"{texts.DETAIL_BUTTON} 2"]
    shown = visible((await chat.press(top, f"paper {ids[0]}")).text)
    assert f"{texts.LABEL_SUMMARY}: 정답인지 아닌지만 알려 주는 이진 결과 보상" in shown
    assert "https://arxiv.org/pdf/2502.06781" in (await chat.press(top, f"paper {ids[0]}")).text

    store_hostile_paper(services)
    [hostile] = await chat.ask("/top 1 2025-02-12")
    answer = await chat.press(hostile, "paper 2502.09999")
    assert "<script>" not in answer.text and "&lt;FinQA&gt; &amp; co." in answer.text
    shown = visible(answer.text)
    assert "<b>Bold</b> & <script>x</script>" in shown
    summary = f"{texts.SUMMARY_ENGLISH_MARK} We test <FinQA> & co. It breaks <i>things</i>. Third."
    assert f"{texts.LABEL_SUMMARY}: {summary}" in shown and "Fourth" not in shown
    assert f"{texts.LABEL_KEYWORDS}: <long> & context, finance" in shown


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


async def test_a_malformed_webhook_body_with_the_right_secret_gets_400(
    services, fake: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await webhook_platform(services, fake, "s3cret-Token_1")
    try:
        url, secret = fake.webhook["url"], fake.webhook["secret_token"]
        bodies = [
            b"{not json",
            b"",
            b"\xff\xfe\x00binary",
            b"[1, 2]",
            b'{"update_id": "x"}',
            b"x" * 5_000_000,
        ]
        async with aiohttp.ClientSession() as session:
            for body in bodies:
                async with session.post(url, data=body, headers={SECRET_HEADER: secret}) as response:
                    assert response.status in (400, 413), body[:20]
        assert not [r for r in caplog.records if r.exc_info]  # no traceback in the log
        chat = TgChat(fake, private_chat(7005), user(7005))
        assert "5. 제목" in await chat.say("/top")  # and the bot still answers
    finally:
        await bot.stop()
