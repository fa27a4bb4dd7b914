"""The console chat: the same commands as Telegram and Slack, typed at a prompt."""

from __future__ import annotations

import sys
from typing import TextIO

from bot import texts
from bot.commands import dispatch, parse_command
from bot.models import Request
from bot.render.text import render_reply_text
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


def run_console(services: Services, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Read commands until /quit or end of input."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    print(texts.CONSOLE_INTRO, file=stdout)
    while True:
        print(PROMPT, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            print(file=stdout)
            return
        reply = answer(services, line)
        if reply is None:
            return
        if reply:
            print(reply, file=stdout)
