"""The plan's first day is stored with the goal (decided when it is set or its weekly time
changes), and a nudge reads it instead of working it out: what the scheduler's speed rests on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel.sql.sqltypes import UTCDateTime

from bot.app import CareerBot
from bot.clock import ManualClock
from domain.studyplan import build_plan
from domain.weekly import first_session_day
from handlers.goals import domains_of
from storage.db import Database
from storage.models import Goal
from tests.conftest import RecordingPlatform, text_of
from tests.test_scheduler import dispatcher, make_goal


async def test_a_changed_weekday_moves_the_stored_plan_start_and_the_next_nudges(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    exam = date(2027, 1, 17)
    view = await make_goal(bot, weekday=1, at="19:30", exam=exam)  # Tuesdays, set Tue 24 Nov
    created = view.goal.created_utc
    assert view.goal.plan_start == date(2026, 11, 24)
    assert view.goal.plan_start == first_session_day(created, 1, "19:30", "Europe/Berlin")
    # Moved to Sundays: the plan now starts on Sunday 29 November and has 7 weeks, not 8.
    changed = await bot.services.goals.reschedule(
        view.goal.id or 0, 6, "09:00", "Europe/Berlin", clock.now(), exam_date=exam
    )
    assert changed is not None and changed.goal.plan_start == date(2026, 11, 29)
    stored = await bot.services.goals.get(view.goal.id or 0)
    assert stored is not None and stored.goal.plan_start == date(2026, 11, 29)
    cert = bot.services.library.get("mle").certifications.get("aws-mla")  # type: ignore[union-attr]
    new_plan = build_plan(domains_of(cert), date(2026, 11, 29), exam)
    old_plan = build_plan(domains_of(cert), date(2026, 11, 24), exam)
    assert len(new_plan.weeks) == 7 and new_plan.week(2).heading != old_plan.week(2).heading
    d = dispatcher(bot, platform)
    for week in (1, 2):
        clock.set((await bot.services.subscriptions.get(changed.nudge.id or 0)).next_due_utc)  # type: ignore[union-attr]
        assert (await d.tick()).sent == 1
        reply = platform.sent[-1][1]
        assert reply.title.endswith(new_plan.week(week).heading)
        assert reply.sections[0].bullets == list(new_plan.week(week).todo)
    assert "6 weeks left until your exam on 17 January 2027" in text_of(reply)


async def test_a_goal_without_a_stored_plan_start_gets_the_same_nudge(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    """A goal whose plan start was never stored (set by hand, or a migration that found no
    nudge rule) is composed from when it was set and its rule: the same nudge."""
    kept = await make_goal(bot, user="kept", weekday=4, at="07:15", tz="Asia/Kolkata")
    bare = await make_goal(bot, user="bare", weekday=4, at="07:15", tz="Asia/Kolkata")
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE goals SET plan_start = NULL WHERE id = :id"), {"id": bare.goal.id}
        )
    d = dispatcher(bot, platform)
    clock.set(kept.nudge.next_due_utc + timedelta(weeks=2))  # type: ignore[union-attr]
    await d.tick()  # the two missed weeks are recorded as skipped; this week's is sent
    by_chat = {target.chat_id: reply for target, reply in platform.sent}
    assert set(by_chat) == {"kept", "bare"}
    assert "Week 3" in (by_chat["kept"].title or "")
    assert by_chat["kept"].title == by_chat["bare"].title
    assert by_chat["kept"].sections == by_chat["bare"].sections


async def _migrate_old_goals(url: str) -> tuple[Goal, Goal]:
    """Goals stored at revision 0002 (no plan start), then the upgrade to the head."""
    db = Database(url)
    await db.upgrade("0002")
    at = datetime(2026, 10, 6, 21, 30, tzinfo=UTC)  # Tuesday 23:30 in Berlin

    types = {"created_utc": UTCDateTime(), "next_due_utc": UTCDateTime(), "skip_next": sa.Boolean()}

    def table(name: str, *columns: str) -> sa.TableClause:  # as revision 0002 left it
        return sa.table(name, *(sa.column(c, types.get(c)) for c in columns))

    users = table("users", "id", "platform", "platform_user_id", "created_utc")
    goals = table("goals", "id", "user_id", "role_id", "cert_id", "status", "created_utc")
    subs = table(
        "subscriptions", "kind", "platform", "chat_id", "user_id", "goal_id", "role_id",
        "weekday", "local_time", "timezone", "next_due_utc", "skip_next", "status", "created_utc",
    )  # fmt: skip
    async with db.engine.begin() as conn:
        for n in (1, 2):
            await conn.execute(
                sa.insert(users).values(
                    id=n, platform="test", platform_user_id=f"u{n}", created_utc=at
                )
            )
            await conn.execute(
                sa.insert(goals).values(
                    id=n, user_id=n, role_id="mle", cert_id="aws-mla", status="active",
                    created_utc=at,
                )
            )  # fmt: skip
        # Goal 1 had its time changed once: its latest nudge rule (Wednesdays) is the one.
        for weekday, local, status in ((1, "19:30", "stopped"), (2, "06:00", "active")):
            await conn.execute(
                sa.insert(subs).values(
                    kind="nudge", platform="test", chat_id="u1", user_id=1, goal_id=1,
                    role_id="mle", weekday=weekday, local_time=local, timezone="Europe/Berlin",
                    next_due_utc=at, skip_next=False, status=status, created_utc=at,
                )
            )  # fmt: skip
    await db.upgrade()
    async with db.session() as session:
        one, two = await session.get(Goal, 1), await session.get(Goal, 2)
    await db.dispose()
    assert one is not None and two is not None
    return one, two


async def test_the_migration_stores_plan_starts_of_existing_goals(tmp_path: Path) -> None:
    one, two = await _migrate_old_goals(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    at = datetime(2026, 10, 6, 21, 30, tzinfo=UTC)
    assert one.plan_start == first_session_day(at, 2, "06:00", "Europe/Berlin")
    assert one.plan_start == date(2026, 10, 7)  # the Wednesday after, not the Tuesday a week on
    assert two.plan_start is None  # no nudge rule: worked out if one is ever claimed


async def test_the_plan_start_migration_on_postgres(pg_url: str) -> None:
    one, two = await _migrate_old_goals(pg_url)
    assert one.plan_start == date(2026, 10, 7) and two.plan_start is None
