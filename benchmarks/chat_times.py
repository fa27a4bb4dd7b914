"""Time the scheduler's minute tick with many chats at their own times (the query and the slot math).

Usage: python benchmarks/chat_times.py [--chats 10000] [--times 96] [--runs 20] [--postgres URL]

Subscribes `--chats` chats spread over `--times` distinct times (plus a weekly tenth) into a new
SQLite file (and, with --postgres or PAPERBOT_BENCH_POSTGRES_URL, a new schema on that server),
then times `subscribers.schedule_times` + `due_slots` as the tick runs them, `--runs` times.
Prints min / median / max milliseconds and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from bot.scheduler import due_slots  # noqa: E402
from storage import subscribers  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables import Subscriber  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")


def fill(db: Database, chats: int, times: int) -> None:
    """`chats` active subscribers, chat i at minute (i % times) * 15 of the day; every tenth weekly."""
    rows = [
        {
            "platform": "telegram",
            "chat_id": str(100_000 + i),
            "chat_kind": "private",
            "active": True,
            "daily": True,
            "weekly": i % 10 == 0,
            "digest_time": dt.time((i % times) * 15 // 60 % 24, (i % times) * 15 % 60),
        }
        for i in range(chats)
    ]
    with db.session() as session:
        session.execute(insert(Subscriber), rows)


def tick_ms(db: Database) -> float:
    start = time.perf_counter()
    with db.session() as session:
        daily, weekly = subscribers.schedule_times(session)
    now = dt.datetime(2025, 2, 17, 9, 0, tzinfo=SEOUL)
    nine = dt.time(9, 0)
    due_slots(now, SEOUL, {t or nine for t in daily | {None}}, {t or nine for t in weekly})
    return (time.perf_counter() - start) * 1000


def measure(name: str, db: Database, args: argparse.Namespace) -> None:
    upgrade(db)
    fill(db, args.chats, args.times)
    tick_ms(db)  # warm-up
    runs = [tick_ms(db) for _ in range(args.runs)]
    print(
        f"{name}: {args.chats} chats, {args.times} times: tick min {min(runs):.2f} ms, "
        f"median {statistics.median(runs):.2f} ms, max {max(runs):.2f} ms ({args.runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--times", type=int, default=96)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("PAPERBOT_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            measure("sqlite", db, args)
        finally:
            db.dispose()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        db = Database(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
        try:
            measure("postgresql", db, args)
        finally:
            db.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
