"""`paperbot import` of many or large files: all files or none, limits, and no bind-parameter ceiling."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from storage.db import Database
from storage.papers import top_for_day, upsert_papers
from storage.records import PaperIn
from storage.tables import Listing, Paper, PaperField
from tests.cli_runner import Run, runner

DAY = "2025-03-04"
REFUSED = "2503.29999"
REFUSAL = "refused by a test trigger"
MAX_ENTRIES = 100_000  # the documented limits of one file
MAX_FILE_BYTES = 128 * 2**20


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return runner(db.url, monkeypatch, capsys)


def card(paper_id: str, votes: int) -> str:
    return (
        f"## 제목: Card {paper_id}\n**쉬운설명**: 쉬운 설명입니다.\n**관련분야**: 자연어 처리\n"
        f"**추천수**: {votes}\n**PDF 다운로드 링크**: [PDF](https://arxiv.org/pdf/{paper_id})\n\n---\n\n"
    )


def write(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(card(pid, n) for n, pid in enumerate(ids)), encoding="utf-8")
    return path


def refuse_paper(db: Database, paper_id: str) -> None:
    """A trigger that makes the database itself refuse one paper, as a constraint would."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_paper BEFORE INSERT ON papers "
                    f"WHEN NEW.id = '{paper_id}' BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )
            )
            return
        conn.execute(
            text(
                "CREATE FUNCTION refuse_paper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.id = '{paper_id}' THEN RAISE EXCEPTION '{REFUSAL}'; END IF; RETURN NEW; END $$"
            )
        )
        trigger = "CREATE TRIGGER refuse_paper BEFORE INSERT ON papers FOR EACH ROW"
        conn.execute(text(f"{trigger} EXECUTE FUNCTION refuse_paper()"))


def count(db: Database, table: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_file_the_database_refuses_stores_no_file_at_all(run: Run, db: Database, tmp_path: Path) -> None:
    first = write(tmp_path / "a.md", ["2503.20001", "2503.20002"])
    second = write(tmp_path / "b.md", ["2503.20003", REFUSED])
    refuse_paper(db, REFUSED)
    code, out, err = run("import", str(first), str(second), "--date", DAY)
    assert code == 1
    assert REFUSAL in err and err.count("\n") == 1
    assert (count(db, Paper), count(db, Listing)) == (0, 0)  # a.md was not stored either


def test_too_many_entries_in_one_file_is_a_one_line_error(run: Run, db: Database, tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("## 제목: x\n" * (MAX_ENTRIES + 1), encoding="utf-8")
    small = write(tmp_path / "a.md", ["2503.20001"])
    code, _, err = run("import", str(small), str(big), "--date", DAY)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"big.md: {MAX_ENTRIES + 1:,} entries, more than the {MAX_ENTRIES:,} one file may hold"
    assert lines[1:] == ["1 files imported, 1 failed", "paperbot: 1 of 2 files failed to import"]
    assert count(db, Paper) == 1  # the good file is stored; the bad one is reported


def test_too_large_a_file_is_refused_before_it_is_read(run: Run, db: Database, tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    with huge.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space used
    code, _, err = run("import", str(huge), "--date", DAY)
    assert code == 1
    assert err.startswith("huge.md: ") and "more than the" in err.splitlines()[0]
    assert err.splitlines()[-1] == "paperbot: 1 of 1 files failed to import"


@pytest.mark.slow
def test_a_merge_beyond_the_bind_parameter_limit_stores_every_paper(db: Database) -> None:
    n = 70_000  # more papers than PostgreSQL's 65,535 bind parameters per statement
    rows = [
        PaperIn(id=f"25{1 + i // 50_000:02d}.{i % 50_000:05d}", title=f"P{i}", upvotes=i, fields=["nlp"])
        for i in range(n)
    ]
    with db.session() as session:
        assert upsert_papers(session, rows, dt.date(2025, 3, 4), "digest") == n
    assert (count(db, Paper), count(db, Listing), count(db, PaperField)) == (n, n, n)
    with db.session() as session:
        top = top_for_day(session, dt.date(2025, 3, 4), 3)
    assert [p.upvotes for p in top] == [n - 1, n - 2, n - 3]


def test_a_database_error_is_one_line_without_sql_or_values(run: Run, db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", ["2503.20001", REFUSED])
    refuse_paper(db, REFUSED)
    code, _, err = run("import", str(path), "--date", DAY)
    assert code == 1
    assert err.startswith("paperbot: database error: ") and err.endswith(f": {REFUSAL}\n")
    for leak in ("INSERT", "SQL", "papers", "2503.20001", "Card", "parameters"):
        assert leak not in err, leak
