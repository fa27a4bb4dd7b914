"""Merge incoming papers in bulk: chunked INSERT … ON CONFLICT statements instead of one ORM row each.

A chunk of CHUNK rows binds at most CHUNK × 17 parameters, well under PostgreSQL's 65,535 per
statement, and each query selects by at most CHUNK ids, so the cost of a merge grows linearly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.records import PaperIn
from storage.tables import KoreanText, Listing, Paper, PaperField

CHUNK = 1000
# Which origin of 관련분야 wins when several sources classify the same paper.
FIELD_PRIORITY = {"classifier": 1, "llm": 2, "digest": 3}
MERGED_COLUMNS = (
    "title",
    "abstract",
    "ai_summary",
    "ai_keywords",
    "authors",
    "upvotes",
    "num_comments",
    "published_at",
    "github_repo",
    "github_stars",
    "project_page",
    "organization",
    "pdf_url",
    "thumbnail",
)
# The Core tables: statements on them skip the ORM's per-row bookkeeping.
_PAPERS = cast(Table, Paper.__table__)
_LISTINGS = cast(Table, Listing.__table__)
_TEXTS = cast(Table, KoreanText.__table__)
_FIELDS = cast(Table, PaperField.__table__)
_KOREAN_COLUMNS = ("summary_ko", "easy_ko", "model", "prompt_tokens", "completion_tokens")


def upsert_papers(session: Session, papers: Iterable[PaperIn], day: dt.date | None, source: str) -> int:
    """Merge `papers` into storage (known values win over None) and list them on `day`.

    Papers are merged in order: a repeated id is merged again after the earlier ones, as if each
    paper had been merged on its own.
    """
    papers = list(papers)
    return upsert_days(session, [(day, papers)], source)


def upsert_days(
    session: Session, days: Iterable[tuple[dt.date | None, Sequence[PaperIn]]], source: str
) -> int:
    """`upsert_papers` for several (day, papers) lists in order, in as few statements as their ids allow."""
    listed = [(paper, day) for day, papers in days for paper in papers]
    for batch in _rounds(listed):
        for chunk in _chunks(batch):
            _merge_chunk(session, chunk, source)
    return len(listed)


_Listed = tuple[PaperIn, dt.date | None]


def _rounds(listed: Sequence[_Listed]) -> list[list[_Listed]]:
    """Batches in which every id appears once: the n-th occurrence of an id goes to batch n."""
    seen: Counter[str] = Counter()
    rounds: list[list[_Listed]] = []
    for item in listed:
        paper_id = item[0].id
        if seen[paper_id] == len(rounds):
            rounds.append([])
        rounds[seen[paper_id]].append(item)
        seen[paper_id] += 1
    return rounds


def _chunks(rows: Sequence[_Listed]) -> Iterator[Sequence[_Listed]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _merge_chunk(session: Session, listed: Sequence[_Listed], source: str) -> None:
    """Papers first: listings, texts and fields reference them."""
    chunk = [paper for paper, _day in listed]
    _upsert_rows(session, chunk)
    on_days = [(paper, day) for paper, day in listed if day is not None]
    if on_days:
        _list_on(session, on_days, source)
    texts = [p for p in chunk if p.summary_ko or p.easy_ko]
    if texts:
        _upsert_texts(session, texts)
    _replace_fields(session, [p for p in chunk if p.fields])


def _insert(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL share its API)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _execute_rows(session: Session, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Run an INSERT for many rows. On PostgreSQL with RETURNING, so that SQLAlchemy sends them as
    multi-row INSERTs ("insertmanyvalues", which it skips for ON CONFLICT without RETURNING) instead
    of one statement per row: one round trip per chunk, and the statement-level triggers of the
    search index fire once per chunk. SQLite's executemany is already a loop inside the driver."""
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.returning(*stmt.table.primary_key.columns)
    session.execute(stmt, rows)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _known(value: object) -> object:
    """None for what a source leaves unknown (None or an empty string)."""
    return None if value == "" else value


def _upsert_rows(session: Session, chunk: Sequence[PaperIn]) -> None:
    table = _PAPERS
    stmt = _insert(session, table)
    keep_known = {name: func.coalesce(stmt.excluded[name], table.c[name]) for name in MERGED_COLUMNS}
    keep_known["title"] = func.coalesce(func.nullif(stmt.excluded.title, ""), table.c.title)
    now = _now()
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.id], set_=keep_known | {"updated_at": now})
    stamps = {"created_at": now, "updated_at": now}  # one value per chunk, not a default call per row
    rows = [
        {"id": p.id, **{name: _known(getattr(p, name)) for name in MERGED_COLUMNS}, "title": p.title} | stamps
        for p in chunk
    ]
    _execute_rows(session, stmt, rows)


def _list_on(session: Session, chunk: Sequence[tuple[PaperIn, dt.date]], source: str) -> None:
    """List each paper on its day, or update those listings: votes and position as last fetched."""
    table = _LISTINGS
    stmt = _insert(session, table)
    keep_known = {name: func.coalesce(stmt.excluded[name], table.c[name]) for name in ("upvotes", "position")}
    stmt = stmt.on_conflict_do_update(index_elements=["day", "paper_id"], set_=keep_known)
    rows = [
        {"day": day, "paper_id": p.id, "source": source, "upvotes": p.upvotes, "position": p.position}
        for p, day in chunk
    ]
    _execute_rows(session, stmt, rows)


def _upsert_texts(session: Session, chunk: Sequence[PaperIn]) -> None:
    """Store (or replace) each paper's Korean texts of its origin."""
    stmt = _insert(session, _TEXTS)
    replace = {name: stmt.excluded[name] for name in _KOREAN_COLUMNS}
    stmt = stmt.on_conflict_do_update(index_elements=["paper_id", "origin"], set_=replace)
    unset = dict.fromkeys(_KOREAN_COLUMNS[2:]) | {"created_at": _now()}
    rows = [
        {"paper_id": p.id, "origin": p.korean_origin, "summary_ko": p.summary_ko, "easy_ko": p.easy_ko}
        | unset
        for p in chunk
    ]
    _execute_rows(session, stmt, rows)


def _replace_fields(session: Session, chunk: Sequence[PaperIn]) -> None:
    """Replace each paper's field codes unless a higher-priority origin already set them."""
    if not chunk:
        return
    ranks: dict[str, int] = {}
    ids = [p.id for p in chunk]
    query = select(PaperField.paper_id, PaperField.origin).where(PaperField.paper_id.in_(ids))
    for paper_id, origin in session.execute(query):
        ranks[paper_id] = max(ranks.get(paper_id, 0), FIELD_PRIORITY.get(origin, 0))
    winners = [p for p in chunk if ranks.get(p.id, 0) <= FIELD_PRIORITY.get(p.fields_origin, 0)]
    if not winners:
        return
    session.execute(delete(PaperField).where(PaperField.paper_id.in_([p.id for p in winners])))
    rows = [
        {"paper_id": p.id, "code": code, "position": i, "origin": p.fields_origin}
        for p in winners
        for i, code in enumerate(list(dict.fromkeys(p.fields))[:3])
    ]
    _execute_rows(session, _FIELDS.insert(), rows)
