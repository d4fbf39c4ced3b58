"""Study goals: one credential a person is working towards, its weekly nudge, the weeks done.

A goal and its nudge subscription change together in one transaction, so /goal never shows a
paused goal whose nudges still go out, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.weekly import first_session_day, next_occurrence
from storage.db import Database
from storage.models import Goal, Subscription, WeekDone
from storage.subscriptions import weekly

OPEN = ("active", "paused")


class GoalExists(Exception):
    """The person already has an active or paused goal; one at a time keeps the nudges useful."""

    def __init__(self, goal: Goal) -> None:
        super().__init__(f"goal {goal.id} is {goal.status}")
        self.goal = goal


@dataclass(slots=True)
class GoalView:
    goal: Goal
    nudge: Subscription | None


class Goals:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self, user_id: int) -> GoalView | None:
        """The person's open goal (active or paused) and its nudge subscription."""
        async with self.db.session() as session:
            goal = (
                await session.exec(
                    select(Goal)
                    .where(Goal.user_id == user_id, col(Goal.status).in_(OPEN))
                    .order_by(col(Goal.id).desc())
                )
            ).first()
            if goal is None:
                return None
            return GoalView(goal, await self._nudge(session, goal.id))

    async def latest(self, user_id: int) -> GoalView | None:
        """The person's most recent goal whatever its status, so a stopped goal's history can
        still be shown."""
        async with self.db.session() as session:
            goal = (
                await session.exec(
                    select(Goal).where(Goal.user_id == user_id).order_by(col(Goal.id).desc())
                )
            ).first()
            if goal is None:
                return None
            return GoalView(goal, await self._nudge(session, goal.id))

    async def get(self, goal_id: int) -> GoalView | None:
        async with self.db.session() as session:
            goal = await session.get(Goal, goal_id)
            if goal is None:
                return None
            return GoalView(goal, await self._nudge(session, goal.id))

    @staticmethod
    async def _nudge(session, goal_id: int | None) -> Subscription | None:  # type: ignore[no-untyped-def]
        return (
            await session.exec(
                select(Subscription)
                .where(Subscription.goal_id == goal_id, Subscription.kind == "nudge")
                .order_by(col(Subscription.id).desc())
            )
        ).first()

    async def create(
        self,
        *,
        user_id: int,
        role_id: str,
        cert_id: str,
        exam_date: date | None,
        platform: str,
        chat_id: str,
        weekday: int,
        local_time: str,
        timezone: str,
        now: datetime,
    ) -> GoalView:
        async with self.db.session() as session:
            existing = (
                await session.exec(
                    select(Goal).where(Goal.user_id == user_id, col(Goal.status).in_(OPEN))
                )
            ).first()
            if existing is not None:
                raise GoalExists(existing)
            goal = Goal(
                user_id=user_id,
                role_id=role_id,
                cert_id=cert_id,
                exam_date=exam_date,
                created_utc=now,
                plan_start=first_session_day(now, weekday, local_time, timezone),
            )
            session.add(goal)
            await session.flush()
            sub = weekly(
                "nudge",
                platform,
                chat_id,
                user_id,
                role_id,
                weekday,
                local_time,
                timezone,
                now,
                goal_id=goal.id,
            )
            session.add(sub)
            await session.commit()
            return GoalView(goal, sub)

    async def set_status(
        self, goal_id: int, status: str, now: datetime, reason: str | None = None
    ) -> GoalView | None:
        """Pause, resume or stop a goal and its nudges together.

        Resuming recomputes the next nudge from now: weeks missed while paused are not caught up.
        """
        async with self.db.session() as session:
            goal = await session.get(Goal, goal_id)
            if goal is None:
                return None
            goal.status = "active" if status == "active" else status
            session.add(goal)
            sub = await self._nudge(session, goal.id)
            if sub is not None and sub.status != "stopped":
                sub.status = {"active": "active", "paused": "paused"}.get(status, "stopped")
                sub.paused_reason = reason if status != "active" else None
                sub.snoozed_until_utc = None
                if status == "active":
                    sub.next_due_utc = next_occurrence(
                        sub.weekday, sub.local_time, sub.timezone, now
                    )
                    sub.skip_next = False
                session.add(sub)
            await session.commit()
            return GoalView(goal, sub)

    async def reschedule(
        self,
        goal_id: int,
        weekday: int,
        local_time: str,
        timezone: str,
        now: datetime,
        *,
        exam_date: date | None,
    ) -> GoalView | None:
        """New exam date and weekly time; the next nudge is recomputed from now, and the plan's
        first day from when the goal was set, on the new weekday (what the nudges read)."""
        async with self.db.session() as session:
            goal = await session.get(Goal, goal_id)
            sub = await self._nudge(session, goal_id)
            if goal is None or sub is None:
                return None
            goal.exam_date = exam_date
            goal.plan_start = first_session_day(goal.created_utc, weekday, local_time, timezone)
            session.add(goal)
            sub.weekday, sub.local_time, sub.timezone = weekday, local_time, timezone
            sub.snoozed_until_utc = None
            sub.next_due_utc = next_occurrence(weekday, local_time, timezone, now)
            session.add(sub)
            await session.commit()
            return GoalView(goal, sub)

    async def mark_done(self, goal_id: int, week: int, now: datetime) -> tuple[WeekDone, bool]:
        """Record a week as done; returns (row, created). Pressing twice changes nothing."""
        async with self.db.session() as session:
            existing = (
                await session.exec(
                    select(WeekDone).where(WeekDone.goal_id == goal_id, WeekDone.week == week)
                )
            ).first()
            if existing is not None:
                return existing, False
            row = WeekDone(goal_id=goal_id, week=week, done_utc=now)
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:
                # Two presses raced; the unique (goal, week) kept one. Report the stored one.
                await session.rollback()
                again = (
                    await session.exec(
                        select(WeekDone).where(WeekDone.goal_id == goal_id, WeekDone.week == week)
                    )
                ).one()
                return again, False
            return row, True

    async def weeks_done(self, goal_id: int) -> dict[int, datetime]:
        async with self.db.session() as session:
            rows = await session.exec(select(WeekDone).where(WeekDone.goal_id == goal_id))
            return {row.week: row.done_utc for row in rows.all()}


def streak(done: set[int], current_week: int) -> int:
    """Consecutive done weeks ending this week (or last week, if this one isn't done yet)."""
    week = current_week if current_week in done else current_week - 1
    count = 0
    while week in done:
        count += 1
        week -= 1
    return count
