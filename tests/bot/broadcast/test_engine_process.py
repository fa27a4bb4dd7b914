"""Crash safety with real processes: the bot is killed, the fake Bot API (its own process) is the witness."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.tables import Broadcast, OutboxRow, Subscriber
from tests.conftest import PG_URL, _postgres_db
from tests.fakes.hf_server import FakeHFServer
from tests.fakes.telegram_server import TOKEN
from tests.paths import FIXTURES
from tests.processes import (
    HANG,
    base_env,
    closed_port,
    paperbot,
    read_log,
    start_fake_process,
    start_paperbot,
    stop_process,
)

pytestmark = pytest.mark.slow
DAY = "2025-02-11"
CONCURRENCY_BOUND = 64  # the engine's default number of sends in flight


@pytest.fixture
def hf():
    """Hugging Face answers at once (with nothing new), so a daily run goes straight to sending."""
    with FakeHFServer({}) as server:
        yield server


async def prepare(tmp_path: Path, database: str, chats: int, hf_url: str) -> dict[str, str]:
    """A database with the sample day and `chats` private-chat subscribers; returns the bot's env."""
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": database, "PAPERBOT_HF_ENDPOINT": hf_url}
    code, err = await paperbot("demo", "--no-input", "--database", database, env=env, cwd=tmp_path)
    assert code == 0, err
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(100_000 + i) for i in range(chats)))
    code, err = await paperbot(
        "subscribers", "add", "telegram", "--from-file", str(ids), env=env, cwd=tmp_path
    )
    assert code == 0, err
    return env


def with_fake(env: dict[str, str], port: int, rate: int) -> dict[str, str]:
    return env | {
        "PAPERBOT_TELEGRAM_TOKEN": TOKEN,
        "PAPERBOT_TELEGRAM_API_BASE": f"http://127.0.0.1:{port}/bot",
        "PAPERBOT_TELEGRAM_RATE": str(rate),
    }


async def broadcast_until(env: dict[str, str], cwd: Path, log: Path, sent: int, sig: int) -> None:
    """Start `paperbot broadcast`, and signal it once the witness has accepted `sent` messages."""
    proc = await start_paperbot("broadcast", "--date", DAY, env=env, cwd=cwd)
    deadline = time.monotonic() + HANG
    while len([x for x in read_log(log) if "chat_id" in x]) < sent:
        assert proc.returncode is None, (await proc.communicate())[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the broadcast did not get going"
        await asyncio.sleep(0.05)
    await stop_process(proc, sig)


def rows(database: str) -> tuple[Counter, Counter]:
    """(outbox rows per subscriber, outbox rows per status)."""
    db = Database(database)
    try:
        with db.session() as session:
            per_sub = Counter(
                dict(
                    session.execute(
                        select(OutboxRow.subscriber_id, func.count()).group_by(OutboxRow.subscriber_id)
                    ).all()
                )
            )
            per_status = Counter(
                dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())
            )
    finally:
        db.dispose()
    return per_sub, per_status


def accepted(log: Path) -> Counter:
    return Counter(str(x["chat_id"]) for x in read_log(log) if "chat_id" in x)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_a_killed_broadcast_resumes_exactly_once(tmp_path: Path, hf, sig: int) -> None:
    chats = 2000
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    env = await prepare(tmp_path, database, chats, hf.url)
    log = tmp_path / "witness.jsonl"
    fake, port = await start_fake_process(tmp_path, "--log", str(log), "--latency-ms", "20")
    try:
        env = with_fake(env, port, rate=400)
        await broadcast_until(env, tmp_path, log, sent=600, sig=sig)
        code, err = await paperbot("broadcast", "--date", DAY, env=env, cwd=tmp_path)
        assert code == 0, err
        code, err = await paperbot("broadcast", "--date", DAY, env=env, cwd=tmp_path)  # and once more
        assert code == 0, err
    finally:
        assert await stop_process(fake) == 0
    per_sub, per_status = rows(database)
    received = accepted(log)
    assert len(per_sub) == chats and set(per_sub.values()) == {1}  # one outbox row each
    assert max(received.values()) == 1  # nobody got the digest twice
    assert per_status["pending"] == per_status["in_flight"] == 0
    if sig == signal.SIGKILL:
        assert per_status["unknown"] <= CONCURRENCY_BOUND
        assert per_status["sent"] + per_status["unknown"] == chats
        assert len(received) >= per_status["sent"]
    else:  # a clean stop finishes what is in flight: everyone exactly once
        assert per_status == Counter({"sent": chats})
        assert len(received) == chats


