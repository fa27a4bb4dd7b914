"""The JSON shape of `top`/`field` output and the choice of renderer for CLI formats."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the renderers load with the first render (`paperbot --help` reads FORMATS only)
    from bot.models import Digest

FORMATS = ("text", "json", "telegram", "slack", "markdown")


def digest_json(digest: Digest | None, day: dt.date | None, field: str | None) -> dict[str, Any]:
    """`{"date", "field", "papers": [...]}` exactly as the CLI contract specifies."""
    cards = digest.cards if digest else ()
    return {
        "date": day.isoformat() if day else None,
        "field": field,
        "papers": [
            {
                "rank": c.rank,
                "id": c.paper_id,
                "title": c.title,
                "easy_ko": c.easy_text,
                "easy_lang": c.easy_lang,
                "fields": list(c.fields),
                "votes": c.votes,
                "url": c.url,
            }
            for c in cards
        ],
    }


def render(digest: Digest, fmt: str) -> str:
    """The digest in one of the CLI's non-JSON formats."""
    from bot.render.markdown import render_digest_markdown
    from bot.render.slack import render_digest_slack
    from bot.render.telegram import render_digest_telegram
    from bot.render.text import render_digest_text

    if fmt == "telegram":
        return "\n\n".join(render_digest_telegram(digest))
    if fmt == "slack":
        payload = [{"text": m.text, "blocks": list(m.blocks)} for m in render_digest_slack(digest)]
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return render_digest_markdown(digest)
    return render_digest_text(digest)
