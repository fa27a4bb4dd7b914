"""`/settings thread on|off` and who may (un)subscribe a Slack channel, as users of each platform see it."""

from __future__ import annotations

import pytest

from bot import texts
from storage import subscribers
from tests.transcripts.base import Role, Transcripts
from tests.transcripts.test_scenarios import assert_short_korean, when

slack_only = pytest.mark.parametrize("transcript", ["slack"], indirect=True)
BAD = ["/settings thread maybe", "/settings thread", "/settings thread on off", "/settings threads on"]
LONG = ["/settings thread " + "o" * 5000, "/settings " + "가" * 5000]


def thread_flag(transcript: Transcripts, chat: str) -> bool | None:
    with transcript.services.db.session() as session:
        sub = subscribers.get(session, "slack", chat)
    return None if sub is None else sub.slack_thread


async def test_bad_and_huge_thread_arguments_get_a_short_korean_answer(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    for line in [*BAD, *LONG, "/settings thread on", "/settings thread off"]:
        said = await chat.say(line)
        assert_short_korean(said)
        assert "Traceback" not in said and texts.INTERNAL_ERROR not in said
    for line in LONG:
        assert await chat.say(line) == texts.ARGS_TOO_LONG


@pytest.mark.parametrize("transcript", ["console", "telegram"], indirect=True)
async def test_threads_are_a_slack_setting(transcript: Transcripts) -> None:
    chat = transcript.chat(Role.PRIVATE_USER)
    await chat.say("/subscribe")
    for line in ("/settings thread on", "/settings thread off", "/settings thread maybe"):
        assert await chat.say(line) == texts.SETTINGS_THREAD_SLACK_ONLY
    assert texts.SETTINGS_THREAD_ACTIVE not in await chat.say("/settings")


@slack_only
async def test_a_slack_channel_switches_its_thread_on_and_off(transcript: Transcripts) -> None:
    member = transcript.chat(Role.MEMBER)  # PAPERBOT_SLACK_SUBSCRIBE=members (the default)
    assert await member.say("/settings thread on") == texts.NOT_SUBSCRIBED
    assert await member.say("/subscribe") == texts.SUBSCRIBED.format(**when(transcript.services))
    assert texts.SETTINGS_THREAD_ACTIVE not in await member.say("/settings")
    assert await member.say("/settings thread on") == texts.SETTINGS_THREAD_ON
    assert thread_flag(transcript, "C1") is True
    assert texts.SETTINGS_THREAD_ACTIVE in (await member.say("/settings"))
    for line in BAD:
        said = await member.say(line)
        assert_short_korean(said)
        assert (
            said == texts.SETTINGS_THREAD_USAGE or "thread" in said
        )  # (an unknown name lists the real ones)
    assert thread_flag(transcript, "C1") is True  # bad input changes nothing
    assert await member.say("/settings thread OFF") == texts.SETTINGS_THREAD_OFF
    assert await member.say("/settings thread 켜기") == texts.SETTINGS_THREAD_ON
    assert await member.say("/unsubscribe") == texts.UNSUBSCRIBED


@pytest.mark.parametrize("transcript", ["slack-admins"], indirect=True)
async def test_with_admins_only_an_admin_switches_the_thread(transcript: Transcripts) -> None:
    member, admin = transcript.chat(Role.MEMBER), transcript.chat(Role.CHAT_ADMIN)
    assert await member.say("/subscribe") == texts.NOT_CHAT_ADMIN
    assert await admin.say("/subscribe") == texts.SUBSCRIBED.format(**when(transcript.services))
    assert await member.say("/settings thread on") == texts.SETTINGS_NOT_ADMIN
    assert thread_flag(transcript, "C1") is False
    assert await member.say("/settings thread maybe") == texts.SETTINGS_NOT_ADMIN
    assert await admin.say("/settings thread on") == texts.SETTINGS_THREAD_ON
    assert thread_flag(transcript, "C1") is True
    assert await member.say("/unsubscribe") == texts.NOT_CHAT_ADMIN


@slack_only
async def test_any_member_subscribes_a_slack_channel(transcript: Transcripts) -> None:
    member = transcript.chat(Role.MEMBER)
    assert await member.say("/subscribe") == texts.SUBSCRIBED.format(**when(transcript.services))
    assert await member.say("/unsubscribe") == texts.UNSUBSCRIBED
