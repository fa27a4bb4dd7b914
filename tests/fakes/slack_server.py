"""A fake Slack Web API (plus response URLs and a Socket Mode websocket) on loopback, in its own thread."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"


@dataclass(frozen=True)
class Canned:
    """A response served instead of the normal one; `delay` provokes client timeouts."""

    status: int = 200
    body: Mapping[str, Any] | str = field(default_factory=lambda: {"ok": True})
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class ApiCall:
    """One Web API request: method name, merged query/form/JSON arguments, bearer token."""

    method: str
    args: dict[str, Any]
    token: str | None


@dataclass(frozen=True)
class Posted:
    """One message posted to a response URL."""

    key: str
    body: dict[str, Any]


class FakeSlack:
    """Web API methods the bot uses, with channel membership and user roles set by the test."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.channels: dict[str, dict[str, Any]] = {}  # id -> conversations.info "channel" object
        self.users: dict[str, dict[str, Any]] = {}  # id -> users.info "user" object
        self.faults: dict[str, deque[Canned]] = defaultdict(deque)
        self.calls: list[ApiCall] = []
        self.posted: list[Posted] = []
        self.messages: list[dict[str, Any]] = []  # chat.postMessage calls answered ok, with their ts
        self.socket_acks: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, name="fake-slack", daemon=True)
        self.port = 0

    # --- lifecycle ---
    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Slack server did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._startup())
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _startup(self) -> None:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests use ---
    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_base(self) -> str:
        """Value for PAPERBOT_SLACK_API_BASE."""
        return self.url + "api/"

    def response_url(self, key: str) -> str:
        """A response_url for a payload; what is posted there is recorded under `key`."""
        return f"{self.url}respond/{key}"

    def fail_with(self, method: str, *responses: Canned) -> None:
        """Queue canned responses for one method; each call takes the next one."""
        with self._lock:
            self.faults[method].extend(responses)

    def api_calls(self, method: str) -> list[ApiCall]:
        """The calls of one Web API method so far."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def channel_messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages chat.postMessage took for one channel (its arguments plus the ts answered)."""
        with self._lock:
            return [m for m in self.messages if m.get("channel") == channel]

    def posts(self, key: str) -> list[dict[str, Any]]:
        """The messages posted to one response URL so far."""
        with self._lock:
            return [p.body for p in self.posted if p.key == key]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Poll `check` until it returns something truthy (the app answers in the background)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := check()):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting for the fake Slack server")
            await asyncio.sleep(0.01)
        return result

    def push_envelope(self, envelope: Mapping[str, Any]) -> None:
        """Send a Socket Mode envelope to every connected client."""

        async def send() -> None:
            for ws in list(self._sockets):
                await ws.send_json(dict(envelope))

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(5)

    @property
    def socket_clients(self) -> int:
        """How many Socket Mode connections are open."""
        return len(self._sockets)

    # --- handlers ---
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if request.content_type == "application/json" and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        with self._lock:
            self.calls.append(ApiCall(method, args, token))
            canned = self.faults[method].popleft() if self.faults[method] else None
        if canned is not None:
            await asyncio.sleep(canned.delay)
            return _respond(canned)
        if self.token is not None and method != "apps.connections.open" and token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "user": "paperbot", "team_id": "T1", "bot_id": "B1"}
        if method == "conversations.info":
            channel = self.channels.get(str(args.get("channel")))
            return (
                {"ok": True, "channel": channel} if channel else {"ok": False, "error": "channel_not_found"}
            )
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in {"chat.postMessage", "chat.postEphemeral"}:
            ts = f"{len(self.calls)}.000100"
            if method == "chat.postMessage":
                with self._lock:
                    self.messages.append(args | {"ts": ts})
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.posted.append(Posted(request.match_info["key"], body))
        return web.Response(text="ok", content_type="text/plain")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    with self._lock:
                        self.socket_acks.append(json.loads(message.data))
        finally:
            self._sockets.remove(ws)
        return ws


def _respond(canned: Canned) -> web.Response:
    if isinstance(canned.body, str):
        return web.Response(status=canned.status, text=canned.body, headers=dict(canned.headers))
    return web.json_response(dict(canned.body), status=canned.status, headers=dict(canned.headers))
