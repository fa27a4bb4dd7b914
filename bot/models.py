"""Platform-neutral values: cards, digests, chat requests and replies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ChatKind = Literal["private", "group", "channel"]
Lang = Literal["ko", "en"]


@dataclass(frozen=True)
class Card:
    """One paper as every renderer sees it."""

    rank: int
    paper_id: str
    title: str
    easy_text: str  # Korean 쉬운설명, or the English fallback when easy_lang == "en"
    easy_lang: Lang
    fields: tuple[str, ...]  # taxonomy codes
    field_names: tuple[str, ...]  # Korean names of `fields`, same order
    votes: int | None
    url: str  # https://huggingface.co/papers/<id>
    pdf_url: str | None = None  # https://arxiv.org/pdf/<id>
    summary_text: str = ""  # Korean 요약, or the abstract's first sentences when summary_lang == "en"
    summary_lang: Lang = "en"
    keywords: tuple[str, ...] = ()  # Hugging Face's ai_keywords
    github_repo: str | None = None  # as Hugging Face gives them: checked before any renderer links them
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail: str | None = None  # Hugging Face's preview image of the paper


@dataclass(frozen=True)
class Digest:
    """A ranked list of cards under one header line."""

    header: str
    cards: tuple[Card, ...]
    day: dt.date | None = None
    field: str | None = None  # taxonomy code when the digest is one field's


@dataclass(frozen=True)
class Button:
    """A button that runs a command when pressed (e.g. label "자연어 처리", command "field nlp")."""

    label: str
    command: str


@dataclass(frozen=True)
class Request:
    """A chat command, whatever platform it came from."""

    platform: str  # "console", "telegram" or "slack"
    chat_id: str
    user_id: str | None  # numeric Telegram id, "TEAM:USER" on Slack
    command: str  # lower-case, without "/" (e.g. "top")
    args: tuple[str, ...] = ()
    chat_kind: ChatKind = "private"
    is_chat_admin: bool = False  # the platform says the sender administers this chat
    chat_title: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the command layer answers; adapters render it natively."""

    text: str = ""
    digest: Digest | None = None
    buttons: tuple[Button, ...] = ()
    detail: Card | None = None  # one paper's 요약, keywords and links (the 자세히 answer)
    ephemeral: bool = False  # Slack: only the sender sees it
    error: bool = False
    extra: dict[str, str] = field(default_factory=dict)
