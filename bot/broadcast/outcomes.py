"""Outcomes: send results become outbox outcomes, recorded in batches, and decide what follows."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bot import metrics
from bot.broadcast.dispatch import Dispatcher
from bot.broadcast.steps import LINGER, Sending, db_step, drain
from bot.channels import SendResult
from storage import outbox
from storage.outbox import UNSENT, OutboxItem, OutboxOutcome

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # sends that may have arrived, resent when PAPERBOT_RESEND_AMBIGUOUS says so
WRITE_TRIES_WHEN_STOPPING = 5
FINAL = {"sent": "sent", "blocked": "blocked", "moved": "failed", "failed": "failed"}

Result = tuple[OutboxItem, SendResult]


class Outcomes:
    """Records what each send did and queues what follows (a retry, the next part, nothing)."""

    def __init__(self, sending: Sending, dispatcher: Dispatcher) -> None:
        self.sending, self.dispatcher = sending, dispatcher
        self.db = sending.services.db
        self.resend_ambiguous = sending.services.settings.resend_ambiguous
        self.results: asyncio.Queue[Result | None] = asyncio.Queue()
        self.tally: dict[str, int] = {}
        self._attempts: dict[int, int] = {}
        self._errors: dict[int, str] = {}  # why a pending row is pending (kept when it is withdrawn)
        self._counters: dict[str, Any] = {}  # status -> its labelled metrics counter

    async def run(self) -> None:
        """Record outcomes in batches and schedule what follows from them, until None arrives."""
        while True:
            batch, done = await drain(self.results, LINGER)
            if batch:
                await self._write(batch)
            if done:
                return

    async def _write(self, batch: list[Result]) -> None:
        outcomes = [self.outcome(item, result) for item, result in batch]
        tries = None if not self.sending.stopping.is_set() else WRITE_TRIES_WHEN_STOPPING
        if await db_step(self._record, batch, outcomes, stopping=self.sending.stopping, tries=tries) is None:
            log.error(
                "event=outcomes-lost rows=%d: they stay in flight, settled as unknown at the next start",
                len(batch),
            )
        for (item, _), outcome in zip(batch, outcomes, strict=True):
            self._after(item, outcome)

    def outcome(self, item: OutboxItem, result: SendResult) -> OutboxOutcome:
        """The row's new status: final, or pending to be sent again."""
        if result.status in ("unsent", "retry"):  # nothing arrived: not an attempt, tried until the deadline
            return self._not_arrived(item, result)
        status = FINAL.get(result.status)
        if result.status == "ambiguous":
            status = "pending" if self.resend_ambiguous else "unknown"
            attempts = self._attempts[item.outbox_id] = self._attempts.get(item.outbox_id, 0) + 1
            if status == "pending" and attempts >= MAX_ATTEMPTS:
                status = "failed"
        ref = result.ref if status == "sent" else None
        return OutboxOutcome(item.outbox_id, status or "failed", result.detail, ref)

    def _not_arrived(self, item: OutboxItem, result: SendResult) -> OutboxOutcome:
        if result.detail is None:  # withdrawn before it left: pending as it was
            return OutboxOutcome(item.outbox_id, "pending", self._errors.get(item.outbox_id))
        detail = UNSENT + result.detail if result.status == "unsent" else result.detail
        if time.monotonic() >= self.sending.retry_until:
            return OutboxOutcome(item.outbox_id, "failed", f"{detail} (given up: PAPERBOT_SEND_RETRY_HOURS)")
        self._errors[item.outbox_id] = detail
        return OutboxOutcome(item.outbox_id, "pending", detail)

    def _record(self, batch: list[Result], outcomes: list[OutboxOutcome]) -> bool:
        with self.db.engine.begin() as conn:  # one transaction, no ORM session
            written = outbox.record(conn, outcomes, self.sending.worker_id)
            for (item, result), outcome in zip(batch, outcomes, strict=True):
                if outcome.status == "blocked":
                    outbox.deactivate(conn, item.subscriber_id, result.detail or "blocked")
                    outbox.skip_rest_of_subscriber(conn, item.broadcast_id, item.subscriber_id, "blocked")
        if written != len(outcomes):  # rows settled by someone else meanwhile (a new leader)
            log.warning("event=outcomes-superseded rows=%d", len(outcomes) - written)
        return True

    def _after(self, item: OutboxItem, outcome: OutboxOutcome) -> None:
        self.tally[outcome.status] = self.tally.get(outcome.status, 0) + 1
        counter = self._counters.get(outcome.status)
        if counter is None:
            counter = self._counters[outcome.status] = metrics.MESSAGES.labels(item.platform, outcome.status)
        counter.inc()
        if outcome.status == "pending":
            self.dispatcher.push(item, self.dispatcher.pacer.paused_until)
        else:
            self.dispatcher.settle()
            self.dispatcher.next_part(item, blocked=outcome.status == "blocked")
        self.dispatcher.wake()
