"""Shared fixtures: the ../shared corpus, and databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from storage.db import Database
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAPERBOT_SHARED_DIR", ROOT.parent / "shared"))
PG_URL = os.environ.get("PAPERBOT_TEST_DATABASE_URL")

# Hypothesis times every example (200 ms) and its data generation by default: on a loaded machine
# those are flaky speed limits, so the property tests check only what they state.
settings.register_profile("paperbot", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("paperbot")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's PAPERBOT_* settings or .env file."""
    for name in list(os.environ):
        if name.startswith("PAPERBOT_") and name not in {"PAPERBOT_TEST_DATABASE_URL", "PAPERBOT_SHARED_DIR"}:
            monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared corpus folder beside the checkout; tests using it skip where it is absent."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    """The four seed digests."""
    return shared_dir / "seeds"


@pytest.fixture(scope="session")
def hf_corpus_dir(shared_dir: Path) -> Path:
    """The recorded Hugging Face daily-papers responses."""
    path = shared_dir / "data" / "hf-daily-papers"
    if not path.is_dir():
        pytest.skip("recorded Hugging Face responses not found")
    return path


def _sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(db)
    yield db
    db.dispose()


def _postgres_db() -> Iterator[Database]:
    """A fresh schema per test on the configured server, dropped afterwards."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        # Extensions belong to the database, not to a schema: pg_trgm lives in public, as on a
        # server set up for paperbot, so dropping one test's schema never drops it under another.
        conn.execute(text("SELECT pg_advisory_xact_lock(7465737473)"))  # one creator at a time
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    db = Database(f"{PG_URL}{sep}options=-csearch_path%3D{schema},public")
    try:
        upgrade(db)
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: SQLite, and PostgreSQL when PAPERBOT_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield from _sqlite_db(tmp_path)
    elif PG_URL:
        yield from _postgres_db()
    else:
        pytest.skip("PAPERBOT_TEST_DATABASE_URL not set")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database for tests that do not need both backends."""
    yield from _sqlite_db(tmp_path)


SAMPLE_DAY_PAPERS = 8


@pytest.fixture
def services(db: Database):
    """Services over `db` with the bundled sample digest imported and one Telegram admin (id 42)."""
    from bot.cli.demo import SAMPLE_DAY, sample_text
    from bot.fields import default_taxonomy
    from bot.ingest import store_digest
    from bot.services import Services
    from bot.settings import Settings
    from bot.sources.markdown import parse_digest

    settings = Settings(_env_file=None, database_url="sqlite://", telegram_admin_ids="42")
    svc = Services(
        db=db, settings=settings, taxonomy=default_taxonomy(), admins=frozenset(settings.admin_ids())
    )
    store_digest(db, parse_digest(sample_text(), SAMPLE_DAY), svc.taxonomy, SAMPLE_DAY)
    return svc
