"""Store what the sources deliver: HF day lists and imported markdown digests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice

from bot import texts
from bot.fields import Taxonomy
from bot.sources.hf import DayList
from bot.sources.markdown import ImportedPaper, ParsedDigest
from storage import papers
from storage.db import Database
from storage.records import PaperIn

BULK_DAYS = 100
"""Days merged per transaction by a bulk import."""


@dataclass(frozen=True)
class IngestReport:
    """What one ingest stored and skipped."""

    day: dt.date | None
    stored: int
    skipped: tuple[str, ...] = ()


def classified(paper: PaperIn, taxonomy: Taxonomy) -> PaperIn:
    """The paper with classifier fields when it brings none of its own."""
    if paper.fields:
        return paper
    codes = taxonomy.classify(paper.title, paper.abstract, paper.ai_keywords or ())
    return replace(paper, fields=codes, fields_origin="classifier")


def store_day_list(db: Database, day_list: DayList, taxonomy: Taxonomy) -> IngestReport:
    """Merge one Hugging Face day list into storage."""
    return store_day_lists(db, [day_list], taxonomy)[0]


def store_day_lists(
    db: Database, day_lists: Iterable[DayList], taxonomy: Taxonomy, per_transaction: int = BULK_DAYS
) -> list[IngestReport]:
    """Merge many day lists in order, `per_transaction` days per transaction (a bulk import: the
    search index is brought up to date once per transaction)."""
    reports: list[IngestReport] = []
    for batch in _batches(iter(day_lists), per_transaction):
        with db.session() as session:
            for day_list in batch:
                rows = [classified(p, taxonomy) for p in day_list.papers]
                papers.upsert_papers(session, rows, day_list.day, "hf")
                skipped = tuple(f"#{s.index} {s.paper_id or '?'}: {s.reason}" for s in day_list.skipped)
                reports.append(IngestReport(day=day_list.day, stored=len(rows), skipped=skipped))
    return reports


def _batches(items: Iterator[DayList], size: int) -> Iterator[list[DayList]]:
    while batch := list(islice(items, max(1, size))):
        yield batch


def korean_or_none(text: str | None) -> str | None:
    """None for an English fallback that a digest export carried (marked, never Korean)."""
    if text is None or text.strip().startswith(texts.ENGLISH_MARK):
        return None
    return text


def from_imported(paper: ImportedPaper, taxonomy: Taxonomy) -> PaperIn:
    """An imported digest card as a storage record, its 관련분야 mapped to taxonomy codes."""
    record = PaperIn(
        id=paper.id,
        title=paper.title,
        upvotes=paper.votes,
        authors=list(paper.authors) or None,
        pdf_url=paper.pdf_url,
        summary_ko=paper.summary_ko,
        easy_ko=korean_or_none(paper.easy_ko),
        korean_origin="derived" if paper.easy_derived else "digest",
    )
    codes = taxonomy.map_labels(paper.field_labels)
    if codes:
        return replace(record, fields=codes, fields_origin="digest")
    guess = taxonomy.classify(paper.title, paper.summary_ko, ())
    return replace(record, fields=guess, fields_origin="classifier")


def store_digest(db: Database, digest: ParsedDigest, taxonomy: Taxonomy, day: dt.date) -> IngestReport:
    """Merge an imported markdown digest into storage as the list of `day`."""
    return store_digests(db, [(digest, day)], taxonomy)[0]


def store_digests(
    db: Database, digests: Sequence[tuple[ParsedDigest, dt.date]], taxonomy: Taxonomy
) -> list[IngestReport]:
    """Merge several digests, each as the list of its day, in one transaction: all of them or none."""
    batches = [([from_imported(p, taxonomy) for p in digest.papers], day) for digest, day in digests]
    with db.session() as session:
        for rows, day in batches:
            papers.upsert_papers(session, rows, day, "digest")
    return [
        IngestReport(day=day, stored=len(rows), skipped=tuple(digest.skipped))
        for (rows, day), (digest, _) in zip(batches, digests, strict=True)
    ]
