"""The Telegram broadcast Channel: one sendMessage per call, every outcome mapped to a SendResult."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import warnings
from typing import Any
from urllib.parse import quote_plus

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning

from bot.broadcast.pacing import Pacer
from bot.channels import ChatLimits, SendResult
from bot.models import Button, Digest, Reply
from bot.redact import redact
from bot.render.telegram import TelegramMessage, render_digest_messages, render_reply_telegram
from bot.settings import Settings
from handlers.telegram.transport import NOT_SENT, AiohttpRequest, FormBody
from handlers.telegram.updates import inline_keyboard

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PAID_BROADCAST_RATE = 1000.0
# Transport errors raised before any byte of the request was written: safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, *NOT_SENT)
PREPARED_PARTS = 64  # parts whose encoded request is kept (a broadcast has a handful)
_CHAT_REF = re.compile(r"^(?:@|(?:https?://)?t\.me/)([A-Za-z][A-Za-z0-9_]{3,31})/?$")


def token_of(settings: Settings) -> str:
    """The bot token (a ValueError when Telegram is not configured)."""
    if settings.telegram_token is None:
        raise ValueError("PAPERBOT_TELEGRAM_TOKEN is not set")
    return settings.telegram_token.get_secret_value()


def file_base_url(api_base: str) -> str:
    """The file download base that belongs to an API base (`…/bot` → `…/file/bot`)."""
    return api_base[: -len("bot")] + "file/bot" if api_base.endswith("/bot") else api_base


def make_bot(settings: Settings, request: BaseRequest | None = None) -> Bot:
    """A plain Bot (no rate limiter) for the configured API base."""
    return Bot(
        token_of(settings),
        base_url=settings.telegram_api_base,
        base_file_url=file_base_url(settings.telegram_api_base),
        request=request,
    )


def not_sent(exc: BaseException) -> bool:
    """True when the request provably never reached the server (PTB keeps httpx's error as cause)."""
    return isinstance(exc, NetworkError) and isinstance(exc.__cause__, _NOT_SENT)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def classify(exc: TelegramError, token: str) -> SendResult:
    """The SendResult for a failed sendMessage (order matters: BadRequest is a NetworkError)."""
    detail = redact(f"{type(exc).__name__}: {exc.message}", [token])[:300]
    if isinstance(exc, Forbidden):
        return SendResult("blocked", detail)
    if isinstance(exc, RetryAfter):
        return SendResult("retry", detail, retry_after=_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return SendResult("moved", detail, new_chat_id=str(exc.new_chat_id))
    if isinstance(exc, BadRequest):
        return SendResult("failed", detail)
    if not_sent(exc):  # nothing reached Telegram: the engine tries again while it is unreachable
        return SendResult("unsent", detail)
    if isinstance(exc, NetworkError):  # TimedOut (read/write), a dropped connection, a 5xx: may have arrived
        return SendResult("ambiguous", detail)
    return SendResult("failed", detail)  # InvalidToken, Conflict, …


def as_message(part: object) -> TelegramMessage:
    """A part as rendered, or as the outbox stored it (a dict; older broadcasts stored bare HTML)."""
    if isinstance(part, TelegramMessage):
        return part
    if isinstance(part, dict):
        buttons = part.get("buttons") or []
        keys = tuple(Button(str(b.get("label", "")), str(b.get("command", ""))) for b in buttons)
        return TelegramMessage(str(part.get("text", "")), keys)
    return TelegramMessage(str(part))


class TelegramChannel:
    """Sends broadcast parts with a dedicated Bot; the engine paces them with `pacer`.

    The pacer belongs to the bot token: the platform's replies take their places from it too.
    """

    platform = "telegram"

    def __init__(
        self, settings: Settings, *, read_timeout: float = 15.0, connect_timeout: float = 5.0
    ) -> None:
        self.settings = settings
        self.paid = settings.telegram_paid_broadcast
        rate = PAID_BROADCAST_RATE if self.paid else settings.telegram_rate
        self.limits = ChatLimits(global_per_second=rate, private_interval=1.0, group_interval=3.0)
        self.pacer = Pacer(self.limits)
        self._token = token_of(settings)
        self._request = AiohttpRequest(
            pool_size=256 if self.paid else 128, read_timeout=read_timeout, connect_timeout=connect_timeout
        )
        self._bot = make_bot(settings, self._request)
        self._send_url = f"{self._bot.base_url}/sendMessage"
        self._prepared: dict[int, tuple[object, bytes]] = {}  # id(part) -> (part, its encoded form)
        self._ready = asyncio.Lock()
        self._open = False

    def render(self, digest: Digest) -> list[TelegramMessage]:
        """The digest as HTML messages, each with the 자세히 buttons of its cards."""
        return render_digest_messages(digest)

    def render_text(self, text: str) -> list[str]:
        """A plain notice as escaped HTML parts."""
        return render_reply_telegram(Reply(text=text))

    async def send(self, chat_id: str, part: object) -> SendResult:
        """One sendMessage, one attempt: a connection that never opened is the engine's to retry.

        The part's parameters are encoded once and reused for every chat (only chat_id differs);
        the request goes through the Bot's request layer, which raises PTB's errors, and of the
        answer only the message id is read.
        """
        if not self._open:
            await self._start()
        body = b"chat_id=" + quote_plus(chat_id).encode() + self._encoded(part)
        try:
            sent: Any = await self._bot.request.post(self._send_url, FormBody(body))
        except TelegramError as exc:
            return self._report(chat_id, classify(exc, self._token))
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return SendResult("sent", ref=None if message_id is None else str(message_id))

    def _encoded(self, part: object) -> bytes:
        """`&`-prefixed form encoding of a part's sendMessage parameters, built once per part."""
        known = self._prepared.get(id(part))
        if known is not None and known[0] is part:
            return known[1]
        if len(self._prepared) >= PREPARED_PARTS:
            self._prepared.clear()
        message = as_message(part)
        params: dict[str, object] = {
            "text": message.text,
            "parse_mode": ParseMode.HTML,
            "link_preview_options": NO_PREVIEW,
            "reply_markup": inline_keyboard(message.buttons),
            "allow_paid_broadcast": True if self.paid else None,
        }
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items() if v is not None])
        encoded = ("&" + data.url_encoded_parameters()).encode()
        self._prepared[id(part)] = (part, encoded)  # (the part is kept: its id is not reused meanwhile)
        return encoded

    def _report(self, chat_id: str, result: SendResult) -> SendResult:
        """Per-message detail at DEBUG only: the engine records every outcome and logs the tallies."""
        log.debug("telegram chat=%s event=send-%s %s", chat_id, result.status, result.detail)
        return result

    async def _start(self) -> None:
        async with self._ready:
            if not self._open:
                await self._request.initialize()
                self._open = True

    async def aclose(self) -> None:
        """Close the HTTP connections (the channel reopens them if used again)."""
        async with self._ready:
            if self._open:
                await self._request.shutdown()
                self._open = False


async def resolve_chat_id(settings: Settings, chat: str) -> str:
    """A numeric chat id for `@channel`, `t.me/channel` or an id (ids pass through unchanged)."""
    text = chat.strip()
    if re.fullmatch(r"-?\d+", text):
        return text
    match = _CHAT_REF.match(text)
    if match is None:
        raise ValueError(f"not a Telegram chat id or @username: {text[:64]!r}")
    bot = make_bot(settings)
    try:
        async with bot:
            found = await bot.get_chat(f"@{match.group(1)}")
    except TelegramError as exc:
        raise ValueError(f"cannot resolve {text[:64]}: {redact(exc.message, [token_of(settings)])}") from None
    return str(found.id)
