"""Write side of the search index: SQLite rebuilds the rows of changed papers once, at commit.

Migration 0010 makes SQLite's triggers only note the ids of changed papers in `paper_search_dirty`;
`refresh_sqlite` rebuilds their `paper_fts`/`paper_words` rows in a few set statements, and
`Database` runs it on every commit of the engine. PostgreSQL keeps `paper_search` in step with
statement-level triggers instead, so it needs nothing here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

DIRTY = "paper_search_dirty"

# The FTS document of a paper: title, ai_keywords, its Korean texts, abstract (as migration 0005).
_FTS_ROWS = """
INSERT INTO paper_fts(rowid, title, keywords, korean, abstract)
SELECT s.doc_id, p.title,
  coalesce((SELECT group_concat(j.value, ' ') FROM json_each(
      CASE WHEN json_valid(p.ai_keywords) THEN p.ai_keywords ELSE '[]' END) j WHERE j.type = 'text'), ''),
  coalesce((SELECT group_concat(coalesce(k.summary_ko, '') || ' ' || coalesce(k.easy_ko, ''), ' ')
      FROM korean_texts k WHERE k.paper_id = p.id), ''),
  coalesce(p.abstract, '')
FROM paper_search_ids s JOIN papers p ON p.id = s.paper_id"""

_WORDS = "title || ' ' || keywords || ' ' || korean || ' ' || abstract"
_DOCS = f"SELECT s.doc_id FROM paper_search_ids s JOIN {DIRTY} d ON d.paper_id = s.paper_id"

SQLITE_REFRESH = (
    # A contentless index forgets its text: delete with the values it was given, kept in paper_fts.
    f"INSERT INTO paper_words(paper_words, rowid, body) "
    f"SELECT 'delete', rowid, {_WORDS} FROM paper_fts WHERE rowid IN ({_DOCS})",
    f"DELETE FROM paper_fts WHERE rowid IN ({_DOCS})",
    f"DELETE FROM paper_search_ids WHERE paper_id IN (SELECT paper_id FROM {DIRTY}) "
    "AND paper_id NOT IN (SELECT id FROM papers)",
    # New papers get their document ids in the order they were first noted (as row triggers did).
    f"INSERT OR IGNORE INTO paper_search_ids(paper_id) "
    f"SELECT d.paper_id FROM {DIRTY} d JOIN papers p ON p.id = d.paper_id ORDER BY d.seq",
    f"{_FTS_ROWS} WHERE s.paper_id IN (SELECT paper_id FROM {DIRTY}) ORDER BY s.doc_id",
    f"INSERT INTO paper_words(rowid, body) SELECT rowid, {_WORDS} FROM paper_fts WHERE rowid IN ({_DOCS})",
    f"DELETE FROM {DIRTY}",
)


def refresh_sqlite(dbapi_connection: Any) -> None:
    """Rebuild the index rows of the papers noted since the last refresh, on this connection's open
    transaction; nothing when none changed or the schema predates migration 0010."""
    cursor = dbapi_connection.cursor()
    try:
        try:
            if cursor.execute(f"SELECT 1 FROM {DIRTY} LIMIT 1").fetchone() is None:
                return
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # a schema before migration 0010
                return
            raise
        for statement in SQLITE_REFRESH:
            cursor.execute(statement)
    finally:
        cursor.close()
