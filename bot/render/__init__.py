"""Renderers: one neutral Digest or Reply as plain text, Telegram HTML, Slack blocks or markdown."""

from __future__ import annotations

from bot.render.markdown import render_digest_markdown
from bot.render.slack import SlackMessage, render_digest_slack, render_reply_slack, slack_escape
from bot.render.telegram import TELEGRAM_LIMIT, render_digest_telegram, render_reply_telegram, telegram_length
from bot.render.text import render_digest_text, render_reply_text

__all__ = [
    "TELEGRAM_LIMIT",
    "SlackMessage",
    "render_digest_markdown",
    "render_digest_slack",
    "render_digest_telegram",
    "render_digest_text",
    "render_reply_slack",
    "render_reply_telegram",
    "render_reply_text",
    "slack_escape",
    "telegram_length",
]
