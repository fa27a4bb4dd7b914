"""Import Korean markdown digests of Hugging Face Daily Papers.

Three layouts are recognized from the content:

* ``cards``: ``## 제목:`` cards with 요약 / 쉬운설명 / 관련분야 / 추천수 and a PDF link (Hugging Face or
  arXiv); there is no date inside, so the caller passes one.
* ``summary``: ``# 📰 Hugging Face Daily Papers – DATE``, then per paper ``## <arXiv id>``, a 🔗 link and a
  fenced seven-section Korean summary whose ``#`` heading carries the title; no votes.
* ``daily``: ``## Daily Papers (DATE)``, then ``### [Title](arXiv link)``, ``Vote: N``, ``Authors: ...`` and
  What's New / Technical Details / Performance Highlights in Korean.

Only ``cards`` documents have a 쉬운설명 and 관련분야. For the other two a short 쉬운설명 is taken from the
document's own Korean text (``easy_derived=True``); fields are left to the classifier. A paper entry that
cannot be read is skipped and reported in ``ParsedDigest.skipped``; the rest of the document still counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.sources import markdown_sections as ms

HF_PAPER_URL = "https://huggingface.co/papers/"
ARXIV_PDF_URL = "https://arxiv.org/pdf/"
# Limits of one file: far beyond any real digest (a day lists well under 200 papers), low enough that
# one import stays within memory and a minute (see benchmarks/import_scale.py).
MAX_ENTRIES = 100_000
MAX_FILE_BYTES = 128 * 2**20
LAYOUT_HINT = "expected '## 제목:' cards, '## <arXiv id>' summaries or a '## Daily Papers (DATE)' list"

# A card heading: "## 제목:" (the title follows on the same line or on the next one).
_CARD_HEAD_RE = re.compile(r"^#{2,3}\s*제목\s*[:：]?\s*(.*)$")
# A summary entry heading naming the paper: "## 2505.14683", "## arXiv:2505.14683v2".
_ID_HEAD_RE = re.compile(rf"^##\s+((?:arxiv:\s*)?{ms.ARXIV_ID}(?:v[0-9]+)?)\s*$", re.I)
# The summary document's title line: "# 📰 Hugging Face Daily Papers – 2025-05-21".
_SUMMARY_MARK_RE = re.compile(r"^#\s.*Hugging Face Daily Papers", re.I)
# A daily-list entry heading: "### [Title](https://arxiv.org/abs/...)" (or a bare "### Title").
_DAILY_HEAD_RE = re.compile(r"^###\s+(.+)$")
# What marks a daily list: its date heading "## Daily Papers (2024-11-19)" or a linked "### [Title](".
_DAILY_MARK_RE = re.compile(r"^(?:#{1,3}\s*Daily Papers\s*\(|###\s+\[.+\]\()", re.I)
# A markdown link filling a whole heading: [Title](url).
_LINK_HEAD_RE = re.compile(r"^\[(.+)\]\((\S+?)\)$")


class DigestFormatError(ValueError):
    """A digest the importer cannot read; the message is one clear English or Korean line."""


class _Skip(Exception):
    """One paper entry is unreadable; the message says why."""


@dataclass(frozen=True)
class ImportedPaper:
    """One paper as a markdown digest describes it."""

    id: str  # arXiv id without version, e.g. "2502.06703"
    title: str
    votes: int | None  # None when the layout has none (summary)
    url: str  # https://huggingface.co/papers/<id>
    pdf_url: str | None  # https://arxiv.org/pdf/<id> when the document links arXiv
    summary_ko: str | None
    easy_ko: str | None
    easy_derived: bool  # easy_ko was taken from the summary text, not from a 쉬운설명 in the document
    field_labels: tuple[str, ...]  # the document's own 관련분야 names, as written
    authors: tuple[str, ...]


@dataclass(frozen=True)
class ParsedDigest:
    """The papers of one digest document, in document order."""

    day: dt.date | None
    fmt: str  # "cards", "summary" or "daily"
    papers: tuple[ImportedPaper, ...]
    skipped: tuple[str, ...] = ()  # one short reason per unreadable entry


Parser = Callable[[str, list[str]], ImportedPaper]  # an entry's heading text and lines -> its paper


def parse_digest(text: str, day: dt.date | None = None) -> ParsedDigest:
    """Parse a digest document in any of the known layouts.

    ``day`` is used when the document carries no date. When the document has one (a date in a heading,
    as in the summary and daily layouts), the document's date wins, even over a different ``day``.
    Raises DigestFormatError when no paper at all can be read.
    """
    lines = ms.normalize_lines(text)
    fmt = _detect(lines)
    if fmt is None:
        raise DigestFormatError(f"no papers found: not a known digest layout ({LAYOUT_HINT})")
    head_re, parse = _LAYOUTS[fmt]
    preamble, blocks = ms.split_blocks(lines, head_re)
    if len(blocks) > MAX_ENTRIES:
        raise DigestFormatError(f"{len(blocks):,} entries, more than the {MAX_ENTRIES:,} one file may hold")
    papers, skipped = _collect(blocks, parse)
    if not papers:
        reasons = "; ".join(skipped[:3]) or "no entries"
        raise DigestFormatError(f"no papers found: every {fmt} entry was unreadable ({reasons})")
    try:
        found = ms.preamble_date(preamble)
    except ValueError as exc:
        raise DigestFormatError(str(exc)) from None
    return ParsedDigest(day=found or day, fmt=fmt, papers=papers, skipped=skipped)


def read_digest(path: Path, day: dt.date | None = None) -> ParsedDigest:
    """Read and parse a UTF-8 digest file (a BOM is allowed); see parse_digest for ``day``.

    Error messages do not repeat the file name; callers reading several files add it.
    """
    size = Path(path).stat().st_size
    if size > MAX_FILE_BYTES:
        raise DigestFormatError(f"{size:,} bytes, more than the {MAX_FILE_BYTES:,} one file may have")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DigestFormatError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    return parse_digest(text, day)


def _detect(lines: list[str]) -> str | None:
    """The layout of a document ("cards", "daily" or "summary"), or None when it is none of them."""
    found = None
    for line in ms.unfenced(lines):  # one pass that stops at the first card heading
        if not line.startswith("#"):
            continue  # every mark of a layout is a heading
        if _CARD_HEAD_RE.match(line):
            return "cards"
        if _DAILY_MARK_RE.match(line):
            found = "daily"
        elif found is None and (_SUMMARY_MARK_RE.match(line) or _ID_HEAD_RE.match(line)):
            found = "summary"
    return found


def _collect(blocks: list[ms.Block], parse: Parser) -> tuple[tuple[ImportedPaper, ...], tuple[str, ...]]:
    """The readable papers in document order (first of a repeated id), and why the others were skipped."""
    papers: dict[str, ImportedPaper] = {}
    skipped: list[str] = []
    for number, (head, body) in enumerate(blocks, 1):
        try:
            paper = parse(head, body)
        except _Skip as exc:
            skipped.append(f"entry {number}: {exc}")
            continue
        if paper.id in papers:
            skipped.append(f"entry {number}: {paper.id} repeats an earlier entry")
        else:
            papers[paper.id] = paper
    return tuple(papers.values()), tuple(skipped)


def _make(
    link: tuple[str, bool],
    title: str,
    *,
    votes: int | None = None,
    summary: str | None = None,
    easy: str | None = None,
    derived: bool = False,
    labels: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
) -> ImportedPaper:
    """An ImportedPaper for the linked id; the PDF link only when the document links arXiv."""
    paper_id, is_arxiv = link
    return ImportedPaper(
        id=paper_id,
        title=title,
        votes=votes,
        url=HF_PAPER_URL + paper_id,
        pdf_url=ARXIV_PDF_URL + paper_id if is_arxiv else None,
        summary_ko=summary or None,
        easy_ko=easy or None,
        easy_derived=derived and bool(easy),
        field_labels=labels,
        authors=authors,
    )


def _votes(title: str, value: str) -> int | None:
    """The entry's votes; one the database cannot hold makes the entry unreadable."""
    try:
        return ms.parse_votes(value)
    except ValueError as exc:
        raise _Skip(f"{title!r}: {exc}") from None


