"""Live terminal output for long verbs: progress bars and the broadcast's running tally.

Only when stderr is a terminal; without one the verbs print plain lines as before. `rich` is
imported inside the functions, so `paperbot --help` never loads it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")
CountsReader = Callable[[], "dict[str, int] | None"]


def terminal_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def track(items: Sequence[T], label: str, console: Console | None) -> Iterator[Iterable[T]]:
    """The items, with a bar on `console` that stays at the bottom while lines print above it."""
    if console is None:
        yield items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # stdout lines (one per day or file) scroll above the bar when stdout is the same terminal
    with Progress(*columns, console=console, redirect_stdout=sys.stdout.isatty()) as bar:
        yield bar.track(items, description=label)


def tally_line(counts: dict[str, int], elapsed: float) -> str:
    """`sent 120 · failed 0 · blocked 2 · left 880 · 24.0/s` for a broadcast's delivery counts."""
    sent, failed, blocked = counts.get("sent", 0), counts.get("failed", 0), counts.get("blocked", 0)
    left = counts.get("pending", 0)
    rate = sent / elapsed if elapsed > 0 else 0.0
    return f"sent {sent} · failed {failed} · blocked {blocked} · left {left} · {rate:.1f}/s"


async def watch_tally(read_counts: CountsReader, console: Console, interval: float = 0.5) -> None:
    """Redraw the tally line from `read_counts` every `interval` seconds until cancelled."""
    import asyncio

    from rich.live import Live
    from rich.text import Text

    start = time.monotonic()

    def show(counts: dict[str, int] | None) -> None:
        if counts is not None:
            live.update(Text(tally_line(counts, time.monotonic() - start)), refresh=True)

    with Live(Text("starting…"), console=console, redirect_stdout=sys.stdout.isatty()) as live:
        try:
            while True:
                show(await asyncio.to_thread(read_counts))
                await asyncio.sleep(interval)
        finally:
            show(read_counts())  # the final counts stay on screen


@asynccontextmanager
async def tally_task(read_counts: CountsReader, console: Console | None) -> AsyncIterator[None]:
    """Show `watch_tally` while the block runs (on the running event loop)."""
    import asyncio

    if console is None:
        yield
        return
    task = asyncio.get_running_loop().create_task(watch_tally(read_counts, console))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
