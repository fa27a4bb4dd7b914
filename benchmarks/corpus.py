"""Import the recorded Hugging Face corpus and time `/top`, `/field` and `/search` through the command layer.

Usage: python benchmarks/corpus.py [--shared ../shared] [--database URL] [--synthetic 100000]
                                  [--queries 400] [--runs 3] [--no-analyze] [--import-runs 3]
                                  [--import-only]
                                  [--queries 400] [--runs 3] [--no-analyze] [--per-query]

Prints the import time as min/median/max of `--import-runs` full imports, each into a fresh
database (a new SQLite file, or a new schema on PostgreSQL), with the load average; then p50/p99
latency of `/top`, `/field` and `/search` at corpus size and after
growing the database to the synthetic size, each as min/median/max over `--runs` runs with the load
average (with --per-query, also each `/search` query's own p50 and p99). On PostgreSQL, VACUUM ANALYZE
runs after each load (as autovacuum would) unless --no-analyze.
Uses a temporary SQLite file unless --database is given; the corpus folder is PAPERBOT_SHARED_DIR
(as in the tests) or --shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402

from bot.bootstrap import open_database  # noqa: E402
from bot.commands import dispatch  # noqa: E402
from bot.day_files import read_day_files  # noqa: E402
from bot.fields import default_taxonomy  # noqa: E402
from bot.ingest import store_day_lists  # noqa: E402
from bot.models import Request  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import papers  # noqa: E402
from storage.records import PaperIn  # noqa: E402
from storage.tables import Paper  # noqa: E402


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0–100) of `samples`, nearest-rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def import_corpus(services: Services, corpus: Path) -> tuple[int, float]:
    """Parse and store every recorded day; returns (papers stored, seconds)."""
    start = time.perf_counter()
    day_lists = read_day_files(sorted(corpus.glob("*.json")), services.taxonomy)
    stored = sum(r.stored for r in store_day_lists(services.db, day_lists, services.taxonomy))
    return stored, time.perf_counter() - start


def fresh_url(url: str | None) -> str:
    """A URL of an empty database: a new SQLite file, or a new schema on the PostgreSQL server `url`
    (pg_trgm installed in public, as the tests do)."""
    if url is None or url.startswith("sqlite"):
        return f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema},public"


def drop_fresh(services: Services) -> None:
    """Drop a database made by `fresh_url`: its SQLite folder, or its PostgreSQL schema."""
    services.db.dispose()
    url = services.db.engine.url
    if services.db.is_sqlite:
        shutil.rmtree(Path(str(url.database)).parent, ignore_errors=True)
        return
    name = str(url.query["options"]).split("=", 1)[1].split(",", 1)[0]
    admin = create_engine(url.difference_update_query(["options"]))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def _services(url: str) -> Services:
    settings = Settings(_env_file=None, database_url=url)
    return Services(db=open_database(url), settings=settings, taxonomy=default_taxonomy())


def import_runs(database: str | None, corpus: Path, runs: int) -> tuple[Services, int]:
    """Import the corpus `runs` times, each into a fresh database, and print min/median/max with the
    load average; returns the last run's services (kept for the queries) and its paper count."""
    seconds: list[float] = []
    services, stored = None, 0
    for run in range(runs):
        if services is not None:
            drop_fresh(services)
        services = _services(fresh_url(database))
        cpu = time.process_time()
        stored, took = import_corpus(services, corpus)
        cpu = time.process_time() - cpu
        seconds.append(took)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"import run {run + 1}: {stored} papers in {took:.2f} s, {cpu:.2f} s CPU in this process "
            f"(load average {load})"
        )
    assert services is not None
    days = len(list(corpus.glob("*.json")))
    print(
        f"import: {stored} papers from {days} days, min/median/max of {runs} runs "
        f"{_spread(seconds).replace('  ', ' ')} s ({stored / min(seconds):.0f} papers/s at best)"
    )
    return services, stored


SEARCHES = (
    "FIPO", "Future-KL policy", "강화학습 policy staleness", "MiniMax-M1", '"Character Unlearning"',
    "Video-MME-v2", "Keye-VL", "EnvHarness agent", "2602.04705", "https://huggingface.co/papers/2607.24653",
    "3D Gaussian Splatting satellite", "lightning attention -M1", "scientific taste",
    "data selection optimizer", "hybrid memory world", "diffusion", "RL", "비전 transformer",
    "reasoning -math", "추론",
)  # fmt: skip


