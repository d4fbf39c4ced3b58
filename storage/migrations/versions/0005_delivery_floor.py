"""delivery floor: SQLite's recovery reads the rows above a stored floor, not a pending index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:00:00

On SQLite the partial index of pending rows (0004) cost every nudge two index writes (its row
entered the index when claimed and left it when sent: about 7 % of a busy tick). Recovery
there now reads only a platform's deliveries above its ``delivery_floor.settled_through`` (by
id, the table's own key), and moves the floor up to just below the oldest row still pending.
Each platform's floor starts there: below its oldest pending row, or at the newest row when
none of its rows is pending (a platform without a floor yet starts from the first row).
PostgreSQL keeps the index (its ids are not handed out in commit order, so a floor could pass
a row not yet committed); the table exists there too, unused, so both schemas match the models.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"


def upgrade() -> None:
    op.create_table(
        "delivery_floor",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("settled_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform"),
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    # Each platform's floor: below its oldest pending row, or the newest row of all.
    op.execute(
        "INSERT INTO delivery_floor (platform, settled_through) SELECT d.platform, coalesce("
        "(SELECT min(p.id) - 1 FROM deliveries AS p "
        f"WHERE p.platform = d.platform AND p.{PENDING}), "
        "(SELECT max(id) FROM deliveries)) FROM deliveries AS d GROUP BY d.platform"
    )
    op.drop_index("ix_deliveries_pending", table_name="deliveries")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_deliveries_pending", "deliveries", ["created_utc"], sqlite_where=sa.text(PENDING)
        )
    op.drop_table("delivery_floor")
