"""An in-memory Channel for engine tests: records every send, answers with scripted outcomes."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.channels import ChatLimits, SendResult
from bot.models import Digest
from bot.render.text import render_digest_text


@dataclass
class Sent:
    """One accepted message."""

    chat_id: str
    payload: object
    at: float


@dataclass
class MemoryChannel:
    """Accepts everything unless a chat has scripted results queued."""

    platform: str = "telegram"
    limits: ChatLimits = field(default_factory=lambda: ChatLimits(1000.0, 0.0, 0.0))
    latency: float = 0.0
    parts_per_digest: int = 1
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, float]] = field(default_factory=list)
    script: dict[str, deque[SendResult]] = field(default_factory=lambda: defaultdict(deque))
    always: dict[str, SendResult] = field(default_factory=dict)
    down: bool = False  # unreachable: every send answers "unsent", as a refused connection does
    stalls: dict[int, float] = field(default_factory=dict)  # call number -> seconds the loop is blocked

    def render(self, digest: Digest) -> list[str]:
        """The plain text, cut into `parts_per_digest` parts."""
        text = render_digest_text(digest)
        return [f"[{i + 1}/{self.parts_per_digest}] {text}" for i in range(self.parts_per_digest)]

    def render_text(self, text: str) -> list[str]:
        """A notice as one part."""
        return [text]

    def will(self, chat_id: str, results: Iterable[SendResult]) -> None:
        """Answer the next sends to `chat_id` with `results`, in order."""
        self.script[chat_id].extend(results)

    async def send(self, chat_id: str, part: object) -> SendResult:
        """Record the call, then answer."""
        if self.down:
            return SendResult("unsent", "ClientConnectorError: connection refused")
        self.calls.append((chat_id, time.monotonic()))
        if stall := self.stalls.get(len(self.calls)):
            time.sleep(stall)  # a busy machine: the whole event loop stands still
        if self.latency:
            await asyncio.sleep(self.latency)
        if chat_id in self.always:
            return self.always[chat_id]
        if self.script.get(chat_id):
            result = self.script[chat_id].popleft()
            if result.status != "sent":
                return result
        self.sent.append(Sent(chat_id, part, time.monotonic()))
        return SendResult("sent")

    async def aclose(self) -> None:
        """Nothing to release."""

    def received(self, chat_id: str) -> Sequence[object]:
        """Payloads accepted for one chat."""
        return [s.payload for s in self.sent if s.chat_id == chat_id]
