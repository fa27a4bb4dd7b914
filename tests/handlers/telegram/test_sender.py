"""TelegramChannel.send against the fake Bot API: one attempt per call, every outcome mapped."""

from __future__ import annotations

import html
import json
import re
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.broadcast.plan import json_ready
from bot.channels import SendResult
from bot.models import Card, Digest
from bot.settings import Settings
from handlers.telegram.sender import TelegramChannel, classify, resolve_chat_id
from handlers.telegram.transport import AiohttpRequest
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer, channel_chat

PART = "<b>📰 2025-02-11 허깅페이스 인기 논문 TOP 1</b>\n\n<b>1. 제목: A &amp; B</b>"


def settings_for(base_url: str, **overrides: object) -> Settings:
    return Settings(_env_file=None, telegram_token=TOKEN, telegram_api_base=base_url, **overrides)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(fake: FakeTelegramServer) -> AsyncIterator[TelegramChannel]:
    sender = TelegramChannel(settings_for(fake.base_url), read_timeout=30, connect_timeout=30)
    yield sender
    await sender.aclose()


def sent(fake: FakeTelegramServer, chat_id: int) -> SendResult:
    """A send's result when it arrived: the message id Telegram gave the chat's last message."""
    return SendResult("sent", ref=str(fake.sent_to(chat_id)[-1].message_id))


def assert_no_token(result: SendResult) -> None:
    assert TOKEN not in (result.detail or "") and TOKEN.split(":")[1] not in (result.detail or "")


async def test_sent_as_html_without_previews(fake: FakeTelegramServer, channel: TelegramChannel) -> None:
    assert await channel.send("1001", PART) == sent(fake, 1001)
    [message] = fake.sent_to(1001)
    assert message.text == PART
    assert message.params["parse_mode"] == "HTML"
    assert message.params["link_preview_options"] == {"is_disabled": True}
    assert "allow_paid_broadcast" not in message.params
    assert fake.violations == []


async def test_one_part_to_many_chats(fake: FakeTelegramServer, channel: TelegramChannel) -> None:
    buttons = [{"label": "자세히", "command": "paper 2502.00001"}]
    part = {"text": "<b>같은</b> 본문 &amp; 버튼", "buttons": buttons}
    fake.add_chat(channel_chat(-1001234, username="papers_ko"))
    for chat in ("1001", "-1001122334455", "@papers_ko"):  # one encoded part, three chat ids
        assert (await channel.send(chat, part)).status == "sent"
    received = [(m.chat_id, m.text, m.buttons) for m in fake.sent]
    button = [{"text": "자세히", "callback_data": "paper 2502.00001"}]
    assert received == [(c, "<b>같은</b> 본문 &amp; 버튼", button) for c in (1001, -1001122334455, -1001234)]
    assert fake.violations == []


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda f: f.block(7), SendResult("blocked")),
        (lambda f: f.block(7, "Forbidden: bot was kicked from the group chat"), SendResult("blocked")),
        (lambda f: f.block(7, "Forbidden: user is deactivated"), SendResult("blocked")),
        (lambda f: f.rate_limit(7, 7), SendResult("retry", retry_after=7.0)),
        (lambda f: f.migrate(7, -1001234567890), SendResult("moved", new_chat_id="-1001234567890")),
        (lambda f: f.fault(7, too_long=True), SendResult("failed")),
    ],
    ids=["blocked", "kicked", "deactivated", "retry-after", "migrated", "too-long"],
)
async def test_error_mapping(fake: FakeTelegramServer, channel: TelegramChannel, setup, expected) -> None:
    setup(fake)
    result = await channel.send("7", PART)
    assert (result.status, result.retry_after, result.new_chat_id) == (
        expected.status,
        expected.retry_after,
        expected.new_chat_id,
    )
    assert result.detail
    assert_no_token(result)
    assert len(fake.request_times[7]) == 1  # exactly one attempt
    assert fake.sent_to(7) == []


async def test_markup_telegram_cannot_parse_fails_and_is_caught(
    fake: FakeTelegramServer, channel: TelegramChannel
) -> None:
    result = await channel.send("7", "<b>unclosed & <script>")
    assert result.status == "failed" and "can't parse entities" in (result.detail or "").lower()
    assert len(fake.violations) == 1 and fake.sent_to(7) == []


