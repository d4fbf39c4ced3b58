"""The outbox's hot statements on SQLite: plain SQL on a DB-API connection, no ORM.

At a busy minute SQLAlchemy's per-row processing and aiosqlite's thread hops (four per
statement, each waiting for the GIL) cost more than SQLite's own work. So a claim is one
synchronous function over a DB-API connection, run on the event loop's own thread on the plain
sqlite3 connection of :meth:`storage.db.Database.direct` — a write transaction of one batch is
a few milliseconds there — and, when that connection finds the file busy (another process
writing, a checkpoint), run the same function through aiosqlite, which waits properly. The send
window's settles (one short transaction each) and the recovery each tick begins with work the
same way. Recovery reads only the rows above each platform's floor
(:class:`storage.models.DeliveryFloor`) instead of an index of pending rows, which every nudge
wrote twice.

Two things SQLite charges more for than the work they stand for are avoided: ``RETURNING`` (the
claim gives its rows their ids, and a settle counts the rows it started; see
``Statements._insert`` and :meth:`Statements.settle`), and ``IN`` lists of ids that are one
unbroken run (named by their two ends instead).

Values are stored and read exactly as SQLAlchemy's Core statements store and read them: times
and days go through the processors SQLAlchemy itself uses (taken once from the column types,
applied once per distinct value — a busy minute has a handful of due times), except a goal's
set time, distinct per row, which is parsed with :meth:`datetime.fromisoformat` (the same value;
tests/test_outbox.py checks it), and only for a goal whose plan start is not stored. Every value
is a bound parameter, and ``IN`` lists use placeholders, so a busy minute's full chunks share a
few statement texts (the sqlite3 module caches 128 by text).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy.engine import Dialect

from storage.models import Delivery, DeliveryFloor, Goal, Subscription
from storage.outbox.policy import ABANDONED, Claimed
from storage.outbox.sqlite_claim import ClaimPlan, plan_claim

MAX_ROWS = 1000
"""Outbox rows per INSERT: 10 parameters each, well under SQLite's 32,766."""
MAX_IDS = 1000
"""Ids per ``IN (…)`` list."""

_S, _G, _D = Subscription.__tablename__, Goal.__tablename__, Delivery.__tablename__
_F = DeliveryFloor.__tablename__
DUE = (
    "SELECT s.id, s.kind, s.platform, s.chat_id, s.role_id, s.weekday, s.local_time, "
    "s.timezone, s.next_due_utc, s.snoozed_until_utc, s.skip_next, s.goal_id, "
    # A goal's set time only where its plan start is not stored (a NULL costs no string).
    "g.cert_id, g.exam_date, CASE WHEN g.plan_start IS NULL THEN g.created_utc END, "
    f"g.plan_start FROM {_S} AS s "
    f"LEFT OUTER JOIN {_G} AS g ON g.id = s.goal_id "
    "WHERE s.status = 'active' AND s.next_due_utc <= ? AND s.platform IN ({}) "
    "ORDER BY s.next_due_utc LIMIT ?"
)
INSERT = (
    f'INSERT INTO {_D} (id, "key", subscription_id, platform, chat_id, occurrence_utc, '
    "status, attempts, last_error, created_utc) VALUES {}"
)
INSERT_PENDING = (
    f'INSERT INTO {_D} (id, "key", subscription_id, platform, chat_id, occurrence_utc, '
    "created_utc, status, attempts, last_error) VALUES {}"
)
"""The usual rows: pending, never tried, no error (as literals, see ``ClaimPlan``)."""
LAST_ID = f"SELECT (SELECT max(id) FROM {_D}), (SELECT max(settled_through) FROM {_F})"
"""Where a claim's ids start: above the newest row and above every floor, the row of
:data:`ISSUED` included (the highest id any process has handed out)."""
ISSUED = ""
"""The ``delivery_floor`` row, under no platform's name, that holds the highest id a claim has
handed out. Rows can be deleted (/forget), so ``max(id)`` can fall below an id another process
still holds in a send window; no claim in any process hands that id out again."""
ADVANCE = (
    f"UPDATE {_S} SET next_due_utc = ?, snoozed_until_utc = NULL, skip_next = ?, status = ? "
    "WHERE id IN ({})"
)
PAUSED_REASON = f"UPDATE {_S} SET paused_reason = ? WHERE id = ?"
COMPLETED = f"UPDATE {_G} SET status = 'completed' WHERE id IN ({{}})"
START = f"UPDATE {_D} SET attempts = 1 WHERE id IN ({{}}) AND status = 'pending' AND attempts = 0"
STARTED = START + " RETURNING id"
SENT = f"UPDATE {_D} SET status = 'sent', sent_utc = ?, last_error = NULL WHERE id IN ({{}})"
FAILED = f"UPDATE {_D} SET status = 'failed', last_error = ?, attempts = ? WHERE id = ?"
FLOORS = f"SELECT platform, settled_through FROM {_F}"
OLDEST = (
    f"SELECT id FROM {_D} WHERE id > ? AND status = 'pending' AND platform IN ({{}}) "
    "ORDER BY id LIMIT 1"
)
NEWEST = f"SELECT max(id) FROM {_D}"
RAISE_FLOOR = (
    f"INSERT INTO {_F} (platform, settled_through) VALUES (?, ?) ON CONFLICT (platform) "
    "DO UPDATE SET settled_through = max(settled_through, excluded.settled_through)"
)
ABANDON = (
    f"UPDATE {_D} SET status = 'failed', last_error = ? WHERE id >= ? AND status = 'pending' "
    "AND attempts > 0 AND created_utc <= ? AND platform IN ({})"
)
STALE = (
    'SELECT d.id, d."key", d.occurrence_utc, s.id, s.kind, s.platform, s.chat_id, s.role_id, '
    "s.weekday, s.local_time, s.timezone, s.next_due_utc, s.goal_id, g.cert_id, g.exam_date, "
    f"g.created_utc, g.plan_start FROM {_D} AS d JOIN {_S} AS s ON s.id = d.subscription_id "
    f"LEFT OUTER JOIN {_G} AS g ON g.id = s.goal_id WHERE d.id >= ? AND d.status = 'pending' "
    "AND d.attempts = 0 AND d.created_utc <= ? AND d.platform IN ({}) LIMIT 1000"
)


