"""Broadcast throughput against the fake Bot API server (its own process, 20 ms latency per call).

Usage: python benchmarks/broadcast.py [--subscribers 10000] [--latency-ms 20] [--common-sample 1000]

Prints (a) messages/s of the engine with limits off — its own ceiling; (b) achieved ÷ configured
rate with the real pacing, with global and per-chat violations counted from the server's log; and
(c) the same broadcast done the common way — a loop over `bot.send_message` through PTB's
AIORateLimiter — timed on a sample, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.bootstrap import open_database  # noqa: E402
from bot.broadcast.engine import BroadcastEngine  # noqa: E402
from bot.cli.demo import SAMPLE_DAY, sample_text  # noqa: E402
from bot.daily import DailyRun  # noqa: E402
from bot.fields import default_taxonomy  # noqa: E402
from bot.ingest import store_digest  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sources.markdown import parse_digest  # noqa: E402
from handlers.telegram.sender import TelegramChannel  # noqa: E402
from storage import subscribers  # noqa: E402
from tests.fakes.telegram_server import TOKEN  # noqa: E402
from tests.processes import read_log, start_fake_process, stop_process  # noqa: E402


def services_for(workdir: Path, port: int, chats: int, **settings: object) -> Services:
    """A fresh SQLite database with the sample day and `chats` private subscribers."""
    config = Settings(
        _env_file=None,
        database_url=f"sqlite:///{workdir / f'bench-{time.monotonic_ns()}.db'}",
        telegram_token=TOKEN,
        telegram_api_base=f"http://127.0.0.1:{port}/bot",
        **settings,
    )
    services = Services(db=open_database(config.database_url), settings=config, taxonomy=default_taxonomy())
    store_digest(services.db, parse_digest(sample_text(), SAMPLE_DAY), services.taxonomy, SAMPLE_DAY)
    with services.db.session() as session:
        for i in range(chats):
            subscribers.subscribe(session, "telegram", str(10_000_000 + i))
    return services


async def engine_run(services: Services, pacing: bool) -> tuple[int, float]:
    """One daily broadcast through the engine; (messages, seconds)."""
    channel = TelegramChannel(services.settings)
    engine = BroadcastEngine(services, {"telegram": channel}, "bench", pacing=pacing, concurrency=128)
    started = time.perf_counter()
    result = await DailyRun(services, {"telegram": channel}, engine)(SAMPLE_DAY, wait=True)
    seconds = time.perf_counter() - started
    await channel.aclose()
    return result.recipients, seconds


def violations(
    times: list[float], per_chat: dict[str, list[float]], rate: float, interval: float
) -> tuple[int, int]:
    """Sends beyond `rate` in any 1-second window, and per-chat gaps shorter than `interval`."""
    times = sorted(times)
    over = sum(1 for i, t in enumerate(times) if bisect.bisect_left(times, t + 1.0) - i > rate)
    close = 0
    for chat_times in per_chat.values():
        ordered = sorted(chat_times)
        close += sum(1 for a, b in itertools.pairwise(ordered) if b - a < interval)
    return over, close


async def common_way(port: int, chats: int, rate: float) -> float:
    """Messages/s of a plain loop over bot.send_message with PTB's AIORateLimiter."""
    bot = ExtBot(
        TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        rate_limiter=AIORateLimiter(overall_max_rate=rate, max_retries=3),
        request=HTTPXRequest(connection_pool_size=64),
    )
    text = "<b>paperbot</b> benchmark"
    async with bot:
        started = time.perf_counter()
        for i in range(chats):
            await bot.send_message(
                20_000_000 + i, text, parse_mode="HTML", link_preview_options={"is_disabled": True}
            )  # type: ignore[arg-type]
        return chats / (time.perf_counter() - started)


def accepted_since(log: Path, since: float) -> tuple[list[float], dict[str, list[float]]]:
    times, per_chat = [], defaultdict(list)
    for line in read_log(log):
        if "chat_id" in line and line["t"] >= since:
            times.append(line["t"])
            per_chat[str(line["chat_id"])].append(line["t"])
    return times, per_chat


async def main() -> None:
    """Run the three measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--common-sample", type=int, default=1000)
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    log = workdir / "witness.jsonl"
    fake, port = await start_fake_process(
        workdir, "--log", str(log), "--latency-ms", str(opts.latency_ms), "--max-lifetime", "1800"
    )
    try:
        print(
            f"fake Bot API on 127.0.0.1:{port}, {opts.latency_ms:.0f} ms per call, "
            f"{opts.subscribers} subscribers"
        )
        sent, seconds = await engine_run(services_for(workdir, port, opts.subscribers), pacing=False)
        ceiling = sent / seconds
        print(f"(a) engine, limits off:       {sent} messages in {seconds:.2f} s = {ceiling:,.0f} msg/s")
        for label, chats, extra in (
            ("paid broadcast, 1000/s", opts.subscribers, {"telegram_paid_broadcast": True}),
            ("default rate, 25/s", 500, {}),
        ):
            services = services_for(workdir, port, chats, **extra)
            rate = 1000.0 if extra else services.settings.telegram_rate
            since = time.time()
            sent, seconds = await engine_run(services, pacing=True)
            times, per_chat = accepted_since(log, since)
            over, close = violations(times, per_chat, rate, 1.0)
            achieved = (len(times) - 1) / (max(times) - min(times))
            print(
                f"(b) engine, {label:<22} {sent} messages, {achieved:,.1f} msg/s = {achieved / rate:.3f} "
                f"of the configured rate; global violations {over}, per-chat violations {close}"
            )
        common = await common_way(port, opts.common_sample, 1000.0)
        print(
            f"(c) loop over bot.send_message + AIORateLimiter: {common:,.0f} msg/s "
            f"(timed on {opts.common_sample} messages); engine ceiling is {ceiling / common:.1f}× that"
        )
    finally:
        await stop_process(fake)


if __name__ == "__main__":
    asyncio.run(main())
