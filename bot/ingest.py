"""Store what the sources deliver: HF day lists and imported markdown digests."""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from bot import texts
from bot.fields import Taxonomy
from bot.sources.hf import DayList
from bot.sources.markdown import ImportedPaper, ParsedDigest
from storage import papers, search_index
from storage.db import Database
from storage.records import PaperIn

BULK_DAYS = 300
"""Days merged per transaction by a bulk import: fewer, larger transactions write each changed page
fewer times."""
QUEUED_DAYS = 200
"""Classified days a bulk import keeps ready ahead of its writer."""
_Queued = queue.Queue[tuple[DayList, list[PaperIn]] | None]  # days for the writer, then None


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
    rows = [classified(p, taxonomy) for p in day_list.papers]
    with db.session() as session:
        papers.upsert_papers(session, rows, day_list.day, "hf")
    return _day_report(day_list, rows)


def _day_report(day_list: DayList, rows: Sequence[PaperIn]) -> IngestReport:
    skipped = tuple(f"#{s.index} {s.paper_id or '?'}: {s.reason}" for s in day_list.skipped)
    return IngestReport(day=day_list.day, stored=len(rows), skipped=skipped)


def store_day_lists(
    db: Database, day_lists: Iterable[DayList], taxonomy: Taxonomy, per_transaction: int = BULK_DAYS
) -> list[IngestReport]:
    """Merge many day lists in order, `per_transaction` days per transaction (a bulk import: SQLite
    brings the search index up to date after each write, PostgreSQL once at the end).

    A writer thread stores the days while this thread reads and classifies the next ones (or takes
    them from the worker process of `bot.day_files.read_day_files`), so the database's work overlaps
    the parsing. A failure stops both; committed transactions stay, and are indexed for search."""
    days: _Queued = queue.Queue(maxsize=QUEUED_DAYS)
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="ingest") as pool:
            writer = pool.submit(_write_days, db, days, max(1, per_transaction))
            try:
                for day_list in day_lists:
                    _put(days, (day_list, [classified(p, taxonomy) for p in day_list.papers]), writer)
            finally:
                _put(days, None, writer)
            return writer.result()
    finally:
        search_index.flush_deferred(db)


def _put(days: queue.Queue[Any], item: Any, writer: Future[list[IngestReport]]) -> None:
    """Queue `item` for the writer, or raise its error if it stopped."""
    if writer.done():
        writer.result()  # raises the writer's error
    while True:
        try:
            days.put(item, timeout=0.1)
            return
        except queue.Full:
            if writer.done():
                writer.result()  # raises the writer's error
                return


def _write_days(db: Database, days: _Queued, per_transaction: int) -> list[IngestReport]:
    """Store queued days, `per_transaction` per transaction, until the end mark (None).

    Days are written as soon as they are queued, with whatever else is queued by then, and SQLite's
    search index follows each write: the writer indexes the first days while the next ones are read,
    instead of waiting for a transaction's worth and indexing it all at its commit."""
    reports: list[IngestReport] = []
    ended = False
    while not ended:
        stored: list[tuple[DayList, list[PaperIn]]] = []
        with db.session() as session:
            search_index.defer(session)
            while not ended and len(stored) < per_transaction:
                batch, ended = _queued(days, per_transaction - len(stored))
                papers.upsert_days(session, [(day_list.day, rows) for day_list, rows in batch], "hf")
                search_index.refresh(session)
                stored += batch
        reports += [_day_report(day_list, rows) for day_list, rows in stored]
    return reports


def _queued(days: _Queued, limit: int) -> tuple[list[tuple[DayList, list[PaperIn]]], bool]:
    """The next day (waiting for it) and up to `limit` - 1 more already queued; True once the end
    mark was taken."""
    batch: list[tuple[DayList, list[PaperIn]]] = []
    item = days.get()
    while item is not None:
        batch.append(item)
        if len(batch) >= limit or days.empty():
            return batch, False
        item = days.get_nowait()
    return batch, True


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
    """Merge several digests, each as the list of its day, in one transaction: all of them or none
    (indexed for search once, after it)."""
    batches = [([from_imported(p, taxonomy) for p in digest.papers], day) for digest, day in digests]
    with db.session() as session:
        search_index.defer(session)
        papers.upsert_days(session, [(day, rows) for rows, day in batches], "digest")
    search_index.flush_deferred(db)
    return [
        IngestReport(day=day, stored=len(rows), skipped=tuple(digest.skipped))
        for (rows, day), (digest, _) in zip(batches, digests, strict=True)
    ]
