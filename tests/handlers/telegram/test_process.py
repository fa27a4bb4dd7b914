"""`paperbot run` against the fake Bot API in a subprocess, and the fake server as its own process."""

from __future__ import annotations

import asyncio
import hashlib
import json
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from bot.settings import Settings
from handlers.telegram.sender import TelegramChannel
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer, private_chat, user
from tests.processes import (
    HANG,
    base_env,
    closed_port,
    run,
    start_fake_process,
    start_paperbot,
    stop_process,
)

pytestmark = pytest.mark.slow
T = TypeVar("T")
PART = "<b>안녕하세요</b> &amp; 반가워요"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()
    assert server.violations == []


async def unless_exited(proc: asyncio.subprocess.Process, waiting: Awaitable[T]) -> T:
    """`waiting`, but a child that died meanwhile fails the test with its own error output."""
    try:
        return await waiting
    except AssertionError:
        if proc.returncode is None:
            raise
        _, stderr = await proc.communicate()
        raise AssertionError(
            f"paperbot run exited with {proc.returncode}: {stderr.decode()[-2000:]}"
        ) from None


async def test_paperbot_run_answers_and_stops_on_sigterm(tmp_path: Path, fake: FakeTelegramServer):
    database = f"sqlite:///{tmp_path / 'paperbot.db'}"
    env = base_env(tmp_path)
    code, err = await run(
        sys.executable, "-m", "bot", "demo", "--no-input", "--database", database, env=env, cwd=tmp_path
    )
    assert code == 0, err
    env |= {
        "PAPERBOT_TELEGRAM_TOKEN": TOKEN,
        "PAPERBOT_TELEGRAM_API_BASE": fake.base_url,
        "PAPERBOT_DATABASE_URL": database,
        # The scheduler may catch up a missed day at start: keep its fetch on loopback.
        "PAPERBOT_HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}",
    }
    proc = await start_paperbot("run", env=env, cwd=tmp_path)
    try:
        # Up for a whole long-poll cycle (the fake caps each at 1 s): start-up work is over.
        polls = fake.wait_for(lambda: len(fake.calls_of("getUpdates")) >= 2, timeout=HANG, what="two polls")
        await unless_exited(proc, polls)
        fake.push_message(private_chat(8001), user(8001), "/top")
        [reply] = await unless_exited(proc, fake.wait_sent(8001, timeout=HANG))
        assert "허깅페이스 인기 논문 TOP 5" in reply.text
        proc.send_signal(signal.SIGTERM)  # a stop that waited for anything would hit the hang limit
        _, stderr = await asyncio.wait_for(proc.communicate(), HANG)
        assert proc.returncode == 0, stderr.decode(errors="replace")
        assert TOKEN.split(":")[1] not in stderr.decode(errors="replace")
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_fake_server_process_logs_sends_and_faults(tmp_path: Path) -> None:
    log = tmp_path / "sent.jsonl"
    proc, port = await start_fake_process(
        tmp_path,
        "--log",
        str(log),
        "--latency-ms",
        "5",
        "--retry-after-rate",
        "0.3",
        "--retry-after",
        "2",
        "--forbidden-chats",
        "5,7",
        "--seed",
        "1",
    )
    settings = Settings(
        _env_file=None, telegram_token=TOKEN, telegram_api_base=f"http://127.0.0.1:{port}/bot"
    )
    channel = TelegramChannel(settings)
    try:
        results = await asyncio.gather(*(channel.send(str(chat), PART) for chat in range(1, 41)))
    finally:
        await channel.aclose()
        assert await stop_process(proc) == 0
    statuses = Counter(r.status for r in results)
    assert results[4].status == results[6].status == "blocked" and statuses["blocked"] == 2
    assert all(r.retry_after == 2 for r in results if r.status == "retry") and statuses["retry"] > 0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    accepted = [line for line in lines if "chat_id" in line]
    penalties = [line for line in lines if "penalty" in line]
    assert len(accepted) == statuses["sent"] and len(penalties) == statuses["retry"]
    assert {line["text_sha"] for line in accepted} == {hashlib.sha256(PART.encode()).hexdigest()}
    assert all(p["until"] > 0 and isinstance(p["penalty"], int) for p in penalties)


async def test_fake_server_process_accepts_and_logs_every_concurrent_send(tmp_path: Path) -> None:
    # its throughput is a figure of benchmarks/broadcast.py (line (a) is bounded by it)
    log = tmp_path / "sent.jsonl"
    proc, port = await start_fake_process(tmp_path, "--log", str(log))
    url = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"
    total = 3000
    form = {"parse_mode": "HTML", "text": PART * 20, "link_preview_options": '{"is_disabled": true}'}
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:

            async def send(i: int) -> int:
                async with session.post(url, data=form | {"chat_id": str(i % 500 + 1)}) as response:
                    await response.read()
                    return response.status

            statuses = await asyncio.gather(*(send(i) for i in range(total)))
    finally:
        assert await stop_process(proc) == 0
    assert set(statuses) == {200}
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(logged) == total
    assert Counter(line["chat_id"] for line in logged) == {i: total // 500 for i in range(1, 501)}


async def test_fake_server_process_exits_after_its_lifetime(tmp_path: Path) -> None:
    proc, _ = await start_fake_process(tmp_path, "--max-lifetime", "0.5")
    assert await asyncio.wait_for(proc.wait(), HANG) == 0
