"""Paper queries: Korean texts and fields of one paper, the top of a day or a field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.orm import Session

from storage.records import StoredPaper
from storage.tables import KoreanText, Listing, Paper, PaperField

# Merging lives in storage.upsert; callers keep importing it from here.
from storage.upsert import FIELD_PRIORITY as FIELD_PRIORITY
from storage.upsert import upsert_papers as upsert_papers


def _korean_rank(origin: str) -> int:
    """Lower is better: a digest's own text, then an LLM's, then text derived from a digest."""
    if origin == "digest":
        return 0
    if origin.startswith("llm"):
        return 1
    return 2


def _text_rank(text: KoreanText) -> tuple[bool, int]:
    """A text with a 쉬운설명 first, then by origin."""
    return (not (text.easy_ko or "").strip(), _korean_rank(text.origin))


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


def latest_day(session: Session, on_or_before: dt.date | None = None) -> dt.date | None:
    """The most recent listing day (optionally not after `on_or_before`)."""
    query = select(func.max(Listing.day))
    if on_or_before is not None:
        query = query.where(Listing.day <= on_or_before)
    return session.scalar(query)


# The votes a listing shows: its own count for that day, else (a source without votes) the paper's.
LISTING_VOTES = func.coalesce(Listing.upvotes, Paper.upvotes)


def find_paper(session: Session, paper_id: str) -> StoredPaper | None:
    """One paper by arXiv id, with its best Korean text and field codes."""
    row = session.get(Paper, paper_id)
    return _load(session, [(row, None)])[0] if row is not None else None


def _ranked(query: Select, n: int) -> Select:
    """Most votes first; equal votes in Hugging Face's own order, then papers without a position."""
    return query.order_by(
        LISTING_VOTES.desc().nulls_last(), Listing.position.asc().nulls_last(), Paper.id
    ).limit(n)


def top_for_day(
    session: Session, day: dt.date, n: int, codes: Sequence[str] | None = None
) -> list[StoredPaper]:
    """The `n` most-upvoted papers listed on `day` (with that day's votes), optionally of some fields."""
    query = select(Paper, LISTING_VOTES).join(Listing, Listing.paper_id == Paper.id).where(Listing.day == day)
    if codes:
        in_fields = select(PaperField.paper_id).where(PaperField.code.in_(codes))
        query = query.where(Paper.id.in_(in_fields))
    return _load(session, session.execute(_ranked(query, n)).all())


def _latest_listing(since: dt.date, until: dt.date) -> Select:
    """Papers listed between `since` and `until`, each joined to its latest listing there.

    A paper listed on several days of the window is ranked and shown once, with that listing's
    count (fetched last; Hugging Face votes only grow, so it is also the highest) and that day's
    position for ties."""
    latest = (
        select(Listing.paper_id, func.max(Listing.day).label("day"))
        .where(Listing.day >= since, Listing.day <= until)
        .group_by(Listing.paper_id)
        .subquery()
    )
    return (
        select(Paper, LISTING_VOTES)
        .join(latest, latest.c.paper_id == Paper.id)
        .join(Listing, and_(Listing.paper_id == latest.c.paper_id, Listing.day == latest.c.day))
    )


def top_for_field(session: Session, code: str, since: dt.date, until: dt.date, n: int) -> list[StoredPaper]:
    """The `n` most-upvoted papers of field `code` listed between `since` and `until` (each once)."""
    query = (
        _latest_listing(since, until)
        .join(PaperField, PaperField.paper_id == Paper.id)
        .where(PaperField.code == code)
    )
    return _load(session, session.execute(_ranked(query, n)).all())


def top_between(
    session: Session, since: dt.date, until: dt.date, n: int, codes: Sequence[str] | None = None
) -> list[StoredPaper]:
    """The `n` most-upvoted papers listed between `since` and `until` (optionally of some fields),
    each once with its latest listing there."""
    query = _latest_listing(since, until)
    if codes:
        query = query.where(Paper.id.in_(select(PaperField.paper_id).where(PaperField.code.in_(codes))))
    return _load(session, session.execute(_ranked(query, n)).all())


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


def _load(session: Session, ranked: Sequence[tuple[Paper, int | None]]) -> list[StoredPaper]:
    """Attach the best Korean text and the field codes to each (paper row, listing votes)."""
    rows = [row for row, _ in ranked]
    ids = [r.id for r in rows]
    if not ids:
        return []
    texts: dict[str, KoreanText] = {}
    for text in session.scalars(select(KoreanText).where(KoreanText.paper_id.in_(ids))):
        best = texts.get(text.paper_id)
        if best is None or _text_rank(text) < _text_rank(best):
            texts[text.paper_id] = text
    fields: dict[str, list[str]] = {}
    field_rows = session.execute(
        select(PaperField.paper_id, PaperField.code)
        .where(PaperField.paper_id.in_(ids))
        .order_by(PaperField.paper_id, PaperField.position)
    )
    for paper_id, code in field_rows:
        fields.setdefault(paper_id, []).append(code)
    return [_view(r, votes, texts.get(r.id), fields.get(r.id, [])) for r, votes in ranked]


def _view(row: Paper, votes: int | None, text: KoreanText | None, fields: list[str]) -> StoredPaper:
    return StoredPaper(
        id=row.id,
        title=row.title,
        upvotes=votes,
        abstract=row.abstract,
        ai_summary=row.ai_summary,
        ai_keywords=tuple(row.ai_keywords or ()),
        pdf_url=row.pdf_url,
        summary_ko=text.summary_ko if text else None,
        easy_ko=text.easy_ko if text else None,
        fields=tuple(fields),
        github_repo=row.github_repo,
        github_stars=row.github_stars,
        project_page=row.project_page,
        thumbnail=row.thumbnail,
    )
