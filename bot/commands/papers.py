"""The commands anyone may run about papers: `/top`, `/field`, `/fields`, `/paper`."""

from __future__ import annotations

import re

from bot import args as A
from bot import texts
from bot.fields import Field
from bot.models import Button, Reply, Request
from bot.selection import (
    field_counts,
    latest_day,
    paper_card,
    top_of_day,
    top_of_field,
    top_of_period,
    window_until,
)
from bot.services import Services

_PAPER_ID = re.compile(r"[A-Za-z0-9._/-]{1,40}")  # arXiv ids, old style (hep-th/9901001) included


def top(services: Services, request: Request) -> Reply:
    """`/top [N] [YYYY-MM-DD] [week|month]`: the top papers of the latest day or of that date,
    or over the 7 / 30 days of lists up to it."""
    words, days = A.split_period(request.args)
    asked, day = A.parse_top(words, services.settings.top_n)
    n = min(asked, A.MAX_N)
    digest = top_of_period(services, days, n, day) if days is not None else top_of_day(services, day, n)
    if digest is not None:
        note = texts.TOP_CAPPED.format(max_n=A.MAX_N) if asked > A.MAX_N else ""
        return Reply(text=note, digest=digest)
    # Nothing to show: the latest day (looked up only now) tells the user where the lists are.
    latest = latest_day(services)
    if latest is None:
        return Reply(text=texts.NO_PAPERS_YET)
    if days is not None:
        since, until = window_until(day or latest, days)
        return Reply(text=texts.NO_PAPERS_PERIOD.format(since=since, until=until, latest=latest))
    return Reply(text=texts.NO_PAPERS_DAY.format(day=day, latest=latest))


def field(services: Services, request: Request) -> Reply:
    """`/field <분야> [N] [week|month]`: the top papers of a field over the configured window
    (or the last 7 / 30 days)."""
    words, period = A.split_period(request.args)
    if not words:
        return fields(services, request, intro=texts.FIELD_PICK)
    words, n = A.split_count(words, services.settings.top_n)
    text = " ".join(words)
    resolution = services.taxonomy.resolve(text)
    if resolution.field is None:
        return _unknown_field(text, resolution.suggestions)
    days = period or services.settings.field_window_days
    digest = top_of_field(services, resolution.field.code, n, days)
    if digest is None:
        return Reply(text=texts.NO_PAPERS_FIELD.format(days=days, name=resolution.field.name))
    return Reply(digest=digest)


def _unknown_field(text: str, suggestions: tuple[Field, ...]) -> Reply:
    lines = [texts.FIELD_UNKNOWN.format(text=text[:40])]
    if suggestions:
        lines.append(texts.FIELD_SUGGEST.format(names=", ".join(f.name for f in suggestions)))
    lines.append(texts.FIELD_LIST_FOOTER)
    buttons = tuple(Button(f.name, f"field {f.code}") for f in suggestions)
    return Reply(text="\n".join(lines), buttons=buttons, error=True)


def fields(services: Services, _request: Request, intro: str | None = None) -> Reply:
    """`/fields`: every field with its paper count, and a button per field."""
    days = services.settings.field_window_days
    counts = field_counts(services, days)
    lines = [intro] if intro else []
    lines.append(texts.FIELD_LIST_HEADER.format(days=days))
    for f in services.taxonomy.fields:
        lines.append(texts.FIELD_LIST_LINE.format(name=f.name, code=f.code, count=counts.get(f.code, 0)))
    lines.append(texts.FIELD_LIST_FOOTER)
    buttons = tuple(Button(f.name, f"field {f.code}") for f in services.taxonomy.fields)
    return Reply(text="\n".join(lines), buttons=buttons)


def paper(services: Services, request: Request) -> Reply:
    """`/paper <arXiv id>` (the 자세히 button): one paper's 요약, keywords and links."""
    if len(request.args) != 1 or not _PAPER_ID.fullmatch(request.args[0]):
        raise A.ArgumentError(texts.PAPER_USAGE)
    paper_id = request.args[0]
    card = paper_card(services, paper_id)
    if card is None:
        return Reply(text=texts.PAPER_UNKNOWN.format(id=paper_id[:40]), error=True)
    return Reply(detail=card)
