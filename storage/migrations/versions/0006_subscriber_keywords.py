"""the keywords a subscribed chat follows

A nullable JSON column on subscribers: {"terms": [{"text": ..., "codes": [...]}], "excluded": [...]}.
NULL (every existing row) means no keyword filter, so nothing changes for current subscribers.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns itself): a batch "move and copy"
# of subscribers on SQLite would drop the old table and, with foreign keys on, cascade to the outbox.


def upgrade() -> None:
    op.add_column("subscribers", sa.Column("keywords", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    op.drop_column("subscribers", "keywords")
