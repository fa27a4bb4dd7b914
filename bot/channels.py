"""What the core needs from a platform: a Channel that sends one rendered part to one chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.models import Digest

SendStatus = Literal["sent", "failed", "blocked", "retry", "unsent", "moved", "ambiguous"]


@dataclass(frozen=True)
class SendResult:
    """The outcome of one send, as the broadcast engine records it.

    - sent: delivered; failed: will not be delivered (logged with `detail`);
    - blocked: the chat is gone for good (bot blocked or kicked, channel archived): deactivate it;
    - retry: rate limited; nothing was delivered, try again after `retry_after` seconds;
    - unsent: the request provably never left (connection refused, DNS or TLS failure): try again
      for as long as PAPERBOT_SEND_RETRY_HOURS allows;
    - moved: the chat has a new id (`new_chat_id`), send there instead;
    - ambiguous: the request may have arrived (a read timeout): do not resend blindly.
    """

    status: SendStatus
    detail: str | None = None
    retry_after: float | None = None
    new_chat_id: str | None = None
    ref: str | None = None  # the platform's id of the message sent (Slack's ts), when it gives one


@dataclass(frozen=True)
class ChatLimits:
    """Pacing a platform requires: per-chat minimum interval by chat kind, and a global rate."""

    global_per_second: float
    private_interval: float
    group_interval: float


class Channel(Protocol):
    """A platform's sender for broadcasts."""

    platform: str
    limits: ChatLimits

    def render(self, digest: Digest) -> Sequence[object]:
        """The digest as this platform's message parts (deterministic: same digest, same parts)."""
        ...

    def render_text(self, text: str) -> Sequence[object]:
        """A plain notice (e.g. to admins) as this platform's message parts."""
        ...

    async def send(self, chat_id: str, part: object) -> SendResult:
        """Send one part to one chat, exactly one attempt (pacing is the caller's)."""
        ...

    async def aclose(self) -> None:
        """Release connections (a one-off broadcast from the command line ends)."""
        ...


THREAD_VARIANT = "+thread"  # ends the variant key of a digest sent as a thread: parts after 0 reply to it


def is_thread_variant(variant: str) -> bool:
    """True when the parts of `variant` after the first are replies in the first one's thread."""
    return variant.endswith(THREAD_VARIANT)


@dataclass(frozen=True)
class InThread:
    """A rendered part to post as a reply in the thread of the message `thread` (its ref)."""

    part: object
    thread: str


@runtime_checkable
class ThreadedChannel(Protocol):
    """A platform whose digest can go as a thread: a header message, then each card as a reply."""

    def render_thread(self, digest: Digest) -> Sequence[object]:
        """The header message first, then the replies (deterministic, like `render`)."""
        ...
