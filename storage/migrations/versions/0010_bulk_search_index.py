"""search index rows rebuilt per transaction (SQLite) or per statement (PostgreSQL), not per row

SQLite: the triggers of 0005 rebuilt a paper's FTS rows on every insert or update, changed or not.
Now they only note the paper id in `paper_search_dirty` (and only when an indexed column changed);
an insert into `paper_search_flush` rebuilds the noted papers' rows in a few set statements (its
trigger), which `storage.search_index` does when a transaction commits.
PostgreSQL: statement-level triggers with transition tables refresh `paper_search` once per
statement for the papers whose title, abstract or keywords changed (or whose Korean texts did).
Downgrading restores the row triggers of 0005 after bringing the index up to date.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _search_index_0005() -> ModuleType:
    """Migration 0005, whose row triggers a downgrade restores."""
    path = Path(__file__).with_name("0005_search_index.py")
    spec = importlib.util.spec_from_file_location("paperbot_migration_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- SQLite ---------------------------------------------------------------------------------------

DIRTY = "paper_search_dirty"
FLUSH = "paper_search_flush"

# Not INSERT OR IGNORE: inside a trigger the outer statement's conflict handling overrides it.
_NOTE = f"INSERT INTO {DIRTY}(paper_id) SELECT {{row}}.{{col}} WHERE NOT EXISTS "
_NOTE += f"(SELECT 1 FROM {DIRTY} WHERE paper_id = {{row}}.{{col}});"
_NOTE_NEW = _NOTE.replace("{row}", "new")
_NOTE_OLD = _NOTE.replace("{row}", "old")
_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("title", "abstract", "ai_keywords"))

_SQLITE_TRIGGERS = {
    "paper_search_note_ai": f"AFTER INSERT ON papers BEGIN {_NOTE_NEW.format(col='id')} END",
    "paper_search_note_au": f"""AFTER UPDATE OF id, title, abstract, ai_keywords ON papers
        WHEN old.id IS NOT new.id OR {_CHANGED}
        BEGIN {_NOTE_OLD.format(col="id")} {_NOTE_NEW.format(col="id")} END""",
    "paper_search_note_ad": f"AFTER DELETE ON papers BEGIN {_NOTE_OLD.format(col='id')} END",
    "paper_search_note_text_ai": f"AFTER INSERT ON korean_texts BEGIN {_NOTE_NEW.format(col='paper_id')} END",
    "paper_search_note_text_au": f"""AFTER UPDATE ON korean_texts BEGIN
        {_NOTE_OLD.format(col="paper_id")} {_NOTE_NEW.format(col="paper_id")} END""",
    "paper_search_note_text_ad": f"AFTER DELETE ON korean_texts BEGIN {_NOTE_OLD.format(col='paper_id')} END",
}


def _sqlite_refresh() -> str:
    """The body of the flush trigger: rebuild the index rows of every noted paper, then forget them."""
    m0005 = _search_index_0005()
    words = m0005._WORDS
    docs = f"SELECT s.doc_id FROM paper_search_ids s JOIN {DIRTY} d ON d.paper_id = s.paper_id"
    return "; ".join(
        (
            # A contentless index forgets its text: delete with the values it was given, kept in paper_fts.
            f"INSERT INTO paper_words(paper_words, rowid, body) "
            f"SELECT 'delete', rowid, {words} FROM paper_fts WHERE rowid IN ({docs})",
            f"DELETE FROM paper_fts WHERE rowid IN ({docs})",
            f"DELETE FROM paper_search_ids WHERE paper_id IN (SELECT paper_id FROM {DIRTY}) "
            "AND paper_id NOT IN (SELECT id FROM papers)",
            # New papers get their document ids in the order they were first noted (as row triggers did).
            f"INSERT OR IGNORE INTO paper_search_ids(paper_id) "
            f"SELECT d.paper_id FROM {DIRTY} d JOIN papers p ON p.id = d.paper_id ORDER BY d.seq",
            f"{m0005._SQLITE_ROW} WHERE s.paper_id IN (SELECT paper_id FROM {DIRTY}) ORDER BY s.doc_id",
            f"INSERT INTO paper_words(rowid, body) "
            f"SELECT rowid, {words} FROM paper_fts WHERE rowid IN ({docs})",
            f"DELETE FROM {DIRTY}",
            f"DELETE FROM {FLUSH}",
        )
    )


def _sqlite_upgrade() -> list[str]:
    old = _search_index_0005()._SQLITE_TRIGGERS
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in old),
        # seq keeps the order in which papers were first noted: new papers get document ids in it.
        f"CREATE TABLE {DIRTY} (seq INTEGER PRIMARY KEY, paper_id VARCHAR(32) NOT NULL UNIQUE)",
        *(f"CREATE TRIGGER {name} {body}" for name, body in _SQLITE_TRIGGERS.items()),
        f"CREATE TABLE {FLUSH} (id INTEGER PRIMARY KEY)",
        f"CREATE TRIGGER paper_search_flush_ai AFTER INSERT ON {FLUSH} BEGIN {_sqlite_refresh()}; END",
    ]


def _sqlite_downgrade() -> list[str]:
    old = _search_index_0005()._SQLITE_TRIGGERS
    return [
        f"INSERT INTO {FLUSH} DEFAULT VALUES",  # the index up to date before the row triggers return
        "DROP TRIGGER IF EXISTS paper_search_flush_ai",
        f"DROP TABLE IF EXISTS {FLUSH}",
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS),
        f"DROP TABLE IF EXISTS {DIRTY}",
        *(f"CREATE TRIGGER {name} {body}" for name, body in old.items()),
    ]


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_refresh_function() -> str:
    rows = _search_index_0005()._PG_ROWS
    return f"""CREATE FUNCTION paper_search_refresh_ids(ids text[]) RETURNS void LANGUAGE sql AS $$
        {rows} WHERE p.id = ANY(ids)
        ON CONFLICT (paper_id) DO UPDATE
        SET title = excluded.title, body = excluded.body, doc = excluded.doc $$"""


def _pg_function(name: str, ids: str) -> str:
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        PERFORM paper_search_refresh_ids(ARRAY({ids})); RETURN NULL; END $$"""


