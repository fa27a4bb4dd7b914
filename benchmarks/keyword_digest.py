"""Time a chat's keyword-filtered daily selection and `/top week|month` over the recorded corpus.

Usage: python benchmarks/keyword_digest.py [--shared ../shared] [--database URL] [--queries 200] [--runs 3]

Imports the 558 recorded days, then for random days times the day's top 5 without a filter, with a
field filter, and with random keyword filters (words of the corpus titles, a phrase, an exclusion):
the query each distinct digest variant costs when a broadcast is planned. Also `/top week` and
`/top month` through the command layer. Prints min/median/max of p50 and p99 over the runs, with the
load average. Uses a temporary SQLite file unless --database is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import import_corpus, percentile, vocabulary  # noqa: E402
from bot.bootstrap import open_database  # noqa: E402
from bot.commands import dispatch  # noqa: E402
from bot.fields import default_taxonomy  # noqa: E402
from bot.models import Request  # noqa: E402
from bot.search_query import parse_keywords  # noqa: E402
from bot.selection import top_of_day  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.records import Keywords  # noqa: E402

Case = Callable[[random.Random], object]


def runs(label: str, case: Case, queries: int, count: int) -> None:
    """Print min/median/max of p50 and p99 (ms) of `count` runs of `queries` calls of `case`."""
    p50s, p99s = [], []
    for run in range(count):
        rng, samples = random.Random(run), []
        for _ in range(queries):
            start = time.perf_counter()
            case(rng)
            samples.append((time.perf_counter() - start) * 1000)
        p50s.append(statistics.median(samples))
        p99s.append(percentile(samples, 99))
    p50s.sort()
    p99s.sort()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{label:<26} p50 {p50s[0]:6.2f}/{statistics.median(p50s):6.2f}/{p50s[-1]:6.2f} ms   "
        f"p99 {p99s[0]:6.2f}/{statistics.median(p99s):6.2f}/{p99s[-1]:6.2f} ms "
        f"(min/median/max of {count} runs x {queries}; load average {load})"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("PAPERBOT_SHARED_DIR", ROOT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=shared)
    parser.add_argument("--database", default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    corpus = opts.shared / "data" / "hf-daily-papers"
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    url = opts.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    settings = Settings(_env_file=None, database_url=url)
    services = Services(db=open_database(url), settings=settings, taxonomy=default_taxonomy())
    print(f"database: {services.db.engine.url.render_as_string(hide_password=True)}")
    stored, seconds = import_corpus(services, corpus)
    print(f"import: {stored} papers in {seconds:.1f} s")
    days = sorted(dt.date.fromisoformat(p.stem) for p in corpus.glob("*.json"))
    words = sorted({w.lower() for w in vocabulary(services) if len(w) >= 4})
    codes = [f.code for f in services.taxonomy.fields]

    def keywords(rng: random.Random) -> Keywords:
        picked = rng.sample(words, 4)
        text = f'{picked[0]} {picked[1]} "{picked[2]} models" -{picked[3]}'
        return parse_keywords(text.split(), services.taxonomy)

    filters = [keywords(random.Random(i)) for i in range(50)]  # (parsed beforehand, as when stored)

    def plain(rng: random.Random) -> object:
        return top_of_day(services, rng.choice(days), 5)

    def fields(rng: random.Random) -> object:
        return top_of_day(services, rng.choice(days), 5, rng.sample(codes, 2))

    def filtered(rng: random.Random) -> object:
        return top_of_day(services, rng.choice(days), 5, rng.sample(codes, 1), rng.choice(filters))

    def period(word: str) -> Case:
        def case(rng: random.Random) -> object:
            args = (word, "10", str(rng.choice(days)))
            return dispatch(services, Request("console", "bench", "bench", "top", args))

        return case

    cases = [("day top 5, no filter", plain), ("day top 5, 2 fields", fields)]
    cases += [("day top 5, field + keywords", filtered)]
    cases += [("/top week 10", period("week")), ("/top month 10", period("month"))]
    for label, case in cases:
        runs(label, case, opts.queries, opts.runs)


if __name__ == "__main__":
    main()
