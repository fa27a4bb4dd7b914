"""Plain text for the console and the command line."""

from __future__ import annotations

from bot import texts
from bot.models import Card, Digest, Reply
from bot.render.limits import card_view, clean_text, one_line

_INDENT = "   "


def _card_text(card: Card) -> str:
    """One card: numbered title line, then the labelled lines indented under it."""
    view = card_view(card)
    easy = f"{texts.ENGLISH_MARK} {view.easy}" if view.english else view.easy
    lines = [
        f"{view.rank}. {texts.LABEL_TITLE}: {view.title}",
        f"{_INDENT}{texts.LABEL_EASY}: {easy}",
        f"{_INDENT}{texts.LABEL_FIELDS}: {view.fields}",
        f"{_INDENT}{texts.LABEL_VOTES}: {view.votes}",
    ]
    if view.url:
        lines.append(f"{_INDENT}{texts.LABEL_LINK}: {view.url}")
    if view.pdf_url:
        lines.append(f"{_INDENT}{texts.LABEL_PDF}: {view.pdf_url}")
    return "\n".join(lines)


def render_digest_text(digest: Digest) -> str:
    """The header line, then every card, separated by blank lines."""
    blocks = [one_line(digest.header), *map(_card_text, digest.cards)]
    return "\n\n".join(block for block in blocks if block)


def render_reply_text(reply: Reply) -> str:
    """The reply's text, then its digest, then one "[label] → /command" line per button."""
    blocks = [clean_text(reply.text).strip()]
    if reply.digest:
        blocks.append(render_digest_text(reply.digest))
    buttons = [f"[{one_line(b.label)}] → /{one_line(b.command)}" for b in reply.buttons]
    blocks.append("\n".join(buttons))
    return "\n\n".join(block for block in blocks if block)
