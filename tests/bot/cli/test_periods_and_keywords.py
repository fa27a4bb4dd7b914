"""`paperbot top --week/--month` and keywords through `paperbot subscribers`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import texts
from storage.db import Database
from tests.cli_runner import Run, runner
from tests.paths import FIXTURES

ROOT = Path(__file__).resolve().parents[3]
CARDS = FIXTURES / "digests" / "cards_crlf.md"
SAMPLE = ROOT / "bot" / "data" / "sample_digest.md"  # 2025-02-11: 21 days before 2025-03-04


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return runner(db.url, monkeypatch, capsys)


def papers(run: Run, *args: str) -> tuple[dict, list[str]]:
    code, out, err = run("top", "--format", "json", "--n", "20", *args)
    assert code == 0, err
    data = json.loads(out)
    return data, [p["id"] for p in data["papers"]]


def test_top_week_and_month_json(run: Run) -> None:
    assert run("import", str(SAMPLE), "--date", "2025-02-11")[0] == 0
    run("import", str(CARDS), "--date", "2025-03-02")
    run("import", str(CARDS), "--date", "2025-03-04")  # the same papers again, two days later
    _, day = papers(run)
    week_data, week = papers(run, "--week")
    assert week == day and len(set(week)) == len(week)  # each paper once
    assert week_data["date"] == "2025-03-04" and week_data["since"] == "2025-02-26"
    assert week_data["field"] is None
    month_data, month = papers(run, "--month")
    assert month_data["since"] == "2025-02-03" and set(week) < set(month)
    votes = [p["votes"] for p in month_data["papers"]]
    assert votes == sorted(votes, key=lambda v: -1 if v is None else v, reverse=True)
    _, earlier = papers(run, "--week", "--date", "2025-02-12")
    assert earlier and not set(earlier) & set(week)
    code, out, err = run("top", "--week", "--date", "2020-01-01")
    assert code == 0 and out == "" and "2019-12-26" in err


def test_top_week_text_has_the_range_in_its_header(run: Run) -> None:
    run("import", str(CARDS), "--date", "2025-03-04")
    code, out, _ = run("top", "--month", "--n", "1")
    assert code == 0 and out.startswith(texts.period_header("2025-02-03", "2025-03-04", 30, 1))


def test_subscribers_keywords_are_set_listed_and_cleared(run: Run) -> None:
    words = 'diffusion "video generation" -survey'
    code, out, err = run("subscribers", "add", "telegram", "12345", "--keywords", words)
    assert code == 0, err
    code, out, _ = run("subscribers", "list")
    assert out.strip() == f"telegram\t12345\tprivate\tall\tactive\t{words}"
    code, out, _ = run("subscribers", "list", "--format", "json")
    [row] = json.loads(out)["subscribers"]
    assert row["keywords"] == words and row["active"] and row["fields"] is None
    run("subscribers", "add", "telegram", "12345", "--fields", "nlp")  # keywords stay as they were
    assert (
        json.loads(run("subscribers", "list", "--format", "json")[1])["subscribers"][0]["keywords"] == words
    )
    assert run("subscribers", "add", "telegram", "12345", "--keywords", "off")[0] == 0
    assert json.loads(run("subscribers", "list", "--format", "json")[1])["subscribers"][0]["keywords"] is None
    code, _, err = run("subscribers", "add", "telegram", "12345", "--keywords", " ".join("abcdefghijk"))
    assert code == 2 and len(err.strip().splitlines()) == 1
