"""Pending outbox rows read a page at a time, by subscriber: a large broadcast is never all in memory."""

from __future__ import annotations

from storage import outbox
from storage.db import Database
from storage.outbox import OutboxItem, Share

PAGE_ROWS = 2000


class PendingPages:
    """One platform's pending rows of one broadcast (of one sender's share), page after page.

    A page ends on a whole subscriber: its parts go one after another, so they are loaded together.
    """

    def __init__(
        self, db: Database, broadcast_id: int, platform: str, share: Share | None, rows: int | None = None
    ) -> None:
        self.db, self.broadcast_id, self.platform, self.share = db, broadcast_id, platform, share
        self.rows = rows or PAGE_ROWS
        self.after = 0  # the last subscriber loaded
        self.done = False

    def next(self) -> list[OutboxItem]:
        """The next page (empty, and `done`, once every row was read)."""
        limit = self.rows
        while True:
            with self.db.session() as session:
                items = outbox.pending_items(
                    session, self.broadcast_id, self.platform, after=self.after, limit=limit, share=self.share
                )
            if len(items) < limit:
                self.done = True
                whole = items
            else:  # the last subscriber's parts may go on in the next rows: it starts the next page
                last = items[-1].subscriber_id
                whole = [item for item in items if item.subscriber_id != last]
                if not whole:  # one subscriber with more parts than a page holds
                    limit *= 2
                    continue
            if whole:
                self.after = whole[-1].subscriber_id
            return whole
