"""Values a source accepts must be values the database can hold: one bad entry never drops the day."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.sources.markdown import parse_digest
from storage.db import Database
from storage.tables import Paper
from tests.cli_runner import Run, runner
from tests.fakes.hf_server import FakeHFServer

DAY = "2025-03-04"
BIG = 2**31  # one past a PostgreSQL INTEGER
HUGE = 2**63  # one past a SQLite INTEGER


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return runner(db.url, monkeypatch, capsys)


def entry(n: int, **paper: Any) -> dict[str, Any]:
    """A valid daily-papers entry, with `paper` fields overridden (numComments goes top level)."""
    comments = paper.pop("numComments", 1)
    fields = {"id": f"2503.{10000 + n}", "title": f"Paper {n}", "summary": f"Abstract {n}.", "upvotes": n}
    return {"paper": fields | paper, "numComments": comments}


def stored(run: Run) -> dict[str, dict[str, Any]]:
    code, out, err = run("top", "--date", DAY, "--n", "20", "--format", "json")
    assert code == 0, err
    return {p["id"]: p for p in json.loads(out)["papers"]}


def test_hugging_face_values_the_database_refuses_skip_one_entry_not_the_day(
    run: Run, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [
        entry(1, title="Null\x00 Title", summary="An abstract\x00 with NUL."),
        entry(
            2, title="Lone \ud800surrogate", ai_summary="Half \udfff a pair; a whole pair \ud83d\ude00 stays."
        ),
        entry(3, upvotes=BIG),
        entry(4, upvotes=HUGE),
        entry(5, githubStars=BIG),
        entry(6, numComments=HUGE),
        entry(7, upvotes=-5),
        entry(8, upvotes=2**31 - 1),
        entry(9, authors=[{"name": "Ki\x00m"}], ai_keywords=["lo\ud800ne"]),
    ]
    with FakeHFServer({DAY: entries}) as hf:
        monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", hf.url)
        code, out, err = run("fetch", "--date", DAY)
    assert code == 0, err
    assert f"{DAY}: stored 4 papers, skipped 5" in out
    skipped = [line for line in err.splitlines() if line.startswith("  skipped")]
    assert len(skipped) == 5
    for n, name in ((3, "upvotes"), (4, "upvotes"), (5, "githubStars"), (6, "numComments")):
        assert any(f"2503.{10000 + n}" in line and name in line for line in skipped), (n, skipped)
    assert any("2503.10007" in line for line in skipped)  # negative votes: refused, not made positive

    papers = stored(run)
    assert sorted(papers) == ["2503.10001", "2503.10002", "2503.10008", "2503.10009"]
    assert papers["2503.10001"]["title"] == "Null Title"
    assert papers["2503.10002"]["title"] == "Lone surrogate"
    assert papers["2503.10002"]["easy_ko"] == "Half a pair; a whole pair 😀 stays."
    assert papers["2503.10008"]["votes"] == 2**31 - 1
    with db.session() as session:
        authors, keywords = session.execute(
            select(Paper.authors, Paper.ai_keywords).where(Paper.id == "2503.10009")
        ).one()
    assert (authors, keywords) == (["Kim"], ["lone"])


def card(n: int, votes: str, title: str | None = None) -> str:
    """One '## 제목:' card of paper 2503.2000n."""
    return (
        f"## 제목: {title or f'Card {n}'}\n**쉬운설명**: 쉬운 설명 {n}입니다.\n"
        f"**관련분야**: 자연어 처리\n**추천수**: {votes}\n"
        f"**PDF 다운로드 링크**: [PDF](https://arxiv.org/pdf/2503.{20000 + n})\n\n---\n\n"
    )


def test_markdown_values_the_database_refuses_skip_one_card_not_the_import(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "a.md"
    good.write_text(card(1, "10") + card(2, "20"), encoding="utf-8")
    bad = tmp_path / "bad.md"
    cards = [
        card(3, str(BIG)),
        card(4, "99,999,999,999,999,999,999"),
        card(5, "-4"),
        card(6, "− 7"),
        card(7, "５"),  # a fullwidth digit is no vote
        card(8, "٣"),  # nor an Arabic-Indic one
        card(9, "30", title="Null\x00 Title"),
        card(10, "–"),  # the renderers' "unknown"
    ]
    bad.write_text("".join(cards), encoding="utf-8")

    code, out, err = run("import", str(good), str(bad), "--date", DAY)
    assert code == 0, err
    assert "a.md: 2 papers" in out and "bad.md: 4 papers" in out and "skipped 4" in out
    for n in (3, 4, 5, 6):
        assert f"Card {n}" in err and "outside 0..2147483647" in err
    papers = stored(run)
    assert {pid: p["votes"] for pid, p in papers.items()} == {
        "2503.20001": 10,
        "2503.20002": 20,
        "2503.20007": None,
        "2503.20008": None,
        "2503.20009": 30,
        "2503.20010": None,
    }
    assert papers["2503.20009"]["title"] == "Null Title"


def test_text_the_database_refuses_is_removed_from_a_parsed_digest() -> None:
    digest = parse_digest(card(1, "3", title="Lone \ud800half, NUL\x00 and a pair \ud83d\ude00"), None)
    assert digest.papers[0].title == "Lone half, NUL and a pair 😀"