class DBAPI(Protocol):
    """What the statements need of a connection: sqlite3's, or SQLAlchemy's aiosqlite adapter
    (inside ``run_sync``, where its calls block the greenlet, not the loop)."""

    def cursor(self) -> Any: ...


@lru_cache(maxsize=256)
def sql(template: str, *counts: int) -> str:
    """``template`` with ``counts[i]`` placeholders in its i-th ``{}``: the text depends only on
    the counts, so a busy minute's full chunks reuse one prepared statement. The INSERT's
    ``{}`` takes a row of ten placeholders per count, INSERT_PENDING's seven and its literals."""
    row = (
        "(?,?,?,?,?,?,?,?,?,?)"
        if template is INSERT
        else "(?,?,?,?,?,?,?,'pending',0,NULL)"
        if template is INSERT_PENDING
        else "?"
    )
    return template.format(*(",".join([row] * n) for n in counts))


@lru_cache(maxsize=16)
def ranged(template: str) -> str:
    """``template`` with its ``id IN ({})`` as ``id BETWEEN ? AND ?``: the same rows when the
    ids are exactly the integers from the first parameter to the second."""
    text = template.replace("id IN ({})", "id BETWEEN ? AND ?")
    assert text != template, template
    return text


def _or_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lru_cache(maxsize=4096)(lambda value: None if value is None else convert(value))


def read_utc(value: str | None) -> datetime | None:
    """A stored UTC time ("2026-11-24 18:30:00.000000", as SQLAlchemy writes it on SQLite) as an
    aware datetime: what SQLModel's type returns for it, in a fraction of the time (a goal's set
    time is distinct per row). Parsed with its offset appended: ``.replace(tzinfo=…)`` alone
    costs ten times the parse."""
    return None if value is None else datetime.fromisoformat(value + "+00:00")


