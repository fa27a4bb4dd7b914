"""Plain records that cross the storage boundary (no SQLAlchemy objects leak out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class PaperIn:
    """A paper as a source delivers it; None means "this source does not know"."""

    id: str
    title: str
    abstract: str | None = None
    ai_summary: str | None = None
    ai_keywords: list[str] | None = None
    authors: list[str] | None = None
    upvotes: int | None = None
    num_comments: int | None = None
    published_at: dt.datetime | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    pdf_url: str | None = None
    thumbnail: str | None = None
    summary_ko: str | None = None
    easy_ko: str | None = None
    korean_origin: str = "digest"
    fields: list[str] = field(default_factory=list)
    fields_origin: str = "classifier"
    position: int | None = None  # index in the day's Hugging Face list


@dataclass(frozen=True)
class StoredPaper:
    """A paper as selection and cards see it; `upvotes` are those of the listing it is shown for."""

    id: str
    title: str
    upvotes: int | None
    abstract: str | None
    ai_summary: str | None
    ai_keywords: tuple[str, ...]
    pdf_url: str | None
    summary_ko: str | None
    easy_ko: str | None
    fields: tuple[str, ...]
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    thumbnail: str | None = None


@dataclass(frozen=True)
class SubscriberView:
    """One subscription."""

    id: int
    platform: str
    chat_id: str
    chat_kind: str
    fields: tuple[str, ...] | None
    active: bool
    deactivated_reason: str | None
    slack_thread: bool = False
    digest_time: dt.time | None = None  # None: PAPERBOT_DIGEST_TIME
    top_n: int | None = None  # None: PAPERBOT_TOP_N
    daily: bool = True
    weekly: bool = False
    weekly_fields: tuple[str, ...] | None = None
    keywords: Keywords | None = None  # the words the chat follows (None: no keyword filter)


@dataclass(frozen=True)
class SubscribeCounts:
    """What subscribing many chats did: new rows, inactive ones switched back on, active ones."""

    added: int = 0
    reactivated: int = 0
    already_subscribed: int = 0

    def __add__(self, other: SubscribeCounts) -> SubscribeCounts:
        return SubscribeCounts(
            self.added + other.added,
            self.reactivated + other.reactivated,
            self.already_subscribed + other.already_subscribed,
        )


@dataclass(frozen=True)
class UnsubscribeCounts:
    """What unsubscribing many chats did: active ones switched off, the rest (unknown or inactive)."""

    removed: int = 0
    not_subscribed: int = 0

    def __add__(self, other: UnsubscribeCounts) -> UnsubscribeCounts:
        return UnsubscribeCounts(self.removed + other.removed, self.not_subscribed + other.not_subscribed)


@dataclass(frozen=True)
class BroadcastView:
    """A broadcast with its outbox row counts by status."""

    id: int
    day: dt.date
    kind: str
    status: str
    requested_by: str | None
    target: str | None
    created_at: dt.datetime
    counts: dict[str, int]


@dataclass(frozen=True)
class Term:
    """A word or quoted phrase; papers of `codes` (a field the word names) also satisfy it."""

    text: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Keywords:
    """A chat's keyword filter: papers matching any term, minus those matching an excluded word."""

    terms: tuple[Term, ...] = ()
    excluded: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.excluded)


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: every term (AND), none of `excluded`, listed on or after `since`."""

    terms: tuple[Term, ...] = ()
    excluded: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # arXiv ids named outright: those papers come first
    since: dt.date | None = None
