"""`paperbot run` as a process in every mode: /healthz, /metrics after a broadcast, JSON log lines.

Each mode runs against its fake (Telegram polling and webhook, Slack Socket Mode and HTTP, the
console); an admin's /rebroadcast makes one broadcast, and the `sent` counter must equal what the
fake received.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.cli.demo import SAMPLE_DAY, sample_text
from bot.fields import default_taxonomy
from bot.ingest import store_digest
from bot.sources.markdown import parse_digest
from handlers.slack.requests import sign
from storage import subscribers
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Broadcast
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import TOKEN, FakeTelegramServer, private_chat, user
from tests.processes import base_env, closed_port, start_paperbot, stop_process

pytestmark = pytest.mark.slow
HANG = 90  # seconds: only ever reached when something hangs
ADMIN = 42
SLACK_TOKEN, SLACK_APP_TOKEN, SIGNING_SECRET = "xoxb-1-test-token", "xapp-1-A1-1-abc", "8f74223-signing"


@dataclass
class Mode:
    """One way of running: its settings, its subscribers, how an admin asks, what its fake received."""

    platform: str
    mode: str | None
    env: dict[str, str]
    chats: list[str]
    ask: Callable[[], Awaitable[None]]
    received: Callable[[], int]
    args: tuple[str, ...] = ()
    proc: asyncio.subprocess.Process | None = field(default=None)


async def until(probe: Callable[[], Awaitable[Any]], what: str, proc: asyncio.subprocess.Process) -> Any:
    """Poll `probe` until it returns something truthy; fail at once if paperbot died."""
    deadline = time.monotonic() + HANG
    while not (found := await probe()):
        if proc.returncode is not None:
            _, err = await proc.communicate()
            raise AssertionError(f"paperbot exited with {proc.returncode}: {err.decode()[-2000:]}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)
    return found


async def fetch(http: aiohttp.ClientSession, port: int, path: str) -> tuple[int, str] | None:
    try:
        async with http.get(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, await response.text()
    except aiohttp.ClientConnectionError:  # not listening yet
        return None


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page by (name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def far_digest_time() -> str:
    """A digest time whose last firing is older than the catch-up grace: no daily run starts."""
    return (dt.datetime.now(ZoneInfo("Asia/Seoul")) - dt.timedelta(hours=13)).strftime("%H:%M")


def rebroadcast_done(database: str) -> bool:
    db = Database(database)
    try:
        with db.session() as session:
            return session.scalar(select(Broadcast.status).where(Broadcast.kind == "rebroadcast")) == "done"
    finally:
        db.dispose()


# --- the modes ---


async def telegram_mode(fake: FakeTelegramServer, webhook_port: int | None) -> Mode:
    env = {"PAPERBOT_TELEGRAM_TOKEN": TOKEN, "PAPERBOT_TELEGRAM_API_BASE": fake.base_url}
    if webhook_port:
        env |= {
            "PAPERBOT_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/telegram",
            "PAPERBOT_TELEGRAM_WEBHOOK_PORT": str(webhook_port),
            "PAPERBOT_TELEGRAM_WEBHOOK_SECRET": "webhook-secret-1",
        }
    chats = ["9001", "9002", "9003"]

    async def ask() -> None:
        fake.push_message(private_chat(ADMIN), user(ADMIN), "/rebroadcast")

    def received() -> int:
        return len([m for m in fake.sent if str(m.chat_id) in chats])

    return Mode("telegram", "webhook" if webhook_port else "polling", env, chats, ask, received)


def slack_mode(fake: FakeSlack, http_port: int | None) -> Mode:
    env = {
        "PAPERBOT_SLACK_BOT_TOKEN": SLACK_TOKEN,
        "PAPERBOT_SLACK_API_BASE": fake.api_base,
        "PAPERBOT_SLACK_ADMIN_IDS": "T1:U1",
    }
    env |= (
        {"PAPERBOT_SLACK_SIGNING_SECRET": SIGNING_SECRET, "PAPERBOT_SLACK_PORT": str(http_port)}
        if http_port
        else {"PAPERBOT_SLACK_APP_TOKEN": SLACK_APP_TOKEN}
    )
    chats = ["C0SUBS001", "C0SUBS002", "C0SUBS003"]
    payload = {
        "team_id": "T1",
        "channel_id": "D1",
        "channel_name": "directmessage",
        "user_id": "U1",
        "command": "/rebroadcast",
        "text": "",
        "response_url": fake.response_url(uuid.uuid4().hex),
    }

    async def ask() -> None:
        if http_port is None:
            fake.push_envelope({"envelope_id": "e1", "type": "slash_commands", "payload": payload})
            return
        body, ts = urlencode(payload).encode(), str(int(time.time()))
        headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SIGNING_SECRET, ts, body)}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = f"http://127.0.0.1:{http_port}/slack/events"
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as response:
            assert response.status == 200

    def received() -> int:
        return len([c for c in fake.api_calls("chat.postMessage") if c.args.get("channel") in chats])

    return Mode("slack", "http" if http_port else "socket", env, chats, ask, received)


def console_mode(stdout: list[str]) -> Mode:
    async def ask() -> None: ...  # typed on stdin by the test

    def received() -> int:
        return "".join(stdout).count("📰 2025-02-11")

    return Mode("console", None, {}, ["local"], ask, received, args=("--console",))


# --- the shared run ---


async def prepare(tmp_path: Path, mode: Mode) -> tuple[str, dict[str, str], int]:
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    health_port = closed_port()
    env = base_env(tmp_path) | mode.env
    env |= {
        "PAPERBOT_DATABASE_URL": database,
        "PAPERBOT_HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}",
        "PAPERBOT_TELEGRAM_ADMIN_IDS": str(ADMIN),
        "PAPERBOT_DIGEST_TIME": far_digest_time(),
        "PAPERBOT_HEALTH_PORT": str(health_port),
        "PAPERBOT_LOG_FORMAT": "json",
    }
    await asyncio.to_thread(seed, database, mode)
    return database, env, health_port


def seed(database: str, mode: Mode) -> None:
    """The bundled sample day and the mode's subscribers, written before paperbot starts."""
    db = Database(database)
    try:
        upgrade(db)
        taxonomy = default_taxonomy()
        store_digest(db, parse_digest(sample_text(), SAMPLE_DAY), taxonomy, SAMPLE_DAY)
        kind = "private" if mode.platform == "telegram" else "channel"
        with db.session() as session:
            for chat in mode.chats:
                subscribers.subscribe(session, mode.platform, chat, kind, None)
    finally:
        db.dispose()


