"""The one-pass validation of a daily-papers body gives what entry-by-entry validation gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.sources.hf_schema import DayList, HFError, build_day, decode_list, parse_day

DAY = dt.date(2025, 3, 4)


def entry_by_entry(body: bytes | str) -> DayList:
    return build_day(decode_list(body), DAY)


def test_every_recorded_day(hf_corpus_dir: Path) -> None:
    for path in sorted(hf_corpus_dir.glob("*.json")):
        body = path.read_bytes()
        assert parse_day(body, DAY) == entry_by_entry(body), path.name


ENTRY = '{"paper": {"id": "2503.00001", "title": "T", "upvotes": %s, "summary": %s}%s}'


@pytest.mark.parametrize(
    "body",
    [
        "[" + ENTRY % ("1", '"a\\ud800b"', "") + "]",  # a lone surrogate
        "[" + ENTRY % ("1", '"nul\\u0000 and \\u001f"', "") + "]",
        "[" + ENTRY % ("1.0", '"s"', "") + "]",  # a float count
        "[" + ENTRY % ("true", '"s"', "") + "]",
        "[" + ENTRY % ("99999999999999999999999", '"s"', "") + "]",
        "[" + ENTRY % ("1", '"s"', ', "extra": NaN') + "]",
        "[" + ENTRY % ("1", '"first"', "") + "," + ENTRY % ("2", '"again"', "") + "]",  # duplicate id
        '[{"paper": {"id": "2503.00001", "title": "A", "title": "B"}}]',  # duplicate key
        '[{"paper": {"id": "2503.00002", "title": "x"}}, 3, {"paper": {"id": "bad", "title": "y"}}]',
        "[]",
    ],
)
def test_odd_bodies(body: str) -> None:
    assert parse_day(body, DAY) == entry_by_entry(body)
    assert parse_day(body.encode(), DAY) == entry_by_entry(body.encode())


@pytest.mark.parametrize("body", ["{}", "not json", "[" * 100_000, '"text"'])
def test_bodies_that_are_no_list(body: str) -> None:
    with pytest.raises(HFError):
        entry_by_entry(body)
    with pytest.raises(HFError):
        parse_day(body, DAY)
