"""The Slack app over HTTP: signed slash commands and buttons in, Block Kit replies out (fake Slack API)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from bot import texts
from bot.render.slack import BLOCKS_MAX, HEADER_MAX, SECTION_MAX, slack_escape
from bot.services import Services
from bot.settings import ConfigError
from handlers.slack.app import build_platform
from handlers.slack.requests import sign
from storage import subscribers
from tests.fakes.slack_server import BOT_USER_ID, FakeSlack
from tests.transcripts.slack import SECRET, TOKEN, SlackHarness, fake_slack, running_app, slack_services


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as server:
        yield server


@pytest.fixture
async def slack(services: Services, fake: FakeSlack) -> AsyncIterator[SlackHarness]:
    async with running_app(slack_services(services, fake), fake) as harness:
        yield harness


@pytest.fixture
async def slack_admins(services: Services, fake: FakeSlack) -> AsyncIterator[SlackHarness]:
    """The app with PAPERBOT_SLACK_SUBSCRIBE=admins."""
    async with running_app(slack_services(services, fake, slack_subscribe="admins"), fake) as harness:
        yield harness


def assert_within_limits(message: dict[str, Any]) -> None:
    blocks = message.get("blocks") or []
    assert message.get("text") and 0 < len(blocks) <= BLOCKS_MAX
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_MAX
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_MAX


def all_text(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


# --- commands ---


async def test_top_posts_the_digest_in_the_channel(slack: SlackHarness) -> None:
    (message,) = await slack.command("/top")
    assert message["response_type"] == "in_channel"
    assert_within_limits(message)
    header = message["blocks"][0]
    assert header["type"] == "header" and header["text"]["text"] == texts.digest_header("2025-02-11", 5)
    cards = [b for b in message["blocks"] if b["type"] == "section"]
    assert len(cards) == 5 and all(texts.LABEL_EASY in c["text"]["text"] for c in cards)


async def test_bad_arguments_get_an_ephemeral_korean_explanation(slack: SlackHarness) -> None:
    (message,) = await slack.command("/top 0")
    assert message["response_type"] == "ephemeral"
    assert "1부터 20" in message["text"]


async def test_field_by_korean_name(slack: SlackHarness) -> None:
    (message,) = await slack.command("/field 자연어처리")
    assert message["response_type"] == "in_channel"
    assert_within_limits(message)
    assert "자연어 처리" in message["blocks"][0]["text"]["text"]


async def test_fields_buttons_run_their_command_when_pressed(slack: SlackHarness) -> None:
    (listing,) = await slack.command("/fields")
    assert listing["response_type"] == "in_channel"
    assert_within_limits(listing)
    buttons = [e for b in listing["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == len(slack.services.taxonomy.fields)
    nlp = next(b for b in buttons if b["value"] == "field nlp")
    (pressed,) = await slack.press(nlp["value"], nlp["action_id"])
    assert pressed["response_type"] == "in_channel" and pressed["replace_original"] is False
    assert_within_limits(pressed)
    assert "자연어 처리" in pressed["blocks"][0]["text"]["text"]


async def test_unknown_button_ids_are_ignored(slack: SlackHarness) -> None:
    body = {
        "payload": json.dumps({"type": "block_actions", "actions": [{"action_id": "other", "value": "top"}]})
    }
    assert await slack.signed(urlencode(body).encode()) in {200, 404}


async def test_help_is_ephemeral_and_names_the_installed_commands(
    services: Services, fake: FakeSlack
) -> None:
    svc = slack_services(services, fake, slack_command_prefix="paper-")
    async with running_app(svc, fake) as harness:
        (message,) = await harness.command("/paper-help")
        assert message["response_type"] == "ephemeral"
        assert "/paper-top 3" in message["text"] and "/paper-field" in message["text"]
        assert await harness.signed(urlencode({"command": "/top", "channel_id": "C1"}).encode()) == 404


# --- subscriptions ---


def stored(services: Services, chat_id: str):
    with services.db.session() as session:
        return subscribers.get(session, "slack", chat_id)


async def test_subscribe_a_channel_the_bot_is_in(slack: SlackHarness) -> None:
    (message,) = await slack.command("/subscribe 비전", channel="C1")
    assert message["response_type"] == "in_channel"
    assert "컴퓨터 비전" in message["text"]
    sub = stored(slack.services, "C1")
    assert sub is not None and sub.active and sub.fields == ("vision",) and sub.chat_kind == "channel"
    (settings_reply,) = await slack.command("/settings", channel="C1", user="U2")
    assert settings_reply["response_type"] == "ephemeral" and "컴퓨터 비전" in settings_reply["text"]
    (message,) = await slack.command("/unsubscribe", channel="C1")
    assert message["text"] == texts.UNSUBSCRIBED
    assert not stored(slack.services, "C1").active


async def test_subscribe_where_the_bot_is_not_a_member_explains_the_invite(slack: SlackHarness) -> None:
    for channel in ("C2", "C404"):  # not a member; not visible to the bot at all
        (message,) = await slack.command("/subscribe 비전", channel=channel)
        assert message["response_type"] == "ephemeral"
        assert f"/invite <@{BOT_USER_ID}>" in message["text"] and "/subscribe" in message["text"]
        assert stored(slack.services, channel) is None


async def test_with_admins_only_workspace_admins_subscribe_channels(slack_admins: SlackHarness) -> None:
    slack = slack_admins
    for channel in ("C1", "C2"):  # a member or not: a non-admin is refused before any invite hint
        (message,) = await slack.command("/subscribe", channel=channel, user="U2")
        assert message["response_type"] == "ephemeral" and message["text"] == texts.NOT_CHAT_ADMIN
        assert stored(slack.services, channel) is None
    assert [c.args["user"] for c in slack.fake.api_calls("users.info")] == ["U2", "U2"]
    assert slack.fake.api_calls("conversations.info") == []  # no membership check for a refusal
    (message,) = await slack.command("/subscribe", channel="C1", user="U3")  # a workspace admin
    assert message["response_type"] == "in_channel" and stored(slack.services, "C1").active
    for line, refusal in (
        ("/unsubscribe", texts.NOT_CHAT_ADMIN),
        ("/settings thread on", texts.SETTINGS_NOT_ADMIN),
    ):
        (message,) = await slack.command(line, channel="C1", user="U2")
        assert message["response_type"] == "ephemeral" and message["text"] == refusal
    sub = stored(slack.services, "C1")
    assert sub.active and not sub.slack_thread


async def test_with_members_any_member_manages_the_channel(slack: SlackHarness) -> None:
    assert slack.services.settings.slack_subscribe == "members"  # the default
    (message,) = await slack.command("/subscribe", channel="C1", user="U2")  # not an admin
    assert message["response_type"] == "in_channel" and "09:00" in message["text"]
    (message,) = await slack.command("/settings thread on", channel="C1", user="U2")
    assert message["text"] == texts.SETTINGS_THREAD_ON and stored(slack.services, "C1").slack_thread
    (message,) = await slack.command("/unsubscribe", channel="C1", user="U2")
    assert message["text"] == texts.UNSUBSCRIBED and not stored(slack.services, "C1").active
    assert slack.fake.api_calls("users.info") == []  # nobody's role is asked for
    (message,) = await slack.command("/subscribe", channel="C2", user="U2")  # the bot is not in C2
    assert message["response_type"] == "ephemeral" and f"/invite <@{BOT_USER_ID}>" in message["text"]
    assert stored(slack.services, "C2") is None


async def test_anyone_subscribes_a_direct_message(slack: SlackHarness) -> None:
    (message,) = await slack.command("/subscribe", channel="D1", user="U2")
    assert "09:00" in message["text"]
    assert stored(slack.services, "D1").chat_kind == "private"
    assert slack.fake.api_calls("users.info") == [] and slack.fake.api_calls("conversations.info") == []


# --- admin commands ---


async def test_rebroadcast_by_a_bot_admin(slack: SlackHarness) -> None:
    (message,) = await slack.command("/rebroadcast 2025-02-11 here", user="U1")
    assert message["response_type"] == "ephemeral"
    assert "1곳" in message["text"]
    assert slack.services.broadcaster.calls == [(dt.date(2025, 2, 11), "slack:T1:U1", ("slack", "C1"))]


async def test_rebroadcast_refused_to_others(slack: SlackHarness) -> None:
    for user, team in (("U2", "T1"), ("U1", "T2")):  # same user id in another workspace is someone else
        (message,) = await slack.command("/rebroadcast", user=user, team=team)
        assert message["response_type"] == "ephemeral" and message["text"] == texts.NOT_BOT_ADMIN
    assert slack.services.broadcaster.calls == []


async def test_stats_for_admins_only(slack: SlackHarness) -> None:
    await slack.command("/subscribe", channel="D9", user="U2")
    (message,) = await slack.command("/stats", user="U1")
    assert message["response_type"] == "ephemeral"
    assert texts.STATS_HEADER in message["text"] and "slack: 구독 1" in message["text"]
    (refused,) = await slack.command("/stats", user="U2")
    assert refused["text"] == texts.NOT_BOT_ADMIN


# --- the HTTP endpoint itself ---


async def test_health_check(slack: SlackHarness) -> None:
    async with slack.http.get(f"http://127.0.0.1:{slack.platform.port}/healthz") as response:
        assert response.status == 200


BODY = urlencode({"command": "/top", "channel_id": "C1", "user_id": "U1", "team_id": "T1"}).encode()


def _headers(ts: str | None, signature: str | None) -> dict[str, str]:
    headers = {}
    if ts is not None:
        headers["X-Slack-Request-Timestamp"] = ts
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    return headers


def _bad_signature_cases() -> list[tuple[str, dict[str, str]]]:
    now = int(time.time())
    good_ts = str(now)
    return [
        ("missing both", _headers(None, None)),
        ("missing signature", _headers(good_ts, None)),
        ("missing timestamp", _headers(None, sign(SECRET, good_ts, BODY))),
        ("wrong secret", _headers(good_ts, sign("another-secret", good_ts, BODY))),
        ("stale", _headers(str(now - 330), sign(SECRET, str(now - 330), BODY))),
        ("from the future", _headers(str(now + 330), sign(SECRET, str(now + 330), BODY))),
        ("timestamp not a number", _headers("abc", sign(SECRET, "abc", BODY))),
        ("timestamp with spaces", _headers(f" {now} ", sign(SECRET, f" {now} ", BODY))),
        ("timestamp with underscores", _headers("1_7", sign(SECRET, "1_7", BODY))),
        ("huge timestamp", _headers("9" * 400, sign(SECRET, "9" * 400, BODY))),
        ("negative timestamp", _headers("-1", sign(SECRET, "-1", BODY))),
        ("signature upper-case", _headers(good_ts, sign(SECRET, good_ts, BODY).upper())),
        ("signature without version", _headers(good_ts, sign(SECRET, good_ts, BODY)[3:])),
        ("signature of another body", _headers(good_ts, sign(SECRET, good_ts, BODY + b"&x=1"))),
        ("signature non-ascii", _headers(good_ts, "v0=é" + "0" * 63)),
        ("empty headers", _headers("", "")),
    ]


async def test_bad_signatures_get_401(slack: SlackHarness) -> None:
    for name, headers in _bad_signature_cases():
        assert await slack.post(BODY, headers) == 401, name
    assert slack.fake.posts("any") == [] and slack.fake.api_calls("auth.test") == []


async def test_signed_garbage_gets_4xx(slack: SlackHarness) -> None:
    for body in (
        b"",
        b"{not json",
        b"[1, 2]",
        b"payload=%7Bbroken",
        b"payload=%5B1%5D",
        b"\xff\xfe\x00",
        b"x" * 2000,
    ):
        assert 400 <= await slack.signed(body) < 500, body[:20]


async def test_huge_bodies_are_refused(slack: SlackHarness) -> None:
    big = b"a=" + b"x" * (2 * 1024 * 1024)
    assert await slack.post(big) == 413
    assert await slack.signed(big) == 413


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ts=st.one_of(st.none(), st.text(max_size=20), st.integers(-(10**12), 10**12).map(str)),
    signature=st.one_of(st.none(), st.text(max_size=80), st.from_regex(r"v0=[0-9a-f]{64}", fullmatch=True)),
    body=st.binary(max_size=300),
)
async def test_random_unsigned_requests_get_401(slack: SlackHarness, ts, signature, body) -> None:
    headers = {k: v for k, v in _headers(ts, signature).items() if v.isprintable() and v.isascii()}
    assert await slack.post(body, headers) == 401


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
async def test_random_signed_bodies_never_get_5xx(slack: SlackHarness, body: bytes) -> None:
    assert await slack.signed(body) < 500


# --- configuration and Socket Mode ---


def test_http_mode_needs_a_signing_secret(services: Services) -> None:
    settings_ = services.settings.model_copy(update={"slack_bot_token": SecretStr(TOKEN)})
    with pytest.raises(ConfigError, match="SIGNING_SECRET"):
        build_platform(replace(services, settings=settings_))


def test_an_app_token_selects_socket_mode_without_connecting(services: Services) -> None:
    update = {"slack_bot_token": SecretStr(TOKEN), "slack_app_token": SecretStr("xapp-1-A1-1-abc")}
    platform = build_platform(replace(services, settings=services.settings.model_copy(update=update)))
    assert platform.mode == "socket" and platform.name == "slack"
    assert platform.channel().platform == "slack"
    bad = update | {"slack_app_token": SecretStr("xoxb-wrong-kind")}
    with pytest.raises(ConfigError, match="xapp-"):
        build_platform(replace(services, settings=services.settings.model_copy(update=bad)))


async def test_socket_mode_round_trip(services: Services, fake: FakeSlack) -> None:
    svc = slack_services(
        services, fake, slack_app_token=SecretStr("xapp-1-A1-1-abc"), slack_signing_secret=None
    )
    platform = build_platform(svc)
    await platform.start()
    try:
        await fake.wait_for(lambda: fake.socket_clients)
        assert [c.token for c in fake.api_calls("apps.connections.open")] == ["xapp-1-A1-1-abc"]
        payload = {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/top",
            "text": "2",
            "response_url": fake.response_url("socket"),
        }
        fake.push_envelope(
            {
                "envelope_id": "e1",
                "type": "slash_commands",
                "payload": payload,
                "accepts_response_payload": True,
            }
        )
        acks = await fake.wait_for(lambda: [a for a in fake.socket_acks if a.get("envelope_id") == "e1"])
        assert len(acks) == 1
        (message,) = await fake.wait_for(lambda: fake.posts("socket"))
        assert message["blocks"][0]["text"]["text"] == texts.digest_header("2025-02-11", 2)
    finally:
        await platform.stop()


async def test_card_detail_buttons_answer_with_the_summary_only_to_the_presser(slack: SlackHarness) -> None:
    (message,) = await slack.command("/top 1")
    [button] = [b["accessory"] for b in message["blocks"] if b["type"] == "section"]
    assert button["value"] == "paper 2502.06781" and button["text"]["text"] == f"{texts.DETAIL_BUTTON} 1"
    (answer,) = await slack.press(button["value"], button["action_id"])
    assert answer["response_type"] == "ephemeral"  # a channel is not flooded with everyone's clicks
    assert_within_limits(answer)
    text = answer["blocks"][0]["text"]["text"]
    assert f"*{texts.LABEL_SUMMARY}:* 정답인지 아닌지만 알려 주는 이진 결과 보상" in text
    assert "<https://arxiv.org/pdf/2502.06781|PDF>" in text


async def test_search_transcript(slack: SlackHarness) -> None:
    [found] = await slack.command("/search 이진 결과 보상")
    assert found["response_type"] == "in_channel"
    assert_within_limits(found)
    assert "2502.06781" in all_text([found]) and "이진 결과 보상" in all_text([found])
    [escaped] = await slack.command("/search <!channel>")
    assert "<!channel>" not in all_text([escaped])
    bad = {
        "/search": texts.SEARCH_USAGE.format(max_n=10),
        "/search " + "가" * 5000: texts.ARGS_TOO_LONG,
        '/search " * ( ) : NEAR OR': texts.SEARCH_NONE.format(query='" * ( ) : NEAR OR'),
        "/search '; DROP TABLE papers; --": texts.SEARCH_NONE.format(query="'; DROP TABLE papers; --"),
    }
    for line, expected in bad.items():
        [reply] = await slack.command(line)
        assert reply["text"] == slack_escape(expected), line
    [top] = await slack.command("/top")
    assert "5. " in all_text([top]) or len(top["blocks"]) > 5


async def test_a_replayed_signed_request_is_refused(slack: SlackHarness) -> None:
    form = {
        "team_id": "T1",
        "channel_id": "D42",
        "user_id": "U1",
        "command": "/rebroadcast",
        "text": "2025-02-11",
        "response_url": slack.fake.response_url("replayed"),
    }
    body, ts = urlencode(form).encode(), int(time.time())
    assert await slack.signed(body, ts) == 200
    await slack.fake.wait_for(lambda: slack.fake.posts("replayed"))
    assert await slack.signed(body, ts) == 401  # the same signed request again, within the window
    assert len(slack.services.broadcaster.calls) == 1  # one rebroadcast, not two
