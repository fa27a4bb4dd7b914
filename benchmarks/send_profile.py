"""Where the broadcast engine's CPU goes per message, against the fake Bot API in its own process.

Usage: python benchmarks/send_profile.py [--subscribers 2000] [--latency-ms 20] [--top 25]

Limits off. One broadcast is measured without the profiler (engine and fake server CPU µs per
message accepted by the server), then a second one runs under cProfile, with the database steps
run inline on the event loop so their cost shows in the profile, and the top functions by own
CPU time and by cumulative CPU time are printed as shares of the profiled CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sendbench import LOOP, FakeBotApi, Measured, Meter, load, planned, services_for  # noqa: E402

from bot import eventloop  # noqa: E402


async def send_once(api: FakeBotApi, workdir: Path, subscribers: int) -> tuple[Measured, Any]:
    """Plan one broadcast, then send it; the measurement and the engine."""
    bench = await planned(services_for(workdir, api.port, subscribers), pacing=False)
    with Meter(api) as meter:
        await bench.engine.run_pending()
    await bench.channel.aclose()
    return meter.result, bench


async def inline(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """asyncio.to_thread, but on the loop's thread: the profiler sees the database work."""
    return work(*args, **kwargs)


def label(func: tuple[str, int, str]) -> str:
    path, line, name = func
    short = "/".join(Path(path).parts[-2:]) if path != "~" else ""
    return f"{short}:{line}({name})" if short else name


def package(path: str) -> str:
    """The library (or this project's package) a profiled function belongs to."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    for root in ("bot", "handlers", "storage", "benchmarks", "asyncio", "json", "sqlite3"):
        if root in parts:
            return root
    return "builtins" if path == "~" else "stdlib (other)"


def report(stats: pstats.Stats, top: int) -> None:
    """Print the top functions by own CPU time and by cumulative CPU time, as shares of the total."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _cc, _nc, tt, _ct, _callers in entries.values()) or 1.0
    by_package: dict[str, float] = {}
    for (path, _line, _name), (_cc, _nc, tt, _ct, _callers) in entries.items():
        by_package[package(path)] = by_package.get(package(path), 0.0) + tt
    print("\nown CPU time by package:")
    for name, tt in sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[:12]:
        print(f"  {tt / total:6.1%}  {name}")
    for title, key in (("own time", 2), ("cumulative time", 3)):
        print(f"\ntop {top} by {title} (share of {total:.2f} s profiled):")
        ranked = sorted(entries.items(), key=lambda kv: kv[1][key], reverse=True)[:top]
        for func, (_cc, calls, tt, ct, _callers) in ranked:
            print(f"  own {tt / total:6.1%}  cum {ct / total:6.1%}  calls {calls:>8}  {label(func)}")


async def main() -> None:
    """Measure, then profile, one broadcast each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", help="also write the raw profile here (for snakeviz, pstats)")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    async with FakeBotApi(workdir, opts.latency_ms) as api:
        print(f"fake Bot API pid {api.pid}, {opts.latency_ms:.0f} ms/call, {opts.subscribers} subscribers")
        measured, _ = await send_once(api, workdir, opts.subscribers)
        print(
            f"unprofiled: {measured.messages} messages in {measured.seconds:.2f} s "
            f"= {measured.rate:,.0f} msg/s; "
            f"engine {measured.sender_us:,.0f} µs CPU/msg, fake server {measured.server_us:,.0f} µs CPU/msg; "
            f"load {load()}"
        )
        threaded = asyncio.to_thread
        asyncio.to_thread = inline  # type: ignore[assignment]
        profile = cProfile.Profile(time.thread_time)  # CPU time, not time spent waiting
        try:
            bench = await planned(services_for(workdir, api.port, opts.subscribers), pacing=False)
            with Meter(api) as meter:
                profile.enable()
                await bench.engine.run_pending()
                profile.disable()
            await bench.channel.aclose()
        finally:
            asyncio.to_thread = threaded  # type: ignore[assignment]
        print(f"profiled: {meter.result.messages} messages, engine {meter.result.sender_us:,.0f} µs CPU/msg")
    stats = pstats.Stats(profile)
    if opts.dump:
        stats.dump_stats(opts.dump)
    report(stats, opts.top)


if __name__ == "__main__":
    eventloop.run(main(), LOOP)