async def test_rate_limits_and_blocked_chats(tmp_path: Path, hf) -> None:
    chats = 120
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    env = await prepare(tmp_path, database, chats, hf.url)
    blocked = [100_003, 100_050, 100_099]
    log = tmp_path / "witness.jsonl"
    fake, port = await start_fake_process(
        tmp_path,
        "--log",
        str(log),
        "--latency-ms",
        "20",
        "--retry-after-rate",
        "0.05",
        "--retry-after",
        "1",
        "--forbidden-chats",
        ",".join(map(str, blocked)),
        "--seed",
        "3",
    )
    try:
        env = with_fake(env, port, rate=60)
        code, err = await paperbot("broadcast", "--date", DAY, env=env, cwd=tmp_path)
        assert code == 0, err
        code, err = await paperbot("rebroadcast", "--date", DAY, env=env, cwd=tmp_path)
        assert code == 0, err
    finally:
        assert await stop_process(fake) == 0
    lines = read_log(log)
    received = accepted(log)
    assert any("penalty" in x for x in lines), "the fake issued no 429: the test proves nothing"
    assert [x for x in lines if "penalty_hit" in x] == []  # nothing sent during a penalty
    assert set(received) == {str(100_000 + i) for i in range(chats)} - {str(b) for b in blocked}
    assert set(received.values()) == {2}  # daily + rebroadcast, each exactly once
    assert Counter(x["forbidden"] for x in lines if "forbidden" in x) == Counter(blocked)  # never retried
    db = Database(database)
    with db.session() as session:
        inactive = session.scalars(select(Subscriber.chat_id).where(Subscriber.active.is_(False))).all()
    db.dispose()
    assert sorted(inactive) == sorted(map(str, blocked))


def _digest_time_soon(seconds: int) -> str:
    return (dt.datetime.now(ZoneInfo("Asia/Seoul")) + dt.timedelta(seconds=seconds)).strftime("%H:%M:%S")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_instances_send_one_broadcast(tmp_path: Path, backend: str) -> None:
    if backend == "postgresql":
        if not PG_URL:
            pytest.skip("PAPERBOT_TEST_DATABASE_URL not set")
        schema = _postgres_db()
        database = next(schema).url
    else:
        schema, database = None, f"sqlite:///{tmp_path / 'bot.db'}"
    yesterday = dt.datetime.now(ZoneInfo("Asia/Seoul")).date() - dt.timedelta(days=1)
    entries = json.loads((FIXTURES / "hf" / "valid_day.json").read_text(encoding="utf-8"))
    try:
        with FakeHFServer({yesterday: entries}) as hf:
            await _two_instances(tmp_path, hf, database)
    finally:
        if schema is not None:
            schema.close()


async def _two_instances(tmp_path: Path, hf, database: str) -> None:
    chats = 50
    env = await prepare(tmp_path, database, chats, hf.url)
    log = tmp_path / "witness.jsonl"
    fake, port = await start_fake_process(tmp_path, "--log", str(log))
    env = with_fake(env, port, rate=100) | {"PAPERBOT_DIGEST_TIME": _digest_time_soon(6)}
    procs = [await start_paperbot("run", env=env, cwd=tmp_path) for _ in range(2)]
    try:
        deadline = time.monotonic() + HANG
        while len(accepted(log)) < chats and time.monotonic() < deadline:
            assert all(p.returncode is None for p in procs)
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # time for a second, wrong broadcast to show up
    finally:
        codes = [await stop_process(p) for p in procs]
        assert await stop_process(fake) == 0
    assert codes == [0, 0]
    received = accepted(log)
    assert len(received) == chats and set(received.values()) == {1}
    db = Database(database)
    with db.session() as session:
        daily = session.scalars(select(Broadcast.day).where(Broadcast.kind == "daily")).all()
    db.dispose()
    assert len(daily) == 1


ADMIN = "42"
QUICK_OUTAGES = {  # minutes and seconds scaled down; the defaults are 10 minutes and 60 seconds
    "PAPERBOT_TELEGRAM_ADMIN_IDS": ADMIN,
    "PAPERBOT_UNREACHABLE_NOTICE_MINUTES": "0.25",
    "PAPERBOT_SEND_RETRY_MAX_SECONDS": "2",
}


@pytest.mark.slow
async def test_an_outage_mid_broadcast_loses_nothing(tmp_path: Path, hf) -> None:
    chats = 2000
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    env = await prepare(tmp_path, database, chats, hf.url)
    log = tmp_path / "witness.jsonl"
    outage = ("--outage-after", "600", "--outage-seconds", "40")
    fake, port = await start_fake_process(tmp_path, "--log", str(log), "--latency-ms", "20", *outage)
    try:
        env = with_fake(env, port, rate=400) | QUICK_OUTAGES
        code, err = await paperbot("broadcast", "--date", DAY, env=env, cwd=tmp_path, timeout=240)
        assert code == 0, err
    finally:
        assert await stop_process(fake) == 0
    lines = read_log(log)
    assert [x["outage"] for x in lines if "outage" in x] == ["start", "end"]
    received = accepted(log)
    assert received.pop(ADMIN) == 2  # "unreachable for a while", then "back"
    assert received == Counter({str(100_000 + i): 1 for i in range(chats)})  # everybody exactly once
    per_sub, per_status = rows(database)
    assert per_status == Counter({"sent": chats})
    db = Database(database)
    with db.session() as session:
        assert session.scalars(select(Broadcast.status)).all() == ["done"]
    db.dispose()


async def test_a_run_that_cannot_reach_telegram_exits_non_zero(tmp_path: Path, hf) -> None:
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    env = await prepare(tmp_path, database, 20, hf.url)
    env = with_fake(env, closed_port(), rate=100) | QUICK_OUTAGES | {"PAPERBOT_SEND_RETRY_HOURS": "0.0005"}
    code, err = await paperbot("broadcast", "--date", DAY, env=env, cwd=tmp_path)
    assert code == 1 and "never left" in err, err
    _, per_status = rows(database)
    assert per_status == Counter({"failed": 20})
