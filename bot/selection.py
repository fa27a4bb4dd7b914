"""Which papers: the one read path for the digest, `/top`, `/field`, `/fields`, `/search`, `/rebroadcast`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.cards import day_digest, field_digest, make_card, search_digest, week_digest
from bot.models import Card, Digest
from bot.services import Services
from storage import papers, search

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
    services: Services, day: dt.date, n: int, fields: Sequence[str] | None = None
) -> Digest | None:
    """The top `n` cards of `day` (only of `fields` when given), or None when there are none."""
    with services.db.session() as session:
        found = papers.top_for_day(session, day, n, fields or None)
    return day_digest(day, found, services.taxonomy) if found else None


def top_between(
    services: Services, start: dt.date, end: dt.date, n: int, fields: Sequence[str] | None = None
) -> Digest | None:
    """The top `n` cards of the lists from `start` to `end` (a paper on several days counts once)."""
    with services.db.session() as session:
        found = papers.top_between(session, start, end, n, fields or None)
    return week_digest(start, end, found, services.taxonomy) if found else None


def field_window(services: Services, days: int) -> tuple[dt.date, dt.date] | None:
    """The (since, until) window that `/field` looks at: `days` days up to the latest day."""
    until = latest_day(services)
    if until is None:
        return None
    # A window reaching back before year 1 starts at year 1 (date arithmetic would overflow).
    since = dt.date.fromordinal(max(1, until.toordinal() - (days - 1)))
    return since, until


def top_of_field(services: Services, code: str, n: int, days: int) -> Digest | None:
    """The top `n` cards of field `code` over the last `days` days with papers."""
    window = field_window(services, days)
    if window is None:
        return None
    with services.db.session() as session:
        found = papers.top_for_field(session, code, window[0], window[1], n)
    return field_digest(code, days, found, services.taxonomy, window[1]) if found else None


def field_counts(services: Services, days: int) -> dict[str, int]:
    """Papers per field code over the `/field` window."""
    window = field_window(services, days)
    if window is None:
        return {}
    with services.db.session() as session:
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
