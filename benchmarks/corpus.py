"""Import the recorded Hugging Face corpus and time `/top` and `/field` through the command layer.

Usage: python benchmarks/corpus.py [--shared ../shared] [--database URL] [--synthetic 100000] [--queries 400]

Prints import time, the keyword classifier's time per paper, then p50/p99 latency of `/top` and
`/field` at corpus size and after growing the database to the synthetic size. Uses a temporary
SQLite file unless --database is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.commands import dispatch  # noqa: E402
from bot.fields import default_taxonomy  # noqa: E402
from bot.ingest import store_day_list  # noqa: E402
from bot.models import Request  # noqa: E402
from bot.runtime import open_database  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sources.hf import parse_day  # noqa: E402
from storage import papers  # noqa: E402
from storage.records import PaperIn  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100) of `samples`, nearest-rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def import_corpus(services: Services, corpus: Path) -> tuple[int, float]:
    """Parse and store every recorded day; returns (papers stored, seconds)."""
    start, stored = time.perf_counter(), 0
    for path in sorted(corpus.glob("*.json")):
        day_list = parse_day(path.read_bytes(), dt.date.fromisoformat(path.stem))
        stored += store_day_list(services.db, day_list, services.taxonomy).stored
    return stored, time.perf_counter() - start


def classify_all(services: Services, corpus: Path) -> tuple[int, float]:
    """Run the keyword classifier over every recorded paper; returns (papers, seconds)."""
    entries = [
        e.get("paper") or {} for p in sorted(corpus.glob("*.json")) for e in json.loads(p.read_bytes())
    ]
    start = time.perf_counter()
    for paper in entries:
        services.taxonomy.classify(
            paper.get("title") or "", paper.get("summary"), paper.get("ai_keywords") or ()
        )
    return len(entries), time.perf_counter() - start


def grow(services: Services, total: int, days: list[dt.date], seed: int = 7) -> int:
    """Add synthetic papers (random votes and fields) across the corpus days until `total` are stored."""
    rng = random.Random(seed)
    codes = [f.code for f in services.taxonomy.fields]
    with services.db.session() as session:
        existing = papers.count_papers(session)
    per_day = max(1, (total - existing) // len(days) + 1)
    added = 0
    for day in days:
        batch = [
            PaperIn(
                id=f"99{(added + i) // 100000:02d}.{(added + i) % 100000:05d}",
                title=f"Synthetic paper {added + i}",
                upvotes=rng.randint(0, 400),
                fields=rng.sample(codes, rng.randint(1, 3)),
            )
            for i in range(min(per_day, total - existing - added))
        ]
        if not batch:
            break
        with services.db.session() as session:
            papers.upsert_papers(session, batch, day, "hf")
        added += len(batch)
    return existing + added


def timed(services: Services, make: Callable[[random.Random], Request], count: int) -> tuple[float, float]:
    """p50 and p99 in milliseconds of `count` dispatches of generated requests."""
    rng, samples = random.Random(11), []
    for _ in range(count):
        request = make(rng)
        start = time.perf_counter()
        reply = dispatch(services, request)
        samples.append((time.perf_counter() - start) * 1000)
        assert not reply.error, reply.text
    return statistics.median(samples), percentile(samples, 99)


def report(services: Services, label: str, days: list[dt.date], queries: int) -> None:
    """Print `/top` and `/field` latency."""
    names = [f.name for f in services.taxonomy.fields]

    def top(rng: random.Random) -> Request:
        return Request("console", "bench", "bench", "top", (str(rng.randint(1, 20)), str(rng.choice(days))))

    def field(rng: random.Random) -> Request:
        return Request("console", "bench", "bench", "field", (*rng.choice(names).split(), "10"))

    for name, make in (("/top", top), ("/field", field)):
        p50, p99 = timed(services, make, queries)
        print(f"{label:>16}  {name:<7} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({queries} queries)")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--database", default=None)
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    opts = parser.parse_args()
    corpus = opts.shared / "data" / "hf-daily-papers"
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    url = opts.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = Settings(_env_file=None, database_url=url)
    services = Services(
        db=open_database(settings.database_url), settings=settings, taxonomy=default_taxonomy()
    )
    print(f"database: {services.db.engine.url.render_as_string(hide_password=True)}")
    stored, seconds = import_corpus(services, corpus)
    print(
        f"import: {stored} papers from {len(list(corpus.glob('*.json')))} days in {seconds:.1f} s "
        f"({stored / seconds:.0f} papers/s)"
    )
    count, seconds = classify_all(services, corpus)
    print(f"classify: {count} papers by keywords, {seconds / count * 1e6:.0f} µs each")
    days = sorted(dt.date.fromisoformat(p.stem) for p in corpus.glob("*.json"))
    report(services, f"{stored} papers", days, opts.queries)
    start = time.perf_counter()
    total = grow(services, opts.synthetic, days)
    print(f"grow: to {total} papers in {time.perf_counter() - start:.1f} s")
    report(services, f"{total} papers", days, opts.queries)


if __name__ == "__main__":
    main()
