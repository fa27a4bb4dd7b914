"""What the health check reads from the database: that it answers, and the last daily run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from storage import broadcasts
from storage.db import Database
from storage.tables import Broadcast


def last_daily(db: Database) -> dict[str, Any] | None:
    """The latest daily broadcast (day, status, delivery counts), or None before the first one.

    Raises whatever the driver raises when the database cannot be reached.
    """
    with db.session() as session:
        session.execute(text("SELECT 1"))
        row = session.scalars(
            select(Broadcast).where(Broadcast.kind == "daily").order_by(Broadcast.day.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return {
            "day": row.day.isoformat(),
            "status": row.status,
            "finished_at": row.finished_at.isoformat() + "Z" if row.finished_at else None,
            "note": row.note,
            "counts": broadcasts.counts(session, row.id),
        }
