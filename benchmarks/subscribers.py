"""Time `paperbot subscribers add|remove --from-file` with many ids, and the one-id-at-a-time path.

Usage: python benchmarks/subscribers.py [--database URL] [--ids 100000] [--old-ids 10000] [--runs 3]

Each run writes a file of generated Telegram chat ids, adds them through the CLI (in-process, as
`paperbot subscribers add telegram --from-file FILE` runs) into an empty database, then removes
them the same way. For comparison, the one-id functions (`subscribe` / `unsubscribe` in a loop, in
one session, as the CLI did before) on --old-ids ids into another empty database. Prints
min/median/max seconds over the runs and the load average. Uses a temporary SQLite file per run
unless --database is given; on PostgreSQL each run gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bot.bootstrap import open_database  # noqa: E402
from bot.cli.app import main  # noqa: E402
from storage import subscribers  # noqa: E402

Timings = dict[str, list[float]]


@contextlib.contextmanager
def empty_database(url: str | None, workdir: Path) -> Iterator[str]:
    """The URL of a migrated, empty database: a new SQLite file, or a new schema on `url`."""
    if url is None or url.startswith("sqlite"):
        path = workdir / f"{uuid.uuid4().hex[:8]}.db"
        open_database(f"sqlite:///{path}").dispose()
        yield f"sqlite:///{path}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{schema},public"
    open_database(scoped).dispose()
    try:
        yield scoped
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def cli(url: str, *args: str) -> dict[str, object]:
    """Run `paperbot ARGS --format json` in-process against `url`; its JSON answer."""
    os.environ["PAPERBOT_DATABASE_URL"] = url
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--format", "json"])
    if code != 0:
        raise SystemExit(f"paperbot {' '.join(args)} exited {code}")
    answer: dict[str, object] = json.loads(out.getvalue())
    return answer


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bulk_run(url: str | None, workdir: Path, ids: list[str], timings: Timings) -> None:
    """Add the ids from a file through the CLI, then remove them the same way."""
    path = workdir / "ids.txt"
    path.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    with empty_database(url, workdir) as db_url:
        seconds, added = timed(
            lambda: cli(db_url, "subscribers", "add", "telegram", "--from-file", str(path))
        )
        assert isinstance(added, dict) and added["added"] == len(ids), added
        timings["add"].append(seconds)
        seconds, removed = timed(
            lambda: cli(db_url, "subscribers", "remove", "telegram", "--from-file", str(path))
        )
        assert isinstance(removed, dict) and removed["removed"] == len(ids), removed
        timings["remove"].append(seconds)


def one_by_one_run(url: str | None, workdir: Path, ids: list[str], timings: Timings) -> None:
    """The one-id functions in a loop, in one session each for adding and for removing."""
    with empty_database(url, workdir) as db_url:
        db = open_database(db_url, migrate=False)
        try:

            def add() -> None:
                with db.session() as session:
                    for chat_id in ids:
                        kind = subscribers.guess_chat_kind("telegram", chat_id)
                        subscribers.subscribe(session, "telegram", chat_id, kind)

            def remove() -> None:
                with db.session() as session:
                    for chat_id in ids:
                        subscribers.unsubscribe(session, "telegram", chat_id, "removed by admin")

            timings["one-by-one add"].append(timed(add)[0])
            timings["one-by-one remove"].append(timed(remove)[0])
        finally:
            db.dispose()


def generated_ids(count: int, seed: int) -> list[str]:
    """Distinct Telegram chat ids: private chats, groups and channels."""
    shapes = ("{}", "-{}", "-100{}")
    return [shapes[i % 3].format(7_000_000_000 + seed * 10_000_000 + i) for i in range(count)]


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--ids", type=int, default=100_000)
    parser.add_argument("--old-ids", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    timings: Timings = {"add": [], "remove": [], "one-by-one add": [], "one-by-one remove": []}
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for run in range(args.runs):
            bulk_run(args.database, workdir, generated_ids(args.ids, run), timings)
            one_by_one_run(args.database, workdir, generated_ids(args.old_ids, run), timings)
    backend = "SQLite" if args.database is None or args.database.startswith("sqlite") else "PostgreSQL"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{backend}, {args.runs} runs, min / median / max seconds "
        f"(load average {load_at_start:.2f} at the start; {load} at the end):"
    )
    for label, seconds in timings.items():
        count = args.old_ids if label.startswith("one-by-one") else args.ids
        seconds.sort()
        print(
            f"  {label:<18} {count:>7,} ids  {seconds[0]:7.2f} / {statistics.median(seconds):7.2f} / "
            f"{seconds[-1]:7.2f} s  ({count / statistics.median(seconds):,.0f} ids/s)"
        )


if __name__ == "__main__":
    main_()
