"""broadcast parts, delivery variants and leases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 19:46:16.732057
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "broadcast_parts",
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=160), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("broadcast_id", "variant", "part"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant", sa.String(length=160), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("variant")

    op.drop_table("broadcast_parts")
    op.drop_table("leases")
