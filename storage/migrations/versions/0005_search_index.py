"""full-text search index over papers and their Korean texts

SQLite: an FTS5 table with the trigram tokenizer (case-insensitive substrings, so a Korean word
matches inside a longer word), keyed through `paper_search_ids` because papers have a text key, and a
contentless unicode61 word index beside it for terms of one or two characters ("RL", "3D", "추론"),
which trigrams cannot match.
PostgreSQL: `paper_search` holds a weighted 'simple' tsvector (ranking) and the concatenated text
under a pg_trgm GIN index (substring matching, as on SQLite).
Triggers on papers and korean_texts keep both in step; existing rows are back-filled in one statement.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# --- SQLite ---------------------------------------------------------------------------------------

_SQLITE_ROW = """
INSERT INTO paper_fts(rowid, title, keywords, korean, abstract)
SELECT s.doc_id, p.title,
  coalesce((SELECT group_concat(j.value, ' ') FROM json_each(
      CASE WHEN json_valid(p.ai_keywords) THEN p.ai_keywords ELSE '[]' END) j WHERE j.type = 'text'), ''),
  coalesce((SELECT group_concat(coalesce(k.summary_ko, '') || ' ' || coalesce(k.easy_ko, ''), ' ')
      FROM korean_texts k WHERE k.paper_id = p.id), ''),
  coalesce(p.abstract, '')
FROM paper_search_ids s JOIN papers p ON p.id = s.paper_id"""


_WORDS = "title || ' ' || keywords || ' ' || korean || ' ' || abstract"


def _sqlite_refresh(pid: str) -> str:
    doc = f"(SELECT doc_id FROM paper_search_ids WHERE paper_id = {pid})"
    return (
        # A contentless index forgets its text: delete with the values it was given, kept in paper_fts.
        f"INSERT INTO paper_words(paper_words, rowid, body) "
        f"SELECT 'delete', rowid, {_WORDS} FROM paper_fts WHERE rowid = {doc};"
        f"DELETE FROM paper_fts WHERE rowid = {doc};"
        f"{_SQLITE_ROW} WHERE s.paper_id = {pid};"
        f"INSERT INTO paper_words(rowid, body) SELECT rowid, {_WORDS} FROM paper_fts WHERE rowid = {doc};"
    )


_SQLITE_TRIGGERS = {
    "paper_search_ai": f"""AFTER INSERT ON papers BEGIN
        INSERT OR IGNORE INTO paper_search_ids(paper_id) VALUES (new.id); {_sqlite_refresh("new.id")} END""",
    "paper_search_au": f"""AFTER UPDATE OF title, abstract, ai_keywords ON papers BEGIN
        {_sqlite_refresh("new.id")} END""",
    "paper_search_ad": f"""AFTER DELETE ON papers BEGIN
        INSERT INTO paper_words(paper_words, rowid, body) SELECT 'delete', rowid, {_WORDS} FROM paper_fts
            WHERE rowid = (SELECT doc_id FROM paper_search_ids WHERE paper_id = old.id);
        DELETE FROM paper_fts WHERE rowid = (SELECT doc_id FROM paper_search_ids WHERE paper_id = old.id);
        DELETE FROM paper_search_ids WHERE paper_id = old.id; END""",
    "paper_search_text_ai": f"AFTER INSERT ON korean_texts BEGIN {_sqlite_refresh('new.paper_id')} END",
    "paper_search_text_au": f"""AFTER UPDATE ON korean_texts BEGIN
        {_sqlite_refresh("old.paper_id")} {_sqlite_refresh("new.paper_id")} END""",
    "paper_search_text_ad": f"AFTER DELETE ON korean_texts BEGIN {_sqlite_refresh('old.paper_id')} END",
}


def _sqlite_upgrade() -> list[str]:
    return [
        "CREATE TABLE paper_search_ids (doc_id INTEGER PRIMARY KEY, paper_id VARCHAR(32) NOT NULL UNIQUE)",
        "CREATE VIRTUAL TABLE paper_fts USING fts5(title, keywords, korean, abstract, tokenize='trigram')",
        "CREATE VIRTUAL TABLE paper_words USING fts5(body, content='', tokenize='unicode61')",
        "INSERT INTO paper_search_ids(paper_id) SELECT id FROM papers ORDER BY id",
        _SQLITE_ROW,
        f"INSERT INTO paper_words(rowid, body) SELECT rowid, {_WORDS} FROM paper_fts",
        *(f"CREATE TRIGGER {name} {body}" for name, body in _SQLITE_TRIGGERS.items()),
    ]


def _sqlite_downgrade() -> list[str]:
    drops = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
    tables = ("paper_words", "paper_fts", "paper_search_ids")
    return [*drops, *(f"DROP TABLE IF EXISTS {table}" for table in tables)]


# --- PostgreSQL -----------------------------------------------------------------------------------

_PG_ROWS = """
INSERT INTO paper_search(paper_id, title, body, doc)
SELECT p.id, p.title, concat_ws(' ', p.title, k.kw, t.ko, p.abstract),
  setweight(to_tsvector('simple', coalesce(p.title, '')), 'A')
  || setweight(to_tsvector('simple', k.kw || ' ' || t.ko), 'B')
  || setweight(to_tsvector('simple', coalesce(p.abstract, '')), 'C')
