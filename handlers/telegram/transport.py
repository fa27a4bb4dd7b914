"""An aiohttp transport for python-telegram-bot, used by the broadcast sender.

PTB's default transport (httpx) slows down sharply with many requests in flight at once; a
broadcast keeps dozens in flight. PTB still builds every request and checks every answer
(raising its errors); only the HTTP round trip happens here, and the answer's JSON is parsed with
orjson through PTB's own hook for that. A `FormBody` is a request
whose form-encoded body was built already (a broadcast part encoded once, only chat_id differing).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

# Failures that happen before any byte of the request left: safe to retry.
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
FORM = "application/x-www-form-urlencoded"
CACHED = 64  # parsed endpoint URLs and timeout sets kept (a bot uses a handful of each)


class FormBody(RequestData):  # type: ignore[misc]  # (final for PTB's typing, not at runtime)
    """Request parameters already form-encoded (as PTB encodes them): sent as they are."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body


def _seconds(value: object, default: float | None) -> float | None:
    return value if isinstance(value, int | float) else default  # DefaultValue → ours


def _number(value: object) -> object:
    """A timeout as a cache key: a number, or None for PTB's "not given" / "no limit" markers."""
    return value if isinstance(value, int | float) else None


class AiohttpRequest(BaseRequest):
    """Sends Bot API calls through one aiohttp session with a bounded connection pool."""

    def __init__(
        self, pool_size: int = 128, read_timeout: float = 15.0, connect_timeout: float = 5.0
    ) -> None:
        self.pool_size = pool_size
        self._read_timeout, self._connect_timeout = read_timeout, connect_timeout
        self._session: aiohttp.ClientSession | None = None
        self._default_timeout = self._make_timeout(None, None, None)
        self._timeouts: dict[tuple[object, object, object], aiohttp.ClientTimeout] = {}
        self._urls: dict[str, URL] = {}
        self._form_headers = CIMultiDict({"Content-Type": FORM})

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The answer parsed with orjson (Telegram echoes the whole message: a few kB each time);
        what orjson refuses (invalid UTF-8, not JSON) goes to PTB's own parser and its errors."""
        try:
            parsed = orjson.loads(payload)
        except orjson.JSONDecodeError:
            parsed = None
        return parsed if isinstance(parsed, dict) else BaseRequest.parse_json_payload(payload)

    @property
    def read_timeout(self) -> float | None:
        """Default seconds to wait for an answer."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.pool_size, limit_per_host=self.pool_size, ttl_dns_cache=None
            )
            # No cookies (the Bot API sets none), no compression (its answers are a few hundred
            # bytes): a jar, the Accept headers and a decompressor cost time on every request.
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept", "Accept-Encoding"),
                auto_decompress=False,
                requote_redirect_url=False,
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self, read: object, connect: object, pool: object) -> aiohttp.ClientTimeout:
        """The call's timeouts: the defaults unless it gives its own; each set built once."""
        numbers = int | float
        if not (isinstance(read, numbers) or isinstance(connect, numbers) or isinstance(pool, numbers)):
            return self._default_timeout
        key = (_number(read), _number(connect), _number(pool))
        timeout = self._timeouts.get(key)
        if timeout is None:
            if len(self._timeouts) >= CACHED:
                self._timeouts.clear()
            timeout = self._timeouts[key] = self._make_timeout(read, connect, pool)
        return timeout

    def _url(self, url: str) -> URL:
        """The endpoint parsed once: aiohttp would parse a str again on every request."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= CACHED:
                self._urls.clear()
            parsed = self._urls[url] = URL(url)
        return parsed

    def _make_timeout(self, read: object, connect: object, pool: object) -> aiohttp.ClientTimeout:
        sock_connect = _seconds(connect, self._connect_timeout)
        return aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool, sock_connect),
            sock_connect=sock_connect,
            sock_read=_seconds(read, self._read_timeout),
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP round trip; aiohttp errors become PTB's TimedOut / NetworkError (cause kept)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NetworkError("file uploads are not supported by this transport")
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        data: bytes | dict[str, str] | None
        if isinstance(request_data, FormBody):
            data, headers = request_data.body, self._form_headers
        else:
            data, headers = request_data.json_parameters if request_data else None, None
        try:
            res = await self._session.request(
                method, self._url(url), data=data, headers=headers, timeout=timeout
            )
            try:
                return res.status, await res.read()
            finally:
                res.release()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut(f"aiohttp.{type(err).__name__}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
