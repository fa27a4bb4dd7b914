"""Time `paperbot import` of one markdown digest of N cards, on SQLite and PostgreSQL.

Usage: python benchmarks/import_scale.py [--cards 10000 100000] [--runs 3] [--postgres URL]

For each size it writes a '## 제목:' card digest of N made-up papers into a temporary folder, then
runs `python -m bot import FILE --date D` as a user would (a new process: start-up and migrations
included) into an empty database, `--runs` times per database: a new SQLite file each run and,
with --postgres (or PAPERBOT_BENCH_POSTGRES_URL), a new schema on that server each run. Prints
min / median / max seconds and the machine's load average before each size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["언어 모델", "자연어 처리", "컴퓨터 비전", "강화 학습", "추론", "효율화·경량화", "생성 모델"]
DAY = "2025-02-11"


def card(n: int) -> str:
    """One card of made-up paper number `n` (ids 2501.00000 onwards, 100,000 per month)."""
    paper_id = f"25{1 + n // 100_000:02d}.{n % 100_000:05d}"
    fields = ", ".join(FIELDS[(n + k) % len(FIELDS)] for k in range(1 + n % 3))
    return (
        f"## 제목: Synthetic Paper {n}: Sparse Lanterns for Long Documents\n\n"
        f"**요약**: 이 논문은 긴 문서를 읽는 언어 모델의 계산을 줄이는 방법 {n}번을 제안합니다.\n"
        "실험에서 기존 방법보다 빠르고 정확했습니다.\n\n"
        f"**쉬운설명**: 긴 책을 빨리 읽는 인공지능을 만들었어요. 방법 {n}번이랍니다.\n\n"
        f"**관련분야**: {fields}\n\n"
        f"**추천수**: {(n * 37) % 500}\n\n"
        f"**PDF 다운로드 링크**: [PDF](https://arxiv.org/pdf/{paper_id})\n\n---\n\n"
    )


def write_digest(folder: Path, cards: int) -> Path:
    """A digest file of `cards` cards in `folder`."""
    path = folder / f"digest_{cards}.md"
    with path.open("w", encoding="utf-8") as out:
        for n in range(cards):
            out.write(card(n))
    return path


def run_import(url: str, path: Path) -> float:
    """Seconds one `paperbot import` takes; fails loudly when the import fails."""
    env = {**os.environ, "PAPERBOT_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(path), "--date", DAY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return elapsed


@contextmanager
def sqlite_url(folder: Path) -> Iterator[str]:
    """A new SQLite file."""
    path = folder / f"bench_{uuid.uuid4().hex[:8]}.db"
    yield f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_url(server: str) -> Iterator[str]:
    """A new schema on the PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def measure(name: str, path: Path, runs: int, folder: Path, postgres: str | None) -> None:
    """Print min / median / max of `runs` imports of `path` into a new database."""
    times: list[float] = []
    for _ in range(runs):
        with sqlite_url(folder) if postgres is None else postgres_url(postgres) as url:
            times.append(run_import(url, path))
    print(
        f"  {name:<10} min {min(times):6.2f} s   median {statistics.median(times):6.2f} s   "
        f"max {max(times):6.2f} s   ({', '.join(f'{t:.2f}' for t in times)})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--cards", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("PAPERBOT_BENCH_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paperbot-import-") as tmp:
        folder = Path(tmp)
        for cards in args.cards:
            path = write_digest(folder, cards)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            size = path.stat().st_size / 2**20
            print(f"{cards:,} cards ({size:.1f} MiB), {args.runs} runs, load average {load}:", flush=True)
            if not args.no_sqlite:
                measure("SQLite", path, args.runs, folder, None)
            if args.postgres:
                measure("PostgreSQL", path, args.runs, folder, args.postgres)
            path.unlink()


if __name__ == "__main__":
    main()
