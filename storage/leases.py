"""Leader election primitives: a PostgreSQL advisory lock, or an expiring lease row elsewhere."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import affected
from storage.tables import Lease

LOCK_KEY = 0x70617065  # any fixed 32-bit number identifying "paperbot scheduler"
# The lock is (LOCK_KEY, the schema's hash): paperbots in different schemas of one database each
# elect their own leader.
_LOCK_ARGS = "(:k, hashtext(current_schema()))"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def try_lease(session: Session, name: str, holder: str, ttl: float) -> bool:
    """Take or renew the lease `name` for `ttl` seconds; False while someone else holds it."""
    now = _now()
    expires = now + dt.timedelta(seconds=ttl)
    taken = affected(
        session,
        update(Lease)
        .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
        .values(holder=holder, expires_at=expires),
    )
    if taken:
        return True
    try:
        with session.begin_nested():
            session.execute(insert(Lease).values(name=name, holder=holder, expires_at=expires))
    except IntegrityError:
        return False
    return True


def holder_of(session: Session, name: str) -> tuple[str, dt.datetime] | None:
    """Who holds the lease `name` and until when."""
    row = session.get(Lease, name)
    return (row.holder, row.expires_at) if row else None


def take_over(session: Session, name: str, stale_holder: str, holder: str, ttl: float) -> bool:
    """Take the lease from a holder known to be dead, unless someone else got there first."""
    expires = _now() + dt.timedelta(seconds=ttl)
    return bool(
        affected(
            session,
            update(Lease)
            .where(Lease.name == name, Lease.holder == stale_holder)
            .values(holder=holder, expires_at=expires),
        )
    )


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give the lease up at once (a clean shutdown)."""
    session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=_now()))


def try_advisory_lock(connection: Connection) -> bool:
    """Take the session-level advisory lock on this connection (PostgreSQL)."""
    taken = connection.execute(text(f"SELECT pg_try_advisory_lock{_LOCK_ARGS}"), {"k": LOCK_KEY})
    return bool(taken.scalar())


def release_advisory_lock(connection: Connection) -> None:
    """Give the advisory lock up now; closing the connection alone frees it only when the server
    notices, which lets a successor started right away find it still taken."""
    connection.execute(text(f"SELECT pg_advisory_unlock{_LOCK_ARGS}"), {"k": LOCK_KEY})


def still_connected(connection: Connection) -> bool:
    """True while the connection (and so its advisory lock) is alive."""
    try:
        connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
