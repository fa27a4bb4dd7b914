"""Full-text search over papers: SQLite FTS5 (trigram) or PostgreSQL tsvector + pg_trgm.

User words only ever reach the database as bound parameters: FTS5 strings are double-quoted with
inner quotes doubled, LIKE patterns have `%`, `_` and `\\` escaped, tsqueries come from
plainto_tsquery. The index tables and their triggers are created by migration 0005.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import column, func, select, table, text
from sqlalchemy.orm import Session

from storage.papers import CARD_COLUMNS, LISTING_VOTES, _load, _ranked, _rows
from storage.ranked_search import TRIGRAM, fts_string, like_pattern, ranked_ids, short_word
from storage.records import Keywords, SearchQuery, StoredPaper
from storage.tables import Listing, Paper


@dataclass
class _Sql:
    """A WHERE clause under construction with its bound parameters."""

    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def word_query(word: str) -> str:
    """An FTS5 word-index query for a short term: the exact word in English ("RL" is not "URL"),
    a word prefix otherwise, since Korean particles follow the noun ("추론" finds "추론을")."""
    return fts_string(short_word(word)) + ("" if word.isascii() else "*")


def _sqlite_match(sql: _Sql, word: str) -> str:
    """Paper ids whose FTS document contains `word`."""
    if len(word) >= TRIGRAM:
        hits = f"SELECT rowid FROM paper_fts WHERE paper_fts MATCH {sql.bind(fts_string(word))}"
    else:
        hits = f"SELECT rowid FROM paper_words WHERE paper_words MATCH {sql.bind(word_query(word))}"
    return f"SELECT paper_id FROM paper_search_ids WHERE doc_id IN ({hits})"


def search_ids(session: Session, query: SearchQuery, n: int) -> list[str]:
    """Ids of the `n` best matches: named arXiv ids first, then by relevance, then votes."""
    named = list(session.scalars(select(Paper.id).where(Paper.id.in_(query.ids)))) if query.ids else []
    named.sort(key=query.ids.index)
    if not query.terms and not query.excluded:
        return named[:n]
    found = [i for i in ranked_ids(session, query, n + len(named)) if i not in named]
    return (named + found)[:n]


def search(session: Session, query: SearchQuery, n: int) -> list[StoredPaper]:
    """The `n` best matching papers as cards see them, in rank order."""
    ids = search_ids(session, query, n)
    rows = {p.id: p for p in _rows(session, select(*CARD_COLUMNS).where(Paper.id.in_(ids)))}
    return _load(session, [(rows[i], None) for i in ids if i in rows])  # (latest votes: no one day)


def listing_span(session: Session, ids: list[str]) -> tuple[dt.date, dt.date] | None:
    """The first and last listing day of these papers (None when none is listed)."""
    first, last = session.execute(
        select(func.min(Listing.day), func.max(Listing.day)).where(Listing.paper_id.in_(ids))
    ).one()
    return (first, last) if first is not None else None


def _fields_of(sql: _Sql, codes: Sequence[str]) -> str:
    bound = ", ".join(sql.bind(c) for c in codes)
    return f"papers.id IN (SELECT paper_id FROM paper_fields WHERE code IN ({bound}))"


def _sqlite_has(sql: _Sql, word: str) -> str:
    """The paper of the row has `word` (its ids from the FTS tables, which answer a MATCH at once)."""
    return f"papers.id IN ({_sqlite_match(sql, word)})"


def _pg_has(sql: _Sql, word: str) -> str:
    """The row's own `paper_search` text has `word`: checked on the day's few papers, where an id
    subquery would run ILIKE over every paper of the corpus first."""
    if len(word) >= TRIGRAM:
        return f"paper_search.body ILIKE {sql.bind(like_pattern(word))}"
    if word.isascii():
        return f"paper_search.doc @@ plainto_tsquery('simple', {sql.bind(short_word(word))})"
    return f"paper_search.doc @@ to_tsquery('simple', quote_literal({sql.bind(short_word(word))}) || ':*')"


def _filter_clause(
    has: Callable[[_Sql, str], str], codes: Sequence[str], keywords: Keywords
) -> tuple[str, dict[str, Any]]:
    """Of a field in `codes` or having any term, and having no excluded word."""
    sql, wanted = _Sql(), []
    if codes:
        wanted.append(_fields_of(sql, codes))
    for term in keywords.terms:
        wanted.append(has(sql, term.text))
        if term.codes:
            wanted.append(_fields_of(sql, term.codes))
    if wanted:
        sql.where.append(f"({' OR '.join(wanted)})")
    for word in keywords.excluded:
        sql.where.append(f"NOT ({has(sql, word)})")
    return " AND ".join(sql.where) or "1 = 1", sql.params


_PAPER_SEARCH = table("paper_search", column("paper_id"))  # (PostgreSQL; created by migration 0005)


def top_for_day_matching(
    session: Session, day: dt.date, n: int, codes: Sequence[str] | None, keywords: Keywords
) -> list[StoredPaper]:
    """The `n` most-upvoted papers of `day` that are of a field in `codes` or match a keyword,
    minus those matching an excluded word (with neither codes nor terms: all but the excluded)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    clause, params = _filter_clause(_sqlite_has if sqlite else _pg_has, codes or (), keywords)
    query = select(*CARD_COLUMNS, LISTING_VOTES.label("votes")).join(Listing, Listing.paper_id == Paper.id)
    if not sqlite:
        query = query.join(_PAPER_SEARCH, _PAPER_SEARCH.c.paper_id == Paper.id)
    query = query.where(Listing.day == day, text(clause).bindparams(**params))
    return _load(session, [(row, row.votes) for row in _rows(session, _ranked(query, n))])
