"""Open a database only to read it: no migrations, and for SQLite no write of any kind.

Verbs that only read (`top`, `field`, `fields`, `subscribers list`) must work on a database file
they may not write, such as a copy on a read-only disk. A SQLite file is opened with `mode=ro`;
when no `-wal` file lies beside it (no process has it open, everything is in the main file) it is
also opened `immutable=1`, because a read-only WAL database otherwise needs its `-shm` and `-wal`
files created — impossible in a read-only folder, and litter in a writable one. The schema is not
migrated; it must already be current.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import make_url

from storage.db import Database
from storage.migrate import alembic_config


class NotReadable(RuntimeError):
    """The database cannot be read as it is; the message says what to do, in one line."""


def sqlite_file(url: str) -> Path | None:
    """The file behind a plain SQLite URL; None for other databases, memory and `file:` URIs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.query.get("uri") or parsed.database.startswith("file:"):
        return None  # the user wrote SQLite's own URI: it says how to open the file
    return Path(parsed.database)


def read_only_url(url: str) -> str:
    """`url` rewritten so that SQLite opens its file read-only (other URLs are returned as they are)."""
    path = sqlite_file(url)
    if path is None:
        return url
    if not path.is_file():
        raise NotReadable(f"no database at {path}: run 'paperbot db upgrade' (or 'paperbot fetch') first")
    absolute = path.resolve()
    flags = "mode=ro" if Path(f"{absolute}-wal").exists() else "mode=ro&immutable=1"
    driver = make_url(url).drivername
    return f"{driver}:///file:{quote(str(absolute))}?{flags}&uri=true"


def check_schema(db: Database) -> None:
    """Raise NotReadable unless the schema is at this version's head revision."""
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config(db))
    head = script.get_current_head()
    if current == head:
        return
    if current is None:
        raise NotReadable("the database has no paperbot tables yet: run 'paperbot db upgrade'")
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise NotReadable(f"the database schema ({current}) is newer than this paperbot ({head})")
    raise NotReadable(
        f"the database schema ({current}) is behind this paperbot ({head}): run 'paperbot db upgrade'"
    )


def open_read_only(url: str) -> Database:
    """A database for reading only, with a current schema."""
    db = Database(read_only_url(url), read_only=True)
    try:
        check_schema(db)
    except BaseException:
        db.dispose()
        raise
    return db
