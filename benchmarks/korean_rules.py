"""Accept / reject figures of the Korean-text rules on their calibration data.

Usage: python benchmarks/korean_rules.py [--shared ../shared]

Prints, for the seed digests' Korean paragraphs and the written answers of
tests/fixtures/llm/korean_answers.json, how many pass validation, and for each reject class how many
fail. With the recorded Hugging Face corpus it also checks the numbers of every seed paragraph
against its paper's title, abstract and ai_summary (informational: the `summary` and `daily` digests
were written from whole papers, so some of their numbers are not in the abstract).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.llm.numbers import source_values, unsupported_numbers  # noqa: E402
from tests.korean_samples import figures, seed_paragraphs  # noqa: E402


def recorded_papers(folder: Path) -> dict[str, dict[str, Any]]:
    """Every recorded paper by arXiv id."""
    found = {}
    for path in folder.glob("*.json"):
        for entry in json.loads(path.read_bytes()):
            found[entry["paper"]["id"]] = entry["paper"]
    return found


def seed_numbers(seeds: Path, corpus: Path) -> None:
    """Per digest layout: seed paragraphs whose numbers all appear in the recorded HF texts."""
    recorded = recorded_papers(corpus)
    checked: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for p in seed_paragraphs(seeds):
        paper = recorded.get(p.paper_id)
        if paper is None:
            continue
        sources = source_values([paper["title"], paper.get("summary"), paper.get("ai_summary")])
        checked[p.layout] += 1
        passed[p.layout] += not unsupported_numbers(p.text, sources)
    for layout in sorted(checked):
        ok, total = passed[layout], checked[layout]
        print(f"  seed {layout} paragraphs whose numbers all appear in the HF texts: {ok} of {total}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    seeds = args.shared / "seeds"
    for what, ok, total in figures(seeds if seeds.is_dir() else None):
        print(f"{what}: {ok} of {total}")
    corpus = args.shared / "data" / "hf-daily-papers"
    if seeds.is_dir() and corpus.is_dir():
        seed_numbers(seeds, corpus)


if __name__ == "__main__":
    main()
