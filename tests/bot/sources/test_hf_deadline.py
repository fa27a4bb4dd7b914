"""Every Hugging Face request has an overall deadline, and one day's fetch a total budget."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from bot.sources.hf import HFClient, HFError
from storage.db import Database
from tests.cli_runner import Run, runner
from tests.fakes.hf_server import Canned, FakeHFServer

DAY = dt.date(2025, 3, 4)
HANG = 30.0  # seconds: far beyond every deadline below, only there to catch a hang
# A valid body that takes minutes to arrive at one byte every 0.2 s: every single read succeeds.
SLOW_BODY = json.dumps([{"paper": {"id": "2503.00001", "title": "Slow " * 100, "upvotes": 1}}])


def trickling(count: int) -> list[Canned]:
    return [Canned(200, SLOW_BODY, trickle=0.2)] * count


def test_a_trickling_body_ends_at_the_request_deadline() -> None:
    with FakeHFServer() as hf, HFClient(hf.url, request_timeout=1, max_retries=1, backoff=0) as client:
        hf.fail_with(*trickling(2))
        started = time.monotonic()
        with pytest.raises(HFError) as err:
            client.fetch_day(DAY)
        elapsed = time.monotonic() - started
    assert str(err.value) == "Hugging Face 2025-03-04: no complete answer within 1 s after 2 attempts"
    assert elapsed < HANG


def test_retries_stop_at_the_budget_of_the_day() -> None:
    with FakeHFServer() as hf, HFClient(hf.url, request_timeout=1, max_retries=50, backoff=0) as client:
        hf.fail_with(*trickling(60))
        started = time.monotonic()
        with pytest.raises(HFError) as err:
            client.fetch_day(DAY)
        elapsed = time.monotonic() - started
        attempts = len(hf.api_requests())
    assert "gave up at the 4 s budget of one day's fetch" in str(err.value)
    assert 2 <= attempts <= 6  # about four requests of one second each, never fifty
    assert elapsed < HANG


def test_a_retry_after_beyond_the_budget_is_not_waited_for() -> None:
    with FakeHFServer() as hf, HFClient(hf.url, request_timeout=1, max_retries=3) as client:
        hf.fail_with(Canned(429, "{}", {"Retry-After": "60"}))
        started = time.monotonic()
        with pytest.raises(HFError, match="HTTP 429; gave up at the 4 s budget"):
            client.fetch_day(DAY)
        assert time.monotonic() - started < HANG
        assert len(hf.api_requests()) == 1


def test_the_fetch_command_keeps_paperbot_hf_timeout(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run: Run = runner(db.url, monkeypatch, capsys)
    monkeypatch.setenv("PAPERBOT_HF_TIMEOUT", "1")
    with FakeHFServer() as hf:
        hf.fail_with(*trickling(20))
        monkeypatch.setenv("PAPERBOT_HF_ENDPOINT", hf.url)
        started = time.monotonic()
        code, _, err = run("fetch", "--date", DAY.isoformat())
        elapsed = time.monotonic() - started
    assert code == 1
    assert "no complete answer within 1 s" in err and err.count("\n") == 1
    assert elapsed < HANG
