"""The outbox's statements through SQLAlchemy Core, for PostgreSQL: the claim (with ``FOR UPDATE
SKIP LOCKED``, so concurrent workers take disjoint rows), the send window, and recovery after a
crash (SQLite's are in :mod:`storage.outbox.sqlite`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Delivery, Goal, Subscription
from storage.outbox.policy import ABANDONED, Claimed, Due, claimed, decide

S = Subscription.__table__.c  # type: ignore[attr-defined]
D = Delivery.__table__.c  # type: ignore[attr-defined]
_PENDING = D.status == literal_column("'pending'")
"""Written as a literal, not a bound value: only then may the planner use the partial index
``ix_deliveries_pending`` (PostgreSQL's generic plans need to see the value)."""
G = Goal.__table__.c  # type: ignore[attr-defined]
_SUBS, _DELIVERIES, _GOALS = Subscription.__table__, Delivery.__table__, Goal.__table__  # type: ignore[attr-defined]

COLUMNS = (
    S.id,
    S.kind,
    S.platform,
    S.chat_id,
    S.role_id,
    S.weekday,
    S.local_time,
    S.timezone,
    S.next_due_utc,
    S.snoozed_until_utc,
    S.skip_next,
    S.goal_id,
    G.cert_id,
    G.exam_date,
    G.created_utc,
    G.plan_start,
)
"""A due row's columns, in :class:`Due`'s order."""


async def claim(
    conn: AsyncConnection,
    now: datetime,
    platforms: Sequence[str],
    limit: int,
    catch_up: timedelta,
) -> tuple[list[Claimed], int]:
    """One claim in one transaction on ``conn`` (see :meth:`storage.outbox.Outbox.claim`)."""
    query = (
        select(*COLUMNS)
        .select_from(_SUBS.outerjoin(_GOALS, G.id == S.goal_id))
        .where(S.status == "active", S.next_due_utc <= now, S.platform.in_(list(platforms)))
        .order_by(S.next_due_utc)
        .limit(limit)
        .with_for_update(skip_locked=True, of=_SUBS)
    )
    trans = await conn.begin()
    try:
        due = [Due(*r) for r in (await conn.execute(query)).all()]
        if not due:
            await trans.rollback()
            return [], 0
        decisions = [decide(r, now, catch_up) for r in due]
        rows = [row._asdict() for d in decisions for row in d.rows]
        ids: dict[str, int] = {}
        if rows:
            inserted = await conn.execute(insert(_DELIVERIES).returning(D.id, D.key), rows)
            ids = {key: did for did, key in inserted.all()}
        groups: dict[tuple[datetime, bool, str], list[int]] = {}
        for r, d in zip(due, decisions, strict=True):
            groups.setdefault(d.outcome, []).append(r.id)
            if d.paused_reason is not None:
                await conn.execute(
                    update(_SUBS).where(S.id == r.id).values(paused_reason=d.paused_reason)
                )
        for (next_due, skip, status), sids in groups.items():
            await conn.execute(
                update(_SUBS)
                .where(S.id.in_(sids))
                .values(
                    next_due_utc=next_due, snoozed_until_utc=None, skip_next=skip, status=status
                )
            )
        completed = [
            r.goal_id for r, d in zip(due, decisions, strict=True) if d.goal_completed and r.goal_id
        ]
        if completed:
            await conn.execute(update(_GOALS).where(G.id.in_(completed)).values(status="completed"))
        await trans.commit()
    except IntegrityError:
        await trans.rollback()
        return [], -1
    sends = [
        claimed(r, ids[d.pending.key], d)
        for r, d in zip(due, decisions, strict=True)
        if d.pending is not None
    ]
    return sends, len(due)


async def settle(
    conn: AsyncConnection,
    sent: Sequence[int],
    failures: Sequence[tuple[int, str, int]],
    now: datetime,
    start: Sequence[int],
) -> set[int]:
    """Record finished sends and start the next ones on an autocommit ``conn``: the failures
    first, then one statement (two data-modifying CTEs) that records the sent rows and starts
    the next. Each commit waits for the disk, and a settle is what every window of sends waits
    for, so it is one round trip and one commit, not BEGIN, two UPDATEs and COMMIT; the order,
    not a shared commit, is what keeps a crash to the sends in flight."""
    for delivery_id, error, attempts in failures:
        await mark_failed(conn, delivery_id, error, attempts)
    if not (sent or start):
        return set()
    recorded = (
        update(_DELIVERIES)
        .where(D.id.in_(list(sent)))
        .values(status="sent", sent_utc=now, last_error=None)
        .returning(D.id)
        .cte("recorded")
    )
    started = (
        update(_DELIVERIES)
        .where(D.id.in_(list(start)), D.status == "pending", D.attempts == 0)
        .values(attempts=1)
        .returning(D.id)
        .cte("started")
    )
    result = await conn.execute(select(started.c.id).add_cte(recorded))
    return {row[0] for row in result.all()}


async def mark_failed(conn: AsyncConnection, delivery_id: int, error: str, attempts: int) -> None:
    await conn.execute(
        update(_DELIVERIES)
        .where(D.id == delivery_id)
        .values(status="failed", last_error=error[:256], attempts=attempts)
    )


async def recover(
    conn: AsyncConnection, stale: datetime, platforms: Sequence[str]
) -> tuple[list[Claimed], int]:
    """Stale started sends → failed "outcome unknown" (at most once); stale never-started ones
    are returned to send (at most a page of 1,000). Returns (to send, abandoned)."""
    abandoned = await conn.execute(
        update(_DELIVERIES)
        .where(
            _PENDING,
            D.attempts > 0,
            D.created_utc <= stale,
            D.platform.in_(list(platforms)),
        )
        .values(status="failed", last_error=ABANDONED)
    )
    rows = (
        await conn.execute(
            select(*COLUMNS, D.id.label("delivery_id"), D.key, D.occurrence_utc)
            .select_from(
                _DELIVERIES.join(_SUBS, S.id == D.subscription_id).outerjoin(
                    _GOALS, G.id == S.goal_id
                )
            )
            .where(
                _PENDING,
                D.attempts == 0,
                D.created_utc <= stale,
                D.platform.in_(list(platforms)),
            )
            .limit(1000)
        )
    ).all()
    sends = [
        Claimed(
            delivery_id=r.delivery_id,
            key=r.key,
            subscription_id=r.id,
            kind=r.kind,
            platform=r.platform,
            chat_id=r.chat_id,
            role_id=r.role_id,
            occurrence=r.occurrence_utc,
            snoozed=":z" in r.key,
            weekday=r.weekday,
            local_time=r.local_time,
            timezone=r.timezone,
            next_due=r.next_due_utc,
            goal_id=r.goal_id,
            cert_id=r.cert_id,
            exam_date=r.exam_date,
            goal_created=r.created_utc,
            plan_start=r.plan_start,
        )
        for r in rows
    ]
    return sends, abandoned.rowcount or 0
