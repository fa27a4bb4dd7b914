"""GET /healthz and GET /metrics over real HTTP, and the counters at the places where events happen."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from openai import AsyncOpenAI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.broadcast.engine import BroadcastEngine
from bot.channels import SendResult
from bot.commands import dispatch
from bot.daily import DailyRun
from bot.health import HealthCheck
from bot.llm.prompt import PaperInput
from bot.llm.summarizer import Summarizer
from bot.models import Request
from bot.sources.hf import HFClient, HFError
from handlers.health import HealthServer, health_parts
from storage import subscribers
from storage.db import Database
from tests.fakes.hf_server import FakeHFServer
from tests.fakes.memory_channel import MemoryChannel
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.processes import closed_port

DAY = dt.date(2025, 2, 11)  # the sample day of the `services` fixture


class Part:
    """A platform stand-in that reports a fixed connection state (or has no check at all)."""

    def __init__(self, name: str, connected: bool | None) -> None:
        self.name, self._connected = name, connected
        if connected is not None:
            self.connected = self._probe

    async def _probe(self) -> bool:
        return bool(self._connected)

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def channel(self) -> None:
        return None


def value(name: str, **labels: str) -> float:
    """A sample's current value in the process-wide registry (0 before its first increment)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def served(check: HealthCheck) -> HealthServer:
    server = HealthServer(check, port=0, host="127.0.0.1")
    await server.start()
    return server


async def get(http: aiohttp.ClientSession, server: HealthServer, path: str) -> tuple[int, str, str]:
    async with http.get(f"http://127.0.0.1:{server.port}{path}") as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def daily_run(services, chats: list[str], blocked: str | None = None) -> MemoryChannel:
    with services.db.session() as session:
        for chat in chats:
            subscribers.subscribe(session, "telegram", chat, "private", None)
    channel = MemoryChannel()
    if blocked:
        channel.always[blocked] = SendResult("blocked", "Forbidden: bot was blocked by the user")
    engine = BroadcastEngine(services, {"telegram": channel}, "test", pacing=False)
    await DailyRun(services, {"telegram": channel}, engine)(DAY, wait=True)
    return channel


async def test_healthz_reports_database_role_platforms_and_the_last_daily_run(services, http) -> None:
    await daily_run(services, ["1", "2", "3"], blocked="3")
    parts = [Part("telegram", True), Part("slack", False), Part("console", None)]
    server = await served(HealthCheck(services.db, lambda: True, parts))
    try:
        status, content_type, text = await get(http, server, "/healthz")
    finally:
        await server.stop()
    assert status == 200 and content_type.startswith("application/json")
    body = json.loads(text)
    assert body["status"] == "ok" and body["database"] == "reachable" and body["role"] == "leader"
    assert body["platforms"] == {"telegram": True, "slack": False, "console": None}
    last = body["last_daily_run"]
    assert (last["day"], last["status"], last["counts"]) == ("2025-02-11", "done", {"sent": 2, "blocked": 1})


async def test_healthz_before_any_daily_run_says_so_and_names_a_follower(db: Database, http) -> None:
    server = await served(HealthCheck(db, lambda: False, []))
    try:
        async with http.get(f"http://127.0.0.1:{server.port}/healthz") as response:
            status, body = response.status, await response.json()
    finally:
        await server.stop()
    assert status == 200
    assert (body["role"], body["platforms"], body["last_daily_run"]) == ("follower", {}, None)


async def test_healthz_is_503_when_the_database_cannot_be_reached(http) -> None:
    unreachable = Database(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere")
    server = await served(HealthCheck(unreachable, lambda: False, [Part("telegram", True)]))
    try:
        async with http.get(f"http://127.0.0.1:{server.port}/healthz") as response:
            status, body = response.status, await response.json()
    finally:
        await server.stop()
        unreachable.dispose()
    assert status == 503
    assert body["database"] == "unreachable" and body["last_daily_run"] is None
    assert body["platforms"] == {"telegram": True}


def test_port_zero_turns_the_server_off(services) -> None:
    assert health_parts(services, lambda: True, []) != []
    off = replace(services, settings=services.settings.model_copy(update={"health_port": 0}))
    assert health_parts(off, lambda: True, []) == []


async def test_metrics_count_broadcast_outcomes_in_the_prometheus_format(services, http) -> None:
    sent, blocked = (
        value("paperbot_messages_total", platform="telegram", outcome="sent"),
        value("paperbot_messages_total", platform="telegram", outcome="blocked"),
    )
    runs = value("paperbot_broadcast_duration_seconds_count")
    channel = await daily_run(services, ["1", "2", "3", "4"], blocked="4")
    server = await served(HealthCheck(services.db, lambda: True, []))
    try:
        status, content_type, text = await get(http, server, "/metrics")
    finally:
        await server.stop()
    assert status == 200 and content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(text)}
    served_sent = next(
        s.value
        for s in families["paperbot_messages"].samples
        if s.name == "paperbot_messages_total" and s.labels == {"platform": "telegram", "outcome": "sent"}
    )
    assert served_sent - sent == len(channel.sent) == 3
    assert value("paperbot_messages_total", platform="telegram", outcome="blocked") - blocked == 1
    assert value("paperbot_broadcast_duration_seconds_count") - runs == 1


def test_command_replies_are_counted_by_command_and_platform(services) -> None:
    top, unknown = (
        value("paperbot_command_replies_total", command="top", platform="slack"),
        value("paperbot_command_replies_total", command="unknown", platform="slack"),
    )
    for command in ("top", "top", "no-such-command"):
        dispatch(services, Request(platform="slack", chat_id="C1", user_id="T1:U1", command=command))
    assert value("paperbot_command_replies_total", command="top", platform="slack") - top == 2
    assert value("paperbot_command_replies_total", command="unknown", platform="slack") - unknown == 1


def test_hugging_face_fetches_and_failures_are_counted() -> None:
    fetches, failures = value("paperbot_hf_fetches_total"), value("paperbot_hf_fetch_failures_total")
    with FakeHFServer({"2025-03-04": []}) as server, HFClient(server.url, backoff=0, max_retries=0) as hf:
        hf.fetch_day(dt.date(2025, 3, 4))
    down = HFClient(f"http://127.0.0.1:{closed_port()}", backoff=0, max_retries=0)
    with down, pytest.raises(HFError):
        down.fetch_day(DAY)
    assert value("paperbot_hf_fetches_total") - fetches == 2
    assert value("paperbot_hf_fetch_failures_total") - failures == 1


async def test_llm_requests_and_tokens_are_counted(services) -> None:
    requests = value("paperbot_llm_requests_total")
    prompt, completion = (
        value("paperbot_llm_tokens_total", kind="prompt"),
        value("paperbot_llm_tokens_total", kind="completion"),
    )
    paper = PaperInput(id="2502.00001", title="A Study", abstract="We study a problem. It works.")
    with FakeOpenAIServer() as llm:
        llm.script(Reply.text("not json", usage=(100, 10)), Reply(usage=(200, 20)))
        client = AsyncOpenAI(base_url=llm.url, api_key="test-key", max_retries=0)
        outcome = await Summarizer(client, "test-model", services.taxonomy).summarize(paper)
        await client.close()
    assert outcome.card is not None  # the second answer was valid
    assert value("paperbot_llm_requests_total") - requests == 2
    assert value("paperbot_llm_tokens_total", kind="prompt") - prompt == 300
    assert value("paperbot_llm_tokens_total", kind="completion") - completion == 30
