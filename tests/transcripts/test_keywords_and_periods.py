"""`/keywords`, `/top week|month` and `/field … week|month` on the console, Telegram and Slack."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import texts
from bot.search_query import MAX_KEYWORDS
from bot.selection import latest_day
from bot.services import Services
from tests.transcripts.base import Role, Transcripts
from tests.transcripts.test_scenarios import CARD, assert_short_korean, layer, layer_text, when

SYNTAX = '" * ( ) : NEAR OR'
HUGE = "가" * 5000


def window(services: Services, days: int) -> tuple[str, str]:
    """The (since, until) a week or month ending at the latest day shows in its header."""
    until = latest_day(services)
    assert until is not None
    return str(until - dt.timedelta(days=days - 1)), str(until)


async def test_keywords_set_show_settings_and_clear(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    assert await chat.say("/keywords") == texts.KEYWORDS_NONE
    assert await chat.say("/subscribe") == texts.SUBSCRIBED.format(**when(services))
    shown = 'diffusion "video generation" -survey'
    said = await chat.say(f"/keywords {shown}")
    scope = texts.KEYWORDS_SET.format(keywords=shown, scope=texts.KEYWORDS_SCOPE)
    assert said == f"{scope} {texts.KEYWORDS_EXCLUDED_NOTE}"
    assert await chat.say("/keywords") == texts.KEYWORDS_SHOW.format(keywords=shown)
    settings = texts.SETTINGS_ACTIVE.format(fields=texts.SETTINGS_ALL_FIELDS, **when(services))
    shown_settings = (await chat.say("/settings")).splitlines()
    assert shown_settings[:2] == [settings, texts.SETTINGS_KEYWORDS.format(keywords=shown)]
    assert await chat.say("/keywords 끄기") == texts.KEYWORDS_CLEARED
    assert await chat.say("/keywords") == texts.KEYWORDS_NONE
    after = (await chat.say("/settings")).splitlines()
    assert after[0] == settings and not any("🔔" in line for line in after)
    assert await chat.say("/keywords 끄기") == texts.KEYWORDS_NOTHING_TO_CLEAR


async def test_keywords_with_fields_name_both_and_wait_for_a_subscription(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    said = await chat.say("/keywords 강화학습 -survey")
    assert said.endswith(texts.KEYWORDS_NOT_SUBSCRIBED)  # kept for when the chat subscribes
    name = services.taxonomy.resolve("비전").field.name  # type: ignore[union-attr]
    await chat.say("/subscribe 비전")
    assert texts.SETTINGS_KEYWORDS.format(keywords="강화학습 -survey") in await chat.say("/settings")
    said = await chat.say("/keywords 강화학습")
    scope = texts.KEYWORDS_SCOPE_FIELDS.format(fields=name)
    assert said == texts.KEYWORDS_SET.format(keywords="강화학습", scope=scope)


async def test_keywords_bad_input_gets_a_short_korean_answer(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    too_many = " ".join(f"word{i}" for i in range(MAX_KEYWORDS + 1))
    expected = {
        '/keywords ""': texts.KEYWORDS_USAGE,
        "/keywords -": texts.KEYWORDS_USAGE,
        "/keywords * ( ) :": texts.KEYWORDS_USAGE,
        f"/keywords {HUGE}": texts.ARGS_TOO_LONG,
        f"/keywords {too_many}": texts.KEYWORDS_TOO_MANY.format(max_n=MAX_KEYWORDS, count=MAX_KEYWORDS + 1),
        "/keywords " + "x" * 41: texts.KEYWORD_TOO_LONG.format(word="x" * 20, max_chars=40),
        "/keywords " + " ".join(["y" * 80] * 4): texts.KEYWORDS_TOO_LONG.format(max_chars=300),
        "/keywords " + "a " * 61: texts.ARGS_TOO_LONG,
    }
    for line, answer in expected.items():
        said = await chat.say(line)
        assert said == answer, line[:40]
        assert_short_korean(said)
    assert await chat.say("/keywords") == texts.KEYWORDS_NONE  # nothing was stored on the way


async def test_keywords_keep_fts_syntax_literal(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    said = await chat.say(f"/keywords {SYNTAX}")  # an unclosed quote: one literal phrase
    assert said.startswith(texts.KEYWORDS_SET.splitlines()[0].format(keywords='"* ( ) : NEAR OR"'))
    said = await chat.say('/keywords NEAR OR "a*b" -(x)')
    assert said.startswith(texts.KEYWORDS_SET.splitlines()[0].format(keywords="NEAR OR a*b -(x)"))
    assert_short_korean(said)


@pytest.mark.parametrize("transcript", ["telegram", "slack-admins"], indirect=True)
async def test_group_keywords_need_a_chat_admin(transcript: Transcripts) -> None:
    member, admin = transcript.chat(Role.MEMBER), transcript.chat(Role.CHAT_ADMIN)
    assert await member.say("/keywords diffusion") == texts.NOT_CHAT_ADMIN
    assert await member.say("/keywords") == texts.NOT_CHAT_ADMIN
    assert (await admin.say("/keywords diffusion")).startswith("✅")
    assert await admin.say("/keywords") == texts.KEYWORDS_SHOW.format(keywords="diffusion")
    assert await member.say("/keywords 끄기") == texts.NOT_CHAT_ADMIN
    assert await admin.say("/keywords 끄기") == texts.KEYWORDS_CLEARED


@pytest.mark.parametrize("transcript", ["slack"], indirect=True)
async def test_any_slack_member_sets_keywords_as_they_may_subscribe(transcript: Transcripts) -> None:
    member = transcript.chat(Role.MEMBER)  # PAPERBOT_SLACK_SUBSCRIBE=members, the default
    assert (await member.say("/keywords diffusion")).startswith("✅")
    assert await member.say("/keywords") == texts.KEYWORDS_SHOW.format(keywords="diffusion")
    assert await member.say("/keywords 끄기") == texts.KEYWORDS_CLEARED


@pytest.mark.parametrize("period", [("week", 7), ("month", 30)])
async def test_top_of_a_week_or_month(transcript: Transcripts, period: tuple[str, int]) -> None:
    services, (word, days) = transcript.services, period
    said = await transcript.chat(Role.PRIVATE_USER).say(f"/top {word} 3")
    since, until = window(services, days)
    assert said.startswith(texts.period_header(since, until, days, 3))
    digest = layer(services, f"/top {word} 3").digest
    assert digest is not None and len(CARD.findall(said)) == 3
    assert all(card.title in said for card in digest.cards)


async def test_top_and_field_periods_bad_input(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    latest = str(latest_day(services))
    expected = {
        "/top year": texts.TOP_USAGE.format(max_n=20),
        "/top week month": texts.PERIOD_TWICE,
        "/top week 0": texts.BAD_NUMBER.format(max_n=20),
        f"/top week {HUGE}": texts.ARGS_TOO_LONG,
        f"/top {SYNTAX}": texts.TOP_USAGE.format(max_n=20),
        "/top week 2020-01-01": texts.NO_PAPERS_PERIOD.format(
            since="2019-12-26", until="2020-01-01", latest=latest
        ),
    }
    for line, answer in expected.items():
        said = await chat.say(line)
        assert said == answer == layer_text(services, line), line[:40]
        assert_short_korean(said)


async def test_field_of_a_month(transcript: Transcripts) -> None:
    services = transcript.services
    said = await transcript.chat(Role.PRIVATE_USER).say("/field 비전 month")
    name = services.taxonomy.resolve("비전").field.name  # type: ignore[union-attr]
    digest = layer(services, "/field 비전 month").digest
    assert digest is not None and said.startswith(texts.field_header(name, 30, len(digest.cards)))
