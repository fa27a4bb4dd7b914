"""Broadcast throughput and CPU per message against the fake Bot API server (its own process).

Usage: python benchmarks/broadcast.py [--subscribers 2000] [--runs 3] [--latency-ms 20]
       [--sequential-sample 300] [--paid-subscribers 2000] [--default-rate-chats 500]

Prints, in one run, with the load average:
(a) the engine with limits off, and two peers sending the same digest parts with PTB:
    the sequential loop over `bot.send_message`, and `asyncio.gather` over `bot.send_message`
    under an `asyncio.Semaphore(128)` with PTB's AIORateLimiter (its limits off) and a pool of
    128 connections. For each: messages the fake server accepted, msg/s, CPU µs per message of
    the sender and of the fake server, min/median/max over `--runs` runs; and the ratio of the
    engine to the concurrent peer. The engine's figures cover sending (claims, requests,
    outcomes); planning the broadcast (writing the outbox) is printed apart.
(b) the engine with real pacing: achieved ÷ configured rate at the paid-broadcast rate (1000/s)
    and at the default 25/s, with global and per-chat violations counted from the server's log.

With --scale, the run is `broadcast_scale.py` instead (its options follow): one large broadcast,
e.g. `--scale --subscribers 100000 --senders 1,2 [--database URL]`: wall, planning and sending
time, peak RSS per process, and whether every subscriber got exactly one message.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import runpy
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sendbench import LOOP, TOKEN, FakeBotApi, Measured, Meter, load, planned, services_for  # noqa: E402
from telegram import Bot, LinkPreviewOptions  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot import eventloop  # noqa: E402
from handlers.telegram.sender import TelegramMessage, as_message  # noqa: E402
from handlers.telegram.updates import inline_keyboard  # noqa: E402
from storage import broadcasts, outbox  # noqa: E402

CONCURRENCY = 128
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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


async def engine_once(api: FakeBotApi, workdir: Path, chats: int) -> tuple[Measured, float, list]:
    """One daily broadcast through the engine, limits off: (sending, planning CPU s, the parts)."""
    services = services_for(workdir, api.port, chats)
    cpu = time.process_time()
    bench = await planned(services, pacing=False)
    plan_cpu = time.process_time() - cpu
    with services.db.session() as session:
        [broadcast_id] = broadcasts.unfinished(session)
        parts = [p for _, p in sorted(outbox.payloads(session, broadcast_id).items())]
    with Meter(api) as meter:
        await bench.engine.run_pending()
    await bench.channel.aclose()
    services.db.dispose()
    return meter.result, plan_cpu, [as_message(p) for p in parts]


async def send(bot: Bot, chat_id: int, message: TelegramMessage) -> None:
    """What a careful user writes: one send_message with the part's text and buttons."""
    await bot.send_message(
        chat_id,
        message.text,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=inline_keyboard(message.buttons),
    )


async def sequential_peer(api: FakeBotApi, chats: int, parts: Sequence[TelegramMessage]) -> Measured:
    """A loop over bot.send_message, one chat after another."""
    async with Bot(TOKEN, base_url=f"http://127.0.0.1:{api.port}/bot") as bot:
        with Meter(api) as meter:
            for i in range(chats):
                for message in parts:
                    await send(bot, 20_000_000 + i, message)
    return meter.result


async def concurrent_peer(api: FakeBotApi, chats: int, parts: Sequence[TelegramMessage]) -> Measured:
    """asyncio.gather over bot.send_message, 128 at a time, through PTB's AIORateLimiter (limits off)."""
    bot = ExtBot(
        TOKEN,
        base_url=f"http://127.0.0.1:{api.port}/bot",
        rate_limiter=AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=0),
        request=HTTPXRequest(connection_pool_size=CONCURRENCY),
    )
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one_chat(chat_id: int) -> None:
        async with gate:
            for message in parts:
                await send(bot, chat_id, message)

    async with bot:
        with Meter(api) as meter:
            await asyncio.gather(*(one_chat(30_000_000 + i) for i in range(chats)))
    return meter.result


