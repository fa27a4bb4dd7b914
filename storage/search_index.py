"""Write side of the search index: SQLite brings the rows of changed papers up to date at commit.

Since migration 0010, SQLite's triggers only note the ids of changed papers in `paper_search_dirty`;
an insert into `paper_search_flush` rebuilds their `paper_fts`/`paper_words` rows in a few set
statements (the migration's trigger holds them). `Database` runs `refresh_sqlite` on every commit
of the engine. PostgreSQL keeps `paper_search` in step with statement-level triggers instead.
"""

from __future__ import annotations

import sqlite3
from typing import Any


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
