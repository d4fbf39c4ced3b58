"""The outbox: claiming due weekly sends, and the life of each send.

One claim is one short transaction: read due subscriptions through the (status, next_due_utc)
index, write one ``deliveries`` row per occurrence under a unique key
``kind:subscription:occurrence``, and advance each subscription's ``next_due_utc`` from its
local rule. Concurrent workers take disjoint rows: on PostgreSQL through ``FOR UPDATE SKIP
LOCKED``, on SQLite because the claim takes the write lock before it reads (``BEGIN
IMMEDIATE``). The unique key is the last line of defence: a claim that clashes on it rolls back.

A delivery row then moves through these states (``attempts`` tells the first two apart)::

    pending, attempts 0  claimed, never tried          -> a stale one is sent by recovery
    pending, attempts 1  a send has started            -> sent | failed
    pending, attempts≥1 and stale (the worker died)     -> failed "outcome unknown", NOT resent
    skipped                                             never sent, with the reason

That is the delivery guarantee, stated once: **at most once**. A nudge that was claimed but never
started is still sent after a crash; a nudge whose send had started when the worker died is
recorded as failed rather than risk a duplicate. A worker marks a row started only when a send
slot is free for it (bot/scheduler.py), so a crash writes off no more than the sends in flight.
A second copy of a weekly reminder annoys people more than a rare missing one, and the row says
what happened.

The policy is in :mod:`storage.outbox.policy`, SQLite's statements in :mod:`storage.outbox.sqlite`,
PostgreSQL's in :mod:`storage.outbox.core`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select

from storage.db import Database
from storage.models import Delivery, Subscription
from storage.outbox import core
from storage.outbox.policy import CATCH_UP, LEASE, Claimed, decide, occurrence_key
from storage.outbox.sqlite import DBAPI, Statements, is_busy

__all__ = ["CATCH_UP", "LEASE", "Claimed", "Outbox", "Window", "decide", "occurrence_key"]

T = TypeVar("T")


class Window(Protocol):
    """Where a send window records finished sends and starts the next ones."""

    async def settle(
        self,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
    ) -> set[int]:
        """Record ``sent`` and ``failures`` (delivery id, reason, attempts), then mark ``start``
        started; returns the ids this worker now owns.

        Starting is a compare-and-set (attempts 0 → 1 on a pending row), so two workers
        recovering the same stale row cannot both send it. Each row goes through its states in
        order — started before it is sent, recorded after — and a crash in between leaves the
        finished rows "started" (outcome unknown, not resent) and the next ones never started
        (sent by recovery).
        """
        ...


class _CoreWindow:
    """One autocommit connection held for the window (no pool check-out per settle)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def settle(
        self,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
    ) -> set[int]:
        return await core.settle(self.conn, sent, failures, now, start)


class _SQLiteWindow:
    """Each settle is one short transaction on the loop's thread (see Statements.settle)."""

    def __init__(self, outbox: Outbox, statements: Statements) -> None:
        self.outbox, self.statements = outbox, statements

    async def settle(
        self,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
    ) -> set[int]:
        # Idempotent, so a busy file part-way through just runs it again through aiosqlite.
        settle = self.statements.settle
        return await self.outbox.on_sqlite(lambda conn: settle(conn, sent, failures, now, start))


class Outbox:
    def __init__(
        self, db: Database, *, catch_up: timedelta = CATCH_UP, lease: timedelta = LEASE
    ) -> None:
        self.db, self.catch_up, self.lease = db, catch_up, lease
        self._sqlite = Statements(db.engine.dialect) if db.is_sqlite else None

    async def on_sqlite(self, work: Callable[[DBAPI], T]) -> T:
        """Run ``work`` on the plain sqlite3 connection on this thread; when the file is busy
        (it waits only milliseconds there), through aiosqlite instead, which waits properly
        without blocking the loop. The connection is in autocommit mode either way: ``work``
        opens and ends any transaction itself."""
        direct = self.db.direct()
        if direct is not None:
            try:
                return work(direct)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
        async with self.db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            return await conn.run_sync(lambda sync: work(sync.connection.dbapi_connection))  # type: ignore[arg-type]

    async def claim(
        self, now: datetime, platforms: Sequence[str], limit: int = 500
    ) -> tuple[list[Claimed], int]:
        """Claim up to ``limit`` due subscriptions: (sends to make, due rows handled).

        A lost race is not an error: a unique-key clash means another worker claimed the same
        rows first; this claim rolls back and reports -1 rows so the caller looks again.
        """
        if not platforms:
            return [], 0
        names, catch_up = list(platforms), self.catch_up
        if self._sqlite is not None:
            claim = self._sqlite.claim
            return await self.on_sqlite(lambda conn: claim(conn, now, names, limit, catch_up))
        async with self.db.engine.connect() as conn:
            return await core.claim(conn, now, names, limit, catch_up)

    @asynccontextmanager
    async def window(self) -> AsyncIterator[Window]:
        """Where a batch's sends are settled (see :class:`Window`)."""
        if self._sqlite is not None:
            yield _SQLiteWindow(self, self._sqlite)
            return
        async with self.db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield _CoreWindow(conn)

    async def settle(
        self,
        window: Window,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
    ) -> set[int]:
        """Record finished sends and start the next ones in ``window`` (:meth:`Window.settle`);
        the one place a tick's records go through, so tests can cut the power there."""
        if not (sent or failures or start):
            return set()
        return await window.settle(sent, failures, now, start)

    async def recover(self, now: datetime, platforms: Sequence[str]) -> tuple[list[Claimed], int]:
        """After a crash: stale never-started sends are returned to send; stale started ones are
        recorded as failed with "outcome unknown" (at most once). Returns (to send, abandoned)."""
        if not platforms:
            return [], 0
        stale, names = now - self.lease, list(platforms)
        if self._sqlite is not None:
            recover = self._sqlite.recover
            return await self.on_sqlite(lambda conn: recover(conn, stale, names))
        async with self.db.engine.begin() as conn:
            return await core.recover(conn, stale, names)

    async def due(self, now: datetime, limit: int = 20) -> list[Subscription]:
        """What falls due next (or is overdue), soonest first: for ``careerbot nudges due``."""
        async with self.db.session() as session:
            rows = await session.exec(
                select(Subscription)
                .where(Subscription.status == "active")
                .order_by(Subscription.next_due_utc)  # type: ignore[arg-type]
                .limit(limit)
            )
            return list(rows.all())

    async def deliveries(self, subscription_id: int | None = None) -> list[Delivery]:
        async with self.db.session() as session:
            query = select(Delivery).order_by(Delivery.id)  # type: ignore[arg-type]
            if subscription_id is not None:
                query = query.where(Delivery.subscription_id == subscription_id)
            return list((await session.exec(query)).all())