_PG_CHANGED = """SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.title IS DISTINCT FROM o.title OR n.abstract IS DISTINCT FROM o.abstract
       OR n.ai_keywords::text IS DISTINCT FROM o.ai_keywords::text"""

# (function, ids to refresh, trigger event, table, transition tables)
_PG_TRIGGERS = (
    ("paper_search_papers_ins", "SELECT id FROM new_rows", "INSERT", "papers", "NEW TABLE AS new_rows"),
    ("paper_search_papers_upd", _PG_CHANGED, "UPDATE", "papers",
     "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("paper_search_texts_ins", "SELECT DISTINCT paper_id FROM new_rows", "INSERT", "korean_texts",
     "NEW TABLE AS new_rows"),
    ("paper_search_texts_upd", "SELECT paper_id FROM old_rows UNION SELECT paper_id FROM new_rows", "UPDATE",
     "korean_texts", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("paper_search_texts_del", "SELECT DISTINCT paper_id FROM old_rows", "DELETE", "korean_texts",
     "OLD TABLE AS old_rows"),
)  # fmt: skip


def _pg_upgrade() -> list[str]:
    statements = [
        "DROP TRIGGER IF EXISTS paper_search_text ON korean_texts",
        "DROP TRIGGER IF EXISTS paper_search_paper ON papers",
        _pg_refresh_function(),
    ]
    for name, ids, event, table, transitions in _PG_TRIGGERS:
        statements += [
            _pg_function(name, ids),
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _pg_downgrade() -> list[str]:
    statements = []
    for name, _ids, _event, table, _transitions in _PG_TRIGGERS:
        statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return [
        *statements,
        "DROP FUNCTION IF EXISTS paper_search_refresh_ids(text[])",
        """CREATE TRIGGER paper_search_paper AFTER INSERT OR UPDATE OF title, abstract, ai_keywords
            ON papers FOR EACH ROW EXECUTE FUNCTION paper_search_on_paper()""",
        """CREATE TRIGGER paper_search_text AFTER INSERT OR UPDATE OR DELETE
            ON korean_texts FOR EACH ROW EXECUTE FUNCTION paper_search_on_text()""",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_upgrade() if sqlite else _pg_upgrade():
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_downgrade() if sqlite else _pg_downgrade():
        op.execute(statement)
