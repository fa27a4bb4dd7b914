"""An overall deadline for HTTP requests, enforced on every socket operation.

httpx's timeouts bound each connect, read and write, not a whole request: a server that sends one
byte every few seconds holds a request forever. Here every socket operation of a request gets at
most the time left before its deadline, so a request ends by its deadline however the server
trickles (headers, body or TLS alike).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class Deadline:
    """The monotonic time by which the current request must be done; None while none is running."""

    def __init__(self) -> None:
        self.at: float | None = None

    def left(self) -> float | None:
        """Seconds left, or None without a deadline."""
        return None if self.at is None else self.at - time.monotonic()

    def cap(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout` shortened to the time left; raise `error` once the deadline has passed."""
        left = self.left()
        if left is None:
            return timeout
        if left <= 0:
            raise error("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(  # (httpcore's own signature)
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        limit = self._deadline.cap(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, limit), self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, with streams bound to the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self._backend, self._deadline = httpcore.SyncBackend(), deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        limit = self._deadline.cap(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, limit, local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore.NetworkStream:
        limit = self._deadline.cap(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, limit, socket_options), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport(deadline: Deadline) -> httpx.HTTPTransport:
    """httpx's own transport over a connection pool whose sockets keep `deadline`."""
    transport = httpx.HTTPTransport()
    # httpx has no parameter for the pool's network backend, so its pool is replaced by an equal one.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=_Backend(deadline),
    )
    return transport
