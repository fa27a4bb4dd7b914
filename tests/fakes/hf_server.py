"""A fake Hugging Face daily-papers server on loopback, with paging, a request log and injectable faults."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

API_PATH = "/api/daily_papers"
DEFAULT_LIMIT = 50  # what the real API returns without `limit`
MAX_LIMIT = 100


@dataclass(frozen=True)
class Canned:
    """A response served before normal service; `content_length=False` ends the body by closing."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_length: bool = True
    delay: float = 0.0  # seconds to wait before answering (to provoke client timeouts)
    trickle: float = 0.0  # seconds between body bytes: headers at once, then one byte at a time


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeHFServer:
    """Serves `/api/daily_papers?date=D&limit=L&p=P` from a mapping and/or a folder of `<date>.json`."""

    def __init__(
        self,
        days: Mapping[str | dt.date, Sequence[Any]] | None = None,
        *,
        directory: Path | None = None,
        max_lifetime: float = 300.0,
    ) -> None:
        self.days: dict[str, list[Any]] = {str(k): list(v) for k, v in (days or {}).items()}
        self.directory = directory
        self.faults: deque[Canned] = deque()
        self.not_ready: dict[str, int] = {}  # day -> how many more first-page fetches answer []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-hf", daemon=True
        )
        self._watchdog = threading.Timer(max_lifetime, self._httpd.shutdown)  # never outlive a hung test
        self._watchdog.daemon = True

    @property
    def url(self) -> str:
        """Base URL to hand to the client as its endpoint."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_with(self, *responses: Canned) -> None:
        """Queue canned responses; each request takes the next one until the queue is empty."""
        with self._lock:
            self.faults.extend(responses)

    def empty_at_first(self, day: str | dt.date, fetches: int) -> None:
        """Answer `[]` for `day` to its next `fetches` fetches, then the full list (a late list)."""
        with self._lock:
            self.not_ready[str(day)] = fetches

    def _still_empty(self, day: str) -> bool:
        with self._lock:
            left = self.not_ready.get(day, 0)
            self.not_ready[day] = max(0, left - 1)
            return left > 0

    def api_requests(self) -> list[Recorded]:
        """The daily-papers requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.path == API_PATH]

    def entries(self, day: str) -> list[Any] | None:
        """The full list for `day`, or None when the server knows nothing about it."""
        if day in self.days:
            return self.days[day]
        path = self.directory / f"{day}.json" if self.directory else None
        if path is not None and path.is_file():
            return json.loads(path.read_bytes())
        return None

    def start(self) -> Self:
        """Start serving in a background thread."""
        self._thread.start()
        self._watchdog.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._watchdog.cancel()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, request: Recorded) -> Canned | None:
        with self._lock:
            self.requests.append(request)
            return self.faults.popleft() if self.faults else None


def synthetic_entries(n: int, prefix: str = "2501") -> list[dict[str, Any]]:
    """`n` valid made-up entries with distinct ids and votes."""
    return [
        {
            "paper": {
                "id": f"{prefix}.{10000 + i}",
                "title": f"Synthetic Paper {i}",
                "summary": f"Abstract {i}.",
                "upvotes": (i * 37) % 101,
                "authors": [{"name": f"Author {i}"}],
                "publishedAt": "2025-01-02T03:04:05.000Z",
            },
            "numComments": i % 5,
        }
        for i in range(n)
    ]


def _query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int | None:
    value = query.get(name)
    if value is None:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        return None
    return int(value)


def page_of(entries: Sequence[Any], query: Mapping[str, str]) -> Canned:
    """Apply the API's `limit`/`p` paging (0-based pages) or answer 400 like the API does."""
    limit = _query_int(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = _query_int(query, "p", 0, 0, 10**6)
    if limit is None or page is None:
        return Canned(400, json.dumps({"error": "Invalid limit or p"}))
    return Canned(200, json.dumps(list(entries[page * limit : (page + 1) * limit])))


def _valid_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeHF/1.0"
    timeout = 10  # a stuck client cannot hold a server thread for long

    def do_GET(self) -> None:
        fake: FakeHFServer = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        canned = fake._record(Recorded(parts.path, query, dict(self.headers.items())))
        self._send(canned or self._serve(fake, parts.path, query))

    def _serve(self, fake: FakeHFServer, path: str, query: dict[str, str]) -> Canned:
        if path != API_PATH:
            return Canned(404, json.dumps({"error": "Not Found"}))
        day = query.get("date", "")
        if not _valid_date(day):
            return Canned(400, json.dumps({"error": "Invalid date"}))
        if query.get("p", "0") == "0" and fake._still_empty(day):
            return Canned(200, "[]")
        return page_of(fake.entries(day) or [], query)

    def _send(self, canned: Canned) -> None:
        body = canned.body.encode() if isinstance(canned.body, str) else canned.body
        time.sleep(canned.delay)
        try:
            self.send_response(canned.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **canned.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            if canned.content_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if canned.trickle > 0:
                self._trickle(body, canned.trickle)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (e.g. at its size cap)

    def _trickle(self, body: bytes, pause: float) -> None:
        """Send `body` one byte at a time: every read the client makes succeeds, slowly."""
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            time.sleep(pause)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
