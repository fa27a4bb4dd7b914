"""`/search` matching and ranking that stay fast on a large corpus (SQLite FTS5, PostgreSQL tsvector).

English words go through the word indexes: a term matches as whole words ("former" is not
"transformer"), and only when no paper has it that way as a word prefix ("scal" finds "scaling").
Korean terms, one- and two-character terms and terms with other characters keep their paths of
migration 0005 (trigram substrings, or the word index for short ones). A term naming a field also
matches that field's papers: on PostgreSQL through the field's lexeme in the paper's tsvector
(migration 0012), so the whole query is one tsquery its GIN index answers and counts.

Ranking: terms found in the title, then bm25 / ts_rank, then votes. When at most `RANK_ALL` papers
match, all of them are ranked; a larger match set is walked in vote order (index ix_papers_votes)
and only its `2 n` most-voted papers are ranked. PostgreSQL lists a match set of up to `SORT_ALL`
papers through its indexes and sorts it by votes instead: the walk would read the tsvectors of
thousands of papers that do not match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.records import SearchQuery

RANK_ALL = 1000  # match sets up to this size are ranked whole
SORT_ALL = 2000  # PostgreSQL: match sets up to this size are listed whole and sorted by votes
COUNT_CAP = 20_000  # SQLite: match sets are counted up to this size to plan the query
TRIGRAM = 3  # shorter terms cannot use the trigram index
SAMPLE = 200  # PostgreSQL: papers read for a common word before its index is asked
_WORDS = re.compile(r"[A-Za-z0-9]+(?:[-. ]+[A-Za-z0-9]+)*")  # terms the word indexes answer
_FIELD = "EXISTS (SELECT 1 FROM paper_fields f WHERE f.paper_id = {pid} AND f.code IN ({codes}))"
FIELD_LEXEME = "#"  # PostgreSQL: a paper's `doc` holds `#code` for each of its fields (migration 0012)
_SINCE = "EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = {pid} AND l.day >= {since})"


class _Params:
    """Bound parameters of one statement; user text never becomes SQL."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values: Sequence[Any]) -> str:
        return ", ".join(self.bind(v) for v in values)


def fts_string(word: str) -> str:
    """An FTS5 string literal: every character inside is literal (operators, `*`, `:`, `^`, ...)."""
    return '"' + word.replace('"', '""') + '"'


def short_word(word: str) -> str:
    """A one- or two-character term reduced to its letters and digits (it matches whole words)."""
    return "".join(c for c in word if c.isalnum())


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards and the escape character taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def is_words(term: str) -> bool:
    """True when the word index answers `term`: English words joined by spaces, `-` or `.`."""
    return len(term) >= TRIGRAM and _WORDS.fullmatch(term) is not None


def _may_prefix(term: str) -> bool:
    """A prefix match only for a last word of three characters or more ("a" would match everything)."""
    return len(re.split(r"[-. ]+", term)[-1]) >= TRIGRAM


@dataclass
class _Match:
    """One term or excluded word: the index check, the field codes that also satisfy it, its size."""

    table: str  # SQLite: paper_words or paper_fts; PostgreSQL: "doc" (tsvector) or "body" (ILIKE)
    expr: str  # SQLite: an FTS5 query; PostgreSQL: the tsquery text or the LIKE pattern
    codes: tuple[str, ...] = ()
    words: bool = False  # answered by the word index (and so ranked by it)
    size: int = 0  # SQLite: matching documents, counted up to `cap`
    cap: int = 0  # SQLite: 0 until counted


@dataclass(frozen=True)
class _Row:
    paper_id: str
    title: str
    votes: int | None
    score: float  # higher is more relevant


def _title_hits(title: str, terms: Sequence[str]) -> int:
    """How many terms the title holds (case-insensitively, as whole words for English words)."""
    folded = title.casefold()
    hits = 0
    for term in terms:
        word = term.casefold()
        if is_words(term) or len(term) < TRIGRAM:
            hits += re.search(rf"(?<![^\W_]){re.escape(word)}", folded) is not None
        else:
            hits += word in folded
    return hits


