"""The console chat: the same commands as Telegram and Slack, typed at a prompt."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
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


def editable(stdin: TextIO) -> bool:
    """True when lines come from the terminal: then they are read with line editing and history."""
    if stdin is not sys.stdin or not stdin.isatty():
        return False
    try:
        import readline  # noqa: F401  (importing it gives input() editing and ↑/↓ history)
    except ImportError:  # a Python built without it: plain lines still work
        return False
    return True


def read_line(stdin: TextIO, stdout: TextIO, prompt: str, edit: bool) -> str:
    """One line with its newline; "" at the end of input."""
    if edit:
        try:
            return input(prompt) + "\n"
        except EOFError:
            return ""
    print(prompt, end="", file=stdout, flush=True)
    return stdin.readline()


def run_console(services: Services, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Read commands until /quit or end of input."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    edit = editable(stdin)
    print(texts.CONSOLE_INTRO, file=stdout)
    while True:
        line = read_line(stdin, stdout, PROMPT, edit)
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

        edit = editable(self.stdin)

        def read() -> None:
            for line in iter(lambda: read_line(self.stdin, self.stdout, "", edit), ""):
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