def vocabulary(services: Services) -> list[str]:
    """Words of the stored titles, so that synthetic papers share the corpus's words."""
    with services.db.session() as session:
        titles = session.scalars(select(Paper.title)).all()
    return [w for t in titles for w in t.split() if w.isalpha()]


def grow(services: Services, total: int, days: list[dt.date], seed: int = 7) -> int:
    """Add synthetic papers (random votes, fields and corpus words) across the corpus days until `total`."""
    rng = random.Random(seed)
    words = vocabulary(services)
    codes = [f.code for f in services.taxonomy.fields]
    with services.db.session() as session:
        existing = papers.count_papers(session)
    per_day = max(1, (total - existing) // len(days) + 1)
    added = 0
    for day in days:
        batch = [
            PaperIn(
                id=f"99{(added + i) // 100000:02d}.{(added + i) % 100000:05d}",
                title=f"Synthetic paper {added + i} " + " ".join(rng.choices(words, k=8)),
                abstract=" ".join(rng.choices(words, k=120)),
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


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0]:7.2f} /{statistics.median(ordered):7.2f} /{ordered[-1]:7.2f}"


def report(services: Services, label: str, days: list[dt.date], queries: int, runs: int) -> None:
    """Print p50 and p99 of `/top`, `/field` and `/search` as min / median / max over `runs` runs,
    with the load average."""
    names = [f.name for f in services.taxonomy.fields]

    def top(rng: random.Random) -> Request:
        return Request("console", "bench", "bench", "top", (str(rng.randint(1, 20)), str(rng.choice(days))))

    def field(rng: random.Random) -> Request:
        return Request("console", "bench", "bench", "field", (*rng.choice(names).split(), "10"))

    def search(rng: random.Random) -> Request:
        return Request("console", "bench", "bench", "search", tuple(rng.choice(SEARCHES).split()))

    for name, make in (("/top", top), ("/field", field), ("/search", search)):
        results = [timed(services, make, queries) for _ in range(runs)]
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{label:>16}  {name:<7} p50 {_spread([r[0] for r in results])} ms   "
            f"p99 {_spread([r[1] for r in results])} ms   "
            f"(min/median/max of {runs} runs x {queries} queries; load average {load})"
        )


def per_query(services: Services, label: str, repeats: int) -> None:
    """Print p50 and p99 of every `/search` query of SEARCHES, each run `repeats` times."""
    for query in SEARCHES:
        request = Request("console", "bench", "bench", "search", tuple(query.split()))

        def same(_rng: random.Random, request: Request = request) -> Request:
            return request

        p50, p99 = timed(services, same, repeats)
        print(f"{label:>16}  /search {query[:40]:<40} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")


def analyze(services: Services, skip: bool) -> None:
    """Refresh PostgreSQL's statistics after loading, as autovacuum would, and say so."""
    if not skip and services.db.analyze():
        print("statistics: VACUUM ANALYZE run after loading (--no-analyze to time without)")
    elif not services.db.is_sqlite:
        print("statistics: as left by loading (no VACUUM ANALYZE)")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("PAPERBOT_SHARED_DIR", ROOT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=shared)
    parser.add_argument("--database", default=None)
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3, help="runs per command and size (min/median/max)")
    parser.add_argument("--no-analyze", action="store_true", help="PostgreSQL: skip VACUUM ANALYZE")
    parser.add_argument("--import-runs", type=int, default=3, help="full imports, each into a fresh database")
    parser.add_argument("--import-only", action="store_true", help="time the imports only, no queries")
    parser.add_argument("--per-query", action="store_true", help="also time each /search query on its own")
    opts = parser.parse_args()
    corpus = opts.shared / "data" / "hf-daily-papers"
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    print(f"database: {opts.database or 'a temporary SQLite file'}")
    services, stored = import_runs(opts.database, corpus, max(1, opts.import_runs))
    if opts.import_only:
        drop_fresh(services)
        return
    days = sorted(dt.date.fromisoformat(p.stem) for p in corpus.glob("*.json"))
    analyze(services, opts.no_analyze)
    report(services, f"{stored} papers", days, opts.queries, opts.runs)
    if opts.per_query:
        per_query(services, f"{stored} papers", opts.queries // 10)
    start = time.perf_counter()
    total = grow(services, opts.synthetic, days)
    print(f"grow: to {total} papers in {time.perf_counter() - start:.1f} s")
    analyze(services, opts.no_analyze)
    report(services, f"{total} papers", days, opts.queries, opts.runs)
    if opts.per_query:
        per_query(services, f"{total} papers", opts.queries // 10)
    drop_fresh(services)


if __name__ == "__main__":
    main()