def _frequency(text: str, words: Sequence[str]) -> float:
    """A bm25-like relevance of a few candidates, without bm25's count of every match in the corpus
    (most of the cost of ranking a common word): each word's occurrences, saturated, per length."""
    folded = text.casefold()
    scale = 1 + len(folded) / 1000
    score = 0.0
    for word in words:
        found = len(re.findall(rf"(?<![^\W_]){re.escape(word.casefold())}", folded))
        score += found / (found + 1.2 * scale)
    return score


def _order(rows: Sequence[_Row], terms: Sequence[str], n: int) -> list[str]:
    """Title hits, then relevance, then votes (unknown last), then id."""
    ranked = sorted(
        rows,
        key=lambda r: (-_title_hits(r.title, terms), -r.score, r.votes is None, -(r.votes or 0), r.paper_id),
    )
    return [r.paper_id for r in ranked[:n]]


# --- SQLite ---------------------------------------------------------------------------------------

_PROBE_COST = {"paper_words": 60.0, "paper_fts": 400.0}  # µs to test one document against a query
_LIST_COST = 0.25  # µs per matching document to list a match set once


def _sqlite_count(session: Session, table: str, expr: str, cap: int = COUNT_CAP) -> int:
    statement = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH :q LIMIT {cap})"
    return int(session.scalar(text(statement), {"q": expr}) or 0)


def _sqlite_match(session: Session, word: str, codes: tuple[str, ...] = ()) -> _Match:
    """How SQLite matches `word`: whole words, else a word prefix, else a substring (trigrams)."""
    if len(word) < TRIGRAM:
        query = fts_string(short_word(word)) + ("" if word.isascii() else "*")
        return _Match("paper_words", query, codes)
    if is_words(word):
        whole = fts_string(word)
        if not _may_prefix(word) or _sqlite_count(session, "paper_words", whole, 1):
            return _Match("paper_words", whole, codes, words=True)
        return _Match("paper_words", whole + "*", codes, words=True)
    return _Match("paper_fts", fts_string(word), codes)


