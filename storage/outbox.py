"""The outbox: claiming due weekly sends, and the life of each send.

One claim is one short transaction: read due subscriptions through the (status, next_due_utc)
index — on PostgreSQL with ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint rows —
write one ``deliveries`` row per occurrence under a unique key ``kind:subscription:occurrence``,
and advance each subscription's ``next_due_utc`` from its local rule. The unique key is the last
line of defence: on SQLite, where there is no row locking, a second worker that read the same rows
fails on the key and its whole claim rolls back.

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
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select as sm_select

from domain.weekly import latest_occurrence, next_occurrence, zone
from storage.db import Database
from storage.models import Delivery, Goal, Subscription

S = Subscription.__table__.c  # type: ignore[attr-defined]
D = Delivery.__table__.c  # type: ignore[attr-defined]
G = Goal.__table__.c  # type: ignore[attr-defined]

CATCH_UP = timedelta(hours=24)
"""A missed occurrence younger than this is sent once, late; an older one is recorded as skipped."""
LEASE = timedelta(minutes=2)
"""A delivery left pending this long belongs to a worker that stopped."""
MAX_MISSED_ROWS = 60
"""Skipped rows written for one long outage; older missed weeks are summarised in the last one."""


@lru_cache(maxsize=4096)
def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%MZ}"


def occurrence_key(kind: str, sub_id: int, occurrence: datetime, snoozed: datetime | None) -> str:
    key = f"{kind}:{sub_id}:{_stamp(occurrence)}"
    return key + (f":z{_stamp(snoozed)}" if snoozed is not None else "")


@dataclass(slots=True)
class Claimed:
    """One send to make: everything needed to compose it, without another query."""

    delivery_id: int
    key: str
    subscription_id: int
    kind: str
    platform: str
    chat_id: str
    role_id: str
    occurrence: datetime
    snoozed: bool
    weekday: int
    local_time: str
    timezone: str
    next_due: datetime
    goal_id: int | None = None
    cert_id: str | None = None
    exam_date: date | None = None
    goal_created: datetime | None = None


_COLUMNS = (
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
)


Due = namedtuple(
    "Due",
    "id kind platform chat_id role_id weekday local_time timezone next_due_utc "
    "snoozed_until_utc skip_next goal_id cert_id exam_date created_utc",
)


class _SQLite:
    """The claim's hot statements as plain SQL for SQLite, sent with ``exec_driver_sql``.

    SQLAlchemy's per-row bind and result processing (and the expansion of large ``IN`` lists)
    cost more than SQLite's own work at a busy minute. Here values are converted with the very
    processors SQLAlchemy would use — looked up once from the column types, and applied once per
    *distinct* value (a busy minute has a handful of due times and rules) — so what is stored
    and read is byte for byte what the Core statements store and read. Every value is a bound
    parameter. PostgreSQL keeps the Core statements (and ``FOR UPDATE SKIP LOCKED``).
    """

    MAX_ROWS = 1000
    """Outbox rows per INSERT: 9 parameters each, well under SQLite's 32,766."""
    MAX_IDS = 1000
    """Ids per ``IN (…)`` list."""

    def __init__(self, dialect) -> None:  # type: ignore[no-untyped-def]
        moment = D.occurrence_utc.type.dialect_impl(dialect)
        day = G.exam_date.type.dialect_impl(dialect)
        self._write_time = moment.bind_processor(dialect) or (lambda v: v)
        self._read_time = moment.result_processor(dialect, None) or (lambda v: v)
        self._read_day = day.result_processor(dialect, None) or (lambda v: v)
        self.write_time = lru_cache(maxsize=4096)(self._write_time_or_none)
        self.read_time = lru_cache(maxsize=4096)(self._read_time_or_none)
        self.read_day = lru_cache(maxsize=4096)(self._read_day_or_none)
        s, g, d = Subscription.__tablename__, Goal.__tablename__, Delivery.__tablename__
        self.due = (
            "SELECT s.id, s.kind, s.platform, s.chat_id, s.role_id, s.weekday, s.local_time, "
            "s.timezone, s.next_due_utc, s.snoozed_until_utc, s.skip_next, s.goal_id, "
            f"g.cert_id, g.exam_date, g.created_utc FROM {s} AS s "
            f"LEFT OUTER JOIN {g} AS g ON g.id = s.goal_id "
            "WHERE s.status = 'active' AND s.next_due_utc <= ? AND s.platform IN ({marks}) "
            "ORDER BY s.next_due_utc LIMIT ?"
        )
        self.insert = (
            f'INSERT INTO {d} ("key", subscription_id, platform, chat_id, occurrence_utc, '
            'status, attempts, last_error, created_utc) VALUES {values} RETURNING id, "key"'
        )
        self.advance = (
            f"UPDATE {s} SET next_due_utc = ?, snoozed_until_utc = ?, skip_next = ?, "
            "status = ? WHERE id IN ({ids})"
        )
        self.start = (
            f"UPDATE {d} SET attempts = 1 WHERE id IN ({{ids}}) "
            "AND status = 'pending' AND attempts = 0 RETURNING id"
        )
        self.sent = (
            f"UPDATE {d} SET status = 'sent', sent_utc = ?, last_error = NULL WHERE id IN ({{ids}})"
        )
        # Both in one statement: a sent row has attempts ≥ 1 and a row to start has 0, and
        # every SET expression reads the row as it was before the UPDATE.
        self.sent_and_start = (
            f"UPDATE {d} SET status = CASE WHEN attempts = 0 THEN status ELSE 'sent' END, "
            "sent_utc = CASE WHEN attempts = 0 THEN sent_utc ELSE ? END, "
            "last_error = CASE WHEN attempts = 0 THEN last_error ELSE NULL END, "
            "attempts = CASE WHEN attempts = 0 THEN 1 ELSE attempts END "
            "WHERE id IN ({sent}) OR (id IN ({start}) AND status = 'pending' AND attempts = 0) "
            "RETURNING id"
        )

    def _write_time_or_none(self, value: datetime | None) -> str | None:
        return None if value is None else self._write_time(value)

    def _read_time_or_none(self, value: str | None) -> datetime | None:
        return None if value is None else self._read_time(value)

    def _read_day_or_none(self, value: str | None) -> date | None:
        return None if value is None else self._read_day(value)

    @staticmethod
    @lru_cache(maxsize=256)
    def _sql(template: str, **counts: int) -> str:
        """``template`` with ``n`` placeholders per ``{name}``: the text depends only on the
        counts, so a busy minute's full chunks reuse one prepared statement (the sqlite3 module
        caches 128 by text; inlined ids would give every chunk a text of its own)."""
        marks = {
            name: ",".join(["(?,?,?,?,?,?,?,?,?)" if name == "values" else "?"] * n)
            for name, n in counts.items()
        }
        return template.format(**marks)

    async def _each_piece(
        self, conn: AsyncConnection, template: str, head: tuple, ids: list[int]
    ) -> list:
        """Run ``template`` (with ``{ids}``) for ``ids`` in pieces of at most MAX_IDS."""
        rows: list = []
        for at in range(0, len(ids), self.MAX_IDS):
            piece = ids[at : at + self.MAX_IDS]
            result = await conn.exec_driver_sql(
                self._sql(template, ids=len(piece)), (*head, *piece)
            )
            if result.returns_rows:
                rows += result.all()
        return rows

    async def due_rows(
        self, conn: AsyncConnection, now: datetime, platforms: Sequence[str], limit: int
    ) -> list[Due]:
        names = list(platforms)
        sql = self._sql(self.due, marks=len(names))
        result = await conn.exec_driver_sql(sql, (self.write_time(now), *names, limit))
        t, day, new = self.read_time, self.read_day, tuple.__new__
        return [
            new(Due, (
                sid, kind, platform, chat, role, weekday, at, tz, t(due), t(snoozed),
                None if skip is None else bool(skip), goal, cert, day(exam), t(created),
            ))
            for (
                sid, kind, platform, chat, role, weekday, at, tz, due, snoozed, skip, goal, cert,
                exam, created,
            ) in result.all()
        ]  # fmt: skip

    async def insert_rows(self, conn: AsyncConnection, rows: list[OutboxRow]) -> dict[str, int]:
        t = self.write_time
        ids: dict[str, int] = {}
        for at in range(0, len(rows), self.MAX_ROWS):
            part = rows[at : at + self.MAX_ROWS]
            params: list = []
            for key, sid, platform, chat_id, occurrence, status, attempts, error, created in part:
                params += (
                    key, sid, platform, chat_id, t(occurrence), status, attempts, error, t(created)
                )  # fmt: skip
            sql = self._sql(self.insert, values=len(part))
            result = await conn.exec_driver_sql(sql, tuple(params))
            ids.update((key, did) for did, key in result.all())
        return ids

    async def advance_subscriptions(
        self,
        conn: AsyncConnection,
        ids: list[int],
        next_due: datetime,
        snoozed: datetime | None,
        skip: bool,
        status: str,
    ) -> None:
        t = self.write_time
        head = (t(next_due), t(snoozed), int(skip), status)
        await self._each_piece(conn, self.advance, head, ids)

    async def start_rows(self, conn: AsyncConnection, ids: list[int]) -> set[int]:
        return {row[0] for row in await self._each_piece(conn, self.start, (), ids)}

    async def mark_rows_sent(self, conn: AsyncConnection, ids: list[int], now: datetime) -> None:
        await self._each_piece(conn, self.sent, (self.write_time(now),), ids)

    async def sent_and_start_rows(
        self, conn: AsyncConnection, sent: list[int], start: list[int], now: datetime
    ) -> set[int]:
        """Mark ``sent`` sent and start ``start`` in one statement; returns the started ids
        this worker now owns. For a send window (both lists together under MAX_IDS)."""
        sql = self._sql(self.sent_and_start, sent=len(sent), start=len(start))
        params = (self.write_time(now), *sent, *start)
        driver = (await conn.get_raw_connection()).driver_connection
        if getattr(driver, "isolation_level", "") is None:
            # Autocommit on aiosqlite (the send window): one thread hop for the statement and
            # its rows, where the adapted cursor takes four (open, execute, fetch, close).
            rows = await driver.execute_fetchall(sql, params)  # type: ignore[union-attr]
        else:
            rows = (await conn.exec_driver_sql(sql, params)).all()
        return {row[0] for row in rows} - set(sent)


