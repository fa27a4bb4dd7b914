"""Replies as the user reads them: Telegram HTML and Slack Block Kit flattened to plain text."""

from __future__ import annotations

import html
import re
from typing import Any

_TAG = re.compile(r"<[^>]+>")
_SLACK_LINK = re.compile(r"<([^|>]*)\|([^>]*)>|<([^|>]*)>")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<!\w)_([^_\n]+)_(?!\w)")


def visible(text: str) -> str:
    """What a Telegram user sees of an HTML message."""
    return html.unescape(_TAG.sub("", text))


def _link_label(match: re.Match[str]) -> str:
    label, bare = match.group(2), match.group(3)
    return label if bare is None else bare


def slack_unescape(text: str) -> str:
    """Slack's three escapes undone (&amp; last, so "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn_visible(text: str) -> str:
    """A mrkdwn text as read: bold and italic marks gone, links shown by their label."""
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return slack_unescape(_SLACK_LINK.sub(_link_label, text))


def _block_text(block: dict[str, Any]) -> str | None:
    """The text of a header or section block; None for dividers and buttons."""
    if block["type"] not in {"header", "section"}:
        return None
    text = block["text"]
    return mrkdwn_visible(text["text"]) if text["type"] == "mrkdwn" else slack_unescape(text["text"])


def slack_visible(messages: list[dict[str, Any]]) -> str:
    """What a Slack user reads of the posted messages: their blocks' texts, else the fallback text."""
    parts: list[str] = []
    for message in messages:
        blocks = [t for b in message.get("blocks") or [] if (t := _block_text(b)) is not None]
        parts.extend(blocks or [mrkdwn_visible(message.get("text", ""))])
    return "\n\n".join(parts)
