"""The Slack broadcast channel through the real slack_sdk client against the fake Slack Web API."""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from bot.broadcast.plan import json_ready
from bot.channels import InThread, SendResult
from bot.models import Card, Digest
from bot.render.slack import SlackMessage, render_digest_slack
from bot.settings import ConfigError, Settings
from handlers.slack.sender import GONE, SlackChannel, make_client
from tests.fakes.slack_server import Canned, FakeSlack

TOKEN = "xoxb-1-sender-token"


def card(rank: int = 1, title: str = "Attention Is All You Need") -> Card:
    return Card(
        rank=rank,
        paper_id=f"2502.0000{rank}",
        title=title,
        easy_text="어텐션만으로 번역 모델을 만든 논문이에요.",
        easy_lang="ko",
        fields=("nlp",),
        field_names=("자연어 처리",),
        votes=42,
        url=f"https://huggingface.co/papers/2502.0000{rank}",
    )


DIGEST = Digest(header="📰 2025-02-11 허깅페이스 인기 논문 TOP 2", cards=(card(1), card(2)))


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as server:
        yield server


def settings_for(api_base: str) -> Settings:
    return Settings(_env_file=None, slack_bot_token=TOKEN, slack_api_base=api_base)  # type: ignore[call-arg]


def channel_for(fake: FakeSlack, **options: Any) -> SlackChannel:
    return SlackChannel(make_client(settings_for(fake.api_base), **options))


def ratelimited(retry_after: str) -> Canned:
    return Canned(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry_after})


async def test_send_posts_blocks_and_fallback(fake: FakeSlack) -> None:
    channel = channel_for(fake)
    (part,) = channel.render(DIGEST)
    result = await channel.send("C1", part)
    assert result.status == "sent" and result.ref is not None  # the message's ts, for threads
    (call,) = fake.api_calls("chat.postMessage")
    assert call.token == TOKEN
    assert call.args["channel"] == "C1" and call.args["text"] == part.text
    assert call.args["blocks"] == json.loads(json.dumps(part.blocks))
    assert call.args["unfurl_links"] is False


def test_limits_and_rendering() -> None:
    channel = SlackChannel(make_client(settings_for("http://127.0.0.1:9/api/")))
    assert channel.platform == "slack"
    assert channel.limits.global_per_second == 20.0
    assert channel.limits.private_interval == channel.limits.group_interval == 1.0
    assert channel.render(DIGEST) == render_digest_slack(DIGEST) == channel.render(DIGEST)


async def test_a_short_rate_limit_is_waited_out(fake: FakeSlack) -> None:
    fake.fail_with("chat.postMessage", ratelimited("0"))
    (part,) = render_digest_slack(DIGEST)
    assert (await channel_for(fake).send("C1", part)).status == "sent"
    assert len(fake.api_calls("chat.postMessage")) == 2


async def test_a_lasting_rate_limit_goes_back_to_the_engine(fake: FakeSlack) -> None:
    fake.fail_with("chat.postMessage", *[ratelimited("1")] * 5)
    (part,) = render_digest_slack(DIGEST)
    result = await channel_for(fake, rate_limit_retries=1).send("C1", part)
    assert result.status == "retry" and result.retry_after == 1.0
    assert len(fake.api_calls("chat.postMessage")) == 2  # one attempt, one retry


async def test_a_long_retry_after_is_not_slept_in_place(fake: FakeSlack) -> None:
    fake.fail_with("chat.postMessage", ratelimited("120"))
    (part,) = render_digest_slack(DIGEST)
    result = await channel_for(fake).send("C1", part)
    assert result == SendResult("retry", detail="ratelimited", retry_after=120.0)
    assert len(fake.api_calls("chat.postMessage")) == 1


@pytest.mark.parametrize("error", sorted(GONE))
async def test_gone_channels_are_blocked_with_the_reason(fake: FakeSlack, error: str) -> None:
    fake.fail_with("chat.postMessage", Canned(200, {"ok": False, "error": error}))
    (part,) = render_digest_slack(DIGEST)
    assert await channel_for(fake).send("C1", part) == SendResult("blocked", detail=error)


@pytest.mark.parametrize("error", ["invalid_blocks", "msg_too_long", "invalid_auth", "token_revoked"])
async def test_other_api_errors_fail_without_deactivating(fake: FakeSlack, error: str) -> None:
    fake.fail_with("chat.postMessage", Canned(200, {"ok": False, "error": error}))
    (part,) = render_digest_slack(DIGEST)
    assert await channel_for(fake).send("C1", part) == SendResult("failed", detail=error)


async def test_server_errors_are_ambiguous(fake: FakeSlack) -> None:
    fake.fail_with("chat.postMessage", Canned(503, "upstream trouble"))
    (part,) = render_digest_slack(DIGEST)
    result = await channel_for(fake).send("C1", part)
    assert result.status == "ambiguous"


