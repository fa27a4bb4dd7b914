"""Pick the top papers of a day or of a field and turn them into digests."""

from __future__ import annotations

import datetime as dt

from bot.cards import day_digest, field_digest
from bot.models import Digest
from bot.services import Services
from storage import papers


def latest_day(services: Services) -> dt.date | None:
    """The most recent day that has papers."""
    with services.db.session() as session:
        return papers.latest_day(session)


def top_of_day(services: Services, day: dt.date, n: int) -> Digest | None:
    """The top `n` cards of `day`, or None when that day has no papers."""
    with services.db.session() as session:
        found = papers.top_for_day(session, day, n)
    return day_digest(day, found, services.taxonomy) if found else None


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
