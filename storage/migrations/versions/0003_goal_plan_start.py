"""goal plan start: the day of a goal's first weekly session, stored with the goal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 21:00:00

Existing goals get theirs computed from when they were set and their nudge's weekly rule (the
same function the app uses: domain.weekly.first_session_day), in pages, so a nudge never has to
work it out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from domain.weekly import first_session_day

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAGE = 5000


def upgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.add_column(sa.Column("plan_start", sa.Date(), nullable=True))
    goals = sa.table(
        "goals",
        sa.column("id", sa.Integer()),
        sa.column("created_utc", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("plan_start", sa.Date()),
    )
    subs = sa.table(
        "subscriptions",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("goal_id", sa.Integer()),
        sa.column("weekday", sa.Integer()),
        sa.column("local_time", sa.String()),
        sa.column("timezone", sa.String()),
    )
    later = subs.alias("later")
    conn = op.get_bind()
    after = 0
    while True:
        # A goal's nudge is its latest nudge subscription (storage.goals.Goals._nudge).
        rows = conn.execute(
            sa.select(
                goals.c.id, goals.c.created_utc, subs.c.weekday, subs.c.local_time, subs.c.timezone
            )
            .select_from(goals.join(subs, subs.c.goal_id == goals.c.id))
            .where(
                subs.c.kind == "nudge",
                goals.c.id > after,
                subs.c.id
                == sa.select(sa.func.max(later.c.id))
                .where(later.c.goal_id == goals.c.id, later.c.kind == "nudge")
                .scalar_subquery(),
            )
            .order_by(goals.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        conn.execute(
            goals.update().where(goals.c.id == sa.bindparam("goal")),
            [
                {"goal": gid, "plan_start": first_session_day(created, weekday, at, tz)}
                for gid, created, weekday, at, tz in rows
            ],
        )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.drop_column("plan_start")
