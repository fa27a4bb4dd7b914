"""The data the Korean-text rules are calibrated on: written answers that must pass, texts that must
fail (by class), and every Korean paragraph of the seed digests. Shared by tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.fields import default_taxonomy
from bot.llm.korean_rules import text_problem
from bot.llm.prompt import PaperInput
from bot.llm.summarizer import InvalidAnswer, code_resolver, paper_sources, parse_answer
from bot.sources.markdown import read_digest
from tests.paths import FIXTURES

DATA = FIXTURES / "llm" / "korean_answers.json"
REJECT_CLASSES = ("english", "chinese", "japanese", "empty_or_one_word", "instructions", "invented_numbers")
_BLANK_LINE = re.compile(r"\n\s*\n")
_TAXONOMY = default_taxonomy()
CODES = [f.code for f in _TAXONOMY.fields]


@dataclass(frozen=True)
class Sample:
    """One answer (summary_ko, easy_ko, fields) about one paper."""

    paper: PaperInput
    answer: dict[str, Any]

    def content(self) -> str:
        """The answer as the model would send it."""
        return json.dumps(self.answer, ensure_ascii=False)


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def _papers() -> dict[str, tuple[PaperInput, list[dict[str, Any]]]]:
    found = {}
    for item in _data()["papers"]:
        paper = PaperInput(item["id"], item["title"], item["abstract"], item["ai_summary"])
        found[item["id"]] = (paper, item["answers"])
    return found


def accepted() -> list[Sample]:
    """Every written answer: each must pass validation."""
    return [Sample(paper, answer) for paper, answers in _papers().values() for answer in answers]


def rejected(kind: str) -> list[Sample]:
    """The texts of one reject class, each put into one field of its paper's first answer."""
    papers = _papers()
    samples = []
    for case in _data()["rejected"][kind]:
        paper, answers = papers[case["paper"]]
        samples.append(Sample(paper, {**answers[0], case["field"]: case["text"]}))
    return samples


def verdict(sample: Sample) -> str | None:
    """None when the answer passes validation, else why it does not."""
    resolve = code_resolver(_TAXONOMY)
    try:
        parse_answer(sample.content(), CODES, paper_sources(sample.paper), resolve)
    except InvalidAnswer as exc:
        return str(exc)
    return None


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks without their Markdown headings, each joined into one line."""
    found = []
    for block in _BLANK_LINE.split(text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        kept = [line for line in lines if not line.startswith("#")]
        if kept:
            found.append(" ".join(kept))
    return found


@dataclass(frozen=True)
class SeedParagraph:
    """One Korean paragraph of a seed digest."""

    layout: str  # "cards" (written from the abstract), "summary" or "daily" (from the whole paper)
    paper_id: str
    text: str


def seed_paragraphs(seeds_dir: Path) -> list[SeedParagraph]:
    """Every 요약 paragraph and every written 쉬운설명 of the seed digests (a 쉬운설명 the importer
    derived from the 요약 is not a paragraph of its own)."""
    found = []
    for path in sorted(seeds_dir.glob("*.txt")):
        digest = read_digest(path, dt.date(2025, 1, 1))
        for paper in digest.papers:
            texts = paragraphs(paper.summary_ko or "")
            if paper.easy_ko and not paper.easy_derived:
                texts.append(paper.easy_ko)
            found += [SeedParagraph(digest.fmt, paper.id, " ".join(t.split())) for t in texts]
    return found


def figures(seeds_dir: Path | None) -> list[tuple[str, int, int]]:
    """(what, as expected, out of): seed paragraphs and written answers accepted, each class rejected."""
    rows = []
    if seeds_dir is not None:
        seeds = seed_paragraphs(seeds_dir)
        passed = sum(text_problem(p.text) is None for p in seeds)
        rows.append(("seed paragraphs accepted", passed, len(seeds)))
    answers = accepted()
    rows.append(("written answers accepted", sum(verdict(s) is None for s in answers), len(answers)))
    for kind in REJECT_CLASSES:
        samples = rejected(kind)
        rows.append((f"{kind} rejected", sum(verdict(s) is not None for s in samples), len(samples)))
    return rows
