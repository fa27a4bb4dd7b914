"""per-chat digest time and size, weekly subscriptions, broadcasts once per (period, time slot)

subscribers: `digest_time` and `top_n` (NULL = the configured default), `daily` and `weekly`
(which digests an active chat gets) and `weekly_fields`.
broadcasts: the unique date `daily_key` becomes the unique text `once_key`:
"daily:2025-02-11@09:00" or "weekly:2025-W07@09:00". Rows from before keep "daily:<date>" (their
slot is unknown here); the daily run also never sends a chat a second digest of a day, so a slot
run right after the upgrade skips the chats the old row reached.
On SQLite the old column stays (a UNIQUE column cannot be dropped in place), always NULL.
Downgrade: the first daily broadcast of each day gets its date back as `daily_key`.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLEs, no batch copies: on SQLite, recreating a table that others reference
    # would cascade-delete their rows (outbox, parts).
    op.add_column("subscribers", sa.Column("digest_time", sa.Time(), nullable=True))
    op.add_column("subscribers", sa.Column("top_n", sa.Integer(), nullable=True))
    op.add_column("subscribers", sa.Column("daily", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("subscribers", sa.Column("weekly", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("subscribers", sa.Column("weekly_fields", sa.JSON(), nullable=True))
    op.add_column("broadcasts", sa.Column("once_key", sa.String(48), nullable=True))
    legacy = "'daily:' || daily_key" if _sqlite() else "'daily:' || to_char(daily_key, 'YYYY-MM-DD')"
    op.execute(f"UPDATE broadcasts SET once_key = {legacy} WHERE daily_key IS NOT NULL")
    op.create_index("uq_broadcasts_once_key", "broadcasts", ["once_key"], unique=True)
    if _sqlite():  # SQLite cannot drop a UNIQUE column in place: it stays, unused (always NULL from now)
        op.execute("UPDATE broadcasts SET daily_key = NULL")
    else:
        op.drop_column("broadcasts", "daily_key")


def downgrade() -> None:
    if not _sqlite():
        op.add_column("broadcasts", sa.Column("daily_key", sa.Date(), nullable=True))
        op.create_unique_constraint("broadcasts_daily_key_key", "broadcasts", ["daily_key"])
    op.execute(
        "UPDATE broadcasts SET daily_key = day WHERE id IN "
        "(SELECT min(id) FROM broadcasts WHERE once_key LIKE 'daily:%' GROUP BY day)"
    )
    op.drop_index("uq_broadcasts_once_key", table_name="broadcasts")
    op.drop_column("broadcasts", "once_key")
    for column in ("weekly_fields", "weekly", "daily", "top_n", "digest_time"):
        op.drop_column("subscribers", column)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
