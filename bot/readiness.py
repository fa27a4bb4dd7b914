"""When a day's Hugging Face list is ready: an empty weekday list is waited for until the deadline."""

from __future__ import annotations

import datetime as dt

from bot.settings import Settings


def deadline_of(day: dt.date, settings: Settings) -> dt.datetime:
    """The moment after which listing day `day` counts as empty: the deadline on its digest day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), settings.digest_deadline, tzinfo=settings.tz)


def known_empty(day: dt.date, settings: Settings) -> bool:
    """True for listing days Hugging Face leaves empty anyway (Saturday and Sunday by default)."""
    return day.weekday() in settings.hf_empty_weekdays


def may_wait(day: dt.date, settings: Settings, now: dt.datetime) -> bool:
    """True when an empty list of `day` is not ready yet rather than empty for good."""
    return not known_empty(day, settings) and now < deadline_of(day, settings)