class _SqlitePlan:
    """The checks of one SQLite search, each a list lookup or a per-document probe by its size."""

    def __init__(self, session: Session, query: SearchQuery) -> None:
        self.session, self.since = session, query.since
        terms = [_sqlite_match(session, t.text, t.codes) for t in query.terms]
        excluded = [_sqlite_match(session, w) for w in query.excluded]
        self.words = [m for m in terms if m.words]  # ranked by the word index
        # Terms without field codes on the same index are one FTS query (it intersects them itself).
        self.required: list[_Match] = []
        for table in ("paper_words", "paper_fts"):
            plain = [m.expr for m in terms if m.table == table and not m.codes]
            if plain:
                self.required.append(_Match(table, " AND ".join(plain)))
        words = self.required[0] if self.required and self.required[0].table == "paper_words" else None
        self.excluded = []
        for m in excluded:
            if words is not None and m.table == "paper_words":
                words.expr = f"({words.expr}) NOT {m.expr}"
            else:
                self.excluded.append(m)
        self.either = [m for m in terms if m.codes]  # the term's text or one of its fields
        for m in self.required:
            self._count(m, COUNT_CAP)

    def _count(self, m: _Match, cap: int) -> int:
        """The size of `m`'s match set, counted up to `cap` (once: counting costs about a listing)."""
        if m.cap < cap and m.size >= m.cap:
            m.size, m.cap = _sqlite_count(self.session, m.table, m.expr, cap), cap
        return m.size

    def _check(self, p: _Params, m: _Match, rows: float) -> str:
        """`s` (a paper_search_ids row) matches `m`: the match set listed once, or a probe per row.

        Probing pays when the set holds more than `larger` documents, so it is counted only that far;
        a set never counted past COUNT_CAP is listed without counting it when `larger` is beyond."""
        larger = rows * _PROBE_COST[m.table] / _LIST_COST
        if larger < COUNT_CAP and self._count(m, int(larger) + 1) > larger:
            probe = f"{m.table} MATCH {p.bind(m.expr)} AND rowid = s.doc_id"
            return f"EXISTS (SELECT 1 FROM {m.table} WHERE {probe})"
        return f"+s.doc_id IN (SELECT rowid FROM {m.table} WHERE {m.table} MATCH {p.bind(m.expr)})"

    def _where(self, p: _Params, rows: float, skip: _Match | None = None) -> str:
        checks = [self._check(p, m, rows) for m in self.required if m is not skip]
        for m in self.either:
            field = _FIELD.format(pid="s.paper_id", codes=p.many(m.codes))
            checks.append(f"({field} OR {self._check(p, m, rows)})")
        checks += [f"NOT {self._check(p, m, rows)}" for m in self.excluded]
        if self.since is not None:
            checks.append(_SINCE.format(pid="s.paper_id", since=p.bind(self.since)))
        return " AND ".join(checks) or "1 = 1"

    def _walk_length(self, n: int) -> float:
        """Expected papers read in vote order before `n` of them match every term."""
        documents = max(1, int(self.session.scalar(text("SELECT max(doc_id) FROM paper_search_ids")) or 0))
        share = 1.0
        for m in (*self.required, *self.either):
            size = self._count(m, COUNT_CAP)
            share *= min(1.0, max(size, 0.1 * documents if m.codes else 0) / documents)
        return n / max(share, 1e-4)

    def rows(self, n: int) -> list[_Row]:
        """All matches when few, else the `n` most-voted ones, with their relevance."""
        driver = min(self.required, key=lambda m: m.size, default=None)
        if driver is not None and driver.size <= RANK_ALL:
            return self._all(driver)
        return self._most_voted(n)

    def _all(self, driver: _Match) -> list[_Row]:
        p, t = _Params(), driver.table
        score = "bm25(paper_fts, 4.0, 2.0, 2.0, 1.0)" if t == "paper_fts" else "bm25(paper_words)"
        statement = (
            f"SELECT s.paper_id, p.title, p.upvotes, -{score} FROM {t} CROSS JOIN paper_search_ids s "
            f"ON s.doc_id = {t}.rowid CROSS JOIN papers p ON p.id = s.paper_id "
            f"WHERE {t} MATCH {p.bind(driver.expr)} AND {self._where(p, driver.size, skip=driver)}"
        )
        return [_Row(*row) for row in self.session.execute(text(statement), p.values)]

    def _most_voted(self, n: int) -> list[_Row]:
        p = _Params()
        where = self._where(p, self._walk_length(n))
        head = (
            "SELECT s.paper_id, p.title, p.upvotes, p.abstract FROM papers p INDEXED BY ix_papers_votes "
            "CROSS JOIN paper_search_ids s ON s.paper_id = p.id WHERE "
        )
        voted = f"{head}p.upvotes IS NOT NULL AND {where} ORDER BY p.upvotes DESC, p.id LIMIT {int(n)}"
        found: list[Any] = list(self.session.execute(text(voted), p.values))
        if len(found) < n:  # papers without a vote count come last
            unvoted = f"{head}p.upvotes IS NULL AND {where} ORDER BY p.id LIMIT {int(n - len(found))}"
            found += self.session.execute(text(unvoted), p.values)
        words = [m.expr.strip('"*') for m in self.words]
        return [_Row(i, t, v, _frequency(f"{t} {body}", words)) for i, t, v, body in found]


# --- PostgreSQL -----------------------------------------------------------------------------------


@dataclass
class _PgTerm:
    """One term or excluded word on PostgreSQL: the tsquery its paper_search `doc` must match or
    else the ILIKE pattern of its `body`; English words rank by their tsquery and keep the prefix
    tsquery used when no paper has them whole. A term naming fields also matches their lexemes."""

    tsquery: str | None = None
    like: str | None = None
    ranked: bool = False
    prefix: str | None = None
    fields: str | None = None  # the tsquery of the field lexemes that also satisfy the term

    @property
    def check(self) -> str:
        """The term's own word matches (its fields aside)."""
        return f"ps.doc @@ {self.tsquery}" if self.tsquery else f"ps.body ILIKE {self.like}"

    @property
    def either(self) -> str | None:
        """The tsquery of the word or one of the fields (None for a substring term)."""
        return f"({self.tsquery} || {self.fields})" if self.tsquery and self.fields else self.tsquery


