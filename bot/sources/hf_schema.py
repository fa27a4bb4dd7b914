"""The daily-papers response: pydantic models per entry, mapping to PaperIn, and body validation."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.sources.storable import MAX_COUNT, clean_text
from storage.records import PaperIn

logger = logging.getLogger(__name__)

# New-style arXiv ids (YYMM.NNNN or YYMM.NNNNN); ASCII digits only, no version suffix.
ARXIV_ID = re.compile(r"[0-9]{2}(0[1-9]|1[0-2])\.[0-9]{4,5}")


def collapse(text: str) -> str:
    """Collapse runs of whitespace (newlines included) to single spaces and strip."""
    # str.split() splits at the characters a regex's \s matches, in a fraction of the regex's time.
    return " ".join(text.split())


def _arxiv_id(value: str) -> str:
    value = value.strip()
    if not ARXIV_ID.fullmatch(value):
        raise ValueError("not an arXiv id")
    return value


def _title(value: str) -> str:
    value = collapse(value)
    if not value:
        raise ValueError("empty title")
    return value


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError("date out of range") from None


# Every string is cleaned of what the database refuses; counts must fit its 32-bit columns (see storable).
Str = Annotated[str, Field(strict=True), AfterValidator(clean_text)]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
ArxivId = Annotated[str, Field(strict=True), AfterValidator(_arxiv_id)]  # not cleaned: NUL is no id
Title = Annotated[Str, AfterValidator(_title)]
Text = Annotated[Str, AfterValidator(collapse)]
UtcTime = Annotated[dt.datetime, AfterValidator(_naive_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Author(_Model):
    """One author; only the display name is used."""

    name: Text


class Organization(_Model):
    """The organization a paper was submitted for."""

    name: Text | None = None
    fullname: Text | None = None

    def display(self) -> str | None:
        """The human name, falling back to the handle."""
        return self.fullname or self.name or None


class HFPaper(_Model):
    """The `paper` object of a daily-papers entry."""

    id: ArxivId
    title: Title
    summary: Text | None = None
    upvotes: Count | None = None
    authors: list[Author] | None = None
    publishedAt: UtcTime | None = None
    ai_summary: Text | None = None
    ai_keywords: list[Text] | None = None
    githubRepo: Text | None = None
    githubStars: Count | None = None
    projectPage: Text | None = None
    organization: Organization | None = None


class HFEntry(_Model):
    """One element of the daily-papers list."""

    paper: HFPaper
    numComments: Count | None = None
    thumbnail: Text | None = None
    organization: Organization | None = None

    def to_paper_in(self, position: int | None = None) -> PaperIn:
        """Map the entry to the record storage merges (empty strings become None), at `position` in
        its day's list."""
        p = self.paper
        org = p.organization or self.organization
        keywords = [k for k in p.ai_keywords or () if k]
        return PaperIn(
            id=p.id,
            title=p.title,
            abstract=p.summary or None,
            ai_summary=p.ai_summary or None,
            ai_keywords=keywords or None,
            authors=[a.name for a in p.authors if a.name] if p.authors is not None else None,
            upvotes=p.upvotes,
            num_comments=self.numComments,
            published_at=p.publishedAt,
            github_repo=p.githubRepo or None,
            github_stars=p.githubStars,
            project_page=p.projectPage or None,
            organization=org.display() if org else None,
            pdf_url=f"https://arxiv.org/pdf/{p.id}",
            thumbnail=self.thumbnail or None,
            position=position,
        )


class HFError(RuntimeError):
    """Fetching failed; the message is one clear line and never contains secrets."""


@dataclass(frozen=True)
class SkippedEntry:
    """An entry of the list that could not be used, with a one-line reason."""

    index: int
    paper_id: str | None
    reason: str


@dataclass(frozen=True)
class DayList:
    """The valid papers of one listing day, in list order, plus the entries that were skipped."""

    day: dt.date
    papers: tuple[PaperIn, ...]
    skipped: tuple[SkippedEntry, ...]


_ENTRIES: TypeAdapter[list[HFEntry]] = TypeAdapter(list[HFEntry])


def parse_day(body: bytes | str, day: dt.date) -> DayList:
    """Validate a raw daily-papers response body; raise HFError unless it is a JSON list.

    A body whose entries are all valid is validated in one pass straight from its JSON; any error
    (bad JSON, bad entries) sends it through the entry-by-entry path that reports each problem."""
    try:
        entries = _ENTRIES.validate_json(body)
    except ValidationError:
        return build_day(decode_list(body), day)
    return _unique_day([e.to_paper_in(position=i) for i, e in enumerate(entries)], [], day)


def decode_list(body: bytes | str) -> list[Any]:
    """Decode a response body that must be a JSON list."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise HFError("Hugging Face returned a body that is not valid JSON") from None
    if not isinstance(data, list):
        raise HFError(f"Hugging Face returned JSON {type(data).__name__}, expected a list of papers")
    return data


def build_day(entries: Sequence[Any], day: dt.date) -> DayList:
    """Validate entries one by one; keep the first of duplicated ids and report every bad entry.
    Each paper keeps its index in `entries` (every page, in order) as its position in the day's list."""
    valid: list[PaperIn] = []
    skipped: list[SkippedEntry] = []
    for index, raw in enumerate(entries):
        try:
            valid.append(HFEntry.model_validate(raw).to_paper_in(position=index))
        except ValidationError as exc:
            skipped.append(SkippedEntry(index, _raw_id(raw), _reason(exc)))
    return _unique_day(valid, skipped, day)


def _unique_day(valid: Sequence[PaperIn], invalid: list[SkippedEntry], day: dt.date) -> DayList:
    """The day's list of the first paper of each id; later ones are skipped as duplicates."""
    papers: dict[str, PaperIn] = {}
    skipped = list(invalid)
    for paper in valid:
        if paper.id in papers:
            skipped.append(SkippedEntry(paper.position or 0, paper.id, "duplicate id"))
        else:
            papers[paper.id] = paper
    skipped.sort(key=lambda s: s.index)
    if skipped:
        logger.warning("Hugging Face %s: skipped %d bad entries", day, len(skipped))
    return DayList(day, tuple(papers.values()), tuple(skipped))


def _raw_id(raw: Any) -> str | None:
    paper = raw.get("paper") if isinstance(raw, dict) else None
    value = paper.get("id") if isinstance(paper, dict) else None
    return (collapse(clean_text(value))[:40] or None) if isinstance(value, str) else None


def _reason(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "entry"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return collapse(f"{where}: {first['msg']}{more}")[:200]
