"""`paperbot run --senders 2` as real processes: the fake Bot API (its own process) is the witness."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.tables import OutboxRow
from tests.bot.broadcast.test_engine_process import (
    CONCURRENCY_BOUND,
    _digest_time_soon,
    accepted,
    prepare,
    rows,
    with_fake,
)
from tests.conftest import PG_URL, _postgres_db
from tests.fakes.hf_server import FakeHFServer
from tests.paths import FIXTURES
from tests.processes import HANG, base_env, start_fake_process, start_paperbot, stop_process

pytestmark = pytest.mark.slow


@contextmanager
def database_for(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    if not PG_URL:
        pytest.skip("PAPERBOT_TEST_DATABASE_URL not set")
    schema = _postgres_db()
    try:
        yield next(schema).url
    finally:
        schema.close()


@contextmanager
def yesterdays_list() -> Iterator[FakeHFServer]:
    """Hugging Face with yesterday's list (Seoul time): the daily run at the digest time sends it."""
    yesterday = dt.datetime.now(ZoneInfo("Asia/Seoul")).date() - dt.timedelta(days=1)
    entries = json.loads((FIXTURES / "hf" / "valid_day.json").read_text(encoding="utf-8"))
    with FakeHFServer({yesterday: entries}) as hf:
        yield hf


async def digest_due(
    tmp_path: Path, database: str, chats: int, hf_url: str
) -> tuple[dict[str, str], Path, asyncio.subprocess.Process]:
    """`chats` subscribers, the fake Bot API (its witness log) and a digest time a few seconds away:
    the bot's env, the log and the fake server's process."""
    env = await prepare(tmp_path, database, chats, hf_url)
    log = tmp_path / "witness.jsonl"
    fake, port = await start_fake_process(tmp_path, "--log", str(log), "--latency-ms", "20")
    return with_fake(env, port, rate=200) | {"PAPERBOT_DIGEST_TIME": _digest_time_soon(6)}, log, fake


def children(pid: int) -> list[int]:
    """Ids of the live processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


async def wait_until(condition, what: str, procs: list[asyncio.subprocess.Process]) -> None:
    deadline = time.monotonic() + HANG
    while not condition():
        for proc in procs:
            assert proc.returncode is None, f"paperbot exited ({proc.returncode}) while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def settled(database: str, chats: int) -> bool:
    per_sub, per_status = rows(database)
    return sum(per_status.values()) == chats and per_status["pending"] + per_status["in_flight"] == 0


def claimers(database: str) -> set[str | None]:
    db = Database(database)
    try:
        with db.session() as session:
            return set(session.scalars(select(OutboxRow.claimed_by).distinct()))
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_senders_send_every_chat_exactly_once(tmp_path: Path, backend: str) -> None:
    chats = 400
    with database_for(backend, tmp_path) as database, yesterdays_list() as hf:
        env, log, fake = await digest_due(tmp_path, database, chats, hf.url)
        leader = await start_paperbot("run", "--senders", "2", env=env, cwd=tmp_path)
        try:
            await wait_until(lambda: settled(database, chats), "every row settled", [leader])
            assert len(children(leader.pid)) == 1  # the second sender
            await asyncio.sleep(1)  # time for a wrong second copy to show up
        finally:
            code = await stop_process(leader)
            assert await stop_process(fake) == 0
        assert code == 0, (await leader.communicate())[1].decode()[-2000:]
        received = accepted(log)
        assert len(received) == chats and set(received.values()) == {1}
        _, per_status = rows(database)
        assert dict(per_status) == {"sent": chats}
        assert len(claimers(database)) == 2  # both processes sent a share
    await asyncio.sleep(0.5)
    assert children(leader.pid) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_killed_sender_is_restarted_and_nothing_is_sent_twice(tmp_path: Path, backend: str) -> None:
    chats = 2000
    with database_for(backend, tmp_path) as database, yesterdays_list() as hf:
        env, log, fake = await digest_due(tmp_path, database, chats, hf.url)
        leader = await start_paperbot("run", "--senders", "2", env=env, cwd=tmp_path)
        try:
            await wait_until(  # both processes sending (a busy machine starts the second one late)
                lambda: len(accepted(log)) >= 400 and len(claimers(database) - {None}) == 2,
                "the broadcast to get going in both processes",
                [leader],
            )
            [first] = children(leader.pid)
            await kill_and_wait(first)
            await wait_until(lambda: settled(database, chats), "every row settled", [leader])
            [second] = children(leader.pid)
        finally:
            code = await stop_process(leader)
            assert await stop_process(fake) == 0
        assert code == 0, (await leader.communicate())[1].decode()[-2000:]
        assert second != first  # restarted
        received = accepted(log)
        assert max(received.values()) == 1  # nobody got the digest twice
        _, per_status = rows(database)
        assert per_status["sent"] + per_status["unknown"] == chats
        assert per_status["unknown"] <= CONCURRENCY_BOUND  # only what the killed sender had in flight
        assert len(received) >= per_status["sent"]
        assert len(claimers(database)) == 3  # the leader, the killed sender and its successor


def gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie waiting for its parent counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def kill_and_wait(pid: int) -> None:
    """SIGKILL a process this test did not start, and wait until it has exited."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + HANG
    while not gone(pid):
        assert time.monotonic() < deadline, f"process {pid} did not die"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_a_stopped_leader_takes_its_senders_along_and_the_next_run_resumes(
    tmp_path: Path, sig: int
) -> None:
    chats = 2000
    with database_for("sqlite", tmp_path) as database, yesterdays_list() as hf:
        env, log, fake = await digest_due(tmp_path, database, chats, hf.url)
        leader = await start_paperbot("run", "--senders", "2", env=env, cwd=tmp_path)
        try:
            await wait_until(lambda: len(accepted(log)) >= 400, "the broadcast to get going", [leader])
            [sender] = children(leader.pid)
            await stop_process(leader, sig)
            deadline = time.monotonic() + HANG
            while not gone(sender):  # it stops with the leader, or on its own once orphaned
                assert time.monotonic() < deadline, "the sender outlived its leader"
                await asyncio.sleep(0.1)
            assert not settled(database, chats)
            leader = await start_paperbot("run", "--senders", "2", env=env, cwd=tmp_path)
            await wait_until(lambda: settled(database, chats), "every row settled", [leader])
        finally:
            code = await stop_process(leader)
            assert await stop_process(fake) == 0
        assert code == 0, (await leader.communicate())[1].decode()[-2000:]
    received = accepted(log)
    assert max(received.values()) == 1  # nobody got the digest twice
    _, per_status = rows(database)
    if sig == signal.SIGKILL:
        assert per_status["sent"] + per_status["unknown"] == chats
        assert per_status["unknown"] <= 2 * CONCURRENCY_BOUND  # what the two senders had in flight
        assert len(received) >= per_status["sent"]
    else:  # a clean stop finishes what is in flight: everyone exactly once
        assert dict(per_status) == {"sent": chats}
        assert len(received) == chats


async def test_a_sender_whose_leader_died_before_it_started_stops_on_its_own(tmp_path: Path) -> None:
    gone_leader = await asyncio.create_subprocess_exec("true")
    await gone_leader.wait()  # a busy machine can start a sender after its leader was killed
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    sender = await start_paperbot(
        "run", "--share", "1/2", "--parent", str(gone_leader.pid), env=env, cwd=tmp_path
    )
    code = await asyncio.wait_for(sender.wait(), HANG)
    assert code == 0, (await sender.communicate())[1].decode()[-2000:]
