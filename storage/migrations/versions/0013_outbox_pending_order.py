"""the outbox's status index goes on to subscriber and part: a page of pending rows is read in order

A sender reads the pending rows of a broadcast a page at a time, by subscriber then part, after the
last subscriber it loaded. With an index on (broadcast_id, status) only, PostgreSQL read every
pending row left and sorted them for each page (a 100,000-row broadcast: tenths of a second a page,
all the pages together quadratic). On (broadcast_id, status, subscriber_id, part) a page is the
next rows of the index. What used the old index (counts by status, open rows) uses its prefix.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_pending", "outbox", ["broadcast_id", "status", "subscriber_id", "part"])
    op.drop_index("ix_outbox_claim", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_claim", "outbox", ["broadcast_id", "status"])
    op.drop_index("ix_outbox_pending", table_name="outbox")
