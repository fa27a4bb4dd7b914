"""Dispatch: outbox items leave in order, each after its chat's interval, a global slot and a free place."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Sequence

from bot.broadcast.pacing import Pacer
from bot.broadcast.pages import PendingPages
from bot.broadcast.steps import Sending, db_step, first
from storage.outbox import OutboxItem

# The next page is read once fewer items than this × concurrency are queued. It is read in the
# background: reading and building a page of rows takes tens of milliseconds, items keep going.
REFILL_PER_PLACE = 4


class Dispatcher:
    """A heap of items by the time they may go, handed to the claimer one at a time.

    A subscriber's parts go one after another: the next waits until the previous one is settled.
    """

    def __init__(
        self,
        sending: Sending,
        pacer: Pacer,
        claims: asyncio.Queue[OutboxItem | None],
        pages: PendingPages | None = None,
    ) -> None:
        self.sending, self.pacer, self.claims, self.pages = sending, pacer, claims, pages
        self.moved: dict[str, str] = {}  # old chat id -> new one (a group became a supergroup)
        self.open = 0  # items not yet settled
        self._heap: list[tuple[float, int, OutboxItem]] = []
        self._later: dict[int, list[OutboxItem]] = {}  # subscriber -> parts waiting for the previous one
        self._seq = itertools.count()
        self._in_flight = 0  # places taken of `concurrency`
        self._room: asyncio.Future[None] | None = None  # the dispatcher waits for a place on it
        self._settled = asyncio.Event()
        self._reading: asyncio.Task[None] | None = None  # the next page, being read

    def load(self, items: Sequence[OutboxItem]) -> None:
        """Queue `items` (ordered by subscriber, then part): each chat's first part is ready now."""
        for item in items:
            if item.subscriber_id in self._later:
                self._later[item.subscriber_id].append(item)
            else:
                self._later[item.subscriber_id] = []
                self.push(item, 0.0)
        self.open += len(items)

    def push(self, item: OutboxItem, ready_at: float) -> None:
        """Queue `item` to go at `ready_at` (monotonic), or later when its chat needs the time."""
        ready_at = max(ready_at, self.pacer.chat_ready_at(self.chat(item)))
        heapq.heappush(self._heap, (ready_at, next(self._seq), item))

    def chat(self, item: OutboxItem) -> str:
        """The chat `item` goes to now (its new id once a group moved)."""
        return self.moved.get(item.chat_id, item.chat_id)

    async def run(self) -> None:
        """Hand items to the claimer in order, each after its chat interval and a global slot."""
        watch = asyncio.ensure_future(self._wake_on_stop())
        try:
            await self._run()
        finally:
            watch.cancel()
            if self._reading is not None:  # (a read-only step: its rows stay pending)
                self._reading.cancel()

    async def _run(self) -> None:
        while (self.open > 0 or self._more()) and not self.sending.halted():
            if self._reading is None and self._unread() and len(self._heap) < self._low_water():
                self._reading = asyncio.ensure_future(self._refill())
            if not self._heap:
                await self._wait_settled(0.5)
                continue
            ready_at, _, item = self._heap[0]
            if (wait := ready_at - time.monotonic()) > 0:
                await self._wait_settled(wait)
                continue
            heapq.heappop(self._heap)  # (left pending in storage if the run ends before claiming it)
            if not await self.pacer.slot(self.sending.stopping) or not await self._take_gate():
                return
            if self.sending.halted():  # lost the lead (or told to stop) while waiting
                self.release()
                return
            await self.claims.put(item)

    def _more(self) -> bool:
        """Rows are still to come: a page is being read, or is left to read."""
        return self._reading is not None or self._unread()

    def _unread(self) -> bool:
        return self.pages is not None and not self.pages.done

    def _low_water(self) -> int:
        return REFILL_PER_PLACE * self.sending.concurrency

    async def _refill(self) -> None:
        """Queue the next page of pending rows (none when the database gives up while stopping)."""
        assert self.pages is not None
        try:
            page = await db_step(self.pages.next, stopping=self.sending.stopping)
            if page is None:
                self.pages = None
            else:
                self.load(page)
        finally:
            self._reading = None
            self.wake()

    async def _wait_settled(self, timeout: float) -> None:
        self._settled.clear()
        await first(self._settled.wait(), self.sending.stopping.wait(), timeout=timeout)

    async def _take_gate(self) -> bool:
        """One of `concurrency` places for a send in flight; False when stopping first."""
        while self._in_flight >= self.sending.concurrency:
            if self.sending.stopping.is_set():
                return False
            self._room = asyncio.get_running_loop().create_future()
            try:
                await self._room
            finally:
                self._room = None
        self._in_flight += 1
        return True

    async def _wake_on_stop(self) -> None:
        await self.sending.stopping.wait()
        self._wake_room()

    def _wake_room(self) -> None:
        if self._room is not None and not self._room.done():
            self._room.set_result(None)

    def release(self) -> None:
        """Give back the place in flight of a send that ended (or never started)."""
        self._in_flight -= 1
        self._wake_room()

    def not_ours(self, item: OutboxItem) -> None:
        """`item` was claimed elsewhere: it and its later parts are no longer this run's."""
        self.release()
        self.open -= len(self._later.pop(item.subscriber_id, []))
        self.settle()

    def settle(self) -> None:
        """One item reached a final state."""
        self.open -= 1
        self._settled.set()

    def next_part(self, item: OutboxItem, blocked: bool) -> None:
        """After a settled part: queue the subscriber's next one, or drop the rest once it is blocked."""
        waiting = self._later.get(item.subscriber_id)
        if waiting and not blocked:
            self.push(waiting.pop(0), 0.0)
        elif waiting:
            self.open -= len(self._later.pop(item.subscriber_id))
        else:  # its last part: forget the subscriber
            self._later.pop(item.subscriber_id, None)

    def wake(self) -> None:
        """Something changed (an item settled or came back): look at the heap again."""
        self._settled.set()
