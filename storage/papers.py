"""Paper queries: Korean texts and fields of one paper, the top of a day or a field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Executable,
    Integer,
    Result,
    Row,
    Select,
    String,
    bindparam,
    delete,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from storage.records import StoredPaper
from storage.tables import KoreanText, Listing, Paper, PaperField

# Merging lives in storage.upsert; callers keep importing it from here.
from storage.upsert import FIELD_PRIORITY as FIELD_PRIORITY
from storage.upsert import upsert_days as upsert_days
from storage.upsert import upsert_papers as upsert_papers


def _korean_rank(origin: str) -> int:
    """Lower is better: a digest's own text, then an LLM's, then text derived from a digest."""
    if origin == "digest":
        return 0
    if origin.startswith("llm"):
        return 1
    return 2


def _text_rank(origin: str, easy_ko: str | None) -> tuple[bool, int]:
    """A text with a 쉬운설명 first, then by origin."""
    return (not (easy_ko or "").strip(), _korean_rank(origin))


def set_korean_text(
    session: Session,
    paper_id: str,
    origin: str,
    summary_ko: str | None,
    easy_ko: str | None,
    model: str | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> None:
    """Store (or replace) the Korean texts of one origin for a paper."""
    row = session.scalar(
        select(KoreanText).where(KoreanText.paper_id == paper_id, KoreanText.origin == origin)
    )
    if row is None:
        row = KoreanText(paper_id=paper_id, origin=origin)
        session.add(row)
    row.summary_ko, row.easy_ko, row.model = summary_ko, easy_ko, model
    row.prompt_tokens, row.completion_tokens = prompt_tokens, completion_tokens


def set_fields(session: Session, paper_id: str, codes: Sequence[str], origin: str) -> bool:
    """Replace a paper's field codes unless a higher-priority origin already set them."""
    current = session.scalars(select(PaperField.origin).where(PaperField.paper_id == paper_id)).all()
    if current and max(FIELD_PRIORITY.get(o, 0) for o in current) > FIELD_PRIORITY.get(origin, 0):
        return False
    session.execute(delete(PaperField).where(PaperField.paper_id == paper_id))
    unique = list(dict.fromkeys(codes))[:3]
    session.add_all(
        PaperField(paper_id=paper_id, code=code, position=i, origin=origin) for i, code in enumerate(unique)
    )
    return True


def count_papers(session: Session) -> int:
    """How many papers are stored."""
    return session.scalar(select(func.count()).select_from(Paper)) or 0


_LATEST_DAY = select(func.max(Listing.day))


def latest_day(session: Session, on_or_before: dt.date | None = None) -> dt.date | None:
    """The most recent listing day (optionally not after `on_or_before`)."""
    if on_or_before is None:
        return _rows(session, _LATEST_DAY).scalar()
    return _rows(session, _LATEST_DAY.where(Listing.day <= on_or_before)).scalar()


