"""The long-running parts of `paperbot run` and the loop that starts and stops them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger(__name__)


class Lifecycle(Protocol):
    """A part of the running service: a platform, the leadership, the engine, the scheduler."""

    name: str

    async def start(self) -> None:
        """Begin working in the background; return once running."""
        ...

    async def stop(self) -> None:
        """Stop working and release what it holds."""
        ...


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            log.debug("cannot install a handler for %s", sig)


async def serve(parts: Sequence[Lifecycle], stop: asyncio.Event | None = None) -> None:
    """Start `parts` in order, wait for SIGTERM/SIGINT (or `stop`), then stop them in reverse."""
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    started: list[Lifecycle] = []
    try:
        for part in parts:
            await part.start()
            started.append(part)
            log.info("started %s", part.name)
        await stop.wait()
        log.info("stopping")
    finally:
        for part in reversed(started):
            try:
                await part.stop()
            except Exception:
                log.exception("stopping %s failed", part.name)
