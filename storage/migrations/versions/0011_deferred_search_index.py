"""PostgreSQL: a bulk import may defer the search index to its end

When the transaction sets `paperbot.defer_search` to 'on', the statement-level triggers of 0010 note
the changed paper ids in `paper_search_pending` instead of refreshing `paper_search`; the import
then refreshes them all at once (`storage.search_index.flush_deferred`), rebuilding the GIN indexes
in bulk when most rows are new. The noted ids commit with the papers, so ids left by an interrupted
import are refreshed by the next flush (every start of the bot runs one).
SQLite is unchanged: its index is already brought up to date once per transaction.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PENDING = "paper_search_pending"
SETTING = "paperbot.defer_search"


def _pg_rows() -> str:
    """The statement of 0005 that builds index rows from the papers."""
    path = Path(__file__).with_name("0005_search_index.py")
    spec = importlib.util.spec_from_file_location("paperbot_migration_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module._PG_ROWS)


def _refresh(rows: str, which: str = "p.id = ANY(ids)") -> str:
    """Bring the index rows of the papers `which` selects up to date."""
    return f"""{rows} WHERE {which}
        ON CONFLICT (paper_id) DO UPDATE
        SET title = excluded.title, body = excluded.body, doc = excluded.doc"""


def _pg_upgrade() -> list[str]:
    rows = _pg_rows()
    return [
        f"CREATE TABLE {PENDING} (paper_id VARCHAR(32) PRIMARY KEY)",
        f"""CREATE OR REPLACE FUNCTION paper_search_refresh_ids(ids text[]) RETURNS void
        LANGUAGE plpgsql AS $$ BEGIN
            IF current_setting('{SETTING}', true) = 'on' THEN
                INSERT INTO {PENDING}(paper_id) SELECT DISTINCT unnest(ids) ON CONFLICT DO NOTHING;
            ELSE
                {_refresh(rows)};
            END IF;
        END $$""",
    ]


def _pg_downgrade() -> list[str]:
    rows = _pg_rows()
    return [
        # The index up to date before the ids noted for it are dropped.
        _refresh(rows, f"p.id IN (SELECT paper_id FROM {PENDING})"),
        f"""CREATE OR REPLACE FUNCTION paper_search_refresh_ids(ids text[]) RETURNS void
        LANGUAGE sql AS $$
            {_refresh(rows)} $$""",
        f"DROP TABLE {PENDING}",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _pg_upgrade():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _pg_downgrade():
            op.execute(statement)