def _pg_term(p: _Params, word: str) -> _PgTerm:
    """How PostgreSQL matches `word`: whole words (else a word prefix), or a substring (pg_trgm)."""
    if len(word) < TRIGRAM:
        if word.isascii():
            return _PgTerm(f"plainto_tsquery('simple', {p.bind(short_word(word))})")
        return _PgTerm(f"to_tsquery('simple', quote_literal({p.bind(short_word(word))}) || ':*')")
    if is_words(word):
        whole = f"phraseto_tsquery('simple', {p.bind(word)})"
        prefix = f"to_tsquery('simple', {whole}::text || ':*')" if _may_prefix(word) else None
        return _PgTerm(whole, ranked=True, prefix=prefix)
    return _PgTerm(like=p.bind(like_pattern(word)))


def _pg_fields(p: _Params, codes: Sequence[str]) -> str | None:
    """The tsquery of the lexemes of the fields `codes` (one literal lexeme each, never parsed)."""
    lexemes = [f"quote_literal({p.bind(FIELD_LEXEME + code)})::tsquery" for code in codes]
    return f"({' || '.join(lexemes)})" if lexemes else None


def _pg_count(where: str, cap: int = SORT_ALL + 1) -> str:
    """The papers matching `where`, counted up to `cap`."""
    return f"(SELECT count(*) FROM (SELECT 1 FROM paper_search ps WHERE {where} LIMIT {cap}) x)"


def _pg_exists(check: str) -> str:
    """1 when some paper matches `check`, else 0: first among `SAMPLE` papers read in key order (a
    common word is found there at once, where its index entry lists half the corpus), else through
    the index (the short posting list of a rare word)."""
    sample = f"SELECT ps.doc, ps.body FROM paper_search ps ORDER BY ps.paper_id LIMIT {SAMPLE}"
    return f"coalesce((SELECT 1 FROM ({sample}) ps WHERE {check} LIMIT 1), {_pg_count(check, 1)})"


