"""Slack Web API calls: the broadcast channel (one chat.postMessage per part) and channel/user lookups."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import ChatLimits, InThread, SendResult
from bot.models import Digest, Reply
from bot.render.slack import (
    SlackMessage,
    has_images,
    render_digest_slack,
    render_digest_thread,
    render_reply_slack,
    without_images,
)
from bot.settings import ConfigError, Settings

log = logging.getLogger(__name__)

# The channel is gone for us for good: the engine deactivates the subscriber with this reason.
GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "account_inactive"})
RATE_LIMIT_RETRIES = 2
MAX_INLINE_WAIT = 10  # seconds; longer Retry-After values go back to the engine instead of blocking
DEFAULT_RETRY_AFTER = 1.0
SEND_TIMEOUT = 30  # seconds


def retry_after(headers: Any) -> float | None:
    """The Retry-After header in seconds, or None when absent or unreadable."""
    for key, value in dict(headers or {}).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Waits out short 429s in place; a long Retry-After is left to the caller's scheduling."""

    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES, max_wait: float = MAX_INLINE_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        wait = retry_after(response.headers) if response is not None else None
        return wait is not None and wait <= self.max_wait


def make_client(
    settings: Settings, *, timeout: float = SEND_TIMEOUT, rate_limit_retries: int = RATE_LIMIT_RETRIES
) -> AsyncWebClient:
    """A Web API client for the configured bot token and API base.

    It waits out short rate limits and retries a connect that failed (nothing reached Slack);
    it never resends a request that may have arrived, so one send stays one delivery attempt.
    """
    if settings.slack_bot_token is None:
        raise ConfigError("PAPERBOT_SLACK_BOT_TOKEN is not set")
    handlers: list[AsyncRetryHandler] = [
        ShortRateLimitRetry(rate_limit_retries),
        AsyncConnectionErrorRetryHandler(error_types=[aiohttp.ClientConnectorError]),
    ]
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_base.rstrip("/") + "/",  # urljoin drops a last segment without "/"
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=handlers,
    )


def classify_api_error(error: SlackApiError) -> SendResult:
    """A Slack API error as a send outcome; the detail is Slack's error code, never a request detail."""
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    data = getattr(response, "data", None)
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    code = code[:64] or f"http_{status}"
    if status == 429 or code == "ratelimited":
        wait = retry_after(getattr(response, "headers", None))
        return SendResult(
            "retry", detail="ratelimited", retry_after=DEFAULT_RETRY_AFTER if wait is None else wait
        )
    if code in GONE:
        return SendResult("blocked", detail=code)
    if isinstance(status, int) and status >= 500:  # Slack may or may not have posted it
        return SendResult("ambiguous", detail=code)
    return SendResult("failed", detail=code)


class SlackChannel:
    """Broadcasts to Slack channels and DMs through chat.postMessage (about 1 message/s per channel)."""

    platform = "slack"
    limits = ChatLimits(global_per_second=20.0, private_interval=1.0, group_interval=1.0)

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    def render(self, digest: Digest) -> list[SlackMessage]:
        """The digest as Block Kit messages of at most 50 blocks."""
        return render_digest_slack(digest)

    def render_thread(self, digest: Digest) -> list[SlackMessage]:
        """The digest as a thread: a header message, then one reply per card."""
        return render_digest_thread(digest)

    def render_text(self, text: str) -> list[SlackMessage]:
        """A plain notice as Block Kit messages."""
        return render_reply_slack(Reply(text=text))

    async def aclose(self) -> None:
        """Nothing to release: the client opens a session per request."""

    async def send(self, chat_id: str, part: object) -> SendResult:
        """Post one message (a reply in a thread for an InThread part); exactly one attempt apart from
        waiting out a short 429, and one more without pictures when Slack could not fetch one."""
        thread = part.thread if isinstance(part, InThread) else None
        message = as_message(part.part if isinstance(part, InThread) else part)
        if message is None:
            return SendResult("failed", detail=f"not a Slack message: {type(part).__name__}")
        result = await self._post(chat_id, message, thread)
        if result.detail == "invalid_blocks" and has_images(message):  # refused: nothing was posted
            log.debug("chat.postMessage to %s: sending again without pictures", chat_id)
            result = await self._post(chat_id, without_images(message), thread)
        return result

    async def _post(self, chat_id: str, message: SlackMessage, thread: str | None) -> SendResult:
        try:
            response = await self.client.chat_postMessage(
                channel=chat_id,
                text=message.text,
                blocks=list(message.blocks),
                unfurl_links=False,
                thread_ts=thread,  # (None: a message of its own; slack_sdk leaves it out)
            )
        except SlackApiError as exc:
            result = classify_api_error(exc)
            log.debug("chat.postMessage to %s: %s (%s)", chat_id, result.status, result.detail)
            return result
        except aiohttp.ClientConnectorError as exc:  # nothing reached Slack, even after the retry
            return SendResult("unsent", detail=type(exc).__name__)
        except (TimeoutError, aiohttp.ClientError) as exc:  # the request may have arrived
            log.debug("chat.postMessage to %s: outcome unknown (%s)", chat_id, type(exc).__name__)
            return SendResult("ambiguous", detail=type(exc).__name__)
        ts = response.get("ts")
        return SendResult("sent", ref=ts if isinstance(ts, str) and ts else None)


def as_message(part: object) -> SlackMessage | None:
    """A part as rendered, or as the outbox stored it (a dict); None when it is neither."""
    if isinstance(part, dict) and isinstance(part.get("blocks"), list):
        return SlackMessage(text=str(part.get("text", "")), blocks=tuple(part["blocks"]))
    return part if isinstance(part, SlackMessage) else None


async def bot_is_member(client: AsyncWebClient, channel: str) -> bool | None:
    """Whether the bot is in the channel; None when Slack cannot tell us."""
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as exc:
        data = getattr(exc.response, "data", None)
        error = data.get("error") if isinstance(data, dict) else None
        if error in {"channel_not_found", "not_in_channel"}:
            return False
        log.warning("conversations.info failed: %s", error)
        return None
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("conversations.info failed: %s", type(exc).__name__)
        return None
    return bool((response.get("channel") or {}).get("is_member"))


async def is_workspace_admin(client: AsyncWebClient, user: str | None) -> bool:
    """Slack shows bots no per-channel admin role: workspace admins and owners count as chat admins."""
    if not user:
        return False
    try:
        response = await client.users_info(user=user)
    except (SlackApiError, TimeoutError, aiohttp.ClientError) as exc:
        log.warning("users.info failed: %s", type(exc).__name__)
        return False
    info = response.get("user") or {}
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
