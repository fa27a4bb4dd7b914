"""One large broadcast with 1 and N sender processes, against the fake Bot API server (its own process).

Usage: python benchmarks/broadcast_scale.py [--subscribers 100000] [--senders 1,2] [--database URL]
                                            [--latency-ms 20] [--concurrency 128]

`--database` is a scratch database: its subscribers, broadcasts and outbox rows are replaced
(default: a new SQLite file). Limits are off (no pacing). Each run plans the daily broadcast in a
process of its own, then starts N sender processes, each sending its share of the rows (subscriber
id modulo N), as `paperbot run --senders N` does. Printed per run: wall, plan and send time, rows/s,
the peak RSS of every process, what the fake server received and whether every subscriber got
exactly one message; then the speed-up from 1 to N senders. The load average goes with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sendbench import FIRST_CHAT, LOOP, add_sample, fake_bot_services, load  # noqa: E402
from sqlalchemy import delete, text  # noqa: E402

from bot import eventloop  # noqa: E402
from bot.broadcast.engine import BroadcastEngine  # noqa: E402
from bot.cli.demo import SAMPLE_DAY  # noqa: E402
from bot.daily import DailyRun  # noqa: E402
from bot.services import Services  # noqa: E402
from handlers.telegram.sender import TelegramChannel  # noqa: E402
from storage.tables import Broadcast, BroadcastPart, OutboxRow, Subscriber  # noqa: E402
from tests.processes import start_fake_process, stop_process  # noqa: E402


def services_for(url: str, port: int, migrate: bool = False) -> Services:
    """Services over `url` whose Telegram is the fake server on `port`."""
    return fake_bot_services(url, port, migrate=migrate)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    Linux's VmHWM, of this program only: getrusage's ru_maxrss survives exec, so a child would
    report its parent's peak at the fork when that was higher.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(services: Services, chats: int) -> None:
    """The sample day and `chats` private Telegram subscribers; nothing else."""
    with services.db.session() as session:
        if services.db.is_sqlite:
            for table in (OutboxRow, BroadcastPart, Broadcast, Subscriber):
                session.execute(delete(table))
        else:  # row by row, each subscriber's references would be looked for
            session.execute(text("TRUNCATE outbox, broadcast_parts, broadcasts, subscribers CASCADE"))
    add_sample(services, chats)


def forget_broadcasts(services: Services) -> None:
    """Every subscriber is due the sample day's digest again."""
    with services.db.session() as session:
        for table in (OutboxRow, BroadcastPart, Broadcast):
            session.execute(delete(table))


async def plan_role(url: str, port: int) -> dict[str, object]:
    """Create the daily broadcast (not sent); its id, recipients, seconds and peak RSS."""
    services = services_for(url, port)
    channel = TelegramChannel(services.settings)
    engine = BroadcastEngine(services, {"telegram": channel}, "bench-plan", pacing=False)
    started = time.perf_counter()
    result = await DailyRun(services, {"telegram": channel}, engine)(SAMPLE_DAY, wait=False)
    seconds = time.perf_counter() - started
    await channel.aclose()
    return {
        "broadcast": result.broadcast_id,
        "recipients": result.recipients,
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
    }


async def send_role(url: str, port: int, broadcast_id: int, share: tuple[int, int], concurrency: int) -> dict:
    """Send one share of the broadcast; seconds, counts and peak RSS."""
    services = services_for(url, port)
    channel = TelegramChannel(services.settings)
    engine = BroadcastEngine(
        services,
        {"telegram": channel},
        f"bench-sender-{share[0]}",
        pacing=False,
        concurrency=concurrency,
        share=share,
    )
    started = time.perf_counter()
    counts = await engine.send_broadcast(broadcast_id)
    seconds = time.perf_counter() - started
    await channel.aclose()
    return {"share": share[0], "seconds": seconds, "counts": counts, "rss_mb": peak_rss_mb()}


async def child(*args: str) -> tuple[asyncio.subprocess.Process, asyncio.Task[bytes]]:
    """This script in another process, in one of its roles; the task reads its JSON answer."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    return proc, asyncio.create_task(proc.stdout.read())


async def answer(proc: asyncio.subprocess.Process, output: asyncio.Task[bytes]) -> dict:
    text = await output
    code = await proc.wait()
    assert code == 0, f"a child process failed ({code})"
    return json.loads(text.decode().strip().splitlines()[-1])


def received_since(log: Path, offset: int) -> tuple[Counter[str], int]:
    """Messages per chat the fake server logged after byte `offset`, and the log's end now."""
    received: Counter[str] = Counter()
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if "chat_id" in record:
                    received[str(record["chat_id"])] += 1
        return received, lines.tell()


