"""What the loops of a platform run share: their settings, database steps retried with backoff, batches."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.broadcast.pacing import sleep_unless
from bot.services import Services

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 256
# Seconds a batch of claims or outcomes waits for more after its first item (claims: after the
# previous batch): at a high rate each database step then carries dozens of rows instead of one or
# two; at a paced rate it only delays a send that long. 20 ms rather than 5: fewer, larger claims
# and writes cut the CPU per message.
LINGER = 0.02
DB_RETRY_MAX_WAIT = 10.0


@dataclass(frozen=True)
class Sending:
    """What every platform run of an engine shares."""

    services: Services
    worker_id: str
    concurrency: int
    stopping: asyncio.Event
    may_send: Callable[[], bool] = lambda: True
    retry_until: float = math.inf  # monotonic time after which unsent or rate-limited rows fail

    def halted(self) -> bool:
        """Stop claiming: the process is stopping, or it no longer leads."""
        return self.stopping.is_set() or not self.may_send()


async def db_step(
    work: Callable[..., T], *args: object, stopping: asyncio.Event, tries: int | None = None
) -> T | None:
    """Run a database step in a thread, retrying with backoff; None when giving up.

    Gives up once stopping (after `tries` attempts if given): a broadcast never hangs on a
    database that went away, and what was not recorded is settled at the next start.
    """
    wait, attempt = 0.25, 0
    while True:
        attempt += 1
        try:
            return await asyncio.to_thread(work, *args)
        except Exception:
            log.exception("event=database-error step=%s attempt=%d", work.__name__, attempt)
        if (tries is None and stopping.is_set()) or (tries is not None and attempt >= tries):
            return None
        await sleep_unless(stopping if tries is None else None, wait)
        wait = min(wait * 2, DB_RETRY_MAX_WAIT)


async def first(*awaitables: Awaitable[object], timeout: float | None = None) -> int | None:
    """Index of the first awaitable to finish (the others are cancelled); None on timeout."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    winner = next((i for i, t in enumerate(tasks) if t in done), None)
    for i, task in enumerate(tasks):
        if i != winner:
            task.cancel()
    return winner


async def drain(queue: asyncio.Queue, linger: float = 0.0, since: float | None = None) -> tuple[list, bool]:
    """Wait for one item, then for more until `linger` seconds after `since` (monotonic; by default
    the first item's arrival), and take what is queued (up to BATCH). True once None arrived.
    """
    items, done = [], False
    item = await queue.get()
    if linger > 0 and item is not None and queue.qsize() < BATCH:
        wait = linger if since is None else since + linger - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
    while True:
        if item is None:
            done = True
        else:
            items.append(item)
        if len(items) >= BATCH or queue.empty():
            return items, done
        item = queue.get_nowait()
