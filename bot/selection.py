"""Which papers: the one read path for the digest, `/top`, `/field`, `/fields`, `/search`, `/rebroadcast`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.cards import day_digest, field_digest, make_card, period_digest, search_digest, week_digest
from bot.models import Card, Digest
from bot.services import Services
from storage import papers, search
from storage.records import Keywords

WEEKLY_TOP_N = 10  # cards in the weekly digest


def latest_day(services: Services) -> dt.date | None:
    """The most recent day that has papers."""
    with services.db.session() as session:
        return papers.latest_day(session)


def has_papers(services: Services, day: dt.date) -> bool:
    """True when `day`'s list has at least one paper."""
    with services.db.session() as session:
        return bool(papers.top_for_day(session, day, 1))


def top_of_day(
    services: Services,
    day: dt.date | None,
    n: int,
    fields: Sequence[str] | None = None,
    keywords: Keywords | None = None,
) -> Digest | None:
    """The top `n` cards of `day` (default: the latest day with papers), or None when there are none.
    With `fields` only papers of those fields; with `keywords` too, papers of a field or matching a
    keyword, minus the excluded words."""
    with services.db.session() as session:
        day = day or papers.latest_day(session)
        if day is None:
            return None
        if keywords:
            found = search.top_for_day_matching(session, day, n, fields, keywords)
        else:
            found = papers.top_for_day(session, day, n, fields or None)
    return day_digest(day, found, services.taxonomy) if found else None


def top_between(
    services: Services, start: dt.date, end: dt.date, n: int, fields: Sequence[str] | None = None
) -> Digest | None:
    """The top `n` cards of the lists from `start` to `end` (a paper on several days counts once)."""
    with services.db.session() as session:
        found = papers.top_between(session, start, end, n, fields or None)
    return week_digest(start, end, found, services.taxonomy) if found else None


def field_window(session: Session, days: int) -> tuple[dt.date, dt.date] | None:
    """The (since, until) window that `/field` looks at: `days` days up to the latest day."""
    until = papers.latest_day(session)
    if until is None:
        return None
    # A window reaching back before year 1 starts at year 1 (date arithmetic would overflow).
    return window_until(until, days)


def window_until(until: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The (since, until) window of `days` days ending at `until` (never before year 1)."""
    return dt.date.fromordinal(max(1, until.toordinal() - (days - 1))), until


def top_of_period(services: Services, days: int, n: int, until: dt.date | None = None) -> Digest | None:
    """The top `n` cards over the `days` days ending at `until` (default: the latest day with papers);
    a paper listed on several of those days counts once, with its latest votes."""
    with services.db.session() as session:
        until = until or papers.latest_day(session)
        if until is None:
            return None
        since, until = window_until(until, days)
        found = papers.top_between(session, since, until, n)
    return period_digest(since, until, days, found, services.taxonomy) if found else None


def top_of_field(services: Services, code: str, n: int, days: int) -> Digest | None:
    """The top `n` cards of field `code` over the last `days` days with papers."""
    with services.db.session() as session:
        window = field_window(session, days)
        if window is None:
            return None
        found = papers.top_for_field(session, code, window[0], window[1], n)
    return field_digest(code, days, found, services.taxonomy, window[1]) if found else None


def field_counts(services: Services, days: int) -> dict[str, int]:
    """Papers per field code over the `/field` window."""
    with services.db.session() as session:
        window = field_window(session, days)
        if window is None:
            return {}
        return papers.field_counts(session, window[0], window[1])


def paper_card(services: Services, paper_id: str) -> Card | None:
    """One stored paper as a card (for its 자세히 answer), or None when it is unknown."""
    with services.db.session() as session:
        found = papers.find_paper(session, paper_id)
    return make_card(found, 1, services.taxonomy) if found else None


def search_papers(services: Services, query: search.SearchQuery, n: int, shown: str) -> Digest | None:
    """The `n` best matches of `query` as a digest headed by `shown`, or None when nothing matches."""
    with services.db.session() as session:
        found = search.search(session, query, n)
        span = search.listing_span(session, [p.id for p in found])
    return search_digest(shown, found, services.taxonomy, span) if found else None
