"""Bot-admin commands: `/rebroadcast` and `/stats`."""

from __future__ import annotations

import datetime as dt

from bot import args as A
from bot import texts
from bot.models import Reply, Request
from bot.selection import has_papers, latest_day, top_of_day
from bot.services import Services
from storage import broadcasts, subscribers


def rebroadcast(services: Services, request: Request) -> Reply:
    """`/rebroadcast [YYYY-MM-DD] [here]`: queue a new broadcast of a day's digest."""
    words = [a.lower() for a in request.args]
    here = "here" in words
    rest = [w for w in words if w != "here"]
    if len(rest) > 1:
        raise A.ArgumentError(texts.REBROADCAST_USAGE)
    day = A.parse_date(rest[0]) if rest else latest_day(services)
    if day is None:
        return Reply(text=texts.NO_PAPERS_YET)
    if not has_papers(services, day):
        return Reply(text=texts.NO_PAPERS_DAY.format(day=day, latest=latest_day(services)), error=True)
    if services.broadcaster is None:
        return Reply(text=texts.REBROADCAST_UNAVAILABLE, error=True)
    if here and (no_match := _no_match_here(services, request, day)) is not None:
        return no_match
    target = (request.platform, request.chat_id) if here else None
    result = services.broadcaster.rebroadcast(day, f"{request.platform}:{request.user_id}", target)
    if result.already_running:
        return Reply(text=texts.REBROADCAST_RUNNING.format(day=day))
    if result.recipients == 0:
        return Reply(text=texts.REBROADCAST_NO_RECIPIENTS)
    return Reply(text=texts.REBROADCAST_STARTED.format(day=day, count=result.recipients))


def _no_match_here(services: Services, request: Request, day: dt.date) -> Reply | None:
    """The answer when this chat's field or keyword filter leaves nothing of `day` to send."""
    with services.db.session() as session:
        row = subscribers.get(session, request.platform, request.chat_id)
    fields = row.fields if row is not None else None
    keywords = row.keywords if row is not None else None
    if not (fields or keywords) or top_of_day(services, day, 1, fields, keywords) is not None:
        return None
    if keywords:
        return Reply(text=texts.REBROADCAST_NO_KEYWORD_MATCH.format(day=day), error=True)
    names = texts.FIELD_SEPARATOR.join(services.taxonomy.name(code) for code in fields or ())
    return Reply(text=texts.REBROADCAST_NO_MATCH.format(fields=names, day=day), error=True)


def stats(services: Services, request: Request) -> Reply:
    """`/stats`: subscribers by platform and the latest broadcasts."""
    with services.db.session() as session:
        counts = subscribers.counts_by_platform(session)
        recent = broadcasts.recent(session)
    lines = [texts.STATS_HEADER]
    for platform, (active, inactive) in sorted(counts.items()):
        lines.append(texts.STATS_PLATFORM.format(platform=platform, active=active, inactive=inactive))
    if not counts:
        lines.append(texts.STATS_NO_SUBSCRIBERS)
    lines.append(texts.STATS_BROADCASTS)
    for b in recent:
        c = b.counts
        lines.append(
            texts.STATS_BROADCAST_LINE.format(
                id=b.id,
                day=b.day,
                kind=texts.KIND_NAMES.get(b.kind, b.kind),
                status=b.status,
                sent=c.get("sent", 0),
                failed=c.get("failed", 0),
                blocked=c.get("blocked", 0),
                unknown=c.get("unknown", 0),
                pending=c.get("pending", 0) + c.get("in_flight", 0),
            )
        )
    if not recent:
        lines.append(texts.STATS_NO_BROADCASTS)
    return Reply(text="\n".join(lines), ephemeral=True)