OutboxRow = namedtuple(
    "OutboxRow",
    "key subscription_id platform chat_id occurrence_utc status attempts last_error created_utc",
)
"""One ``deliveries`` row to write, in the column order of the INSERT."""


@dataclass(slots=True)
class _Decision:
    rows: list[OutboxRow]
    pending_key: str | None
    pending_occurrence: datetime | None
    snoozed: bool
    sub_values: dict
    goal_completed: bool = False


def decide(r, now: datetime, catch_up: timedelta = CATCH_UP) -> _Decision:  # type: ignore[no-untyped-def]
    """What to do with one due subscription row; pure, so every policy is tested directly."""
    sid, kind, platform, chat_id = r.id, r.kind, r.platform, r.chat_id
    rule = (r.weekday, r.local_time, r.timezone)
    due: datetime = r.next_due_utc
    rows: list[OutboxRow] = []

    def row(
        occurrence: datetime, status: str, error: str | None, snooze: datetime | None
    ) -> OutboxRow:
        key = occurrence_key(kind, sid, occurrence, snooze)
        return OutboxRow(key, sid, platform, chat_id, occurrence, status, 0, error, now)

    values: dict = {"id": sid, "snoozed_until_utc": None, "skip_next": r.skip_next}
    if r.snoozed_until_utc is not None and r.snoozed_until_utc == due:
        occurrence = latest_occurrence(*rule, due)
        following = next_occurrence(*rule, due)
        if following > now:
            late = now - due > catch_up
            rows.append(
                row(
                    occurrence,
                    "skipped" if late else "pending",
                    "snoozed reminder more than 24 h late" if late else None,
                    due,
                )
            )
            values.update(next_due_utc=following, status="active")
            key = None if late else rows[-1].key
            return _Decision(rows, key, occurrence if key else None, True, values)
        rows.append(row(occurrence, "skipped", "snoozed reminder superseded by a newer week", due))
        due = following
    latest = latest_occurrence(*rule, now)
    missed = []
    moment = due
    while moment < latest and len(missed) < MAX_MISSED_ROWS:
        missed.append(moment)
        moment = next_occurrence(*rule, moment)
    for moment in missed:
        rows.append(row(moment, "skipped", "missed while the bot was not running", None))
    values.update(next_due_utc=next_occurrence(*rule, latest), status="active")
    if r.exam_date is not None and latest.astimezone(zone(r.timezone)).date() >= r.exam_date:
        values.update(status="stopped", paused_reason="exam date reached")
        return _Decision(rows, None, None, False, values, goal_completed=True)
    if r.skip_next:
        rows.append(row(latest, "skipped", "skipped at the person's request", None))
        values["skip_next"] = False
        return _Decision(rows, None, None, False, values)
    if now - latest > catch_up:
        rows.append(row(latest, "skipped", "more than 24 h late after downtime", None))
        return _Decision(rows, None, None, False, values)
    rows.append(row(latest, "pending", None, None))
    return _Decision(rows, rows[-1].key, latest, False, values)


