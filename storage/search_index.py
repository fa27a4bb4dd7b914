"""Write side of the search index: SQLite brings the rows of changed papers up to date at commit.

Since migration 0010, SQLite's triggers only note the ids of changed papers in `paper_search_dirty`;
an insert into `paper_search_flush` rebuilds their `paper_fts`/`paper_words` rows in a few set
statements (the migration's trigger holds them). `Database` runs `refresh_sqlite` on every commit
of the engine, and a bulk import after each of its writes (`refresh`). PostgreSQL keeps
`paper_search` in step with statement-level triggers instead; since migration 0011 a bulk import
may `defer` that work to one `flush_deferred` at its end.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from storage.db import Database

REBUILD_SHARE = 4
"""A flush rebuilds PostgreSQL's GIN indexes when it indexes at least 1/REBUILD_SHARE as many papers as
the index holds: building an index in bulk costs far less than adding that many rows to it."""


def refresh_sqlite(dbapi_connection: Any) -> None:
    """Rebuild the index rows of the papers noted since the last refresh, on this connection's open
    transaction; nothing when none changed or the schema predates migration 0010."""
    cursor = dbapi_connection.cursor()
    try:
        try:
            if cursor.execute("SELECT 1 FROM paper_search_dirty LIMIT 1").fetchone() is None:
                return
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # a schema before migration 0010
                return
            raise
        cursor.execute("INSERT INTO paper_search_flush DEFAULT VALUES")
    finally:
        cursor.close()


def refresh(session: Session) -> None:
    """Bring SQLite's index up to what this transaction changed so far (its commit would, later)."""
    if session.get_bind().dialect.name == "sqlite":
        refresh_sqlite(session.connection().connection.dbapi_connection)


def defer(session: Session) -> None:
    """Let this transaction note the papers it changes for `flush_deferred` instead of indexing them
    (PostgreSQL; SQLite indexes them at the commit, or at a `refresh` before it, anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('paperbot.defer_search', 'on', true)"))


def flush_deferred(db: Database) -> int:
    """Index the papers that deferred transactions noted, in one transaction (an interrupted flush
    leaves them noted); returns how many. Many at once rebuild the GIN indexes: for that moment,
    searches wait for the flush to commit."""
    if db.is_sqlite:
        return 0
    with db.session() as session:
        ids = list(session.scalars(text("DELETE FROM paper_search_pending RETURNING paper_id")))
        if not ids:
            return 0
        indexed = session.scalar(text("SELECT count(*) FROM paper_search")) or 0
        rebuilt = _drop_indexes(session) if len(ids) * REBUILD_SHARE >= indexed else []
        session.execute(text("SELECT paper_search_refresh_ids(CAST(:ids AS text[]))"), {"ids": ids})
        for statement in rebuilt:
            session.execute(text(statement))
    return len(ids)


def _drop_indexes(session: Session) -> list[str]:
    """Drop the GIN indexes of `paper_search`; returns the statements that create them again."""
    query = """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = 'paper_search'::regclass AND a.amname = 'gin'"""
    indexes = session.execute(text(query)).all()
    for name, _definition in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    return [definition for _name, definition in indexes]
