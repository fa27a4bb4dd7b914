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


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keywords", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("keywords")
