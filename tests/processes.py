"""Helpers for tests that run paperbot and the fake Bot API server as separate processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HANG = 90.0  # seconds: a limit only a hung process reaches, however loaded the machine is


def base_env(tmp_path: Path) -> dict[str, str]:
    """A bare environment: no developer settings leak into the child.

    No health server unless a test asks for one: two instances, or anything else on this machine,
    would otherwise compete for the default port.
    """
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
        "PAPERBOT_HEALTH_PORT": "0",
    }


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> tuple[int, str]:
    """Run a command to completion; (exit code, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=cwd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, stderr.decode(errors="replace")


async def paperbot(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """Run `python -m bot ARGS`."""
    return await run(sys.executable, "-m", "bot", *args, env=env, cwd=cwd, timeout=timeout)


async def start_paperbot(
    *args: str, env: dict[str, str], cwd: Path, stdin: int | None = None
) -> asyncio.subprocess.Process:
    """Start `python -m bot ARGS` in the background (stderr kept for failure messages)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=stdin,
        stdout=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def start_fake_process(tmp_path: Path, *args: str) -> tuple[asyncio.subprocess.Process, int]:
    """The fake Bot API server in its own process; returns it and its port."""
    port_file = tmp_path / "port"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram_server",
        "--port",
        "0",
        "--port-file",
        str(port_file),
        *args,
        cwd=ROOT,
    )
    deadline = time.monotonic() + HANG
    while not port_file.exists():
        assert proc.returncode is None and time.monotonic() < deadline, "the fake server did not start"
        await asyncio.sleep(0.05)
    return proc, int(port_file.read_text())


async def stop_process(
    proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM, timeout: float = HANG
) -> int:
    """Signal a process and wait for it."""
    if proc.returncode is None:
        proc.send_signal(sig)
    return await asyncio.wait_for(proc.wait(), timeout)


def read_log(path: Path) -> list[dict[str, Any]]:
    """The fake server's JSON lines (a last line cut by a kill is ignored)."""
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return lines
