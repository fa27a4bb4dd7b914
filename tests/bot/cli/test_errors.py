"""One clean line for dates at the ends of the calendar and for read-only databases."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext

from storage.db import Database
from storage.migrate import alembic_config, upgrade
from tests.cli_runner import Run, runner
from tests.fakes.hf_server import FakeHFServer
from tests.paths import FIXTURES

CARDS = str(FIXTURES / "digests" / "cards_crlf.md")  # two cards: 1,234 and 7 votes


@pytest.fixture
def run(db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return runner(db.url, monkeypatch, capsys)


@pytest.mark.parametrize(("date", "days"), [("0001-01-01", "2"), ("0001-01-03", "4")])
def test_fetching_days_before_year_one_is_a_usage_error(run: Run, date: str, days: str) -> None:
    code, _, err = run("fetch", "--date", date, "--days", days)
    assert code == 2
    assert err.startswith("paperbot: Invalid value for '--days'") and err.count("\n") == 1


def test_fetching_the_last_days_of_the_calendar_works(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeHFServer() as hf:
        monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", hf.url)
        code, out, err = run("fetch", "--date", "9999-12-31", "--days", "2")
    assert code == 0, err
    assert "9999-12-30: stored 0 papers" in out and "9999-12-31: stored 0 papers" in out


def test_the_field_window_of_papers_listed_in_year_one(run: Run) -> None:
    assert run("import", CARDS, "--date", "0001-01-02")[0] == 0
    code, out, err = run("field", "기계", "학습", "--days", "365", "--format", "json")
    assert code == 0, err
    assert [p["votes"] for p in json.loads(out)["papers"]] == [7]
    code, out, err = run("fields", "--format", "json")
    assert code == 0, err
    assert {row["code"]: row["count"] for row in json.loads(out)["fields"]}["ml"] == 1


# --- verbs that only read -------------------------------------------------------------------------


def sqlite_file(tmp_path: Path) -> Path:
    """A migrated SQLite file in a folder of its own, closed: no -wal or -shm beside it."""
    path = tmp_path / "ro" / "paperbot.db"
    path.parent.mkdir()
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Files and folders made unwritable: by their mode, and for root too where chattr +i works."""
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
    chattr = shutil.which("chattr")
    for p in paths if chattr else ():
        subprocess.run([chattr, "+i", str(p)], capture_output=True, check=False)
    try:
        yield
    finally:
        for p in paths if chattr else ():
            subprocess.run([chattr, "-i", str(p)], capture_output=True, check=False)
        for p, mode in modes.items():
            p.chmod(mode)


def test_a_read_only_sqlite_file_answers_top_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sqlite_file(tmp_path)
    run = runner(f"sqlite:///{path}", monkeypatch, capsys)
    assert run("import", CARDS, "--date", "2025-03-04")[0] == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["paperbot.db"]
    before = path.read_bytes()
    with read_only(path, path.parent):
        code, out, err = run("top", "--format", "json")
        assert code == 0, err
        assert [p["votes"] for p in json.loads(out)["papers"]] == [1234, 7]
        for verb in (("fields",), ("field", "nlp"), ("subscribers", "list")):
            assert run(*verb)[0] == 0, verb
        assert sorted(p.name for p in path.parent.iterdir()) == ["paperbot.db"]  # no -wal, no -shm
    assert path.read_bytes() == before


def test_a_missing_database_file_is_not_created_by_a_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.db"
    code, _, err = runner(f"sqlite:///{path}", monkeypatch, capsys)("top")
    assert code == 1
    assert err == f"paperbot: no database at {path}: run 'paperbot db upgrade' (or 'paperbot fetch') first\n"
    assert not path.exists()


def revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_a_schema_behind_is_reported_not_migrated_by_a_read(run: Run, db: Database) -> None:
    command.downgrade(alembic_config(db), "0001")
    code, _, err = run("top")
    assert code == 1
    assert err.startswith("paperbot: the database schema (0001) is behind this paperbot")
    assert err.endswith(": run 'paperbot db upgrade'\n")
    assert revision(db) == "0001"
    assert run("db", "upgrade")[0] == 0
    assert run("top")[0] == 0