async def test_message_too_long_after_parsing_fails(
    fake: FakeTelegramServer, channel: TelegramChannel
) -> None:
    result = await channel.send("7", "가" * 4097)
    assert result.status == "failed" and "message is too long" in (result.detail or "").lower()


async def test_read_timeout_is_ambiguous_and_not_resent(fake: FakeTelegramServer) -> None:
    fake.fault(7, delay=60.0)  # accepted, but the answer comes after the client gave up
    sender = TelegramChannel(settings_for(fake.base_url), read_timeout=2.0)
    try:
        result = await sender.send("7", PART)
    finally:
        await sender.aclose()
    assert result.status == "ambiguous"
    assert_no_token(result)
    assert len(fake.request_times[7]) == 1
    assert len(fake.sent_to(7)) == 1  # it did arrive: resending would duplicate it


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connect_refused_is_unsent() -> None:
    sender = TelegramChannel(settings_for(f"http://127.0.0.1:{closed_port()}/bot"), connect_timeout=0.5)
    try:
        result = await sender.send("7", PART)
    finally:
        await sender.aclose()
    assert result.status == "unsent" and "ClientConnectorError" in (result.detail or "")
    assert_no_token(result)


async def test_a_failed_tls_handshake_is_unsent(fake: FakeTelegramServer) -> None:
    """https to a plain-HTTP server: the handshake fails before any byte of the request is written."""
    sender = TelegramChannel(settings_for(fake.base_url.replace("http://", "https://")), connect_timeout=2)
    try:
        result = await sender.send("7", PART)
    finally:
        await sender.aclose()
    assert result.status == "unsent", result.detail
    assert fake.calls_of("sendMessage") == []


KEY = SimpleNamespace(host="api.telegram.org", port=443, ssl=True)  # what aiohttp's errors name


