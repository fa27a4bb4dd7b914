"""One broadcast's rows on one platform: dispatch, claims and outcomes run together; sends go between."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from bot.broadcast.claims import Claimer
from bot.broadcast.dispatch import Dispatcher
from bot.broadcast.outage import OutageWatch
from bot.broadcast.outcomes import Outcomes
from bot.broadcast.pacing import Pacer
from bot.broadcast.pages import PendingPages
from bot.broadcast.steps import Sending, db_step
from bot.channels import Channel, InThread, SendResult, is_thread_variant
from storage import outbox
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)

PROGRESS_EVERY = 5.0
WITHDRAWN = SendResult("unsent")  # not sent (a pause, or stopping) after all: the row goes back to pending


class PlatformRun:
    """One platform's share of one broadcast."""

    def __init__(
        self,
        sending: Sending,
        channel: Channel,
        pacer: Pacer,
        payloads: Mapping[tuple[str, int], object],
        watch: OutageWatch,
        heads: Mapping[int, str] | None = None,
    ) -> None:
        self.sending, self.channel, self.pacer, self.payloads = sending, channel, pacer, payloads
        self.watch = watch
        # Subscriber id -> the message its thread hangs on (a thread digest's first part, once sent).
        self.heads: dict[int, str] = dict(heads or {})
        self.dispatcher = Dispatcher(sending, pacer, asyncio.Queue())
        self.claimer = Claimer(sending, self.dispatcher, self._start_send)
        self.outcomes = Outcomes(sending, self.dispatcher)
        self._sends: set[asyncio.Task[None]] = set()

    async def run(self, items: Sequence[OutboxItem], pages: PendingPages | None = None) -> None:
        """Send `items`, then the rest of `pages`, until all are settled or the engine stops or loses lead."""
        self.dispatcher.pages = pages
        self.dispatcher.load(items)
        claimer = asyncio.create_task(self.claimer.run())
        writer = asyncio.create_task(self.outcomes.run())
        reporter = asyncio.create_task(self._report_loop())
        try:
            await self.dispatcher.run()
        finally:
            await self.dispatcher.claims.put(None)
            await claimer
            if self._sends:
                await asyncio.gather(*self._sends)
            await self.outcomes.results.put(None)
            await writer
            reporter.cancel()

    def _start_send(self, item: OutboxItem) -> None:
        task = asyncio.create_task(self._send(item))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, item: OutboxItem) -> None:
        chat = self.dispatcher.chat(item)
        try:
            payload = self._payload(item)
            result = await self._send_now(chat, payload)
            if is_thread_variant(item.variant) and item.part == 0 and result.status == "sent" and result.ref:
                self.heads[item.subscriber_id] = result.ref
            if result.status == "moved" and result.new_chat_id:
                result, chat = await self._follow(item, payload, result.new_chat_id)
        except Exception as exc:  # a sender bug must not stop the broadcast
            log.exception("broadcast=%d outbox=%d event=send-error", item.broadcast_id, item.outbox_id)
            result = SendResult("failed", f"{type(exc).__name__}")
        finally:
            self.dispatcher.release()
        if result is not WITHDRAWN:
            self.pacer.sent_to(chat, item.chat_kind)
        await self.outcomes.results.put((item, result))

    def _payload(self, item: OutboxItem) -> object:
        """The stored part; a thread's reply goes under its header message when that one was sent.

        Without a known header (it failed, or a crash left its outcome unknown) the reply goes to
        the chat itself: the cards still arrive, and no second header is ever posted.
        """
        payload = self.payloads[(item.variant, item.part)]
        if not is_thread_variant(item.variant) or item.part == 0:
            return payload
        head = self.heads.get(item.subscriber_id)
        if head is None:
            log.warning("broadcast=%d outbox=%d event=thread-head-unknown", item.broadcast_id, item.outbox_id)
            return payload
        return InThread(payload, head)

    async def _send_now(self, chat: str, payload: object) -> SendResult:
        """One request, checked against pauses and the rate right before it leaves."""
        if not await self.pacer.admit(self.sending.stopping, wait_out_pause=False):
            return WITHDRAWN
        result = await self.channel.send(chat, payload)
        if result.status == "retry":  # pause before this place in flight is given back
            self.pacer.pause(result.retry_after or 1.0)
        self.watch.observe(result)
        return result

    async def _follow(self, item: OutboxItem, payload: object, new_chat_id: str) -> tuple[SendResult, str]:
        """Move the subscription to the chat's new id and send there, unless that chat has its own."""
        moved = await db_step(self._move, item, new_chat_id, stopping=self.sending.stopping)
        if not moved:
            return SendResult("failed", "chat moved; the new chat is subscribed on its own"), item.chat_id
        self.dispatcher.moved[item.chat_id] = new_chat_id
        return await self._send_now(new_chat_id, payload), new_chat_id

    def _move(self, item: OutboxItem, new_chat_id: str) -> bool:
        with self.sending.services.db.session() as session:
            return outbox.move_chat(session, item.subscriber_id, new_chat_id)

    async def _report_loop(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            log.info(
                "platform=%s event=progress open=%d %s",
                self.channel.platform,
                self.dispatcher.open,
                " ".join(f"{k}={v}" for k, v in sorted(self.outcomes.tally.items())),
            )
