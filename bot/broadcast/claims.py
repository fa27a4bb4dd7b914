"""Claims: the items dispatch hands over are claimed in one UPDATE per batch, then their sends start."""

from __future__ import annotations

from collections.abc import Callable

from bot.broadcast.dispatch import Dispatcher
from bot.broadcast.steps import LINGER, Sending, db_step, drain
from storage import outbox
from storage.outbox import OutboxItem


class Claimer:
    """Marks handed-over items in flight for this worker; only those it got are sent."""

    def __init__(
        self, sending: Sending, dispatcher: Dispatcher, start_send: Callable[[OutboxItem], None]
    ) -> None:
        self.sending, self.dispatcher, self.start_send = sending, dispatcher, start_send
        self.db = sending.services.db

    async def run(self) -> None:
        """Claim what is queued, a batch at a time, until None arrives."""
        queue = self.dispatcher.claims
        while True:
            batch, done = await drain(queue, LINGER)
            if batch:
                await self._claim(batch)
            if done:
                return

    async def _claim(self, batch: list[OutboxItem]) -> None:
        ids = await db_step(self._mark, [i.outbox_id for i in batch], stopping=self.sending.stopping)
        for item in batch:
            if ids is not None and item.outbox_id in ids:
                self.start_send(item)
            else:  # claimed elsewhere, or the database gave up while stopping: not ours now
                self.dispatcher.not_ours(item)

    def _mark(self, ids: list[int]) -> set[int]:
        with self.db.engine.begin() as conn:  # one transaction, no ORM session
            return set(outbox.mark_in_flight(conn, ids, self.sending.worker_id))
