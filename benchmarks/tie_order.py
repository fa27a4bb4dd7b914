"""How often the stored top of a day differs from the order Hugging Face shows.

Usage: python benchmarks/tie_order.py [--shared ../shared] [--top 5]

Imports every recorded day of `../shared/data/hf-daily-papers/` through the ingest path into a
temporary SQLite file, then compares each day's stored top N with Hugging Face's own order (the list
sorted by upvotes, equal votes in list order) and prints the days whose top N differs in order, in
set, and in its first paper.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.fields import default_taxonomy  # noqa: E402
from bot.ingest import store_day_list  # noqa: E402
from bot.sources.hf import parse_day  # noqa: E402
from storage import papers  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


def hf_order(entries: list[dict[str, Any]]) -> list[str]:
    """Hugging Face's order: upvotes descending, equal votes in list order (a stable sort)."""
    return [e["paper"]["id"] for e in sorted(entries, key=lambda e: -e["paper"]["upvotes"])]


def compare(db: Database, days: dict[dt.date, list[dict[str, Any]]], top: int) -> dict[str, int]:
    """Counts of days whose stored top differs from Hugging Face's in order, in set and at #1."""
    counts = {"days": len(days), "order": 0, "set": 0, "first": 0}
    with db.session() as session:
        for day, entries in days.items():
            stored = [p.id for p in papers.top_for_day(session, day, top)]
            expected = hf_order(entries)[:top]
            counts["order"] += stored != expected
            counts["set"] += set(stored) != set(expected)
            counts["first"] += stored[:1] != expected[:1]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    folder = args.shared / "data" / "hf-daily-papers"
    days = {dt.date.fromisoformat(f.stem): json.loads(f.read_bytes()) for f in sorted(folder.glob("*.json"))}
    taxonomy = default_taxonomy()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/ties.db")
        upgrade(db)
        for day, entries in days.items():
            store_day_list(db, parse_day(json.dumps(entries), day), taxonomy)
        counts = compare(db, days, args.top)
        db.dispose()
    print(f"{counts['days']} recorded days, top {args.top} compared with Hugging Face's order:")
    print(f"  differs in order: {counts['order']}")
    print(f"  differs in set:   {counts['set']}")
    print(f"  differs at #1:    {counts['first']}")


if __name__ == "__main__":
    main()