class Outbox:
    def __init__(
        self, db: Database, *, catch_up: timedelta = CATCH_UP, lease: timedelta = LEASE
    ) -> None:
        self.db, self.catch_up, self.lease = db, catch_up, lease
        self._sqlite = _SQLite(db.engine.dialect) if db.is_sqlite else None

    def _due_query(self, now: datetime, platforms: Sequence[str], limit: int):  # type: ignore[no-untyped-def]
        query = (
            select(*_COLUMNS)
            .select_from(Subscription.__table__.outerjoin(Goal.__table__, G.id == S.goal_id))  # type: ignore[attr-defined]
            .where(S.status == "active", S.next_due_utc <= now, S.platform.in_(list(platforms)))
            .order_by(S.next_due_utc)
            .limit(limit)
        )
        if self.db.is_postgres:
            query = query.with_for_update(skip_locked=True, of=Subscription.__table__)  # type: ignore[arg-type]
        return query

    async def claim(
        self, now: datetime, platforms: Sequence[str], limit: int = 500
    ) -> tuple[list[Claimed], int]:
        """Claim up to ``limit`` due subscriptions: (sends to make, due rows handled).

        A lost race is not an error: a unique-key clash means another worker claimed the same
        rows first; this claim rolls back and reports -1 rows so the caller looks again.
        """
        if not platforms:
            return [], 0
        fast = self._sqlite
        async with self.db.engine.connect() as conn:
            trans = await conn.begin()
            try:
                if fast is not None:
                    due = await fast.due_rows(conn, now, platforms, limit)
                else:
                    result = await conn.execute(self._due_query(now, platforms, limit))
                    due = [Due(*r) for r in result.all()]
                if not due:
                    await trans.rollback()
                    return [], 0
                decisions = [(r, decide(r, now, self.catch_up)) for r in due]
                rows = [row for _, d in decisions for row in d.rows]
                ids: dict[str, int] = {}
                if rows and fast is not None:
                    ids = await fast.insert_rows(conn, rows)
                elif rows:
                    inserted = await conn.execute(
                        insert(Delivery.__table__).returning(D.id, D.key),  # type: ignore[arg-type]
                        [row._asdict() for row in rows],
                    )
                    ids = {key: did for did, key in inserted.all()}
                # One UPDATE per distinct outcome, not per row: at a busy minute most claimed
                # rows share a rule, so they share their next due time too.
                groups: dict[tuple, list[int]] = {}
                for _, d in decisions:
                    v = d.sub_values
                    outcome = (
                        v["next_due_utc"],
                        v["snoozed_until_utc"],
                        v["skip_next"],
                        v["status"],
                    )
                    groups.setdefault(outcome, []).append(v["id"])
                for (next_due, snoozed, skip, status), ids_ in groups.items():
                    if fast is not None:
                        await fast.advance_subscriptions(
                            conn, ids_, next_due, snoozed, skip, status
                        )
                        continue
                    await conn.execute(
                        update(Subscription.__table__)  # type: ignore[arg-type]
                        .where(S.id.in_(ids_))
                        .values(
                            next_due_utc=next_due,
                            snoozed_until_utc=snoozed,
                            skip_next=skip,
                            status=status,
                        )
                    )
                stopped = [
                    (d.sub_values["id"], d.sub_values.get("paused_reason"))
                    for _, d in decisions
                    if d.sub_values["status"] == "stopped"
                ]
                for sid, reason in stopped:
                    await conn.execute(
                        update(Subscription.__table__)  # type: ignore[arg-type]
                        .where(S.id == sid)
                        .values(paused_reason=reason)
                    )
                completed = [r.goal_id for r, d in decisions if d.goal_completed and r.goal_id]
                if completed:
                    await conn.execute(
                        update(Goal.__table__)  # type: ignore[arg-type]
                        .where(G.id.in_(completed))
                        .values(status="completed")
                    )
                await trans.commit()
            except IntegrityError:
                await trans.rollback()
                return [], -1
        claimed: list[Claimed] = []
        for r, d in decisions:
            if d.pending_key is None or d.pending_occurrence is None:
                continue
            claimed.append(_claimed(r, ids[d.pending_key], d.pending_key, d.pending_occurrence, d))
        return claimed, len(due)

    @asynccontextmanager
    async def window(self) -> AsyncIterator[AsyncConnection]:
        """A connection to hold while sending a batch, so each :meth:`settle` costs no pool
        check-out and check-in. On SQLite it is in autocommit mode: a settle there is normally
        one statement, atomic by itself, and saves the BEGIN and COMMIT round trips."""
        async with self.db.engine.connect() as conn:
            if self._sqlite is not None:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    async def settle(
        self,
        conn: AsyncConnection,
        sent_ids: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start_ids: Sequence[int],
    ) -> set[int]:
        """Record finished sends, then mark the next ones started, on ``conn`` (from
        :meth:`window`): one transaction on PostgreSQL, one statement on SQLite.

        ``failures`` are (delivery id, reason, attempts). Starting is a compare-and-set
        (attempts 0 → 1 on a pending row), so two workers recovering the same stale row cannot
        both send it; the ids this worker now owns are returned. Each row still goes through
        its states in order — a row is started before it is sent and recorded after — and a
        crash before the commit leaves the finished rows "started" (outcome unknown, not
        resent) and the next ones never started (sent by recovery).
        """
        if not (sent_ids or failures or start_ids):
            return set()
        fast = self._sqlite
        if fast is not None:
            # Autocommit (see window): the failures first, then one statement that records the
            # sent rows and starts the next ones, so no row is started before the rows it
            # replaces are recorded — the order, not a shared commit, is what bounds a crash.
            for failure in failures:
                await self._mark_failed(conn, *failure)
            if len(sent_ids) + len(start_ids) <= fast.MAX_IDS:
                return await fast.sent_and_start_rows(conn, list(sent_ids), list(start_ids), now)
            if sent_ids:
                await self._mark_sent(conn, list(sent_ids), now)
            return await self._start(conn, list(start_ids)) if start_ids else set()
        async with conn.begin():
            for failure in failures:
                await self._mark_failed(conn, *failure)
            if sent_ids:
                await self._mark_sent(conn, list(sent_ids), now)
            return await self._start(conn, list(start_ids)) if start_ids else set()

    @staticmethod
    async def _mark_failed(
        conn: AsyncConnection, delivery_id: int, error: str, attempts: int
    ) -> None:
        await conn.execute(
            update(Delivery.__table__)  # type: ignore[arg-type]
            .where(D.id == delivery_id)
            .values(status="failed", last_error=error[:256], attempts=attempts)
        )

    async def _start(self, conn: AsyncConnection, ids: list[int]) -> set[int]:
        if self._sqlite is not None:
            return await self._sqlite.start_rows(conn, ids)
        result = await conn.execute(
            update(Delivery.__table__)  # type: ignore[arg-type]
            .where(D.id.in_(ids), D.status == "pending", D.attempts == 0)
            .values(attempts=1)
            .returning(D.id)
        )
        return {row[0] for row in result.all()}

    async def _mark_sent(self, conn: AsyncConnection, ids: list[int], now: datetime) -> None:
        if self._sqlite is not None:
            await self._sqlite.mark_rows_sent(conn, ids, now)
            return
        await conn.execute(
            update(Delivery.__table__)  # type: ignore[arg-type]
            .where(D.id.in_(ids))
            .values(status="sent", sent_utc=now, last_error=None)
        )

    async def recover(self, now: datetime, platforms: Sequence[str]) -> tuple[list[Claimed], int]:
        """After a crash: stale never-started sends are returned to send; stale started ones are
        recorded as failed with "outcome unknown" (at most once). Returns (to send, abandoned)."""
        if not platforms:
            return [], 0
        stale = now - self.lease
        async with self.db.engine.begin() as conn:
            abandoned = await conn.execute(
                update(Delivery.__table__)  # type: ignore[arg-type]
                .where(
                    D.status == "pending",
                    D.attempts > 0,
                    D.created_utc <= stale,
                    D.platform.in_(list(platforms)),
                )
                .values(
                    status="failed",
                    last_error="outcome unknown: the worker stopped mid-send; not resent",
                )
            )
            rows = (
                await conn.execute(
                    select(*_COLUMNS, D.id.label("delivery_id"), D.key, D.occurrence_utc)
                    .select_from(
                        Delivery.__table__.join(  # type: ignore[attr-defined]
                            Subscription.__table__, S.id == D.subscription_id
                        ).outerjoin(Goal.__table__, G.id == S.goal_id)
                    )
                    .where(
                        D.status == "pending",
                        D.attempts == 0,
                        D.created_utc <= stale,
                        D.platform.in_(list(platforms)),
                    )
                    .limit(1000)
                )
            ).all()
        claimed = []
        for r in rows:
            snoozed = ":z" in r.key
            claimed.append(
                Claimed(
                    delivery_id=r.delivery_id,
                    key=r.key,
                    subscription_id=r.id,
                    kind=r.kind,
                    platform=r.platform,
                    chat_id=r.chat_id,
                    role_id=r.role_id,
                    occurrence=r.occurrence_utc,
                    snoozed=snoozed,
                    weekday=r.weekday,
                    local_time=r.local_time,
                    timezone=r.timezone,
                    next_due=r.next_due_utc,
                    goal_id=r.goal_id,
                    cert_id=r.cert_id,
                    exam_date=r.exam_date,
                    goal_created=r.created_utc,
                )
            )
        return claimed, abandoned.rowcount or 0

    async def due(self, now: datetime, limit: int = 20) -> list[Subscription]:
        """What falls due next (or is overdue), soonest first: for ``careerbot nudges due``."""
        async with self.db.session() as session:
            rows = await session.exec(
                sm_select(Subscription)
                .where(Subscription.status == "active")
                .order_by(Subscription.next_due_utc)  # type: ignore[arg-type]
                .limit(limit)
            )
            return list(rows.all())

    async def deliveries(self, subscription_id: int | None = None) -> list[Delivery]:
        async with self.db.session() as session:
            query = sm_select(Delivery).order_by(Delivery.id)  # type: ignore[arg-type]
            if subscription_id is not None:
                query = query.where(Delivery.subscription_id == subscription_id)
            return list((await session.exec(query)).all())


def _claimed(r: Due, delivery_id: int, key: str, occurrence: datetime, d: _Decision) -> Claimed:
    return Claimed(
        delivery_id,
        key,
        r.id,
        r.kind,
        r.platform,
        r.chat_id,
        r.role_id,
        occurrence,
        d.snoozed,
        r.weekday,
        r.local_time,
        r.timezone,
        d.sub_values["next_due_utc"],
        r.goal_id,
        r.cert_id,
        r.exam_date,
        r.created_utc,
    )