def _rows(
    session: Session, statement: Executable, values: dict[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """Run a statement of columns (no ORM objects) on the session's connection: plain rows without
    the ORM's per-statement work, which costs more than the read path's small queries themselves.
    Pending changes are flushed first, as `Session.execute` would."""
    session.flush()
    return session.connection().execute(statement, values)


# The votes a listing shows: its own count for that day, else (a source without votes) the paper's.
LISTING_VOTES = func.coalesce(Listing.upvotes, Paper.upvotes)


def find_paper(session: Session, paper_id: str) -> StoredPaper | None:
    """One paper by arXiv id, with its best Korean text and field codes."""
    row = _rows(session, select(*CARD_COLUMNS).where(Paper.id == paper_id)).first()
    return _load(session, [(row, None)])[0] if row is not None else None


def _ranked(query: Select, n: int) -> Select:
    """Most votes first; equal votes in Hugging Face's own order, then papers without a position."""
    return query.order_by(
        LISTING_VOTES.desc().nulls_last(), Listing.position.asc().nulls_last(), Paper.id
    ).limit(n)


# The same without a join: the paper's own count is looked up only for a listing that has none.
_OWN_VOTES = func.coalesce(
    Listing.upvotes, select(Paper.upvotes).where(Paper.id == Listing.paper_id).scalar_subquery()
).label("votes")


def _listed() -> Select:
    """(paper id, listing votes, position) of listings: the narrow rows that ranking reads."""
    return select(Listing.paper_id, _OWN_VOTES, Listing.position)


def _ranked_listings(query: Select) -> Select:
    """`_ranked` for the narrow rows of `_listed`, the first `n` (a bound parameter)."""
    return query.order_by(
        _OWN_VOTES.desc().nulls_last(), Listing.position.asc().nulls_last(), Listing.paper_id
    ).limit(bindparam("n", type_=Integer))


def _of_fields() -> ColumnElement[bool]:
    """The listing's paper has one of the bound `codes`, checked per listing through the
    (paper_id, code) key.

    A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a join and may then read every row
    of the field (a tenth of the corpus) to hash them, where the window has a few hundred listings."""
    codes = bindparam("codes", type_=String, expanding=True)
    found = select(literal(1)).where(PaperField.paper_id == Listing.paper_id, PaperField.code.in_(codes))
    return found.limit(1).scalar_subquery().is_not(None)


def _latest_listing() -> Select:
    """Listings between the bound `since` and `until` that are their paper's latest there (narrow rows).

    A paper listed on several days of the window is ranked and shown once, with that listing's
    count (fetched last; Hugging Face votes only grow, so it is also the highest) and that day's
    position for ties."""
    since, until = bindparam("since", type_=Date), bindparam("until", type_=Date)
    later = aliased(Listing)
    newer = select(literal(1)).where(
        later.paper_id == Listing.paper_id, later.day > Listing.day, later.day <= until
    )
    # Per listing (as in _of_fields): as NOT EXISTS, PostgreSQL may hash every listing of the table.
    latest = newer.limit(1).scalar_subquery().is_(None)
    return _listed().where(Listing.day >= since, Listing.day <= until, latest)


# The paper columns a card shows (rows of these, not Paper objects, are what the read path loads).
CARD_COLUMNS = (
    Paper.id,
    Paper.title,
    Paper.abstract,
    Paper.ai_summary,
    Paper.ai_keywords,
    Paper.pdf_url,
    Paper.github_repo,
    Paper.github_stars,
    Paper.project_page,
    Paper.thumbnail,
)


def _with_papers(ranked: Select) -> Select:
    """The winners of the narrow `ranked` rows with their papers' card columns, in rank order:
    the papers table is read only for the first `n` rows."""
    winners = ranked.subquery("ranked")
    return (
        select(*CARD_COLUMNS, winners.c.votes)
        .join_from(winners, Paper, Paper.id == winners.c.paper_id)
        .order_by(winners.c.votes.desc().nulls_last(), winners.c.position.asc().nulls_last(), Paper.id)
    )


# Built once: the statements differ only in their bound values, so each call skips building them.
_ON_DAY = _listed().where(Listing.day == bindparam("day", type_=Date))
_DAY = _with_papers(_ranked_listings(_ON_DAY))
_DAY_OF_FIELDS = _with_papers(_ranked_listings(_ON_DAY.where(_of_fields())))
_WINDOW = _with_papers(_ranked_listings(_latest_listing()))
_WINDOW_OF_FIELDS = _with_papers(_ranked_listings(_latest_listing().where(_of_fields())))


def _top(session: Session, statement: Select, values: dict[str, Any]) -> list[StoredPaper]:
    """The papers of one `_with_papers` statement as cards see them."""
    return _load(session, [(row, row.votes) for row in _rows(session, statement, values)])


def top_for_day(
    session: Session, day: dt.date, n: int, codes: Sequence[str] | None = None
) -> list[StoredPaper]:
    """The `n` most-upvoted papers listed on `day` (with that day's votes), optionally of some fields."""
    if codes:
        return _top(session, _DAY_OF_FIELDS, {"day": day, "n": n, "codes": list(codes)})
    return _top(session, _DAY, {"day": day, "n": n})


def top_for_field(session: Session, code: str, since: dt.date, until: dt.date, n: int) -> list[StoredPaper]:
    """The `n` most-upvoted papers of field `code` listed between `since` and `until` (each once).

    Driven by the window's listings, each checked for the field: a field holds a tenth of the corpus,
    far more rows than the window."""
    return _top(session, _WINDOW_OF_FIELDS, {"since": since, "until": until, "n": n, "codes": [code]})


def top_between(
    session: Session, since: dt.date, until: dt.date, n: int, codes: Sequence[str] | None = None
) -> list[StoredPaper]:
    """The `n` most-upvoted papers listed between `since` and `until` (optionally of some fields),
    each once with its latest listing there."""
    values: dict[str, Any] = {"since": since, "until": until, "n": n}
    if codes:
        return _top(session, _WINDOW_OF_FIELDS, {**values, "codes": list(codes)})
    return _top(session, _WINDOW, values)


def field_counts(
    session: Session, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, int]:
    """Number of papers per field code, optionally only those listed in a window."""
    query = select(PaperField.code, func.count(func.distinct(PaperField.paper_id)))
    if since is not None or until is not None:
        query = query.join(Listing, Listing.paper_id == PaperField.paper_id)
        if since is not None:
            query = query.where(Listing.day >= since)
        if until is not None:
            query = query.where(Listing.day <= until)
    rows = session.execute(query.group_by(PaperField.code)).all()
    return {code: count for code, count in rows}


_IDS = bindparam("ids", type_=String, expanding=True)
_TEXTS_OF = select(KoreanText.paper_id, KoreanText.origin, KoreanText.summary_ko, KoreanText.easy_ko).where(
    KoreanText.paper_id.in_(_IDS)
)
_FIELDS_OF = (
    select(PaperField.paper_id, PaperField.code)
    .where(PaperField.paper_id.in_(_IDS))
    .order_by(PaperField.paper_id, PaperField.position)
)


def _load(session: Session, ranked: Sequence[tuple[Row[Any], int | None]]) -> list[StoredPaper]:
    """Attach the best Korean text and the field codes to each (row of CARD_COLUMNS, votes)."""
    ids = [row.id for row, _ in ranked]
    if not ids:
        return []
    best: dict[str, tuple[tuple[bool, int], str | None, str | None]] = {}  # rank, 요약, 쉬운설명
    for paper_id, origin, summary_ko, easy_ko in _rows(session, _TEXTS_OF, {"ids": ids}):
        rank = _text_rank(origin, easy_ko)
        if paper_id not in best or rank < best[paper_id][0]:
            best[paper_id] = (rank, summary_ko, easy_ko)
    texts = {paper_id: (summary, easy) for paper_id, (_, summary, easy) in best.items()}
    fields: dict[str, list[str]] = {}
    for paper_id, code in _rows(session, _FIELDS_OF, {"ids": ids}):
        fields.setdefault(paper_id, []).append(code)
    return [_view(r, votes, texts.get(r.id, (None, None)), fields.get(r.id, [])) for r, votes in ranked]


def _view(
    row: Row[Any], votes: int | None, text: tuple[str | None, str | None], fields: list[str]
) -> StoredPaper:
    """One paper as cards see it, with its best (요약, 쉬운설명) and its field codes."""
    return StoredPaper(
        id=row.id,
        title=row.title,
        upvotes=votes,
        abstract=row.abstract,
        ai_summary=row.ai_summary,
        ai_keywords=tuple(row.ai_keywords or ()),
        pdf_url=row.pdf_url,
        summary_ko=text[0],
        easy_ko=text[1],
        fields=tuple(fields),
        github_repo=row.github_repo,
        github_stars=row.github_stars,
        project_page=row.project_page,
        thumbnail=row.thumbnail,
    )
