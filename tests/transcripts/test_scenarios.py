"""The same chat scenarios, written once, on the console, Telegram and Slack (the bundled sample day)."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.models import Reply
from bot.render.limits import clean_text
from bot.selection import latest_day
from bot.services import Services
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.transcripts.base import Role, Transcripts
from tests.transcripts.layer import Chat

CARD = re.compile(rf"^\s*\d+\. {re.escape(texts.LABEL_TITLE)}:", re.MULTILINE)
HANGUL = re.compile("[가-힣]")
SHORT = 300  # characters: a refusal or a usage hint, never a wall of text
with_groups = pytest.mark.parametrize("transcript", ["telegram", "slack"], indirect=True)


def layer(services: Services, line: str) -> Reply:
    """The command layer's own reply to a read-only `line` from a private chat."""
    return Chat(services).reply(line)


def layer_text(services: Services, line: str) -> str:
    """The text of the command layer's reply, as every renderer starts from it."""
    return clean_text(layer(services, line).text).strip()


def when(services: Services) -> dict[str, str]:
    """The delivery time and zone the subscription texts name."""
    return {"time": services.settings.digest_time.strftime("%H:%M"), "tz": services.settings.timezone}


def field_name(services: Services, text: str) -> str:
    """The Korean name of the field `text` resolves to."""
    field = services.taxonomy.resolve(text).field
    assert field is not None
    return field.name


def rebroadcasts(transcript: Transcripts) -> list:
    """The rebroadcasts the platform's commands asked for."""
    broadcaster = transcript.services.broadcaster
    assert isinstance(broadcaster, RecordingBroadcaster)
    return broadcaster.calls


def assert_short_korean(said: str) -> None:
    assert HANGUL.search(said) and len(said) <= SHORT, said[:400]


async def test_top_shows_the_latest_day(transcript: Transcripts) -> None:
    services = transcript.services
    said = await transcript.chat(Role.PRIVATE_USER).say("/top")
    digest = layer(services, "/top").digest
    assert digest is not None
    assert said.startswith(texts.digest_header(str(latest_day(services)), 5))
    assert digest.cards[0].title in said
    assert len(CARD.findall(said)) == 5


async def test_top_with_a_count(transcript: Transcripts) -> None:
    said = await transcript.chat(Role.PRIVATE_USER).say("/top 3")
    assert said.startswith(texts.digest_header(str(latest_day(transcript.services)), 3))
    assert len(CARD.findall(said)) == 3


async def test_field_by_korean_name(transcript: Transcripts) -> None:
    services = transcript.services
    said = await transcript.chat(Role.PRIVATE_USER).say("/field 자연어처리")
    digest = layer(services, "/field 자연어처리").digest
    assert digest is not None and digest.cards
    assert field_name(services, "자연어처리") in said.splitlines()[0]
    assert digest.cards[0].title in said and len(CARD.findall(said)) == len(digest.cards)


async def test_fields_lists_every_field(transcript: Transcripts) -> None:
    said = await transcript.chat(Role.PRIVATE_USER).say("/fields")
    assert layer_text(transcript.services, "/fields") in said
    assert all(f.name in said for f in transcript.services.taxonomy.fields)


async def test_subscribe_settings_unsubscribe_in_a_private_chat(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    assert await chat.say("/subscribe") == texts.SUBSCRIBED.format(**when(services))
    settings = texts.SETTINGS_ACTIVE.format(fields=texts.SETTINGS_ALL_FIELDS, **when(services))
    assert await chat.say("/settings") == settings
    assert await chat.say("/unsubscribe") == texts.UNSUBSCRIBED
    assert await chat.say("/settings") == texts.SETTINGS_INACTIVE


async def test_subscribe_to_one_field(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    name = field_name(services, "비전")
    assert await chat.say("/subscribe 비전") == texts.SUBSCRIBED_FIELDS.format(names=name, **when(services))
    assert await chat.say("/settings") == texts.SETTINGS_ACTIVE.format(fields=name, **when(services))


async def test_bad_input_gets_a_short_korean_answer(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    for line in ("/top 0", "/field 없는분야xyz", "/top " + "9" * 4995, "/field " + "가" * 4993):
        said = await chat.say(line)
        assert layer_text(transcript.services, line) in said
        assert_short_korean(said)
    assert await chat.say("/top " + "x" * 4995) == texts.ARGS_TOO_LONG


# Slack never delivers a slash command the app's manifest lacks: its own client answers "/feild".
@pytest.mark.parametrize("transcript", ["console", "telegram"], indirect=True)
async def test_unknown_command_gets_a_short_korean_answer(transcript: Transcripts) -> None:
    said = await transcript.chat(Role.PRIVATE_USER).say("/feild 자연어처리")
    unknown = texts.UNKNOWN_COMMAND.format(command="feild")
    assert said == f"{unknown}\n{texts.UNKNOWN_COMMAND_SUGGEST.format(command='field')}"
    assert_short_korean(said)


async def test_too_many_cards_are_capped_with_a_note(transcript: Transcripts) -> None:
    said = await transcript.chat(Role.PRIVATE_USER).say("/top 999")
    assert texts.TOP_CAPPED.format(max_n=20) in said
    digest = layer(transcript.services, "/top 999").digest
    assert digest is not None and digest.cards[-1].title in said


async def test_admin_commands_refuse_other_users(transcript: Transcripts) -> None:
    stranger = transcript.chat(Role.PRIVATE_USER)
    assert await stranger.say("/stats") == texts.NOT_BOT_ADMIN
    assert await stranger.say("/rebroadcast") == texts.NOT_BOT_ADMIN
    assert await stranger.say("/rebroadcast 2025-02-11 here") == texts.NOT_BOT_ADMIN
    assert rebroadcasts(transcript) == []
    assert (await transcript.chat(Role.BOT_ADMIN).say("/stats")).startswith(texts.STATS_HEADER)


async def test_bot_admin_rebroadcasts_to_this_chat(transcript: Transcripts) -> None:
    day = str(latest_day(transcript.services))
    said = await transcript.chat(Role.BOT_ADMIN).say(f"/rebroadcast {day} here")
    assert said == texts.REBROADCAST_STARTED.format(day=day, count=1)
    [(asked_day, _, target)] = rebroadcasts(transcript)
    assert str(asked_day) == day and target is not None


@pytest.mark.parametrize("transcript", ["telegram", "slack-admins"], indirect=True)
async def test_group_subscription_needs_a_chat_admin(transcript: Transcripts) -> None:
    member, admin = transcript.chat(Role.MEMBER), transcript.chat(Role.CHAT_ADMIN)
    assert await member.say("/subscribe") == texts.NOT_CHAT_ADMIN
    assert await member.say("/settings") == texts.SETTINGS_INACTIVE
    assert await admin.say("/subscribe") == texts.SUBSCRIBED.format(**when(transcript.services))
    assert await member.say("/unsubscribe") == texts.NOT_CHAT_ADMIN
    assert await admin.say("/unsubscribe") == texts.UNSUBSCRIBED


@with_groups
async def test_group_members_are_not_bot_admins(transcript: Transcripts) -> None:
    for role in (Role.MEMBER, Role.CHAT_ADMIN):
        assert await transcript.chat(role).say("/stats") == texts.NOT_BOT_ADMIN
        assert await transcript.chat(role).say("/rebroadcast") == texts.NOT_BOT_ADMIN
    assert rebroadcasts(transcript) == []