FROM papers p
CROSS JOIN LATERAL (SELECT coalesce(CASE WHEN json_typeof(p.ai_keywords) = 'array' THEN
    (SELECT string_agg(e, ' ') FROM json_array_elements_text(p.ai_keywords) e) END, '') AS kw) k
CROSS JOIN LATERAL (SELECT coalesce(string_agg(concat_ws(' ', x.summary_ko, x.easy_ko), ' '), '') AS ko
    FROM korean_texts x WHERE x.paper_id = p.id) t"""


def _pg_upgrade(trgm_schema: str) -> list[str]:
    return [
        """CREATE TABLE paper_search (
            paper_id VARCHAR(32) PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            title TEXT NOT NULL, body TEXT NOT NULL, doc TSVECTOR NOT NULL)""",
        _PG_ROWS,
        "CREATE INDEX ix_paper_search_doc ON paper_search USING gin (doc)",
        f'CREATE INDEX ix_paper_search_body ON paper_search USING gin (body "{trgm_schema}".gin_trgm_ops)',
        f"""CREATE FUNCTION paper_search_refresh(pid text) RETURNS void LANGUAGE sql AS $$
            {_PG_ROWS} WHERE p.id = pid
            ON CONFLICT (paper_id) DO UPDATE
            SET title = excluded.title, body = excluded.body, doc = excluded.doc $$""",
        """CREATE FUNCTION paper_search_on_paper() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM paper_search_refresh(NEW.id); RETURN NULL; END $$""",
        """CREATE TRIGGER paper_search_paper AFTER INSERT OR UPDATE OF title, abstract, ai_keywords
            ON papers FOR EACH ROW EXECUTE FUNCTION paper_search_on_paper()""",
        """CREATE FUNCTION paper_search_on_text() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM paper_search_refresh(OLD.paper_id); END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM paper_search_refresh(NEW.paper_id); END IF;
            RETURN NULL; END $$""",
        """CREATE TRIGGER paper_search_text AFTER INSERT OR UPDATE OR DELETE
            ON korean_texts FOR EACH ROW EXECUTE FUNCTION paper_search_on_text()""",
    ]


def _pg_downgrade() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS paper_search_text ON korean_texts",
        "DROP TRIGGER IF EXISTS paper_search_paper ON papers",
        "DROP FUNCTION IF EXISTS paper_search_on_text()",
        "DROP FUNCTION IF EXISTS paper_search_on_paper()",
        "DROP FUNCTION IF EXISTS paper_search_refresh(text)",
        "DROP TABLE IF EXISTS paper_search",
    ]


def _trgm_schema() -> str:
    """Install pg_trgm (a trusted extension) and return the schema that holds its operator classes."""
    bind = op.get_bind()
    bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    query = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
    return str(bind.execute(text(f"{query} WHERE e.extname = 'pg_trgm'")).scalar_one())


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_upgrade() if sqlite else _pg_upgrade(_trgm_schema()):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_downgrade() if sqlite else _pg_downgrade():
        op.execute(statement)
