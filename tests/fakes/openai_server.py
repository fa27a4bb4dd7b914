"""A fake OpenAI-compatible chat server on loopback: records requests, answers from a script, and
otherwise writes a valid Korean card from the paper's title. Runs its own event loop in a thread, so
synchronous CLI tests and async tests can both talk to it.

Local servers are imitated too: `reject_json_schema` refuses structured output (HTTP 400, or with
`refusal_status=500` the way llama.cpp's server answers it), and `wrapping` puts every 200 answer
inside the text small local models add around their JSON (a code fence, a sentence, a <think> block)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

TITLE_LINE = re.compile(r"^제목: (.+)$", re.MULTILINE)
LLAMA_CPP_REFUSAL = 'response_format type must be one of "text" or "json_object", but got: json_schema'
WRAPPINGS = {
    "plain": "{answer}",
    "fenced": "```json\n{answer}\n```",
    "chatty": "다음은 요청하신 JSON입니다:\n\n{answer}\n\n도움이 되었기를 바랍니다!",
    "fenced_chatty": "Sure! Here is the card:\n```json\n{answer}\n```\nLet me know if you need more.",
    "think": "<think>\n논문을 읽고 {{요약}}과 분야를 정리하자.\n</think>\n\n{answer}",
}
KEYWORD_FIELDS = (
    ("language model", "llm"),
    ("llm", "llm"),
    ("reason", "reasoning"),
    ("image", "vision"),
    ("video", "generation"),
    ("robot", "robotics"),
    ("agent", "agents"),
    ("quantiz", "efficiency"),
    ("speech", "audio"),
)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `content=None` on a 200 means "the valid answer for this paper"."""

    status: int = 200
    content: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (to provoke client timeouts)
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens; None → estimated from lengths
    include_usage: bool = True

    @classmethod
    def answer(cls, data: Any, **kwargs: Any) -> Reply:
        """A 200 whose message content is `data` as JSON."""
        return cls(content=json.dumps(data, ensure_ascii=False), **kwargs)

    @classmethod
    def text(cls, content: str, **kwargs: Any) -> Reply:
        """A 200 whose message content is this exact text."""
        return cls(content=content, **kwargs)

    @classmethod
    def error(cls, status: int, retry_after: str | None = None) -> Reply:
        """An OpenAI-style error response."""
        return cls(status=status, headers={"Retry-After": retry_after} if retry_after is not None else {})


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def response_format(self) -> str | None:
        """The `response_format.type` the client asked for."""
        return (self.body.get("response_format") or {}).get("type")

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation sent."""
        return list(self.body.get("messages") or [])

    @property
    def title(self) -> str | None:
        """The paper title in the conversation, if any."""
        for message in self.messages:
            found = TITLE_LINE.search(str(message.get("content") or ""))
            if found:
                return found.group(1).strip()
        return None


def valid_answer(title: str, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """A Korean answer that passes validation, derived from a paper title."""
    plain = re.sub(r"[()]", " ", " ".join(title.split()))
    return {
        "summary_ko": f"이 논문은 새로운 방법을 제안합니다({plain}). "
        "제안한 방법이 기존 방법보다 나은지 여러 실험으로 확인했습니다.",
        "easy_ko": "컴퓨터가 더 똑똑하게 일하도록 돕는 방법을 찾았어요. "
        "덕분에 많은 사람이 더 편하게 쓸 수 있답니다.",
        "fields": list(fields) or guess_fields(title),
    }


def guess_fields(title: str) -> list[str]:
    """A field code or two from words in the title; `ai` when nothing matches."""
    lowered = title.lower()
    codes = list(dict.fromkeys(code for word, code in KEYWORD_FIELDS if word in lowered))
    return codes[:3] or ["ai"]


def closed_port_url() -> str:
    """A loopback URL where nothing listens (a server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class FakeOpenAIServer:
    """`POST /v1/chat/completions` (and `/chat/completions`) on 127.0.0.1, a random port."""

    def __init__(
        self,
        *,
        reject_json_schema: bool = False,
        refusal_status: int = 400,
        wrapping: str = "plain",
        default: Reply | None = None,
    ) -> None:
        self.reject_json_schema = reject_json_schema
        self.refusal_status = refusal_status
        self.wrapping = WRAPPINGS[wrapping]
        self.default = default or Reply()
        self.requests: list[Recorded] = []
        self._scripts: list[tuple[str | None, Reply]] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._counter = 0
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests served at the same time

    @property
    def url(self) -> str:
        """The base URL to give the OpenAI client (it appends `/chat/completions`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply, paper: str | None = None) -> None:
        """Queue replies, used in order; with `paper`, only for requests whose title contains it."""
        with self._lock:
            self._scripts.extend((paper, r) for r in replies)

    def _next(self, title: str | None) -> Reply:
        with self._lock:
            for i, (paper, reply) in enumerate(self._scripts):
                if paper is None or (title is not None and paper in title):
                    del self._scripts[i]
                    return reply
        return self.default

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "the body is not JSON")
        recorded = Recorded(request.path, dict(request.headers), body)
        with self._lock:
            self.requests.append(recorded)
            self._counter += 1
            number = self._counter
        if self.reject_json_schema and recorded.response_format == "json_schema":
            return self._refusal()
        reply = self._next(recorded.title)
        self.in_flight += 1  # handlers run on the server's one loop thread
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
        finally:
            self.in_flight -= 1
        if reply.status != 200:
            return _error(reply.status, "scripted failure", reply.headers)
        content = reply.content
        if content is None:
            content = json.dumps(valid_answer(recorded.title or "Untitled"), ensure_ascii=False)
        content = self.wrapping.format(answer=content)
        return web.json_response(_completion(number, body, content, reply), headers=dict(reply.headers))

    def _refusal(self) -> web.Response:
        """Structured output refused: HTTP 400 (as OpenAI-style servers say it) or llama.cpp's 500."""
        status = self.refusal_status
        if status >= 500:
            body = {"error": {"code": status, "message": LLAMA_CPP_REFUSAL, "type": "server_error"}}
            return web.json_response(body, status=status)
        return _error(status, "response_format of type json_schema is not supported by this model")

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_post("/chat/completions", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # the bound socket tells the random port
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        ready.set()
        self._loop.run_forever()
        assert self._runner is not None
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> Self:
        """Start serving in a background thread."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake OpenAI server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    kind = (
        "rate_limit_error" if status == 429 else "invalid_request_error" if status < 500 else "server_error"
    )
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return web.json_response(body, status=status, headers=dict(headers or {}))


def _completion(number: int, request: dict[str, Any], content: str, reply: Reply) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content") or "")) for m in request.get("messages") or [])
    prompt_tokens, completion_tokens = reply.usage or (prompt_chars // 4 + 1, len(content) // 2 + 1)
    body: dict[str, Any] = {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }
    if reply.include_usage:
        body["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
    return body