class Statements:
    """The claim and the settles, with the dialect's value conversions looked up once."""

    def __init__(self, dialect: Dialect) -> None:
        moment = Delivery.__table__.c.occurrence_utc.type  # type: ignore[attr-defined]
        day = Goal.__table__.c.exam_date.type  # type: ignore[attr-defined]
        self.write_time = _or_none(moment._cached_bind_processor(dialect) or (lambda v: v))
        self.read_time = _or_none(moment._cached_result_processor(dialect, None) or (lambda v: v))
        self.read_day = _or_none(day._cached_result_processor(dialect, None) or (lambda v: v))

    # -- the claim -----------------------------------------------------------------------------

    def claim(
        self,
        conn: DBAPI,
        now: datetime,
        platforms: Sequence[str],
        limit: int,
        catch_up: timedelta,
    ) -> tuple[list[Claimed], int]:
        """One claim as one write transaction on ``conn`` (which must not be in one): the due
        rows, their outbox rows, their next due times. ``BEGIN IMMEDIATE`` takes the write lock
        before the read, so no other writer can claim the same rows in between; a unique-key
        clash (a database left inconsistent by hand) still rolls back and reports -1 rows."""
        cursor = conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute(sql(DUE, len(platforms)), (self.write_time(now), *platforms, limit))
            rows = cursor.fetchall()
            if not rows:
                cursor.execute("ROLLBACK")
                return [], 0
            cursor.execute(LAST_ID)
            last, floor = cursor.fetchone()
            plan = plan_claim(
                rows,
                now,
                catch_up,
                max(last or 0, floor or 0),
                self.write_time,
                self.read_time,
                self.read_day,
                read_utc,
            )
            self._write(cursor, plan)
            cursor.execute(RAISE_FLOOR, (ISSUED, plan.last_id))
            cursor.execute("COMMIT")
        except sqlite3.IntegrityError:
            cursor.execute("ROLLBACK")
            return [], -1
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()
        return plan.sends, len(rows)

    def _write(self, cursor: Any, plan: ClaimPlan) -> None:
        """The claim's writes: the outbox rows (up to MAX_ROWS per INSERT), then one UPDATE per
        distinct outcome, not per row — at a busy minute most claimed rows share a rule, so
        they share their next due time too.

        The outbox rows' ids are given, not returned (:func:`plan_claim` numbers them from the
        table's largest id, read under the claim's write lock, or from the largest this process
        has handed out or a recovery floor, if above it): nobody else inserts while the lock is
        held, so
        they are the ids SQLite would pick (``max(id) + 1``), without ``RETURNING``, which cost
        SQLite more than the insert's own work per row. A clash with an id taken anyway (it
        cannot happen under the lock) would fail the claim's transaction like a duplicate key,
        and nothing is sent."""
        for template, params, width in (
            (INSERT_PENDING, plan.pending, 7),
            (INSERT, plan.params, 10),
        ):
            step = width * MAX_ROWS
            for at in range(0, len(params), step):
                piece = params[at : at + step]
                cursor.execute(sql(template, len(piece) // width), piece)
        for reason, sid in plan.paused:
            cursor.execute(PAUSED_REASON, (reason, sid))
        for (next_due, skip, status), ids in plan.groups.items():
            if ids:
                head = (self.write_time(next_due), int(skip), status)
                self._each_piece(cursor, ADVANCE, head, ids)
        if plan.completed:
            self._each_piece(cursor, COMPLETED, (), plan.completed)

    @staticmethod
    def _each_piece(cursor: Any, template: str, head: tuple, ids: Sequence[int]) -> int:
        """Run ``template`` (ids in its ``{}``) for ``ids`` in pieces of at most MAX_IDS;
        returns the rows it changed. A piece whose ids are one unbroken run (a send window's
        usually are: a claim gives its rows consecutive ids) is named by its two ends, which
        SQLite walks directly instead of first building a temporary index of the list."""
        changed = 0
        for at in range(0, len(ids), MAX_IDS):
            piece = ids[at : at + MAX_IDS]
            low, high = min(piece), max(piece)
            if high - low + 1 == len(piece) == len(set(piece)):
                cursor.execute(ranged(template), (*head, low, high))
            else:
                cursor.execute(sql(template, len(piece)), (*head, *piece))
            changed += cursor.rowcount
        return changed

    # -- recovery ------------------------------------------------------------------------------

    def recover(
        self, conn: DBAPI, stale: datetime, platforms: Sequence[str]
    ) -> tuple[list[Claimed], int]:
        """:func:`storage.outbox.core.recover` in one write transaction on ``conn``: stale started
        sends → failed "outcome unknown"; stale never-started ones returned to send (a page of
        at most 1,000). Every tick begins with it, so it reads only the rows above the
        platforms' floors (:class:`storage.models.DeliveryFloor`) — after a busy minute, that
        minute's rows; when idle, none — and then raises the floors to just below the oldest
        row still pending (or to the newest row). Plain SQL: on a fresh process the Core
        statements' first compilation cost more than a busy minute's claim."""
        n = len(platforms)
        cursor = conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute(FLOORS)
            floors = dict(cursor.fetchall())
            cursor.execute(sql(OLDEST, n), (min(floors.get(p, 0) for p in platforms), *platforms))
            first = cursor.fetchone()
            abandoned, rows = 0, []
            if first is not None:
                (oldest,) = first
                when = self.write_time(stale)
                cursor.execute(sql(ABANDON, n), (ABANDONED, oldest, when, *platforms))
                abandoned = cursor.rowcount
                cursor.execute(sql(STALE, n), (oldest, when, *platforms))
                rows = cursor.fetchall()
                cursor.execute(sql(OLDEST, n), (oldest - 1, *platforms))  # what is left pending
                first = cursor.fetchone()
            if first is None:
                cursor.execute(NEWEST)
                floor = cursor.fetchone()[0] or 0
            else:
                floor = first[0] - 1
            higher = [(p, floor) for p in platforms if floors.get(p, -1) < floor]
            if higher:
                cursor.executemany(RAISE_FLOOR, higher)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        finally:
            cursor.close()
        t, day, new = self.read_time, self.read_day, tuple.__new__
        sends = [
            new(Claimed, (
                did, key, sid, kind, platform, chat, role, t(occurrence), ":z" in key, weekday,
                at, tz, t(due), goal, cert, day(exam), read_utc(made), day(start),
            ))
            for (
                did, key, occurrence, sid, kind, platform, chat, role, weekday, at, tz, due, goal,
                cert, exam, made, start,
            ) in rows
        ]  # fmt: skip
        return sends, abandoned

    # -- the send window -----------------------------------------------------------------------

    def settle(
        self,
        conn: DBAPI,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
    ) -> set[int]:
        """Record finished sends and start the next ones in one transaction on an autocommit
        ``conn``; returns the started ids this worker now owns. (Measured: BEGIN, two plain
        UPDATEs and COMMIT on the loop's thread cost less than one autocommit UPDATE that does
        both with CASE expressions.)

        Starting is the compare-and-set attempts 0 → 1. When it changes as many rows as it was
        given, every one of them is this worker's; only when some were started already (a
        recovery racing this worker) is the transaction rolled back and run again asking which
        rows it changed: ``RETURNING`` cost SQLite more than the two UPDATEs themselves."""
        cursor = conn.cursor()
        try:
            owned = self._settle(cursor, sent, failures, now, start, returning=False)
            if owned is None:
                owned = self._settle(cursor, sent, failures, now, start, returning=True)
            return owned
        finally:
            cursor.close()

    def _settle(
        self,
        cursor: Any,
        sent: Sequence[int],
        failures: Sequence[tuple[int, str, int]],
        now: datetime,
        start: Sequence[int],
        *,
        returning: bool,
    ) -> set[int] | None:
        """One settle transaction; None, rolled back, when not all of ``start`` could be
        started and ``returning`` was not asked for."""
        cursor.execute("BEGIN IMMEDIATE")
        try:
            if failures:
                cursor.executemany(
                    FAILED, [(error[:256], attempts, did) for did, error, attempts in failures]
                )
            if sent:
                self._each_piece(cursor, SENT, (self.write_time(now),), sent)
            if returning:
                owned = set()
                for at in range(0, len(start), MAX_IDS):
                    piece = start[at : at + MAX_IDS]
                    cursor.execute(sql(STARTED, len(piece)), piece)
                    owned.update(row[0] for row in cursor.fetchall())
            elif self._each_piece(cursor, START, (), start) == len(start):
                owned = set(start)
            else:
                cursor.execute("ROLLBACK")
                return None
            cursor.execute("COMMIT")
            return owned
        except BaseException:
            cursor.execute("ROLLBACK")
            raise


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """The file is locked by another writer (the direct connection waits only milliseconds)."""
    return "locked" in str(exc) or "busy" in str(exc)
