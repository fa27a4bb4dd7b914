"""Turn stored papers into neutral cards, with the English fallback when Korean text is missing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot import texts
from bot.fields import Taxonomy
from bot.models import Card, Digest, Lang
from storage.records import StoredPaper

HF_PAPER_URL = "https://huggingface.co/papers/{id}"
ARXIV_PDF_URL = "https://arxiv.org/pdf/{id}"
SUMMARY_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def first_sentence(text: str) -> str:
    """The first sentence of an English abstract (the whole text if it has no sentence break)."""
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def easy_text(paper: StoredPaper) -> tuple[str, Lang]:
    """The Korean 쉬운설명, else HF's English ai_summary, else the abstract's first sentence."""
    if paper.easy_ko and paper.easy_ko.strip():
        return paper.easy_ko.strip(), "ko"
    if paper.ai_summary and paper.ai_summary.strip():
        return " ".join(paper.ai_summary.split()), "en"
    if paper.abstract and paper.abstract.strip():
        return first_sentence(paper.abstract), "en"
    return "", "en"


def first_sentences(text: str, n: int = SUMMARY_SENTENCES) -> str:
    """The first `n` sentences of an English abstract."""
    return " ".join(_SENTENCE_END.split(" ".join(text.split()), maxsplit=n)[:n])


def summary_text(paper: StoredPaper) -> tuple[str, Lang]:
    """The Korean 요약, else the abstract's first sentences, else HF's English ai_summary."""
    if paper.summary_ko and paper.summary_ko.strip():
        return paper.summary_ko.strip(), "ko"
    if paper.abstract and paper.abstract.strip():
        return first_sentences(paper.abstract), "en"
    return " ".join((paper.ai_summary or "").split()), "en"


def make_card(paper: StoredPaper, rank: int, taxonomy: Taxonomy) -> Card:
    """One card for one stored paper."""
    text, lang = easy_text(paper)
    summary, summary_lang = summary_text(paper)
    codes = paper.fields or ("ai",)
    return Card(
        rank=rank,
        paper_id=paper.id,
        title=" ".join(paper.title.split()),
        easy_text=text,
        easy_lang=lang,
        fields=tuple(codes),
        field_names=tuple(taxonomy.name(c) for c in codes),
        votes=paper.upvotes,
        url=HF_PAPER_URL.format(id=paper.id),
        pdf_url=ARXIV_PDF_URL.format(id=paper.id),
        summary_text=summary,
        summary_lang=summary_lang,
        keywords=paper.ai_keywords,
        github_repo=paper.github_repo,
        github_stars=paper.github_stars,
        project_page=paper.project_page,
        thumbnail=paper.thumbnail,
    )


def day_digest(day: dt.date, papers: Sequence[StoredPaper], taxonomy: Taxonomy) -> Digest:
    """The digest of one listing day."""
    cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, start=1))
    return Digest(header=texts.digest_header(day.isoformat(), len(cards)), cards=cards, day=day)


def week_digest(start: dt.date, end: dt.date, papers: Sequence[StoredPaper], taxonomy: Taxonomy) -> Digest:
    """The digest of a week of lists (the weekly digest)."""
    cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, start=1))
    header = texts.week_header(start.isoformat(), end.isoformat(), len(cards))
    return Digest(header=header, cards=cards, day=end)


def period_digest(
    since: dt.date, until: dt.date, days: int, papers: Sequence[StoredPaper], taxonomy: Taxonomy
) -> Digest:
    """The digest of a week's or a month's lists (`days` days from `since` to `until`)."""
    cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, start=1))
    header = texts.period_header(since.isoformat(), until.isoformat(), days, len(cards))
    return Digest(header=header, cards=cards, day=until)


def field_digest(
    code: str, days: int, papers: Sequence[StoredPaper], taxonomy: Taxonomy, until: dt.date | None
) -> Digest:
    """The digest of one field over a window of days."""
    cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, start=1))
    header = texts.field_header(taxonomy.name(code), days, len(cards))
    return Digest(header=header, cards=cards, day=until, field=code)


def search_digest(
    shown: str, papers: Sequence[StoredPaper], taxonomy: Taxonomy, span: tuple[dt.date, dt.date] | None
) -> Digest:
    """Search results headed by the query and the days the results were listed."""
    cards = tuple(make_card(p, i, taxonomy) for i, p in enumerate(papers, start=1))
    days = (span[0].isoformat(), span[1].isoformat()) if span else None
    return Digest(header=texts.search_header(shown, len(cards), days), cards=cards)