async def test_a_read_timeout_is_ambiguous(fake: FakeSlack) -> None:
    fake.fail_with("chat.postMessage", Canned(delay=1.0))
    (part,) = render_digest_slack(DIGEST)
    result = await channel_for(fake, timeout=0.2).send("C1", part)
    assert result.status == "ambiguous"


def test_a_client_needs_the_bot_token() -> None:
    with pytest.raises(ConfigError, match="PAPERBOT_SLACK_BOT_TOKEN"):
        make_client(Settings(_env_file=None))  # type: ignore[call-arg]


async def test_a_refused_connection_is_unsent() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = SlackChannel(make_client(settings_for(f"http://127.0.0.1:{port}/api/")))
    (part,) = render_digest_slack(DIGEST)
    result = await channel.send("C1", part)
    assert result.status == "unsent" and result.detail == "ClientConnectorError"


async def test_mentions_in_external_text_reach_slack_escaped(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    evil = "<!channel> & <@U123>"
    escaped = "&lt;!channel&gt; &amp; &lt;@U123&gt;"
    digest = Digest(header=f"🔎 {evil} 분야", cards=(card(1, title=evil),))
    (part,) = render_digest_slack(digest)
    caplog.set_level(logging.DEBUG)
    fake.fail_with("chat.postMessage", Canned(200, {"ok": False, "error": "not_in_channel"}))
    assert (await channel_for(fake).send("C1", part)).status == "blocked"
    assert (await channel_for(fake).send("C1", part)).status == "sent"
    call = fake.api_calls("chat.postMessage")[-1]
    blocks = json.dumps(call.args["blocks"], ensure_ascii=False)
    assert escaped in call.args["text"] and escaped in blocks
    for text in (call.args["text"], blocks):
        assert "<!channel>" not in text and "<@U123>" not in text
    assert TOKEN not in caplog.text


async def test_anything_but_a_slack_message_fails(fake: FakeSlack) -> None:
    result = await channel_for(fake).send("C1", "plain text")
    assert result.status == "failed"
    assert fake.api_calls("chat.postMessage") == []
    assert isinstance(render_digest_slack(DIGEST)[0], SlackMessage)


async def test_stored_outbox_payloads_are_sent_as_blocks(fake: FakeSlack) -> None:
    """The broadcast engine stores parts as JSON; a stored part is posted like the message it was."""
    channel = channel_for(fake)
    (part,) = channel.render(DIGEST)
    stored = json.loads(json.dumps(json_ready(part)))
    assert (await channel.send("C1", stored)).status == "sent"
    (call,) = fake.api_calls("chat.postMessage")
    assert call.args["text"] == part.text
    assert call.args["blocks"] == json.loads(json.dumps(part.blocks))


def test_notices_render_as_blocks() -> None:
    (message,) = SlackChannel(None).render_text("⚠️ <!channel> 실패")  # type: ignore[arg-type]
    assert "&lt;!channel&gt;" in message.text


PICTURE = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2502.00001.png"
PICTURED = Digest(header=DIGEST.header, cards=(dataclasses.replace(card(1), thumbnail=PICTURE),))


async def test_a_picture_slack_cannot_fetch_costs_only_the_picture(fake: FakeSlack) -> None:
    (part,) = render_digest_slack(PICTURED)
    fake.fail_with("chat.postMessage", Canned(200, {"ok": False, "error": "invalid_blocks"}))
    assert (await channel_for(fake).send("C1", part)).status == "sent"
    first, second = fake.api_calls("chat.postMessage")
    assert "image" in json.dumps(first.args["blocks"]) and "image" not in json.dumps(second.args["blocks"])
    assert second.args["text"] == part.text and "자세히" in json.dumps(
        second.args["blocks"], ensure_ascii=False
    )


async def test_a_message_without_pictures_is_not_sent_twice(fake: FakeSlack) -> None:
    (part,) = render_digest_slack(DIGEST)
    fake.fail_with("chat.postMessage", Canned(200, {"ok": False, "error": "invalid_blocks"}))
    result = await channel_for(fake).send("C1", part)
    assert (result.status, result.detail) == ("failed", "invalid_blocks")
    assert len(fake.api_calls("chat.postMessage")) == 1


async def test_a_thread_reply_names_its_thread(fake: FakeSlack) -> None:
    channel = channel_for(fake)
    head, reply = channel.render_thread(Digest(header=DIGEST.header, cards=(card(1),)))
    first = await channel.send("C1", json.loads(json.dumps(json_ready(head))))
    assert first.status == "sent" and first.ref
    assert (
        await channel.send("C1", InThread(json.loads(json.dumps(json_ready(reply))), first.ref))
    ).status == "sent"
    calls = fake.api_calls("chat.postMessage")
    assert "thread_ts" not in calls[0].args and calls[1].args["thread_ts"] == first.ref