def _parse_card(head: str, body: list[str]) -> ImportedPaper:
    """One "## 제목:" card."""
    fields = ms.card_fields(body)
    title = " ".join((head or fields["title"]).split())
    if not title:
        raise _Skip("card without a title")
    link = ms.find_link(fields.get("link", ""))
    if not link:
        raise _Skip(f"{title!r}: no Hugging Face or arXiv link")
    return _make(
        link,
        title,
        votes=_votes(title, fields.get("votes", "")),
        summary=fields.get("summary"),
        easy=fields.get("easy"),
        labels=ms.split_labels(fields.get("fields", "")),
    )


def _parse_summary(head: str, body: list[str]) -> ImportedPaper:
    """One "## <arXiv id>" entry with its (usually fenced) Korean summary."""
    paper_id = ms.normalize_id(head)
    outside, text = ms.summary_lines(body)
    title, rest = ms.summary_title(text)
    if not paper_id or not title:
        raise _Skip(f"{head}: no title heading in the summary" if paper_id else f"{head!r}: not an arXiv id")
    link = ms.find_link("\n".join(outside))
    is_arxiv = bool(link and link == (paper_id, True))
    easy = ms.first_sentences("\n".join(ms.section_one(rest)))
    return _make((paper_id, is_arxiv), title, summary=ms.join_text(rest), easy=easy, derived=True)


def _parse_daily(head: str, body: list[str]) -> ImportedPaper:
    """One "### [Title](link)" entry of a daily list."""
    match = _LINK_HEAD_RE.match(head)
    title = " ".join((match.group(1) if match else head).split())
    link = ms.find_link(match.group(2) if match else "\n".join(body))
    if not link:
        raise _Skip(f"{title!r}: no arXiv or Hugging Face link")
    fields = ms.daily_fields(body)
    sections = [fields[key] for key in ms.DAILY_SECTIONS.values() if fields.get(key)]
    return _make(
        link,
        title,
        votes=_votes(title, fields.get("votes", "")),
        summary="\n\n".join(sections),
        easy=ms.first_sentences(fields.get("new", "")),
        derived=True,
        authors=ms.split_names(fields.get("authors", "")),
    )


_LAYOUTS: dict[str, tuple[re.Pattern[str], Parser]] = {
    "cards": (_CARD_HEAD_RE, _parse_card),
    "summary": (_ID_HEAD_RE, _parse_summary),
    "daily": (_DAILY_HEAD_RE, _parse_daily),
}
