"""listing position and votes per day

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("upvotes", sa.Integer(), nullable=True))
    # The only count known for the days already stored is the paper's latest one; the next fetch of a
    # day replaces it. Positions stay unknown until then (ties fall back to the arXiv id).
    op.execute(
        "UPDATE listings SET upvotes = "
        "(SELECT papers.upvotes FROM papers WHERE papers.id = listings.paper_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("upvotes")
        batch_op.drop_column("position")
