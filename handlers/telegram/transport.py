"""An aiohttp transport for python-telegram-bot, used by the broadcast sender.

PTB's default transport (httpx) slows down sharply with many requests in flight at once; a
broadcast keeps dozens in flight. PTB still builds every request and parses every answer
(including the errors it raises); only the HTTP round trip happens here.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# Failures that happen before any byte of the request left: safe to retry.
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def _seconds(value: object, default: float | None) -> float | None:
    return value if isinstance(value, int | float) else default  # DefaultValue → ours


class AiohttpRequest(BaseRequest):
    """Sends Bot API calls through one aiohttp session with a bounded connection pool."""

    def __init__(
        self, pool_size: int = 128, read_timeout: float = 15.0, connect_timeout: float = 5.0
    ) -> None:
        self.pool_size = pool_size
        self._read_timeout, self._connect_timeout = read_timeout, connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Default seconds to wait for an answer."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size, limit_per_host=self.pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        connect = _seconds(connect_timeout, self._connect_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, connect),
            sock_connect=connect,
            sock_read=_seconds(read_timeout, self._read_timeout),
        )
        data = request_data.json_parameters if request_data else None
        headers = {"User-Agent": self.USER_AGENT}
        try:
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout) as res:
                return res.status, await res.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut(f"aiohttp.{type(err).__name__}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
