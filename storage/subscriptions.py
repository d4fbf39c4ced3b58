"""Weekly sends: study nudges (one per goal) and role summaries (one per schedule a group sets).

Every change to a rule recomputes ``next_due_utc`` from weekday, local time and zone, so the
tick's one indexed query (status, next_due_utc) is all it ever needs. A snooze is stored as
``snoozed_until_utc`` *and* as ``next_due_utc`` (it is earlier than the next regular
occurrence by construction); when it fires, the tick recomputes the regular occurrence from the
rule, so snoozing moves only that one occurrence.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select

from domain.weekly import latest_occurrence, next_occurrence
from storage.db import Database
from storage.models import Subscription


def regular_next(sub: Subscription, after: datetime) -> datetime:
    return next_occurrence(sub.weekday, sub.local_time, sub.timezone, after)


def current_occurrence(sub: Subscription, now: datetime) -> datetime:
    """The regular occurrence the person is "in" now: the last one at or before ``now``."""
    return latest_occurrence(sub.weekday, sub.local_time, sub.timezone, now)


def weekly(
    kind: str,
    platform: str,
    chat_id: str,
    user_id: int,
    role_id: str,
    weekday: int,
    local_time: str,
    timezone: str,
    now: datetime,
    goal_id: int | None = None,
) -> Subscription:
    """A new weekly send, first due at the next local occurrence after ``now``."""
    return Subscription(
        kind=kind,
        platform=platform,
        chat_id=chat_id,
        user_id=user_id,
        goal_id=goal_id,
        role_id=role_id,
        weekday=weekday,
        local_time=local_time,
        timezone=timezone,
        next_due_utc=next_occurrence(weekday, local_time, timezone, now),
        created_utc=now,
    )


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, sub_id: int) -> Subscription | None:
        async with self.db.session() as session:
            return await session.get(Subscription, sub_id)

    async def for_user(self, user_id: int) -> list[Subscription]:
        """A person's nudges and the summary schedules they set, stopped ones left out."""
        async with self.db.session() as session:
            rows = await session.exec(
                select(Subscription)
                .where(Subscription.user_id == user_id, Subscription.status != "stopped")
                .order_by(col(Subscription.id))
            )
            return list(rows.all())

    async def summaries_for(
        self, platform: str, chat_ids: list[str], user_id: int | None = None
    ) -> list[Subscription]:
        """Scheduled summaries posting into any of ``chat_ids`` (a group and its linked channel),
        plus those ``user_id`` set for other channels from anywhere on the platform."""
        where_chat = col(Subscription.chat_id).in_(chat_ids)
        if user_id is not None:
            where_chat = or_(where_chat, Subscription.user_id == user_id)
        async with self.db.session() as session:
            rows = await session.exec(
                select(Subscription)
                .where(
                    Subscription.kind == "summary",
                    Subscription.platform == platform,
                    where_chat,
                    Subscription.status != "stopped",
                )
                .order_by(col(Subscription.id))
            )
            return list(rows.all())

    async def create_summary(
        self,
        *,
        platform: str,
        chat_id: str,
        user_id: int,
        role_id: str,
        weekday: int,
        local_time: str,
        timezone: str,
        now: datetime,
    ) -> Subscription:
        sub = weekly(
            "summary", platform, chat_id, user_id, role_id, weekday, local_time, timezone, now
        )
        async with self.db.session() as session:
            session.add(sub)
            await session.commit()
            return sub

    async def stop(self, sub_id: int, reason: str | None = None) -> Subscription | None:
        return await self._change(sub_id, status="stopped", paused_reason=reason)

    async def pause(self, sub_id: int, reason: str) -> Subscription | None:
        return await self._change(sub_id, status="paused", paused_reason=reason[:256])

    async def resume(self, sub_id: int, now: datetime) -> Subscription | None:
        sub = await self.get(sub_id)
        if sub is None:
            return None
        return await self._change(
            sub_id,
            status="active",
            paused_reason=None,
            snoozed_until_utc=None,
            next_due_utc=regular_next(sub, now),
        )

    async def snooze(self, sub_id: int, until: datetime) -> Subscription | None:
        return await self._change(sub_id, snoozed_until_utc=until, next_due_utc=until)

    async def skip_current(self, sub_id: int, now: datetime) -> Subscription | None:
        """Nothing more this week: drop a pending snooze and wait for the next occurrence."""
        sub = await self.get(sub_id)
        if sub is None:
            return None
        return await self._change(
            sub_id, snoozed_until_utc=None, next_due_utc=regular_next(sub, now)
        )

    async def set_skip_next(self, sub_id: int, skip: bool) -> Subscription | None:
        return await self._change(sub_id, skip_next=skip)

    async def _change(self, sub_id: int, **values: object) -> Subscription | None:
        return await self.db.update(Subscription, sub_id, **values)

    async def active_count(self, kind: str | None = None) -> int:
        async with self.db.session() as session:
            query = select(Subscription.id).where(
                or_(Subscription.status == "active", Subscription.status == "paused")
            )
            if kind:
                query = query.where(Subscription.kind == kind)
            return len((await session.exec(query)).all())
