"""Terminal output of long verbs: the broadcast tally line and the progress bars (on a forced terminal)."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from bot.cli.live import tally_task, track
from tests.paths import FIXTURES
from tests.processes import base_env


def forced_terminal() -> tuple[Console, io.StringIO]:
    """A rich console that believes it writes to a terminal, and what it wrote."""
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


async def test_the_tally_line_shows_sent_failed_blocked_left_and_the_rate() -> None:
    console, out = forced_terminal()
    counts = {"sent": 3, "failed": 1, "blocked": 2, "pending": 4}
    async with tally_task(lambda: counts, console):
        await asyncio.sleep(0.3)
        counts = {"sent": 9, "failed": 1, "blocked": 2, "pending": 0}
    shown = out.getvalue()
    assert "sent 3 · failed 1 · blocked 2 · left 4 · " in shown
    assert "sent 9 · failed 1 · blocked 2 · left 0 · " in shown  # the final counts stay on screen
    assert "/s" in shown


async def test_no_tally_without_a_terminal() -> None:
    async with tally_task(lambda: {"sent": 1}, None):
        await asyncio.sleep(0.05)  # nothing to watch: the block just runs


def test_the_bar_counts_the_items_on_a_terminal() -> None:
    console, out = forced_terminal()
    with track(["a", "b", "c"], "reading", console) as items:
        assert list(items) == ["a", "b", "c"]
    assert "reading" in out.getvalue() and "3/3" in out.getvalue()


def test_broadcast_on_a_terminal_shows_the_live_tally(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "COLUMNS": "120"}
    digest = str(FIXTURES / "digests" / "cards_crlf.md")
    for args in (["import", digest, "--date", "2025-03-04"], ["subscribers", "add", "console", "ann", "bo"]):
        subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path, check=True, timeout=120)
    primary, secondary = pty.openpty()  # stderr is a terminal, stdout a pipe
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "broadcast", "--date", "2025-03-04"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=secondary,
    ) as proc:
        os.close(secondary)
        stdout, _ = proc.communicate(timeout=120)
        shown = _read_all(primary)
    assert proc.returncode == 0
    assert "sent 2 · failed 0 · blocked 0 · left 0 · " in shown
    assert b"sent 2" in stdout and b"left 0" not in stdout  # the tally is for the terminal only


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")


def test_console_chat_on_a_terminal_recalls_the_last_line_with_the_up_arrow(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {"TERM": "xterm"}
    primary, secondary = pty.openpty()  # the chat's stdin and stdout are the terminal
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--database", f"sqlite:///{tmp_path / 'demo.db'}"],
        env=env,
        cwd=tmp_path,
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.DEVNULL,
    ) as proc:
        os.close(secondary)
        shown = _converse(primary, [b"/top 1\r", b"\x1b[A\r", b"/quit\r"])
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert shown.count("허깅페이스 인기 논문 TOP 1") == 2  # typed once, recalled once
    assert "명령어는 / 로 시작해요" not in shown  # the arrow key was not read as text


def _converse(fd: int, keys: list[bytes]) -> str:
    """Type each line once the prompt shows, and return everything the terminal showed."""
    shown = b""
    for typed, line in enumerate(keys):
        while shown.count(b"paperbot> ") <= typed:
            chunk = _read_some(fd)
            assert chunk, shown.decode(errors="replace")[-500:]
            shown += chunk
        os.write(fd, line)
    while chunk := _read_some(fd):
        shown += chunk
    os.close(fd)
    return shown.decode(errors="replace")


def _read_some(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 60)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the program ended and closed the terminal
        return b""
