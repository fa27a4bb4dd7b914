"""Plain text for the console and the command line."""

from __future__ import annotations

from bot import texts
from bot.models import Card, Digest, Reply
from bot.render.detail import detail_buttons, detail_view
from bot.render.limits import card_view, clean_text, one_line
from bot.render.links import extra_links

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
    return "\n".join(lines + [_INDENT + line for line in _extra_lines(card)])


def _extra_lines(card: Card) -> list[str]:
    """The repository (with its stars) and the project page, after the fixed labels."""
    extra = extra_links(card)
    lines = []
    if extra.repo_url:
        stars = f" ({extra.stars})" if extra.stars else ""
        lines.append(f"{texts.LABEL_CODE}: {extra.repo_url}{stars}")
    if extra.project_url:
        lines.append(f"{texts.LABEL_PROJECT}: {extra.project_url}")
    return lines


def render_digest_text(digest: Digest) -> str:
    """The header line, then every card, separated by blank lines."""
    blocks = [one_line(digest.header), *map(_card_text, digest.cards)]
    return "\n\n".join(block for block in blocks if block)


def render_detail_text(card: Card) -> str:
    """The 자세히 answer: title, 요약, keywords and links, one labelled line each."""
    view = detail_view(card)
    summary = f"{texts.SUMMARY_ENGLISH_MARK} {view.summary}" if view.english else view.summary
    lines = [
        f"{texts.LABEL_TITLE}: {view.title}",
        f"{texts.LABEL_SUMMARY}: {summary}",
        f"{texts.LABEL_KEYWORDS}: {view.keywords}",
    ]
    if view.url:
        lines.append(f"{texts.LABEL_LINK}: {view.url}")
    if view.pdf_url:
        lines.append(f"{texts.LABEL_PDF}: {view.pdf_url}")
    return "\n".join(lines + _extra_lines(card))


def render_reply_text(reply: Reply) -> str:
    """The reply's text, digest and detail, then one "[label] → /command" line per button.

    The console has no buttons: each card's 자세히 shows as the command it runs.
    """
    blocks = [clean_text(reply.text).strip()]
    if reply.digest:
        blocks.append(render_digest_text(reply.digest))
    if reply.detail:
        blocks.append(render_detail_text(reply.detail))
    card_buttons = detail_buttons(reply.digest) if reply.digest else ()
    buttons = [f"[{one_line(b.label)}] → /{one_line(b.command)}" for b in (*card_buttons, *reply.buttons)]
    blocks.append("\n".join(buttons))
    return "\n\n".join(block for block in blocks if block)
