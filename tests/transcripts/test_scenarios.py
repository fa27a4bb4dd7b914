"""The same chat scenarios, written once, on the console, Telegram and Slack (the bundled sample day)."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.commands.chat_settings import SUBCOMMANDS
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
    assert (await chat.say("/settings")).splitlines()[0] == settings
    assert await chat.say("/unsubscribe") == texts.UNSUBSCRIBED
    assert await chat.say("/settings") == texts.SETTINGS_INACTIVE


async def test_subscribe_to_one_field(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    name = field_name(services, "비전")
    assert await chat.say("/subscribe 비전") == texts.SUBSCRIBED_FIELDS.format(names=name, **when(services))
    said = await chat.say("/settings")
    assert said.splitlines()[0] == texts.SETTINGS_ACTIVE.format(fields=name, **when(services))


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


async def test_settings_change_the_chats_time_and_size(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    tz = services.settings.timezone
    await chat.say("/subscribe")
    assert await chat.say("/settings time 07:30") == texts.SETTINGS_TIME_SET.format(time="07:30", tz=tz)
    assert await chat.say("/settings n 3") == texts.SETTINGS_N_SET.format(n=3)
    said = (await chat.say("/settings")).splitlines()
    assert said[0] == texts.SETTINGS_ACTIVE.format(fields=texts.SETTINGS_ALL_FIELDS, time="07:30", tz=tz)
    assert texts.SETTINGS_SCHEDULE.format(time="07:30", time_default="", n=3, n_default="") in said
    assert await chat.say("/settings 시간 7시 5분") == texts.SETTINGS_TIME_SET.format(time="07:05", tz=tz)
    assert await chat.say("/settings time 기본") == texts.SETTINGS_TIME_RESET.format(**when(services))
    assert await chat.say("/settings n 기본") == texts.SETTINGS_N_RESET.format(n=services.settings.top_n)
    said = (await chat.say("/settings")).splitlines()
    mark = texts.SETTINGS_DEFAULT_MARK
    schedule = texts.SETTINGS_SCHEDULE.format(
        time=when(services)["time"], time_default=mark, n=services.settings.top_n, n_default=mark
    )
    assert schedule in said


async def test_settings_bad_input_gets_a_short_korean_answer(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    time_usage, n_usage = texts.SETTINGS_TIME_USAGE, texts.SETTINGS_N_USAGE.format(max_n=10)
    names = ", ".join(s.names[0] for s in SUBCOMMANDS)  # "time, n", and whatever is added later
    assert names.startswith("time, n")
    unknown = texts.SETTINGS_UNKNOWN.format(name="color", names=names)
    answers = {
        "/settings time 25:00": time_usage,
        "/settings time 07:60": time_usage,
        "/settings time abc": time_usage,
        "/settings time": time_usage,
        "/settings n 0": n_usage,
        "/settings n 11": n_usage,
        "/settings n 5000자 긴 문자열": n_usage,
        "/settings n -3": n_usage,
        "/settings color red": unknown,
        "/settings time " + "7" * 5000: texts.ARGS_TOO_LONG,
        "/settings " + "가" * 5000: texts.ARGS_TOO_LONG,
    }
    for line, answer in answers.items():
        said = await chat.say(line)
        assert said == answer, line[:40]
        assert_short_korean(said)
    said = await chat.say("/settings")
    assert said == texts.SETTINGS_INACTIVE  # nothing was stored


async def test_weekly_subscription(transcript: Transcripts) -> None:
    services, chat = transcript.services, transcript.chat(Role.PRIVATE_USER)
    name = field_name(services, "자연어 처리")
    said = await chat.say("/subscribe weekly 자연어 처리")
    assert said == texts.SUBSCRIBED_WEEKLY_FIELDS.format(names=name, n=10, **when(services))
    lines = (await chat.say("/settings")).splitlines()
    assert lines[0] == texts.SETTINGS_NO_DAILY
    assert lines[1] == texts.SETTINGS_WEEKLY.format(fields=name, **when(services))
    assert await chat.say("/subscribe") == texts.SUBSCRIBED.format(**when(services))  # daily as well
    assert await chat.say("/unsubscribe") == texts.UNSUBSCRIBED_DAILY_WEEKLY_LEFT
    assert await chat.say("/unsubscribe") == texts.NOT_SUBSCRIBED_DAILY
    assert await chat.say("/unsubscribe weekly") == texts.UNSUBSCRIBED_WEEKLY
    assert await chat.say("/unsubscribe weekly") == texts.NOT_SUBSCRIBED_WEEKLY
    assert await chat.say("/settings") == texts.SETTINGS_INACTIVE
    assert await chat.say("/subscribe 주간") == texts.SUBSCRIBED_WEEKLY.format(n=10, **when(services))
    assert await chat.say("/unsubscribe all") == texts.UNSUBSCRIBED
    said = await chat.say("/unsubscribe " + "x" * 50)
    assert said == texts.UNSUBSCRIBE_USAGE
    assert_short_korean(said)


@pytest.mark.parametrize("transcript", ["telegram", "slack-admins"], indirect=True)
async def test_group_settings_need_a_chat_admin_to_change(transcript: Transcripts) -> None:
    member, admin = transcript.chat(Role.MEMBER), transcript.chat(Role.CHAT_ADMIN)
    tz = transcript.services.settings.timezone
    assert await admin.say("/subscribe") == texts.SUBSCRIBED.format(**when(transcript.services))
    assert await member.say("/settings time 07:30") == texts.SETTINGS_NOT_ADMIN
    assert await member.say("/settings color red") == texts.SETTINGS_NOT_ADMIN
    assert await admin.say("/settings time 07:30") == texts.SETTINGS_TIME_SET.format(time="07:30", tz=tz)
    said = (await member.say("/settings")).splitlines()  # anyone may look
    assert said[0] == texts.SETTINGS_ACTIVE.format(fields=texts.SETTINGS_ALL_FIELDS, time="07:30", tz=tz)
    assert await member.say("/subscribe weekly") == texts.NOT_CHAT_ADMIN
    assert await admin.say("/subscribe weekly") == texts.SUBSCRIBED_WEEKLY.format(n=10, time="07:30", tz=tz)
