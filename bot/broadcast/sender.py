"""Sending one broadcast's rows on one platform: pace, claim in batches, send, record in batches."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot import metrics
from bot.broadcast.pacing import Pacer, sleep_unless
from bot.channels import Channel, SendResult
from bot.services import Services
from storage import outbox
from storage.outbox import Job, Outcome

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
BATCH = 256
PROGRESS_EVERY = 5.0
DB_RETRY_MAX_WAIT = 10.0
WRITE_TRIES_WHEN_STOPPING = 5


@dataclass(frozen=True)
class Sending:
    """What every platform run of an engine shares."""

    services: Services
    worker_id: str
    concurrency: int
    stopping: asyncio.Event
    may_send: Callable[[], bool] = lambda: True

    def halted(self) -> bool:
        """Stop claiming: the process is stopping, or it no longer leads."""
        return self.stopping.is_set() or not self.may_send()


class PlatformRun:
    """One platform's share of one broadcast."""

    def __init__(
        self,
        sending: Sending,
        channel: Channel,
        pacer: Pacer,
        payloads: Mapping[tuple[str, int], object],
    ) -> None:
        self.sending, self.channel, self.pacer, self.payloads = sending, channel, pacer, payloads
        self.db = sending.services.db
        self.resend_ambiguous = sending.services.settings.resend_ambiguous
        self._heap: list[tuple[float, int, Job]] = []
        self._later: dict[int, list[Job]] = {}  # subscriber -> parts waiting for the previous one
        self._moved: dict[str, str] = {}  # old chat id -> new one (a group became a supergroup)
        self._attempts: dict[int, int] = {}
        self._seq = itertools.count()
        self._claims: asyncio.Queue[Job | None] = asyncio.Queue()
        self._results: asyncio.Queue[tuple[Job, SendResult] | None] = asyncio.Queue()
        self._sends: set[asyncio.Task[None]] = set()
        self._gate = asyncio.Semaphore(sending.concurrency)
        self._settled = asyncio.Event()
        self._open = 0
        self._tally: dict[str, int] = {}

    async def run(self, jobs: Sequence[Job]) -> None:
        """Send `jobs` until each is settled, or the engine stops or loses the lead."""
        for job in jobs:  # ordered by subscriber, then part: a chat's parts go out one after another
            if job.subscriber_id in self._later:
                self._later[job.subscriber_id].append(job)
            else:
                self._later[job.subscriber_id] = []
                self._push(job, 0.0)
        self._open = len(jobs)
        claimer = asyncio.create_task(self._claim_loop())
        writer = asyncio.create_task(self._write_loop())
        reporter = asyncio.create_task(self._report_loop())
        try:
            await self._dispatch()
        finally:
            await self._claims.put(None)
            await claimer
            if self._sends:
                await asyncio.gather(*self._sends)
            await self._results.put(None)
            await writer
            reporter.cancel()

    def _push(self, job: Job, ready_at: float) -> None:
        ready_at = max(ready_at, self.pacer.chat_ready_at(self._chat(job)))
        heapq.heappush(self._heap, (ready_at, next(self._seq), job))

    def _chat(self, job: Job) -> str:
        return self._moved.get(job.chat_id, job.chat_id)

    async def _dispatch(self) -> None:
        """Hand jobs to the claimer in order, each after its chat interval and a global slot."""
        while self._open > 0 and not self.sending.halted():
            if not self._heap:
                await self._wait_settled(0.5)
                continue
            ready_at, _, job = self._heap[0]
            if (wait := ready_at - time.monotonic()) > 0:
                await self._wait_settled(wait)
                continue
            heapq.heappop(self._heap)  # (left pending in storage if the run ends before claiming it)
            if not await self.pacer.slot(self.sending.stopping) or not await self._take_gate():
                return
            if self.sending.halted():  # lost the lead (or told to stop) while waiting
                self._gate.release()
                return
            await self._claims.put(job)

    async def _wait_settled(self, timeout: float) -> None:
        self._settled.clear()
        await _first(self._settled.wait(), self.sending.stopping.wait(), timeout=timeout)

    async def _take_gate(self) -> bool:
        """One of `concurrency` places for a send in flight; False when stopping first."""
        acquire = asyncio.ensure_future(self._gate.acquire())
        stop = asyncio.ensure_future(self.sending.stopping.wait())
        await asyncio.wait({acquire, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if acquire.done() and not acquire.cancelled():
            return True
        acquire.cancel()
        return False

    async def _claim_loop(self) -> None:
        """Claim the jobs handed over in one UPDATE per batch, then start their sends."""
        while True:
            batch, done = await _drain(self._claims)
            if batch:
                ids = await self._db(self._mark, [j.delivery_id for j in batch])
                for job in batch:
                    if ids is not None and job.delivery_id in ids:
                        task = asyncio.create_task(self._send(job))
                        self._sends.add(task)
                        task.add_done_callback(self._sends.discard)
                    else:  # claimed elsewhere, or the database gave up while stopping: not ours now
                        self._gate.release()
                        self._open -= len(self._later.pop(job.subscriber_id, []))
                        self._settle()
            if done:
                return

    def _mark(self, ids: list[int]) -> set[int]:
        with self.db.session() as session:
            return set(outbox.mark_in_flight(session, ids, self.sending.worker_id))

    async def _send(self, job: Job) -> None:
        chat = self._chat(job)
        try:
            payload = self.payloads[(job.variant, job.part)]
            result = await self.channel.send(chat, payload)
            if result.status == "moved" and result.new_chat_id:
                result, chat = await self._follow(job, payload, result.new_chat_id)
            if result.status == "retry":  # pause before this place in flight is given back
                self.pacer.pause(result.retry_after or 1.0)
        except Exception as exc:  # a sender bug must not stop the broadcast
            log.exception("broadcast=%d delivery=%d event=send-error", job.broadcast_id, job.delivery_id)
            result = SendResult("failed", f"{type(exc).__name__}")
        finally:
            self._gate.release()
        self.pacer.sent_to(chat, job.chat_kind)
        await self._results.put((job, result))

    async def _follow(self, job: Job, payload: object, new_chat_id: str) -> tuple[SendResult, str]:
        """Move the subscription to the chat's new id and send there, unless that chat has its own."""
        moved = await self._db(self._move, job, new_chat_id)
        if not moved:
            return SendResult("failed", "chat moved; the new chat is subscribed on its own"), job.chat_id
        self._moved[job.chat_id] = new_chat_id
        return await self.channel.send(new_chat_id, payload), new_chat_id

    def _move(self, job: Job, new_chat_id: str) -> bool:
        with self.db.session() as session:
            return outbox.move_chat(session, job.subscriber_id, new_chat_id)

    async def _write_loop(self) -> None:
        """Record outcomes in batches and schedule what follows from them."""
        while True:
            batch, done = await _drain(self._results)
            if batch:
                outcomes = [self._outcome(job, result) for job, result in batch]
                tries = None if not self.sending.stopping.is_set() else WRITE_TRIES_WHEN_STOPPING
                if await self._db(self._record, batch, outcomes, tries=tries) is None:
                    log.error(
                        "event=outcomes-lost rows=%d: they stay in flight, settled as unknown at the "
                        "next start",
                        len(batch),
                    )
                for (job, result), outcome in zip(batch, outcomes, strict=True):
                    self._after(job, result, outcome)
            if done:
                return

    def _outcome(self, job: Job, result: SendResult) -> Outcome:
        status = {"sent": "sent", "blocked": "blocked", "moved": "failed", "failed": "failed"}.get(
            result.status
        )
        if result.status == "ambiguous":
            status = "pending" if self.resend_ambiguous else "unknown"
        if result.status == "retry":
            status = "pending"
        attempts = self._attempts.get(job.delivery_id, 0) + 1
        self._attempts[job.delivery_id] = attempts
        if status == "pending" and attempts >= MAX_ATTEMPTS:
            status = "failed"
        return Outcome(job.delivery_id, status or "failed", result.detail)

    def _record(self, batch: list[tuple[Job, SendResult]], outcomes: list[Outcome]) -> bool:
        with self.db.session() as session:
            written = outbox.record(session, outcomes, self.sending.worker_id)
            for (job, result), outcome in zip(batch, outcomes, strict=True):
                if outcome.status == "blocked":
                    outbox.deactivate(session, job.subscriber_id, result.detail or "blocked")
                    outbox.skip_rest_of_subscriber(session, job.broadcast_id, job.subscriber_id, "blocked")
        if written != len(outcomes):  # rows settled by someone else meanwhile (a new leader)
            log.warning("event=outcomes-superseded rows=%d", len(outcomes) - written)
        return True

    def _after(self, job: Job, result: SendResult, outcome: Outcome) -> None:
        self._tally[outcome.status] = self._tally.get(outcome.status, 0) + 1
        metrics.MESSAGES.labels(self.channel.platform, outcome.status).inc()
        if outcome.status == "pending":
            self._push(job, self.pacer.paused_until)
        else:
            self._settle()
            waiting = self._later.get(job.subscriber_id)
            if waiting and outcome.status != "blocked":
                self._push(waiting.pop(0), 0.0)
            elif waiting:
                self._open -= len(self._later.pop(job.subscriber_id))
        self._settled.set()

    def _settle(self) -> None:
        self._open -= 1
        self._settled.set()

    async def _db(self, work: Callable[..., T], *args: object, tries: int | None = None) -> T | None:
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
            if (tries is None and self.sending.stopping.is_set()) or (tries is not None and attempt >= tries):
                return None
            await sleep_unless(self.sending.stopping if tries is None else None, wait)
            wait = min(wait * 2, DB_RETRY_MAX_WAIT)

    async def _report_loop(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            log.info(
                "platform=%s event=progress open=%d %s",
                self.channel.platform,
                self._open,
                " ".join(f"{k}={v}" for k, v in sorted(self._tally.items())),
            )


async def _first(*awaitables: object, timeout: float | None = None) -> int | None:
    """Index of the first awaitable to finish (the others are cancelled); None on timeout."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]  # type: ignore[arg-type]
    done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    winner = next((i for i, t in enumerate(tasks) if t in done), None)
    for i, task in enumerate(tasks):
        if i != winner:
            task.cancel()
    return winner


async def _drain(queue: asyncio.Queue) -> tuple[list, bool]:  # type: ignore[type-arg]
    """Wait for one item, then take whatever else is queued (up to BATCH); True once None arrived."""
    items, done = [], False
    item = await queue.get()
    while True:
        if item is None:
            done = True
        else:
            items.append(item)
        if len(items) >= BATCH or queue.empty():
            return items, done
        item = queue.get_nowait()
