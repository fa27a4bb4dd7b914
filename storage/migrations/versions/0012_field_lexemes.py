"""PostgreSQL: a paper's field codes in its search tsvector, so "a word or a field" is one tsquery

A term naming a field matches the word or the papers of that field. The field was checked per paper
through `paper_fields`, which no index can intersect with the words of the other terms: a query whose
words match thousands of papers read them one by one. Each code is now also a lexeme of the paper's
`doc` (`#` and the code: the parser never makes a lexeme with `#`, and no word is a prefix of it), so
`word | #code` is answered and counted by the GIN index like any word.
`paper_search_refresh_ids` adds the lexemes when it rebuilds a row; statement-level triggers on
`paper_fields` replace them when a paper's fields change. Both keep 0011's rule: a transaction that
defers the index only notes the papers for the bulk import's flush. SQLite is unchanged.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PREFIX = "#"  # field lexemes are PREFIX || code


def _migration(name: str) -> ModuleType:
    """An earlier migration of this folder, whose statements this one extends."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(f"paperbot_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lexemes(pid: str) -> str:
    """The field lexemes of paper `pid` as a tsvector (empty when it has no field)."""
    return (
        f"coalesce((SELECT array_to_tsvector(array_agg('{PREFIX}' || f.code)) "
        f"FROM paper_fields f WHERE f.paper_id = {pid}), ''::tsvector)"
    )


_OWN = f"ARRAY(SELECT l FROM unnest(tsvector_to_array(ps.doc)) l WHERE starts_with(l, '{PREFIX}'))"
_WITHOUT = f"ts_delete(ps.doc, {_OWN})"  # a row's doc without its field lexemes


def _unless_deferred(statement: str) -> str:
    """A plpgsql body running `statement`, or, in a transaction that defers the index (0011), noting `ids`."""
    deferred = _migration("0011_deferred_search_index.py")
    return f"""LANGUAGE plpgsql AS $$ BEGIN
        IF current_setting('{deferred.SETTING}', true) = 'on' THEN
            INSERT INTO {deferred.PENDING}(paper_id) SELECT DISTINCT unnest(ids) ON CONFLICT DO NOTHING;
        ELSE
            {statement};
        END IF;
    END $$"""


def _refresh_function() -> str:
    """0011's rebuild of the rows of `ids`, their field lexemes added to `doc`."""
    rows = _migration("0005_search_index.py")._PG_ROWS
    end = "\nFROM papers p\n"
    assert rows.count(end) == 1
    rows = rows.replace(end, f"\n  || {_lexemes('p.id')}{end}")
    refresh = _migration("0011_deferred_search_index.py")._refresh(rows)
    head = "CREATE OR REPLACE FUNCTION paper_search_refresh_ids(ids text[]) RETURNS void"
    return f"{head} {_unless_deferred(refresh)}"


def _fields_function() -> str:
    """Replace the field lexemes of the rows of `ids` with their papers' codes now."""
    lexemes = _lexemes("ps.paper_id")
    update = f"UPDATE paper_search ps SET doc = {_WITHOUT} || {lexemes} WHERE ps.paper_id = ANY(ids)"
    return f"CREATE FUNCTION paper_search_fields_ids(ids text[]) RETURNS void {_unless_deferred(update)}"


# (function, ids whose lexemes to replace, trigger event, transition tables)
_TRIGGERS = (
    ("paper_search_fields_ins", "SELECT DISTINCT paper_id FROM new_rows", "INSERT", "NEW TABLE AS new_rows"),
    ("paper_search_fields_upd", "SELECT paper_id FROM old_rows UNION SELECT paper_id FROM new_rows", "UPDATE",
     "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("paper_search_fields_del", "SELECT DISTINCT paper_id FROM old_rows", "DELETE", "OLD TABLE AS old_rows"),
)  # fmt: skip

_BACKFILL = f"""UPDATE paper_search ps SET doc = ps.doc || f.lexemes
    FROM (SELECT paper_id, array_to_tsvector(array_agg('{PREFIX}' || code)) AS lexemes
          FROM paper_fields GROUP BY paper_id) f
    WHERE f.paper_id = ps.paper_id"""


def _pg_upgrade() -> list[str]:
    statements = [_refresh_function(), _fields_function()]
    for name, ids, event, transitions in _TRIGGERS:
        statements += [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                PERFORM paper_search_fields_ids(ARRAY({ids})); RETURN NULL; END $$""",
            f"CREATE TRIGGER {name} AFTER {event} ON paper_fields REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return [*statements, _BACKFILL]


def _pg_downgrade() -> list[str]:
    statements = []
    for name, _ids, _event, _transitions in _TRIGGERS:
        statements += [f"DROP TRIGGER IF EXISTS {name} ON paper_fields", f"DROP FUNCTION IF EXISTS {name}()"]
    previous = _migration("0011_deferred_search_index.py")._pg_upgrade()[1]  # 0011's refresh function
    assert previous.startswith("CREATE OR REPLACE FUNCTION paper_search_refresh_ids")
    return [
        *statements,
        "DROP FUNCTION IF EXISTS paper_search_fields_ids(text[])",
        previous,
        f"UPDATE paper_search ps SET doc = {_WITHOUT} WHERE cardinality({_OWN}) > 0",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _pg_upgrade():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in _pg_downgrade():
            op.execute(statement)
