"""Queries for the LLM's Korean texts: which papers still need one, and storing a new one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, Subquery, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from storage.papers import LISTING_VOTES, set_fields, set_korean_text
from storage.tables import KoreanText, Listing, Paper

LLM_PREFIX = "llm:"
FIELDS_ORIGIN = "llm"


@dataclass(frozen=True)
class PaperSource:
    """A paper that lacks an LLM text of the wanted origin, with the text the model may read."""

    id: str
    title: str
    abstract: str | None
    ai_summary: str | None
    ai_keywords: tuple[str, ...]
    korean_text: str | None  # an imported digest's own Korean 요약 (for digests without an abstract)
    day: dt.date


def _settled(origin: str) -> Select[str]:
    """Papers that need no new text: they have one of `origin`, or a digest's own 쉬운설명."""
    has_digest_easy = and_(
        KoreanText.origin == "digest", KoreanText.easy_ko.is_not(None), KoreanText.easy_ko != ""
    )
    return select(KoreanText.paper_id).where(or_(KoreanText.origin == origin, has_digest_easy))


def _scope(day: dt.date | None) -> Subquery:
    """(paper id, latest listing day) of the papers listed on `day`, or on any day."""
    query = select(Listing.paper_id, func.max(Listing.day).label("day"))
    if day is not None:
        query = query.where(Listing.day == day)
    return query.group_by(Listing.paper_id).subquery()


def count_listed(session: Session, day: dt.date | None) -> int:
    """Papers listed on `day` (every listed paper when None)."""
    scope = _scope(day)
    return session.scalar(select(func.count()).select_from(scope)) or 0


def papers_lacking_text(session: Session, origin: str, day: dt.date | None) -> list[PaperSource]:
    """Papers listed on `day` (or any day) without a text of `origin` nor a digest's 쉬운설명,
    newest day first, then in the order of that day's cards: a budget-limited run serves the visible
    cards first."""
    scope = _scope(day)
    rows = session.execute(
        select(Paper, scope.c.day)
        .join(scope, scope.c.paper_id == Paper.id)
        .join(Listing, and_(Listing.paper_id == scope.c.paper_id, Listing.day == scope.c.day))
        .where(Paper.id.not_in(_settled(origin)))
        .order_by(
            scope.c.day.desc(),
            LISTING_VOTES.desc().nulls_last(),
            Listing.position.asc().nulls_last(),
            Paper.id,
        )
    ).all()
    korean = _digest_summaries(session, [paper.id for paper, _ in rows])
    return [
        PaperSource(
            id=paper.id,
            title=paper.title,
            abstract=paper.abstract,
            ai_summary=paper.ai_summary,
            ai_keywords=tuple(paper.ai_keywords or ()),
            korean_text=korean.get(paper.id),
            day=day_,
        )
        for paper, day_ in rows
    ]


def _digest_summaries(session: Session, ids: list[str]) -> dict[str, str]:
    """The Korean 요약 an imported digest brought, a digest's own before a derived one."""
    found: dict[str, tuple[int, str]] = {}
    if not ids:
        return {}
    rows = session.execute(
        select(KoreanText.paper_id, KoreanText.origin, KoreanText.summary_ko).where(
            KoreanText.paper_id.in_(ids),
            KoreanText.origin.in_(("digest", "derived")),
            KoreanText.summary_ko.is_not(None),
        )
    )
    for paper_id, origin, summary in rows:
        rank = 0 if origin == "digest" else 1
        if summary and summary.strip() and (paper_id not in found or rank < found[paper_id][0]):
            found[paper_id] = (rank, summary)
    return {paper_id: summary for paper_id, (_, summary) in found.items()}


def store_llm_text(
    session: Session,
    paper_id: str,
    origin: str,
    summary_ko: str,
    easy_ko: str,
    codes: list[str] | tuple[str, ...],
    model: str | None,
    prompt_tokens: int | None,
    completion_tokens: int | None,
) -> None:
    """Store one paper's LLM texts and fields; texts of older prompt versions are dropped so the
    card shows the current one. A digest's own 관련분야 keep priority over the LLM's."""
    session.execute(
        delete(KoreanText).where(
            KoreanText.paper_id == paper_id,
            KoreanText.origin.startswith(LLM_PREFIX, autoescape=True),
            KoreanText.origin != origin,
        )
    )
    set_korean_text(
        session,
        paper_id,
        origin,
        summary_ko,
        easy_ko,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    set_fields(session, paper_id, list(codes), FIELDS_ORIGIN)
