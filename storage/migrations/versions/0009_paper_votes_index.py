"""an index on papers by votes, so the most-voted papers are read in order instead of sorted

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:45:00.000000
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_papers_votes ON papers (upvotes DESC, id)")


def downgrade() -> None:
    op.drop_index("ix_papers_votes", table_name="papers")
