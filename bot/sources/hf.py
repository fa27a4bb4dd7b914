"""Hugging Face Daily Papers client: paging, retries with backoff, deadlines, and a cap on response size.

Two limits bound the time a fetch can take, whatever the server does: each request (connect, headers
and the whole body) must be done within `request_timeout` seconds (PAPERBOT_HF_TIMEOUT), and one
day's fetch, all its pages and retries and waits included, within DAY_BUDGET requests' worth of it
(4 × 60 s = 4 minutes by default).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import math
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any, Self

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_random_exponential

from bot import metrics
from bot.sources.deadline import Deadline, deadline_transport
from bot.sources.hf_schema import DayList, HFError, SkippedEntry, build_day, decode_list, parse_day

__all__ = ["DayList", "HFClient", "HFError", "SkippedEntry", "fetch_days", "parse_day"]

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is not worth blocking a fetch for
MAX_PAGES = 100  # far beyond any real day (the busiest days list well under 200 papers)
DAY_BUDGET = 4  # one day's fetch may take this many times the request timeout, retries included
try:
    USER_AGENT = f"paperbot/{metadata.version('paperbot')}"
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    USER_AGENT = "paperbot/dev"


class _Transient(Exception):
    """A response worth retrying (429 or 5xx)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.retry_after = status, retry_after


class _Overdue(Exception):
    """A request that was not done by its deadline (worth retrying while the day's budget lasts)."""


class _OverBudget(Exception):
    """One day's fetch would run past its budget."""


_RETRYABLE = (_Transient, _Overdue, httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, _Transient | _Overdue) else type(exc).__name__


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    logger.info(
        "Hugging Face request failed (%s); retry %d in %.1fs",
        _describe(exc) if exc else "?",
        state.attempt_number,
        wait,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - dt.datetime.now(dt.UTC)).total_seconds() if when.tzinfo else 0.0
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class HFClient:
    """A synchronous client for `GET /api/daily_papers` with paging, retries and a size cap."""

    def __init__(
        self,
        endpoint: str = "https://huggingface.co",
        *,
        timeout: float = 20.0,
        request_timeout: float = 60.0,
        day_budget: float | None = None,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_bytes: int = 20_000_000,
        page_size: int = 100,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be between 1 and 100 (the API's own limit)")
        self.max_retries, self.max_bytes, self.page_size = max_retries, max_bytes, page_size
        self.request_timeout = request_timeout
        self.day_budget = day_budget if day_budget is not None else DAY_BUDGET * request_timeout
        self._backoff = wait_random_exponential(multiplier=backoff, max=30)
        self._deadline = Deadline()
        self._day_ends = math.inf  # monotonic time by which the current day's fetch must be done
        self._http = httpx.Client(
            base_url=endpoint.rstrip("/"),
            timeout=timeout,
            transport=transport or deadline_transport(self._deadline),
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    @metrics.HF_FAILURES.count_exceptions()
    def fetch_day(self, day: dt.date) -> DayList:
        """Fetch every page of `day`'s list; raise HFError when the list cannot be trusted."""
        metrics.HF_FETCHES.inc()
        entries: list[Any] = []
        previous: bytes | None = None
        self._day_ends = time.monotonic() + self.day_budget
        for page in range(MAX_PAGES):
            body = self._get_page(day, page)
            if body == previous:  # a server that ignores `p` would repeat itself forever
                break
            batch = decode_list(body)
            entries.extend(batch)
            if len(batch) < self.page_size:
                break
            previous = body
        else:
            raise HFError(f"Hugging Face {day}: more than {MAX_PAGES} full pages")
        return build_day(entries, day)

    def _get_page(self, day: dt.date, page: int) -> bytes:
        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception_type(_RETRYABLE),
            reraise=True,
            before_sleep=_log_retry,
        )
        try:
            return retrying(self._request, day, page)
        except _OverBudget:
            raise HFError(f"Hugging Face {day}: {self._over_budget()}") from None
        except _RETRYABLE as exc:
            if retrying.statistics.get("attempt_number", 0) <= self.max_retries:  # attempts were left
                raise HFError(f"Hugging Face {day}: {_describe(exc)}; {self._over_budget()}") from exc
            attempts = self.max_retries + 1
            raise HFError(f"Hugging Face {day}: {_describe(exc)} after {attempts} attempts") from exc
        except httpx.HTTPError as exc:
            raise HFError(f"Hugging Face {day}: request failed ({type(exc).__name__})") from exc

    def _day_left(self) -> float:
        return self._day_ends - time.monotonic()

    def _over_budget(self) -> str:
        return f"gave up at the {self.day_budget:g} s budget of one day's fetch"

    def _stop(self, state: RetryCallState) -> bool:
        """Stop after the last attempt, or when the next would start after the day's budget is spent."""
        if state.attempt_number > self.max_retries:
            return True
        return self._day_left() - (state.upcoming_sleep or 0.0) <= 0

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        return self._backoff(state)

    def _request(self, day: dt.date, page: int) -> bytes:
        """One attempt, done by the request's deadline (or the day's, if that comes first)."""
        if self._day_left() <= 0:
            raise _OverBudget
        self._deadline.at = time.monotonic() + min(self.request_timeout, self._day_left())
        try:
            return self._get(day, page)
        except httpx.TimeoutException:
            if (self._deadline.left() or 0.0) > 0:
                raise  # an ordinary per-read timeout
            raise _Overdue(f"no complete answer within {self.request_timeout:g} s") from None
        finally:
            self._deadline.at = None

    def _get(self, day: dt.date, page: int) -> bytes:
        params: dict[str, str | int] = {"date": day.isoformat(), "limit": self.page_size, "p": page}
        with self._http.stream("GET", "/api/daily_papers", params=params) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Transient(status, _retry_after(response.headers.get("Retry-After")))
            if status != 200:
                phrase = httpx.codes.get_reason_phrase(status)
                raise HFError(f"Hugging Face {day}: HTTP {status} {phrase}".rstrip())
            return self._read_capped(response, day)

    def _read_capped(self, response: httpx.Response, day: dt.date) -> bytes:
        too_big = HFError(f"Hugging Face {day}: response larger than {self.max_bytes} bytes")
        length = response.headers.get("Content-Length", "")
        if length.isascii() and length.isdigit() and int(length) > self.max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def fetch_days(
    client: HFClient, days: Sequence[dt.date], on_day: Callable[[DayList], None] | None = None
) -> list[DayList]:
    """Fetch several days in order, calling `on_day` after each (e.g. to store it and tick a bar)."""
    lists: list[DayList] = []
    for day in days:
        day_list = client.fetch_day(day)
        if on_day is not None:
            on_day(day_list)
        lists.append(day_list)
    return lists


def day_fetcher(endpoint: str, request_timeout: float) -> Callable[[dt.date], DayList]:
    """A blocking fetch of one day's list, each with its own client (the daily run's source)."""

    def fetch(day: dt.date) -> DayList:
        with HFClient(endpoint, request_timeout=request_timeout) as client:
            return client.fetch_day(day)

    return fetch
