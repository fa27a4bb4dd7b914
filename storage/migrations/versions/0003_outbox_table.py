"""the outbox table: deliveries renamed to outbox, with its index and constraints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00.000000
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["broadcast_id", "subscriber_id", "part"]
# PostgreSQL names the primary key, the foreign keys and the id sequence after the table.
PG_CONSTRAINTS = ("{}_pkey", "{}_broadcast_id_fkey", "{}_subscriber_id_fkey", "uq_{}_unique")


def upgrade() -> None:
    _rename("deliveries", "outbox")


def downgrade() -> None:
    _rename("outbox", "deliveries")


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        _rename_postgres_names(old, new)
    else:
        _rename_sqlite_names(old, new)


def _rename_postgres_names(old: str, new: str) -> None:
    """Renames in place: no table rewrite, no index rebuild."""
    op.execute(f"ALTER INDEX ix_{old}_claim RENAME TO ix_{new}_claim")
    for pattern in PG_CONSTRAINTS:
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT {pattern.format(old)} TO {pattern.format(new)}")
    op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")


def _rename_sqlite_names(old: str, new: str) -> None:
    """SQLite cannot rename an index or a constraint: drop and create them (the table is rebuilt)."""
    op.drop_index(f"ix_{old}_claim", table_name=new)
    with op.batch_alter_table(new, recreate="always") as batch_op:
        batch_op.drop_constraint(f"uq_{old}_unique", type_="unique")
        batch_op.create_unique_constraint(f"uq_{new}_unique", COLUMNS)
    op.create_index(f"ix_{new}_claim", new, ["broadcast_id", "status"], unique=False)
