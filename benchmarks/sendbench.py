"""What the send benchmarks share: the fake Bot API in its own process, a planned broadcast, CPU time.

CPU per message is process CPU time (every thread) divided by the messages the fake server
accepted, for the sender and for the server (read from /proc, Linux only).
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import open_database  # noqa: E402
from bot.broadcast.engine import BroadcastEngine  # noqa: E402
from bot.cli.demo import SAMPLE_DAY, sample_text  # noqa: E402
from bot.daily import DailyRun  # noqa: E402
from bot.fields import default_taxonomy  # noqa: E402
from bot.ingest import store_digest  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sources.markdown import parse_digest  # noqa: E402
from handlers.telegram.sender import TelegramChannel  # noqa: E402
from storage import subscribers  # noqa: E402
from tests.fakes.telegram_server import TOKEN  # noqa: E402
from tests.processes import read_log, start_fake_process, stop_process  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


FIRST_CHAT = 10_000_000  # the first generated chat id
LOOP = os.environ.get("PAPERBOT_EVENT_LOOP", "auto")  # the event loop, chosen as `paperbot run` does


def load() -> str:
    """The 1/5/15-minute load averages."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


class FakeBotApi:
    """The fake Bot API server as a process, with its log of accepted sends."""

    def __init__(self, workdir: Path, latency_ms: float) -> None:
        self.workdir, self.latency_ms = workdir, latency_ms
        self.log = workdir / "witness.jsonl"
        self.port = 0
        self._proc: object = None

    async def __aenter__(self) -> FakeBotApi:
        self._proc, self.port = await start_fake_process(
            self.workdir,
            "--log",
            str(self.log),
            "--latency-ms",
            str(self.latency_ms),
            "--max-lifetime",
            "7200",
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await stop_process(self._proc)  # type: ignore[arg-type]

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self._proc.pid  # type: ignore[attr-defined]

    def cpu(self) -> float:
        """The server's CPU seconds so far."""
        return process_cpu(self.pid)

    def accepted_since(self, since: float) -> tuple[list[float], dict[str, list[float]]]:
        """Times of the sendMessage calls accepted since `since` (epoch), overall and per chat."""
        times, per_chat = [], defaultdict(list)
        for line in read_log(self.log):
            if "chat_id" in line and line["t"] >= since:
                times.append(line["t"])
                per_chat[str(line["chat_id"])].append(line["t"])
        return times, per_chat


def fake_bot_services(url: str, port: int, migrate: bool = True, **settings: object) -> Services:
    """Services over the database `url` whose Telegram is the fake Bot API on `port`."""
    config = Settings(
        _env_file=None,
        database_url=url,
        telegram_token=TOKEN,
        telegram_api_base=f"http://127.0.0.1:{port}/bot",
        **settings,
    )
    return Services(db=open_database(url, migrate=migrate), settings=config, taxonomy=default_taxonomy())


def add_sample(services: Services, chats: int, first_chat: int = FIRST_CHAT) -> None:
    """The sample day, and `chats` private Telegram chats subscribed (ids from `first_chat` on)."""
    store_digest(services.db, parse_digest(sample_text(), SAMPLE_DAY), services.taxonomy, SAMPLE_DAY)
    ids = (str(first_chat + i) for i in range(chats))
    with services.db.session() as session:
        subscribers.subscribe_many(session, "telegram", ids, chat_kind="private")


def services_for(workdir: Path, port: int, chats: int, **settings: object) -> Services:
    """A fresh SQLite database (or PAPERBOT_BENCH_DATABASE_URL) with the sample day and `chats` chats."""
    url = os.environ.get("PAPERBOT_BENCH_DATABASE_URL") or (
        f"sqlite:///{workdir / f'bench-{time.monotonic_ns()}.db'}"
    )
    services = fake_bot_services(url, port, **settings)
    add_sample(services, chats)
    return services


@dataclass
class Engine:
    """A planned daily broadcast and the engine that will send it."""

    engine: BroadcastEngine
    channel: TelegramChannel
    recipients: int


async def planned(services: Services, pacing: bool, concurrency: int = 128) -> Engine:
    """Plan the sample day's broadcast (outbox rows written), not sent yet."""
    channel = TelegramChannel(services.settings)
    engine = BroadcastEngine(services, {"telegram": channel}, "bench", pacing=pacing, concurrency=concurrency)
    result = await DailyRun(services, {"telegram": channel}, engine)(SAMPLE_DAY, wait=False)
    return Engine(engine, channel, result.recipients)


@dataclass
class Measured:
    """One sending run: messages the server accepted, wall seconds, CPU seconds of both sides."""

    messages: int
    seconds: float
    sender_cpu: float
    server_cpu: float

    @property
    def rate(self) -> float:
        """Messages per second."""
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def sender_us(self) -> float:
        """Sender CPU µs per accepted message."""
        return self.sender_cpu / max(self.messages, 1) * 1e6

    @property
    def server_us(self) -> float:
        """Fake server CPU µs per accepted message."""
        return self.server_cpu / max(self.messages, 1) * 1e6


class Meter:
    """Measures a stretch of sending: wall time, this process's and the server's CPU, accepted sends."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    def __enter__(self) -> Meter:
        self.since = time.time()
        self.wall, self.cpu, self.server = time.perf_counter(), time.process_time(), self.api.cpu()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.result = Measured(
            0, time.perf_counter() - self.wall, time.process_time() - self.cpu, self.api.cpu() - self.server
        )
        self.result.messages = len(self.api.accepted_since(self.since)[0])
