"""One scheduler leader among instances sharing a database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from storage import leases
from storage.db import Database

log = logging.getLogger(__name__)
LEASE = "scheduler"


def instance_name() -> str:
    """Who this process is when it claims rows and leases: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_is_dead(holder: str) -> bool:
    """True for a `host:pid` holder on this host whose process no longer exists."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


class Leadership:
    """Holds (or keeps trying to take) the leadership; `is_leader` says whether this process has it.

    PostgreSQL: a session-level advisory lock on a dedicated connection — it ends with the process.
    SQLite: a lease row renewed every `ttl / 3` seconds — a dead holder loses it after `ttl`.
    """

    name = "leadership"

    def __init__(self, db: Database, holder: str, ttl: float = 30.0) -> None:
        self.db, self.holder, self.ttl = db, holder, ttl
        self.is_leader = False
        self._connection: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._guard = threading.Lock()  # one attempt at a time, and none after stop()
        self._stopped = False

    def try_acquire(self) -> bool:
        """One attempt to take or renew the leadership (none once stopped)."""
        with self._guard:
            return False if self._stopped else self._attempt()

    def _attempt(self) -> bool:
        if self.db.is_sqlite:
            with self.db.session() as session:
                self.is_leader = leases.try_lease(session, LEASE, self.holder, self.ttl)
                if not self.is_leader:
                    self.is_leader = self._take_from_dead(session)
            return self.is_leader
        if self._connection is not None and not leases.still_connected(self._connection):
            self._drop_connection()
        if self._connection is None:  # autocommit: never left "idle in transaction"
            self._connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if not self.is_leader:
            self.is_leader = leases.try_advisory_lock(self._connection)
        return self.is_leader

    def _take_from_dead(self, session: Session) -> bool:
        """A holder on this host whose process is gone (killed) loses the lease at once."""
        found = leases.holder_of(session, LEASE)
        if found is None or not holder_is_dead(found[0]):
            return False
        log.warning("event=leadership-takeover stale_holder=%s", found[0])
        return leases.take_over(session, LEASE, found[0], self.holder, self.ttl)

    def _drop_connection(self) -> None:
        self.is_leader = False
        if self._connection is not None:
            try:  # invalidate, not close: a pooled connection would keep the advisory lock
                self._connection.invalidate()
                self._connection.close()
            except Exception:
                log.debug("closing the leader connection failed", exc_info=True)
            self._connection = None

    async def start(self) -> None:
        """Try now, then keep renewing or retrying in the background."""
        await asyncio.to_thread(self.try_acquire)
        self._task = asyncio.create_task(self._keep(), name="leadership")

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            was = self.is_leader
            try:
                await asyncio.to_thread(self.try_acquire)
            except Exception:
                log.exception("event=leadership-error")
                self.is_leader = False
            if was != self.is_leader:
                log.info("event=leadership leader=%s holder=%s", self.is_leader, self.holder)

    async def stop(self) -> None:
        """Give the leadership up."""
        if self._task is not None:
            self._task.cancel()  # (a renewal already in its thread goes on: _release waits for it)
        await asyncio.to_thread(self._release)

    def _release(self) -> None:
        with self._guard:  # else a renewal in flight would take the lock again, on a new connection
            self._stopped = True
            if self.db.is_sqlite and self.is_leader:
                with self.db.session() as session:
                    leases.release_lease(session, LEASE, self.holder)
            elif self.is_leader and self._connection is not None:
                with contextlib.suppress(Exception):  # a dead connection has released it already
                    leases.release_advisory_lock(self._connection)
            self._drop_connection()
