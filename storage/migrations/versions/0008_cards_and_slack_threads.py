"""paper thumbnails, Slack threads per subscriber, the message id of each sent outbox row

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN on both databases (SQLite 3.35+): a batch rebuild of `papers` would break
# the search triggers of 0005 on SQLite.
def upgrade() -> None:
    op.add_column("papers", sa.Column("thumbnail", sa.Text(), nullable=True))
    op.add_column(
        "subscribers", sa.Column("slack_thread", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("outbox", sa.Column("message_ref", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "message_ref")
    op.drop_column("subscribers", "slack_thread")
    op.drop_column("papers", "thumbnail")