def load_text() -> str:
    """The load averages, for a figure's line."""
    return f"load {load().replace('/', ' ')}"


async def one_run(opts: argparse.Namespace, port: int, log: Path, senders: int) -> dict[str, float]:
    """Plan, then send with `senders` processes; prints and returns its figures."""
    _, before = received_since(log, 0)
    load_before = load_text()
    started = time.perf_counter()
    proc, out = await child("--role", "plan", "--database", opts.database, "--port", str(port))
    planned = await answer(proc, out)
    planned_at = time.perf_counter()
    runs = [
        await child(
            "--role",
            "send",
            "--database",
            opts.database,
            "--port",
            str(port),
            "--broadcast",
            str(planned["broadcast"]),
            "--share",
            f"{i}/{senders}",
            "--concurrency",
            str(opts.concurrency),
        )
        for i in range(senders)
    ]
    sent = [await answer(proc, out) for proc, out in runs]
    done = time.perf_counter()
    received, _ = received_since(log, before)
    expected = {str(FIRST_CHAT + i) for i in range(opts.subscribers)}
    exactly_once = set(received) == expected and set(received.values()) == {1}
    wall, plan, send = done - started, planned_at - started, done - planned_at
    rows = int(planned["recipients"])
    print(f"senders={senders}: wall {wall:.1f} s = plan {plan:.1f} s + send {send:.1f} s ({load_before})")
    print(
        f"  plan: {planned['seconds']:.1f} s inside the planner, {rows / planned['seconds']:,.0f} rows/s, "
        f"peak RSS {planned['rss_mb']:.0f} MB"
    )
    for s in sent:
        print(
            f"  sender {s['share']}/{senders}: {s['seconds']:.1f} s, {s['counts'].get('sent', 0)} sent of "
            f"the broadcast so far, peak RSS {s['rss_mb']:.0f} MB"
        )
    print(
        f"  send: {rows / send:,.0f} rows/s; fake server received {sum(received.values())} messages "
        f"for {len(received)} chats; every subscriber exactly once: {'yes' if exactly_once else 'NO'}"
    )
    print(f"  after: {load_text()}")
    return {"wall": wall, "plan": plan, "send": send}


async def main(opts: argparse.Namespace) -> None:
    """Load the subscribers once, then one broadcast per sender count."""
    workdir = Path(tempfile.mkdtemp())
    opts.database = opts.database or f"sqlite:///{workdir / 'scale.db'}"
    log = workdir / "witness.jsonl"
    fake, port = await start_fake_process(
        workdir, "--log", str(log), "--latency-ms", str(opts.latency_ms), "--max-lifetime", "7200"
    )
    try:
        setup = services_for(opts.database, port, migrate=True)
        started = time.perf_counter()
        fill(setup, opts.subscribers)
        backend = setup.db.engine.dialect.name
        print(
            f"{backend}: {opts.subscribers} subscribers loaded in {time.perf_counter() - started:.1f} s; "
            f"fake Bot API on 127.0.0.1:{port}, {opts.latency_ms:.0f} ms per call; limits off; "
            f"{os.cpu_count()} cores"
        )
        figures: dict[int, dict[str, float]] = {}
        for senders in opts.senders:
            forget_broadcasts(setup)
            figures[senders] = await one_run(opts, port, log, senders)
        setup.db.dispose()
        if len(figures) > 1:
            first = min(figures)
            for n, f in sorted(figures.items()):
                if n != first:
                    print(
                        f"speed-up {first} -> {n} senders: send {figures[first]['send'] / f['send']:.2f}x, "
                        f"wall {figures[first]['wall'] / f['wall']:.2f}x ({load_text()})"
                    )
    finally:
        await stop_process(fake)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--senders", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--database", default=None, help="a scratch database URL (default: new SQLite)")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=128, help="sends in flight per process")
    parser.add_argument("--role", choices=["main", "plan", "send"], default="main", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--broadcast", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--share", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    options = parse()
    if options.role == "plan":
        print(json.dumps(eventloop.run(plan_role(options.database, options.port), LOOP)))
    elif options.role == "send":
        index, of = map(int, options.share.split("/"))
        figures = eventloop.run(
            send_role(options.database, options.port, options.broadcast, (index, of), options.concurrency),
            LOOP,
        )
        print(json.dumps(figures))
    else:
        eventloop.run(main(options), LOOP)
