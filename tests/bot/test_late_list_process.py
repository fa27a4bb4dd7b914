"""`paperbot run` at its digest time while Hugging Face's list is still empty: one digest, once it appears."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import open_database
from storage import subscribers
from tests.fakes.hf_server import FakeHFServer, synthetic_entries
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer
from tests.handlers.telegram.test_process import unless_exited
from tests.processes import base_env, start_paperbot, stop_process

CHAT = 9001
LEAD = dt.timedelta(seconds=15)  # start-up takes a few seconds; the digest is due after it
RETRY_MINUTES = 0.05  # three seconds between fetches of a list that is not ready


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()
    assert server.violations == []


def zone_at_six(now: dt.datetime) -> tuple[str, dt.timezone]:
    """A fixed-offset zone where it is about 06:00 now (the 12:00 deadline is hours away)."""
    east = (6 - now.hour + 12) % 24 - 12  # hours east of UTC, in -12 … 11
    name = "UTC" if east == 0 else f"Etc/GMT{-east:+d}"  # (Etc/GMT signs are inverted)
    return name, dt.timezone(dt.timedelta(hours=east))


def subscribe(database: str) -> None:
    db = open_database(database)
    with db.session() as session:
        subscribers.subscribe(session, "telegram", str(CHAT))
    db.dispose()


@pytest.mark.slow
async def test_run_sends_the_digest_once_after_a_late_list_appears(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    database = f"sqlite:///{tmp_path / 'paperbot.db'}"
    subscribe(database)
    now = dt.datetime.now(dt.UTC)
    zone, offset = zone_at_six(now)
    fire = (now + LEAD).astimezone(offset)
    day = fire.date() - dt.timedelta(days=1)
    with FakeHFServer({day: synthetic_entries(8)}) as hf:
        hf.empty_at_first(day, 2)
        env = base_env(tmp_path) | {
            "PAPERBOT_TELEGRAM_TOKEN": TOKEN,
            "PAPERBOT_TELEGRAM_API_BASE": telegram.base_url,
            "PAPERBOT_DATABASE_URL": database,
            "PAPERBOT_HF_ENDPOINT": hf.url,
            "PAPERBOT_TIMEZONE": zone,
            "PAPERBOT_DIGEST_TIME": fire.strftime("%H:%M:%S"),
            "PAPERBOT_FETCH_RETRY_MINUTES": str(RETRY_MINUTES),
            "PAPERBOT_HF_EMPTY_WEEKDAYS": "",  # whatever weekday the test runs on, the list is awaited
        }
        proc = await start_paperbot("run", env=env, cwd=tmp_path)
        try:
            [digest] = await unless_exited(proc, telegram.wait_sent(CHAT, 1, timeout=90))
            await asyncio.sleep(2 * RETRY_MINUTES * 60)  # time for two more tries, were any made
            assert await stop_process(proc, timeout=15) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        fetches = [r for r in hf.api_requests() if r.query.get("date") == day.isoformat()]
    assert f"{day} 허깅페이스 인기 논문 TOP 5" in digest.text
    assert len(telegram.sent_to(CHAT)) == 1
    assert len(fetches) == 3  # twice not ready, then the full list