def spread(values: Sequence[float], fmt: str = ",.0f") -> str:
    """min/median/max."""
    return "/".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def line(label: str, runs: Sequence[Measured]) -> str:
    """One sender's figures over its runs (min/median/max)."""
    field: Callable[[Callable[[Measured], float]], str] = lambda f: spread([f(r) for r in runs])  # noqa: E731
    return (
        f"  {label:<34} msgs {field(lambda r: r.messages)}  msg/s {field(lambda r: r.rate)}  "
        f"sender µs/msg {field(lambda r: r.sender_us)}  server µs/msg {field(lambda r: r.server_us)}"
    )


async def limits_off(api: FakeBotApi, workdir: Path, opts: argparse.Namespace) -> None:
    """(a): the engine and both peers, `--runs` times each, interleaved."""
    engine, sequential, concurrent, plans = [], [], [], []
    for run in range(opts.runs):
        measured, plan_cpu, parts = await engine_once(api, workdir, opts.subscribers)
        engine.append(measured)
        plans.append(plan_cpu / max(measured.messages, 1) * 1e6)
        sequential.append(await sequential_peer(api, opts.sequential_sample, parts))
        concurrent.append(await concurrent_peer(api, opts.subscribers, parts))
        print(f"  run {run + 1}/{opts.runs} done, load {load()}", flush=True)
    print(f"(a) limits off, min/median/max over {opts.runs} runs ({len(parts)} part(s) per chat):")
    print(line("engine", engine))
    print(line(f"sequential send_message ({opts.sequential_sample})", sequential))
    print(line("gather + Semaphore(128) + limiter", concurrent))
    rate = statistics.median(r.rate for r in engine) / statistics.median(r.rate for r in concurrent)
    cpu = statistics.median(r.sender_us for r in engine) / statistics.median(r.sender_us for r in concurrent)
    print(f"  engine ÷ concurrent peer (medians): msg/s {rate:.2f}×, sender CPU per message {cpu:.2f}×")
    print(f"  engine planning (outbox written), not counted above: {spread(plans)} µs CPU/msg")


async def paced(api: FakeBotApi, workdir: Path, opts: argparse.Namespace) -> None:
    """(b): the engine with real pacing, at the paid-broadcast rate and at the default rate."""
    for label, chats, extra in (
        ("paid broadcast, 1000/s", opts.paid_subscribers, {"telegram_paid_broadcast": True}),
        ("default rate, 25/s", opts.default_rate_chats, {}),
    ):
        services = services_for(workdir, api.port, chats, **extra)
        rate = 1000.0 if extra else services.settings.telegram_rate
        bench = await planned(services, pacing=True)
        with Meter(api) as meter:
            await bench.engine.run_pending()
        await bench.channel.aclose()
        times, per_chat = api.accepted_since(meter.since)
        over, close = violations(times, per_chat, rate, 1.0)
        achieved = (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 else 0.0
        print(
            f"(b) engine, {label:<22} {len(times)} messages, {achieved:,.1f} msg/s = {achieved / rate:.3f} "
            f"of the configured rate; global violations {over}, per-chat violations {close}; "
            f"engine {meter.result.sender_us:,.0f} µs CPU/msg; load {load()}"
        )


def options() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000, help="chats of the limits-off runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="the fake server's answer delay")
    parser.add_argument("--sequential-sample", type=int, default=300, help="chats of the sequential peer")
    parser.add_argument("--paid-subscribers", type=int, default=2000, help="chats of the 1000/s check")
    parser.add_argument("--default-rate-chats", type=int, default=500, help="chats of the 25/s check")
    return parser.parse_args()


async def main() -> None:
    """Run every measurement against one fake server and print the figures."""
    opts = options()
    workdir = Path(tempfile.mkdtemp())
    async with FakeBotApi(workdir, opts.latency_ms) as api:
        print(
            f"fake Bot API on 127.0.0.1:{api.port} (pid {api.pid}), {opts.latency_ms:.0f} ms per call, "
            f"{opts.subscribers} subscribers; load {load()}",
            flush=True,
        )
        await limits_off(api, workdir, opts)
        await paced(api, workdir, opts)
    print(f"load {load()}")


if __name__ == "__main__":
    if "--scale" in sys.argv:
        sys.argv.remove("--scale")
        runpy.run_path(str(Path(__file__).with_name("broadcast_scale.py")), run_name="__main__")
    else:
        eventloop.run(main(), LOOP)