# The planner costs `@@` on a paper's tsvector like a cheap comparison, so under a LIMIT or for a
# common word it reads paper_search row by row (detoasting every tsvector, some µs each: a rare word
# reads the whole table) where the GIN indexes answer in about a millisecond. A search only ever
# reads rows through its indexes; parallel workers cost more to start than they save. Both settings
# last until the search's transaction ends.
_PG_SETTINGS = (
    "SELECT set_config('enable_seqscan', 'off', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)


class _PostgresPlan:
    """The checks of one PostgreSQL search, all on the paper's own `paper_search` row."""

    def __init__(self, session: Session, query: SearchQuery) -> None:
        self.session, self.p = session, _Params()
        self.terms = [(_pg_term(self.p, t.text), t.codes) for t in query.terms]
        for term, codes in self.terms:
            term.fields = _pg_fields(self.p, codes)
        self.excluded = [_pg_term(self.p, w) for w in query.excluded]
        self.since = self.p.bind(query.since) if query.since is not None else None
        # Only fields named: the papers of a field (a tenth of the corpus) are never few, so not counted.
        self.positive = any(not codes for _, codes in self.terms)
        self.total = self._probe()

    def _plain(self) -> list[str]:
        """Checks the indexes answer: the terms (their tsqueries as one, so that a paper's tsvector
        is read once; a field named counts as its lexeme) and the excluded words."""
        terms = [t for t, _ in self.terms]
        tsqueries = [q for q in (t.either for t in terms) if q]
        checks = [f"ps.doc @@ ({' && '.join(tsqueries)})"] if tsqueries else []
        for t in terms:
            if not t.tsquery:
                checks.append(f"({t.check} OR ps.doc @@ {t.fields})" if t.fields else t.check)
        return checks + [f"NOT ({t.check})" for t in self.excluded]

    def _checks(self) -> list[str]:
        checks = self._plain()
        if self.since is not None:
            checks.append(_SINCE.format(pid="ps.paper_id", since=self.since))
        return checks

    def _probe(self) -> int:
        """How many papers match (up to SORT_ALL + 1) and which English words some paper has whole.

        Words of the counted terms need no check of their own while some paper has them all; the
        other words are checked in the same statement. A word found only as a prefix takes one more
        statement, and the count one more."""
        plain = [t for t, codes in self.terms if not codes and t.prefix]
        others = [t for t, codes in self.terms if codes and t.prefix] + [t for t in self.excluded if t.prefix]
        counts = [_pg_exists(t.check) for t in others]
        if self.positive:
            counts.append(_pg_count(" AND ".join(self._plain())))
        if not counts:
            return 0
        found = list(self.session.execute(text(f"SELECT {', '.join(counts)}"), self.p.values).one())
        total = int(found.pop()) if self.positive else 0
        if self.positive and not total and plain:
            counts = [_pg_exists(t.check) for t in plain]
            others += plain
            found += self.session.execute(text(f"SELECT {', '.join(counts)}"), self.p.values).one()
        missing = [t for t, count in zip(others, found, strict=True) if not count]
        for term in missing:
            term.tsquery = term.prefix
        if not self.positive or not missing:
            return total
        statement = f"SELECT {_pg_count(' AND '.join(self._plain()))}"
        return int(self.session.scalar(text(statement), self.p.values) or 0)

    def _score(self) -> str:
        ranks = [t.tsquery for t, _ in self.terms if t.ranked and t.tsquery]
        return f"ts_rank(ps.doc, {' || '.join(ranks)})" if ranks else "0"

    def rows(self, n: int) -> list[_Row]:
        """All matches when few, else the `n` most-voted ones, with their relevance."""
        if self.positive and self.total <= RANK_ALL:
            return self._all()
        if self.positive and self.total <= SORT_ALL:
            return self._sorted(n)
        return self._most_voted(n)

    def _all(self) -> list[_Row]:
        statement = (
            f"SELECT ps.paper_id, p.title, p.upvotes, {self._score()} FROM paper_search ps "
            f"JOIN papers p ON p.id = ps.paper_id WHERE {' AND '.join(self._checks())}"
        )
        return [_Row(*row) for row in self.session.execute(text(statement), self.p.values)]

    def _sorted(self, n: int) -> list[_Row]:
        """The `n` most-voted matches (unknown votes last), the match set listed through the indexes
        first (a materialized CTE: the planner would rather walk the papers in vote order)."""
        matches = f"SELECT ps.paper_id FROM paper_search ps WHERE {' AND '.join(self._checks())}"
        top = (
            f"SELECT p.id, p.title, p.upvotes FROM m JOIN papers p ON p.id = m.paper_id "
            f"ORDER BY p.upvotes IS NULL, p.upvotes DESC, p.id LIMIT {int(n)}"
        )
        statement = (
            f"WITH m AS MATERIALIZED ({matches}), top AS ({top}) SELECT top.id, top.title, top.upvotes, "
            f"{self._score()} FROM top JOIN paper_search ps ON ps.paper_id = top.id"
        )
        return [_Row(*row) for row in self.session.execute(text(statement), self.p.values)]

    def _most_voted(self, n: int) -> list[_Row]:
        # Scalar subqueries per paper: the planner cannot turn them into a join, so papers are read
        # in vote order (ix_papers_votes), the walk stops at the n-th match and only those are ranked.
        has = f"(SELECT {' AND '.join(self._checks())} FROM paper_search ps WHERE ps.paper_id = p.id)"
        score = f"(SELECT {self._score()} FROM paper_search ps WHERE ps.paper_id = p.id)"
        head = f"SELECT p.id, p.title, p.upvotes, {score} FROM papers p WHERE {has} AND "
        voted = f"{head}p.upvotes IS NOT NULL ORDER BY p.upvotes DESC, p.id LIMIT {int(n)}"
        found = [_Row(*row) for row in self.session.execute(text(voted), self.p.values)]
        if len(found) < n:  # papers without a vote count come last
            unvoted = f"{head}p.upvotes IS NULL ORDER BY p.id LIMIT {int(n - len(found))}"
            found += [_Row(*row) for row in self.session.execute(text(unvoted), self.p.values)]
        return found


def ranked_ids(session: Session, query: SearchQuery, n: int) -> list[str]:
    """Ids of the `n` best matches of the query's terms and exclusions (named ids aside)."""
    if session.get_bind().dialect.name == "sqlite":
        plan: _SqlitePlan | _PostgresPlan = _SqlitePlan(session, query)
    else:
        session.execute(text(_PG_SETTINGS))
        plan = _PostgresPlan(session, query)
    return _order(plan.rows(2 * n), [t.text for t in query.terms], n)
