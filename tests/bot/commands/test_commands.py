"""The command layer, read as chat transcripts (no network, the sample digest in storage)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.commands import parse_command
from tests.conftest import SAMPLE_DAY_PAPERS
from tests.fakes.broadcaster import RecordingBroadcaster
from tests.transcripts.layer import Chat


def test_help_lists_every_command(services) -> None:
    reply = Chat(services).say("/help")
    for command in (
        "/top",
        "/field",
        "/fields",
        "/subscribe",
        "/unsubscribe",
        "/settings",
        "/rebroadcast",
        "/stats",
    ):
        assert command in reply
    assert Chat(services).say("/start") == reply


def test_top_defaults_to_latest_day_and_top_n(services) -> None:
    reply = Chat(services).reply("/top")
    assert reply.digest is not None
    assert reply.digest.header == texts.digest_header("2025-02-11", 5)
    votes = [c.votes for c in reply.digest.cards]
    assert votes == sorted(votes, reverse=True) and len(votes) == 5


def test_top_with_count_and_date_in_any_order(services) -> None:
    chat = Chat(services)
    for line in ("/top 3 2025-02-11", "/top 2025-02-11 3"):
        digest = chat.reply(line).digest
        assert digest is not None and len(digest.cards) == 3
    assert len(chat.reply("/top 20").digest.cards) == SAMPLE_DAY_PAPERS


@pytest.mark.parametrize("line", ["/top 21", "/top 999", "/top 999999999999 2025-02-11"])
def test_top_above_the_maximum_is_capped_with_a_note(services, line: str) -> None:
    reply = Chat(services).reply(line)
    assert not reply.error and reply.digest is not None
    assert len(reply.digest.cards) == SAMPLE_DAY_PAPERS  # every paper of the day, at most 20
    assert reply.text == texts.TOP_CAPPED.format(max_n=20)


def test_top_within_the_maximum_has_no_note(services) -> None:
    assert Chat(services).reply("/top 20").text == ""


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("/feild 비전", "field"), ("/tpo", "top"), ("/subscirbe", "subscribe"), ("/stat", "stats")],
)
def test_a_typo_gets_the_nearest_command(services, typo: str, meant: str) -> None:
    reply = Chat(services).reply(typo)
    assert reply.error
    assert texts.UNKNOWN_COMMAND_SUGGEST.format(command=meant) in reply.text


def test_an_unknown_word_gets_no_suggestion(services) -> None:
    reply = Chat(services).reply("/xyzzy")
    assert reply.error and "혹시" not in reply.text and "/help" in reply.text


def test_top_of_an_empty_day_points_at_the_latest(services) -> None:
    text = Chat(services).say("/top 2024-01-01")
    assert "2024-01-01" in text and "/top 2025-02-11" in text


@pytest.mark.parametrize("line", ["/top 0", "/top 00", "/top 2025-13-45", "/top abc", "/top 3 3 2025-02-30"])
def test_top_bad_arguments_get_korean_usage(services, line: str) -> None:
    reply = Chat(services).reply(line)
    assert reply.error and reply.digest is None
    assert any("\uac00" <= ch <= "\ud7a3" for ch in reply.text)  # a Korean explanation


def test_field_resolves_forgiving_names(services) -> None:
    chat = Chat(services)
    for line in ("/field 언어 모델", "/field LLM", "/field llm 2", "/field 언어모델"):
        reply = chat.reply(line)
        assert reply.digest is not None, line
        assert reply.digest.field == "llm"
        assert all("llm" in c.fields for c in reply.digest.cards)


def test_field_unknown_suggests_closest(services) -> None:
    reply = Chat(services).reply("/field 날씨예보")
    assert reply.error and reply.digest is None
    assert "날씨예보" in reply.text


def test_field_without_argument_lists_fields_with_buttons(services) -> None:
    reply = Chat(services).reply("/field")
    assert len(reply.buttons) == len(services.taxonomy.fields)
    assert reply.buttons[0].command == "field llm"


def test_fields_counts_match_field_queries(services) -> None:
    reply = Chat(services).reply("/fields")
    for field in services.taxonomy.fields:
        assert f"({field.code})" in reply.text
    button = next(b for b in reply.buttons if b.command == "field llm")
    pressed = Chat(services).reply("/" + button.command + " 20")
    assert f"({pressed.digest.field}) — {len(pressed.digest.cards)}편" in reply.text


def test_subscribe_settings_unsubscribe_in_private_chat(services) -> None:
    chat = Chat(services)
    assert "09:00" in chat.say("/subscribe")
    assert texts.SETTINGS_ALL_FIELDS in chat.say("/settings")
    assert "컴퓨터 비전" in chat.say("/subscribe 비전 자연어 처리")
    assert "자연어 처리" in chat.say("/settings")
    assert chat.say("/unsubscribe") == texts.UNSUBSCRIBED
    assert chat.say("/unsubscribe") == texts.NOT_SUBSCRIBED
    assert chat.say("/settings") == texts.SETTINGS_INACTIVE


def test_subscribe_unknown_field_changes_nothing(services) -> None:
    chat = Chat(services)
    assert chat.reply("/subscribe 비전 피자").error
    assert chat.say("/settings") == texts.SETTINGS_INACTIVE


def test_admin_rebroadcast_and_stats(services) -> None:
    services = services.with_broadcaster(RecordingBroadcaster())
    admin = Chat(services, user_id="42", chat_id="42")
    assert "1곳" in admin.say("/rebroadcast 2025-02-11 here")
    assert "3곳" in admin.say("/rebroadcast")
    day, who, target = services.broadcaster.calls[0]
    assert (str(day), who, target) == ("2025-02-11", "telegram:42", ("telegram", "42"))
    assert services.broadcaster.calls[1][2] is None
    assert texts.STATS_HEADER in admin.say("/stats")


def test_parse_command_handles_bot_mentions_and_noise() -> None:
    assert parse_command("/top@paperbot_bot 3") == ("top", ("3",))
    assert parse_command("/TOP") == ("top", ())
    assert parse_command("hello") is None
    assert parse_command("/") is None
    assert parse_command("  /field  자연어   처리 ") == ("field", ("자연어", "처리"))


COMMANDS = [
    "top",
    "field",
    "fields",
    "paper",
    "subscribe",
    "unsubscribe",
    "settings",
    "rebroadcast",
    "stats",
    "help",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=st.sampled_from(COMMANDS),
    args=st.lists(st.text(max_size=300), max_size=15),
    admin=st.booleans(),
    kind=st.sampled_from(["private", "group", "channel"]),
)
def test_no_argument_makes_a_command_raise(services, command, args, admin, kind) -> None:
    services = services.with_broadcaster(RecordingBroadcaster())
    chat = Chat(services, user_id="42" if admin else "7", chat_kind=kind)
    line = "/" + command + " " + " ".join(a.replace("\n", " ") for a in args)
    reply = chat.reply(line)
    assert reply.text or reply.digest is not None
    assert reply.text != texts.INTERNAL_ERROR