def _chained(error: NetworkError, cause: Exception) -> NetworkError:
    try:
        raise error from cause
    except NetworkError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (_chained(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused")), "unsent"),
        (_chained(TimedOut(), httpx.ConnectTimeout("slow connect")), "unsent"),
        (_chained(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")), "unsent"),
        (
            _chained(NetworkError("aiohttp: DNS"), aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "x"))),
            "unsent",
        ),
        (_chained(TimedOut(), aiohttp.ConnectionTimeoutError("connect")), "unsent"),
        (_chained(TimedOut(), aiohttp.SocketTimeoutError("read")), "ambiguous"),
        (_chained(NetworkError("aiohttp: gone"), aiohttp.ServerDisconnectedError()), "ambiguous"),
        (_chained(TimedOut(), httpx.ReadTimeout("slow answer")), "ambiguous"),
        (_chained(TimedOut(), httpx.WriteTimeout("slow upload")), "ambiguous"),
        (_chained(NetworkError("httpx.ReadError: reset"), httpx.ReadError("reset")), "ambiguous"),
        (_chained(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone")), "ambiguous"),
        (NetworkError("Bad Gateway"), "ambiguous"),  # a 5xx: the request did reach Telegram
        (BadRequest("Bad Request: chat not found"), "failed"),
    ],
)
def test_how_ptb_errors_map(error: NetworkError, status: str) -> None:
    """PTB raises TimedOut for every httpx timeout and keeps the httpx error as __cause__."""
    assert classify(error, TOKEN).status == status


def test_token_is_masked_in_details() -> None:
    result = classify(NetworkError(f"httpx.ConnectError: http://x/bot{TOKEN}/sendMessage"), TOKEN)
    assert_no_token(result)


async def test_hostile_title_arrives_escaped_and_valid(
    fake: FakeTelegramServer, channel: TelegramChannel
) -> None:
    title = '<b>&</b> <script>alert("x")</script> &amp; <!channel> <a href="javascript:x">'
    card = Card(
        rank=1,
        paper_id="2502.00001",
        title=title,
        easy_text="<i>쉬운</i> & 설명 </b>",
        easy_lang="ko",
        fields=("nlp",),
        field_names=("자연어 <처리>",),
        votes=3,
        url='https://huggingface.co/papers/2502.00001"><b>',
        pdf_url="https://arxiv.org/pdf/2502.00001",
    )
    digest = Digest(header="📰 <헤더> & 테스트", cards=(card,))
    for part in channel.render(digest):
        assert await channel.send("9", part) == sent(fake, 9)
    assert fake.violations == []
    text = fake.sent_to(9)[0].text
    assert "<script>" not in text and "&lt;script&gt;" in text
    visible = html.unescape(re.sub(r"<[^>]+>", "", text))
    assert title in visible and "<i>쉬운</i> & 설명 </b>" in visible


async def test_render_text_is_escaped(fake: FakeTelegramServer, channel: TelegramChannel) -> None:
    [part] = channel.render_text("⚠️ 실패: <b> & co")
    assert await channel.send("9", part) == sent(fake, 9)
    assert fake.sent_to(9)[0].text == "⚠️ 실패: &lt;b&gt; &amp; co"


async def test_paid_broadcast(fake: FakeTelegramServer) -> None:
    sender = TelegramChannel(settings_for(fake.base_url, telegram_paid_broadcast=True))
    try:
        assert await sender.send("9", PART) == sent(fake, 9)
    finally:
        await sender.aclose()
    assert fake.sent_to(9)[0].params["allow_paid_broadcast"] == "true"
    assert sender.limits.global_per_second == 1000


def test_limits_follow_the_settings() -> None:
    limits = TelegramChannel(settings_for("http://127.0.0.1:1/bot", telegram_rate=12)).limits
    assert (limits.global_per_second, limits.private_interval, limits.group_interval) == (12, 1.0, 3.0)


async def test_resolve_chat_id(fake: FakeTelegramServer) -> None:
    fake.add_chat(channel_chat(-1001122334455, username="papers_ko"))
    settings = settings_for(fake.base_url)
    assert await resolve_chat_id(settings, "@papers_ko") == "-1001122334455"
    assert await resolve_chat_id(settings, "https://t.me/papers_ko") == "-1001122334455"
    calls = len(fake.calls)
    assert await resolve_chat_id(settings, " -1001122334455 ") == "-1001122334455"
    assert await resolve_chat_id(settings, "42") == "42"
    assert len(fake.calls) == calls  # ids never ask Telegram
    with pytest.raises(ValueError, match="(?i)chat not found") as err:
        await resolve_chat_id(settings, "@nobody_here")
    assert TOKEN not in str(err.value)
    with pytest.raises(ValueError, match="not a Telegram chat"):
        await resolve_chat_id(settings, "papers ko!")


async def test_broadcast_parts_carry_detail_buttons_through_the_outbox(
    fake: FakeTelegramServer, channel: TelegramChannel
) -> None:
    cards = tuple(
        Card(i, f"2502.0000{i}", f"<T{i}>", "설명", "ko", ("ai",), ("인공지능",), i, "https://x.io")
        for i in (1, 2)
    )
    [part] = channel.render(Digest(header="헤더", cards=cards))
    stored = json.loads(json.dumps(json_ready(part)))  # what the outbox keeps and hands back
    assert await channel.send("9", stored) == sent(fake, 9)
    [message] = fake.sent_to(9)
    assert [b["callback_data"] for b in message.buttons] == ["paper 2502.00001", "paper 2502.00002"]
    assert "&lt;T1&gt;" in message.text
    assert await channel.send("9", "<b>an older broadcast's bare HTML</b>") == sent(fake, 9)


def test_answers_parse_as_ptb_parses_them() -> None:
    """The transport's JSON parser gives PTB's results, and PTB's error for what is not JSON."""
    answer = json.dumps({"ok": True, "result": {"message_id": 7, "text": "오늘의 논문 \ud83d\udcda"}})
    assert AiohttpRequest.parse_json_payload(answer.encode()) == json.loads(answer)
    broken = b'{"ok": true, "result": {"text": "\xff"}}'  # invalid UTF-8: PTB replaces it
    assert AiohttpRequest.parse_json_payload(broken)["result"]["text"] == "\ufffd"
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>bad gateway</html>")
