"""SQLAlchemy tables: papers, listings, Korean texts, fields, subscribers, broadcasts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base for every table."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Paper(Base):
    """One paper, keyed by arXiv id; every source merges into this row."""

    __tablename__ = "papers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    ai_summary: Mapped[str | None] = mapped_column(Text)
    # Unknown is SQL NULL, not JSON null, so a merge's COALESCE keeps what another source knew.
    ai_keywords: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    authors: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    upvotes: Mapped[int | None] = mapped_column(Integer)
    num_comments: Mapped[int | None] = mapped_column(Integer)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    github_repo: Mapped[str | None] = mapped_column(Text)
    github_stars: Mapped[int | None] = mapped_column(Integer)
    project_page: Mapped[str | None] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(Text)
    pdf_url: Mapped[str | None] = mapped_column(Text)
    thumbnail: Mapped[str | None] = mapped_column(Text)  # Hugging Face's preview image of the paper
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    __table_args__ = (Index("ix_papers_votes", upvotes.desc(), "id"),)


class Listing(Base):
    """A paper on one day's Daily Papers list (a paper may be listed on several days)."""

    __tablename__ = "listings"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "hf" or "digest"
    # Index in the day's Hugging Face list (across pages); None for a digest import. Breaks vote ties
    # the way Hugging Face shows them.
    position: Mapped[int | None] = mapped_column(Integer)
    upvotes: Mapped[int | None] = mapped_column(Integer)  # as last fetched for this day

    __table_args__ = (Index("ix_listings_paper", "paper_id", "day"),)


class KoreanText(Base):
    """Korean 요약 and 쉬운설명 of a paper from one origin (a digest or an LLM prompt version)."""

    __tablename__ = "korean_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(64))  # "digest", "derived" or "llm:<prompt version>"
    summary_ko: Mapped[str | None] = mapped_column(Text)
    easy_ko: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(128))
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    __table_args__ = (UniqueConstraint("paper_id", "origin", name="uq_korean_texts_paper_origin"),)


class PaperField(Base):
    """One 관련분야 code of a paper, with where it came from."""

    __tablename__ = "paper_fields"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(16))  # "digest", "llm" or "classifier"

    __table_args__ = (Index("ix_paper_fields_code", "code", "paper_id"),)


class Subscriber(Base):
    """A chat that receives the daily digest."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    chat_kind: Mapped[str] = mapped_column(String(16), default="private")
    fields: Mapped[list[str] | None] = mapped_column(JSON)  # None = every field
    # {"terms": [{"text", "codes"}], "excluded": [...]}; SQL NULL = no keyword filter
    keywords: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The chat's own schedule: None = PAPERBOT_DIGEST_TIME / PAPERBOT_TOP_N.
    digest_time: Mapped[dt.time | None] = mapped_column(Time)
    top_n: Mapped[int | None] = mapped_column(Integer)
    # Which digests an active chat gets (the weekly one with its own field filter).
    daily: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    weekly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    weekly_fields: Mapped[list[str] | None] = mapped_column(JSON)  # None = every field
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    # Slack: the daily digest as one header message with the cards as replies in its thread.
    slack_thread: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    __table_args__ = (
        UniqueConstraint("platform", "chat_id", name="uq_subscribers_platform_chat"),
        Index("ix_subscribers_active", "active", "platform"),
    )


class Broadcast(Base):
    """One sending of a digest; a scheduled one is unique per period and time slot through `once_key`."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # "daily", "weekly" or "rebroadcast"
    # "daily:2025-02-11@09:00" / "weekly:2025-W07@09:00"; None for rebroadcasts.
    once_key: Mapped[str | None] = mapped_column(String(48))
    requested_by: Mapped[str | None] = mapped_column(String(128))
    target: Mapped[str | None] = mapped_column(String(128))  # "platform:chat" or None for everyone
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_broadcasts_status", "status", "created_at"),
        Index("uq_broadcasts_once_key", "once_key", unique=True),
    )


class BroadcastPart(Base):
    """A rendered message part of a broadcast, shared by every subscriber of the same variant.

    Rendering once at creation keeps a resumed broadcast byte-identical to the first attempt.
    """

    __tablename__ = "broadcast_parts"

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    variant: Mapped[str] = mapped_column(String(160), primary_key=True)  # platform + field filter
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    payload: Mapped[object] = mapped_column(JSON)


class Lease(Base):
    """A named, expiring lock row (leader election where advisory locks do not exist)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutboxRow(Base):
    """One message part of a broadcast to one subscriber: an outbox row."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    part: Mapped[int] = mapped_column(Integer, default=0)
    variant: Mapped[str] = mapped_column(String(160), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_ref: Mapped[str | None] = mapped_column(String(64))  # the platform's id of the sent message
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=_now, onupdate=_now, server_default=func.current_timestamp()
    )

    __table_args__ = (
        UniqueConstraint("broadcast_id", "subscriber_id", "part", name="uq_outbox_unique"),
        # Pending rows by subscriber and part: a sender's pages are read in index order.
        Index("ix_outbox_pending", "broadcast_id", "status", "subscriber_id", "part"),
    )