async def check_mode(tmp_path: Path, mode: Mode, stdout: list[str] | None = None) -> None:
    database, env, port = await prepare(tmp_path, mode)
    stdin = asyncio.subprocess.PIPE if mode.platform == "console" else None
    proc = await start_paperbot("run", *mode.args, env=env, cwd=tmp_path, stdin=stdin)
    stderr: list[str] = []
    readers = [asyncio.create_task(collect(proc.stderr, stderr))]
    if stdout is not None:
        readers.append(asyncio.create_task(collect(proc.stdout, stdout)))
    try:
        metric = await broadcast_once(proc, mode, database, port)
    finally:
        code = await stop_process(proc, timeout=HANG)
        await asyncio.gather(*readers)
    assert code == 0, "".join(stderr)[-2000:]
    sent = metric[("paperbot_messages_total", labels(platform=mode.platform, outcome="sent"))]
    assert sent == mode.received() >= len(mode.chats)
    assert (
        metric[("paperbot_command_replies_total", labels(command="rebroadcast", platform=mode.platform))] == 1
    )
    assert metric[("paperbot_broadcast_duration_seconds_count", labels())] >= 1
    check_log_lines("".join(stderr), mode)


async def broadcast_once(
    proc: asyncio.subprocess.Process, mode: Mode, database: str, port: int
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Wait for a healthy start, have the admin ask for /rebroadcast, wait for it; the metrics then."""
    async with aiohttp.ClientSession() as http:
        health = await until(lambda: ready(http, port, mode.platform), "a healthy start", proc)
        assert health["status"] == "ok" and health["database"] == "reachable"
        assert health["last_daily_run"] is None
        if proc.stdin is not None:
            proc.stdin.write(b"/rebroadcast\n")
            await proc.stdin.drain()
        await mode.ask()
        await until(lambda: asyncio.to_thread(rebroadcast_done, database), "the broadcast", proc)
        # the console prints before the outcome is recorded; the others' fakes count on arrival
        await until(lambda: holds(mode.received() >= len(mode.chats)), "every chat's message", proc)
        status, text = await fetch(http, port, "/metrics") or (0, "")
    assert status == 200
    return samples(text)


def labels(**pairs: str) -> frozenset[tuple[str, str]]:
    return frozenset(pairs.items())


async def holds(value: bool) -> bool:
    return value


async def ready(http: aiohttp.ClientSession, port: int, platform: str) -> dict[str, Any] | None:
    """The /healthz body once it answers 200 with the platform connected and the lead settled."""
    answer = await fetch(http, port, "/healthz")
    if answer is None or answer[0] != 200:
        return None
    body = json.loads(answer[1])
    return body if body["platforms"].get(platform) and body["role"] == "leader" else None


async def collect(stream: asyncio.StreamReader | None, into: list[str]) -> None:
    """Read a pipe to its end (a full pipe would block paperbot)."""
    assert stream is not None
    while line := await stream.readline():
        into.append(line.decode())


def check_log_lines(err: str, mode: Mode) -> None:
    """Every stderr line is one JSON object; the start line says what ran; no token leaks."""
    lines = err.splitlines()
    records = [json.loads(line) for line in lines]
    assert all(isinstance(r, dict) and {"time", "level", "logger", "message"} <= set(r) for r in records)
    started = [r["message"] for r in records if r["message"].startswith("paperbot running:")]
    name = f"{mode.platform} ({mode.mode})" if mode.mode else mode.platform
    assert len(started) == 1 and f"platforms={name};" in started[0] and " KST" in started[0], started
    assert TOKEN.split(":")[1] not in err and SLACK_TOKEN not in err and SLACK_APP_TOKEN not in err


# --- the tests ---


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    yield server
    await server.stop()


@pytest.fixture
def slack() -> Any:
    with FakeSlack(token=SLACK_TOKEN) as server:
        for chat in ("C0SUBS001", "C0SUBS002", "C0SUBS003"):
            server.channels[chat] = {"id": chat, "name": chat.lower(), "is_member": True}
        yield server


async def test_telegram_polling(tmp_path: Path, telegram: FakeTelegramServer) -> None:
    await check_mode(tmp_path, await telegram_mode(telegram, None))


async def test_telegram_webhook(tmp_path: Path, telegram: FakeTelegramServer) -> None:
    await check_mode(tmp_path, await telegram_mode(telegram, closed_port()))
    assert telegram.webhook_statuses and set(telegram.webhook_statuses) == {200}


async def test_slack_socket_mode(tmp_path: Path, slack: FakeSlack) -> None:
    await check_mode(tmp_path, slack_mode(slack, None))
    assert [a for a in slack.socket_acks if a.get("envelope_id") == "e1"]


async def test_slack_http_mode(tmp_path: Path, slack: FakeSlack) -> None:
    await check_mode(tmp_path, slack_mode(slack, closed_port()))


async def test_console(tmp_path: Path) -> None:
    stdout: list[str] = []
    await check_mode(tmp_path, console_mode(stdout), stdout)
