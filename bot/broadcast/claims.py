"""Claims: the items dispatch hands over are claimed in one UPDATE per batch, then their sends start."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from bot.broadcast.dispatch import Dispatcher
from bot.broadcast.steps import LINGER, Sending, db_step, drain
from storage import outbox
from storage.outbox import OutboxItem

# Claims in the database at once. While one is there, items handed over meanwhile go in the
# next: on PostgreSQL a claim's commit takes several milliseconds, and every send waits for its
# claim. SQLite takes one writer at a time, so a second claim would only wait for its lock.
CLAIMS_AT_ONCE = 2


class Claimer:
    """Marks handed-over items in flight for this worker; only those it got are sent."""

    def __init__(
        self, sending: Sending, dispatcher: Dispatcher, start_send: Callable[[OutboxItem], None]
    ) -> None:
        self.sending, self.dispatcher, self.start_send = sending, dispatcher, start_send
        self.db = sending.services.db
        self.at_once = 1 if self.db.is_sqlite else CLAIMS_AT_ONCE
        self._claiming: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Claim what is queued, a batch at a time, until None arrives."""
        queue = self.dispatcher.claims
        taken = -math.inf
        while True:
            await self._fewer_than(self.at_once)
            # The linger counts from the previous batch: time spent claiming it counts too. (A
            # shorter one, 10 ms, made one sender about a tenth faster but two senders about a
            # quarter slower: twice as many claims, on cores the senders share with the database.)
            batch, done = await drain(queue, LINGER, since=taken)
            taken = time.monotonic()
            if batch:
                self._claiming.add(asyncio.create_task(self._claim(batch)))
            if done:
                await self._fewer_than(1)
                return

    async def _fewer_than(self, claims: int) -> None:
        """Wait until fewer than `claims` claims are in the database."""
        while len(self._claiming) >= claims:
            done, self._claiming = await asyncio.wait(self._claiming, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # (a failure ends the run, as when claims ran one by one)

    async def _claim(self, batch: list[OutboxItem]) -> None:
        ids = await db_step(self._mark, [i.outbox_id for i in batch], stopping=self.sending.stopping)
        for item in batch:
            if ids is not None and item.outbox_id in ids:
                self.start_send(item)
            else:  # claimed elsewhere, or the database gave up while stopping: not ours now
                self.dispatcher.not_ours(item)

    def _mark(self, ids: list[int]) -> set[int]:
        if self.db.is_sqlite:
            with self.db.engine.begin() as conn:  # one transaction, no ORM session
                return set(outbox.mark_in_flight(conn, ids, self.sending.worker_id))
        # One statement is atomic on its own: on PostgreSQL it runs without BEGIN and COMMIT, two
        # round trips fewer on every send's path. Its rows come back once it is committed.
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return set(outbox.mark_in_flight(conn, ids, self.sending.worker_id))
