"""The console chat: the same commands as Telegram and Slack, typed at a prompt."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.channels import ChatLimits, SendResult
from bot.commands import dispatch, parse_command
from bot.models import Digest, Request
from bot.render.text import render_digest_text, render_reply_text
from bot.services import Services

CONSOLE_CHAT = "local"
PROMPT = "paperbot> "
QUIT = {"quit", "exit", "q"}


def console_request(text: str) -> Request | None:
    """A console line as a neutral request from the local (admin) user; None when not a command."""
    parsed = parse_command(text)
    if parsed is None:
        return None
    command, args = parsed
    return Request(
        platform="console",
        chat_id=CONSOLE_CHAT,
        user_id=CONSOLE_CHAT,
        command=command,
        args=args,
        chat_kind="private",
        is_chat_admin=True,
    )


def answer(services: Services, text: str) -> str | None:
    """The bot's reply to one console line; None means the user wants to quit."""
    request = console_request(text)
    if request is None:
        return texts.CONSOLE_NOT_A_COMMAND if text.strip() else ""
    if request.command in QUIT:
        return None
    return render_reply_text(dispatch(services, request))


HISTORY_LINES = 1000


def history_path() -> Path:
    """The file that keeps typed commands between runs ($XDG_STATE_HOME/paperbot/console_history)."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "paperbot" / "console_history"


class ConsoleHistory:
    """Line editing and ↑/↓ history through readline, kept in a file so it survives a restart."""

    def __init__(self, path: Path, limit: int = HISTORY_LINES) -> None:
        import readline

        self.readline = readline
        self.path = path
        self.limit = limit

    def load(self) -> None:
        """Read the earlier runs' lines and trim the file to the newest `limit`."""
        self.readline.set_history_length(self.limit)
        with contextlib.suppress(OSError):
            self.readline.read_history_file(self.path)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.readline.write_history_file(self.path)

    def remember(self, line: str) -> None:
        """Append one typed line to the file at once: a crash or SIGTERM loses nothing typed."""
        if not line.strip():
            return
        with contextlib.suppress(OSError):
            self.readline.append_history_file(1, self.path)


def editable(stdin: TextIO) -> ConsoleHistory | None:
    """Line editing with a kept history when lines come from the terminal; None otherwise."""
    if stdin is not sys.stdin or not stdin.isatty():
        return None
    try:
        history = ConsoleHistory(history_path())
    except ImportError:  # a Python built without readline: plain lines still work
        return None
    history.load()
    return history


def read_line(stdin: TextIO, stdout: TextIO, prompt: str, history: ConsoleHistory | None) -> str:
    """One line with its newline; "" at the end of input."""
    if history is not None:
        try:
            line = input(prompt)
        except EOFError:
            return ""
        history.remember(line)
        return line + "\n"
    print(prompt, end="", file=stdout, flush=True)
    return stdin.readline()


def run_console(services: Services, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Read commands until /quit or end of input."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    history = editable(stdin)
    print(texts.CONSOLE_INTRO, file=stdout)
    while True:
        line = read_line(stdin, stdout, PROMPT, history)
        if not line:
            print(file=stdout)
            return
        reply = answer(services, line)
        if reply is None:
            return
        if reply:
            print(reply, file=stdout)


class ConsoleChannel:
    """Broadcasts to the console subscriber are printed to stdout."""

    platform = "console"
    limits = ChatLimits(global_per_second=1000.0, private_interval=0.0, group_interval=0.0)

    def __init__(self, stdout: TextIO | None = None) -> None:
        self.stdout = stdout or sys.stdout

    def render(self, digest: Digest) -> list[str]:
        """One plain-text part per digest."""
        return [render_digest_text(digest)]

    def render_text(self, text: str) -> list[str]:
        """A notice as one part."""
        return [text]

    async def send(self, chat_id: str, part: object) -> SendResult:
        """Print the part."""
        print(str(part), file=self.stdout, flush=True)
        return SendResult("sent")

    async def aclose(self) -> None:
        """Nothing to release."""


class ConsolePlatform:
    """The console chat inside `paperbot run --console`.

    Stdin is read by a daemon thread: a read blocked on the terminal must never keep the
    process from exiting on SIGTERM. /quit and the end of input call `on_quit` (the service
    passes its stop), as the greeting promises.
    """

    name = "console"

    def __init__(
        self,
        services: Services,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        on_quit: Callable[[], None] | None = None,
    ) -> None:
        self.services = services
        self.stdin, self.stdout = stdin or sys.stdin, stdout or sys.stdout
        self.on_quit = on_quit or (lambda: None)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin reading commands."""
        print(texts.CONSOLE_INTRO, file=self.stdout, flush=True)
        lines: asyncio.Queue[str] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        history = editable(self.stdin)

        def read() -> None:
            for line in iter(lambda: read_line(self.stdin, self.stdout, "", history), ""):
                try:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                except RuntimeError:  # the loop is gone: the service stopped
                    return
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(lines.put_nowait, "")

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        self._task = asyncio.create_task(self._loop(lines), name="console-chat")

    async def _loop(self, lines: asyncio.Queue[str]) -> None:
        while line := await lines.get():
            reply = await asyncio.to_thread(answer, self.services, line)
            if reply is None:
                break
            if reply:
                print(reply, file=self.stdout, flush=True)
        self.on_quit()

    async def stop(self) -> None:
        """Stop answering (the reader thread dies with the process)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def connected(self) -> bool:
        """True while commands are read (until end of input or /quit)."""
        return self._task is not None and not self._task.done()

    def channel(self) -> ConsoleChannel:
        """Broadcasts to `console` subscribers print here."""
        return ConsoleChannel(self.stdout)
