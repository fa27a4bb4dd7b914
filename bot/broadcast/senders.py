"""Sender processes: with `paperbot run --senders N` the leader sends share 0 and keeps N-1 more running.

Each sender process sends the rows of the subscribers whose id modulo N is its index (the claim
stays atomic as well). They run while this process leads, are restarted when one dies, and stop
when it stops leading or stops; a sender whose parent is gone stops on its own (`parent_alive`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between looks at the leadership and the sender processes
STOP_WAIT = 60.0  # seconds a sender has to finish its sends in flight before it is killed


def parse_share(text: str) -> tuple[int, int]:
    """ "1/4" -> (1, 4): sender 1 of 4."""
    index, _, senders = text.partition("/")
    share = int(index), int(senders)
    if not 0 <= share[0] < share[1]:
        raise ValueError(f"not a sender's share: {text}")
    return share


def parent_alive(parent: int) -> Callable[[], bool]:
    """True while the process that started this one runs (an orphan is adopted by another)."""
    return lambda: os.getppid() == parent


class SenderPool:
    """Keeps sender processes 1..N-1 running while `is_leader()`; a lifecycle part of the leader."""

    name = "sender-pool"

    def __init__(
        self,
        senders: int,
        is_leader: Callable[[], bool],
        command: Callable[[int], Sequence[str]],
        check_every: float = CHECK_EVERY,
    ) -> None:
        self.senders, self.is_leader, self.command, self.check_every = (
            senders,
            is_leader,
            command,
            check_every,
        )
        self.procs: dict[int, asyncio.subprocess.Process] = {}
        self.restarts = 0
        self._ending: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Watch the leadership and the sender processes in the background."""
        self._task = asyncio.create_task(self._watch(), name="sender-pool")

    async def stop(self) -> None:
        """Stop every sender process (each finishes and records its sends in flight first)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await asyncio.gather(*(self._end(index) for index in list(self.procs)))

    async def _watch(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._check()
            except Exception:
                log.exception("event=sender-pool-error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.check_every)

    async def _check(self) -> None:
        leading = self.is_leader()
        for index in range(1, self.senders):
            proc = self.procs.get(index)
            if proc is not None and proc.returncode is not None:
                del self.procs[index]
                log.warning("event=sender-exited sender=%d/%d code=%s", index, self.senders, proc.returncode)
                if leading:
                    self.restarts += 1
                proc = None
            if leading and proc is None:
                await self._spawn(index)
            elif not leading and proc is not None and index not in self._ending:
                self._ending[index] = asyncio.create_task(self._end(index))

    async def _spawn(self, index: int) -> None:
        proc = await asyncio.create_subprocess_exec(*self.command(index), stdin=asyncio.subprocess.DEVNULL)
        self.procs[index] = proc
        log.info("event=sender-started sender=%d/%d pid=%d", index, self.senders, proc.pid)

    async def _end(self, index: int) -> None:
        """SIGTERM, and SIGKILL when it does not end in time; a new one starts only after it ended."""
        proc = self.procs.get(index)
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_WAIT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self.procs.get(index) is proc:
            del self.procs[index]
        self._ending.pop(index, None)
