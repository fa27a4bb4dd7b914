"""The console chat on a terminal: ↑ recalls a command typed in an earlier run."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import HANG, ROOT, base_env

pytestmark = pytest.mark.slow
UP = "\x1b[A"


class Terminal:
    """`paperbot run --console` on a pseudo-terminal, typed at like a person would."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--console"],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""

    def type(self, keys: str) -> None:
        """Send keystrokes."""
        os.write(self.master, keys.encode())

    def wait_for(self, text: str) -> None:
        """Read the screen until `text` shows up."""
        deadline = time.monotonic() + HANG
        while text not in self.seen:
            assert time.monotonic() < deadline, f"{text!r} never shown; screen: {self.seen[-500:]!r}"
            ready, _, _ = select.select([self.master], [], [], 1)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the child closed the terminal
                    break

    def close(self) -> int:
        """Wait for the process to end (killing it if it hangs)."""
        try:
            return self.proc.wait(HANG)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self.master)


def test_history_survives_a_restart(tmp_path: Path) -> None:
    env = base_env(tmp_path) | {
        "PAPERBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
    }
    first = Terminal(env, tmp_path)
    first.type("/fields\r")
    first.wait_for("/field ")
    first.type("/quit\r")
    assert first.close() == 0
    history = tmp_path / ".local" / "state" / "paperbot" / "console_history"
    assert history.read_text().splitlines()[-2:] == ["/fields", "/quit"]

    second = Terminal(env, tmp_path)
    second.wait_for("/quit")  # the greeting
    second.type(UP + UP + "\r")  # two lines back: /fields, recalled from the first run
    second.wait_for("/field ")
    second.type("/quit\r")
    assert second.close() == 0
