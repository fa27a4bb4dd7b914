"""Engine and session factory; SQLite runs in WAL mode, PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from storage.search_index import refresh_sqlite

# SQLite page cache per connection, in KiB (negative: a size, not pages): searches read the word
# index and the vote index of 100k papers, far more than the 2 MiB default.
CACHE_KIB = -65536


def affected(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it touched."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA cache_size={CACHE_KIB}")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection: object, _record: object) -> None:
    """A reader sets no journal mode: changing it would write to the file."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(f"PRAGMA cache_size={CACHE_KIB}")
    cursor.close()


def _sqlite_before_commit(conn: Connection) -> None:
    """Bring the search index up to the transaction's changes before they are committed."""
    refresh_sqlite(conn.connection.dbapi_connection)


def make_engine(url: str, read_only: bool = False) -> Engine:
    """Create an engine for `url` with the pragmas and pool settings this project needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_read_pragmas if read_only else _sqlite_pragmas)
        if not read_only:
            event.listen(engine, "commit", _sqlite_before_commit)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """An engine plus a session factory; the one handle the rest of the code receives."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, read_only)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def is_sqlite(self) -> bool:
        """True when the backing database is SQLite."""
        return self.engine.dialect.name == "sqlite"

    def analyze(self) -> bool:
        """VACUUM ANALYZE on PostgreSQL after a bulk load, as autovacuum would (statistics and the
        visibility map index-only scans need); False on SQLite, which has nothing to refresh."""
        if self.is_sqlite:
            return False
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
