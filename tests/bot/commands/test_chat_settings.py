"""`/settings` parsing: times of day, and the once-only keys of a chat's time slot."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.commands.chat_settings import find_subcommand, parse_time
from storage.broadcasts import daily_key, weekly_key


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["07:30"], dt.time(7, 30)),
        (["7:05"], dt.time(7, 5)),
        (["21"], dt.time(21, 0)),
        (["7시", "30분"], dt.time(7, 30)),
        (["23:59"], dt.time(23, 59)),
        (["00:00"], dt.time(0, 0)),
        (["24:00"], None),
        (["25:00"], None),
        (["07:60"], None),
        (["0730"], None),
        (["abc"], None),
        (["-1:00"], None),
        ([], None),
    ],
)
def test_parse_time(words: list[str], expected: dt.time | None) -> None:
    assert parse_time(words) == expected


def test_subcommands_answer_to_korean_names_too() -> None:
    time, count = find_subcommand("TIME"), find_subcommand("개수")
    assert time is not None and time is find_subcommand("시간")
    assert count is not None and count is find_subcommand("n")
    assert find_subcommand("color") is None


def test_keys_of_slots() -> None:
    day = dt.date(2025, 2, 11)
    assert daily_key(day, dt.time(7, 30)) == "daily:2025-02-11@07:30"
    assert daily_key(day, dt.time(9, 0, 30)) != daily_key(day, dt.time(9, 0))  # a default with seconds
    assert weekly_key(dt.date(2025, 2, 10), dt.time(9, 0)) == "weekly:2025-W07@09:00"
    assert weekly_key(dt.date(2024, 12, 30), dt.time(9, 0)) == "weekly:2025-W01@09:00"  # ISO year
