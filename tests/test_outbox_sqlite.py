"""What SQLite's shortcuts rest on: ids the claim gives instead of reading them back, a window
started without RETURNING unless a recovery raced it, runs of ids named by their ends, and
recovery in plain SQL returning what the Core statements return."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.app import CareerBot
from storage.outbox import CATCH_UP, LEASE, core, decide, occurrence_key
from storage.outbox.policy import Due, claimed
from storage.outbox.sqlite import ADVANCE, SENT, START, Statements, ranged, read_utc, sql
from storage.outbox.sqlite_claim import COLUMNS, PENDING_COLUMNS, ClaimPlan, plan_claim
from tests.test_scheduler import deliveries, make_goal

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # Tuesday 19:30 in Berlin


def _raw(bot: CareerBot) -> sqlite3.Connection:
    return sqlite3.connect(bot.db.file, isolation_level=None)  # type: ignore[arg-type]


def _statements(bot: CareerBot) -> Statements:
    return Statements(bot.db.engine.dialect)


async def _claim_three(bot: CareerBot) -> list[int]:
    for n in range(3):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    claimed, seen = await bot.services.outbox.claim(DUE, ["test"], 100)
    assert seen == 3
    return [c.delivery_id for c in claimed]


async def test_the_ids_a_claim_gives_are_its_rows_ids_after_a_gap_too(bot: CareerBot) -> None:
    """The claim writes its rows with the ids after the table's largest, in order, and hands
    out those ids: each send's id is the row with its key, also when rows were deleted from
    the middle or the end. An id this process handed out is never handed out again, even when
    its row is gone: a send window may still hold it."""
    first = await _claim_three(bot)
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            text("DELETE FROM deliveries WHERE id IN (:a, :b)"), {"a": first[0], "b": first[2]}
        )
    for n in range(3, 6):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    claimed, seen = await bot.services.outbox.claim(DUE, ["test"], 100)
    assert seen == 3
    rows = {d.key: d.id for d in await deliveries(bot)}
    assert [c.delivery_id for c in claimed] == [rows[c.key] for c in claimed]
    assert [c.delivery_id for c in claimed] == [first[2] + 1, first[2] + 2, first[2] + 3]


async def test_a_window_started_in_part_by_a_recovery_owns_only_its_own_rows(
    bot: CareerBot,
) -> None:
    """Starting is a compare-and-set checked by the number of rows changed: when another worker
    started one of the rows first, the settle runs again asking which rows it changed, so it
    owns only the others, and what it records as sent is recorded once."""
    ids = await _claim_three(bot)
    statements = _statements(bot)
    other = _raw(bot)
    other.execute("UPDATE deliveries SET attempts = 1 WHERE id = ?", (ids[1],))
    conn = _raw(bot)
    assert statements.settle(conn, [], [], DUE, ids) == {ids[0], ids[2]}
    assert statements.settle(conn, [ids[0], ids[2]], [], DUE, []) == set()
    rows = {d.id: (d.status, d.attempts) for d in await deliveries(bot)}
    assert rows == {ids[0]: ("sent", 1), ids[1]: ("pending", 1), ids[2]: ("sent", 1)}
    assert statements.settle(conn, [], [], DUE, ids) == set(), "started rows are nobody's twice"
    for c in (conn, other):
        c.close()


async def test_a_run_of_ids_is_named_by_its_ends_and_a_broken_one_by_the_list(
    bot: CareerBot,
) -> None:
    """An unbroken run changes exactly its rows through BETWEEN; a run with a hole (or a
    repeated id) goes through the IN list and leaves the hole alone."""
    ids = await _claim_three(bot)
    assert ranged(START) == START.replace("id IN ({})", "id BETWEEN ? AND ?")
    assert "BETWEEN" in ranged(SENT) and "BETWEEN" in ranged(ADVANCE)
    statements, conn = _statements(bot), _raw(bot)
    assert statements.settle(conn, [], [], DUE, [ids[2], ids[0]]) == {ids[0], ids[2]}
    assert [d.attempts for d in await deliveries(bot)] == [1, 0, 1], "the hole is not started"
    cursor = conn.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    sent = ("2026-11-24 18:31:00.000000",)
    # As many ids as the run from the first to the last, but one repeated: not a run.
    assert statements._each_piece(cursor, SENT, sent, [ids[0], ids[2], ids[0]]) == 2
    cursor.execute("COMMIT")
    assert [d.status for d in await deliveries(bot)] == ["sent", "pending", "sent"]
    assert statements.settle(conn, [], [], DUE, [ids[1]]) == {ids[1]}
    cursor.execute("BEGIN IMMEDIATE")
    assert statements._each_piece(cursor, SENT, sent, ids[::-1]) == 3
    cursor.execute("COMMIT")
    assert [d.status for d in await deliveries(bot)] == ["sent"] * 3
    assert sql(START, 2).count("?") == 2
    conn.close()


async def test_recovery_in_plain_sql_returns_what_the_core_statements_return(
    bot: CareerBot,
) -> None:
    """SQLite's recovery and the Core one (PostgreSQL's) on the same stale rows: the same sends,
    field by field, and the same started rows written off — run on copies of one state."""
    ids = await _claim_three(bot)
    conn = _raw(bot)
    conn.execute("UPDATE deliveries SET attempts = 1 WHERE id = ?", (ids[0],))
    later = DUE + LEASE + timedelta(minutes=1)
    async with bot.db.engine.connect() as aconn:
        trans = await aconn.begin()
        by_core = await core.recover(aconn, later - LEASE, ["test"])
        await trans.rollback()
    by_sql = _statements(bot).recover(conn, later - LEASE, ["test"])
    assert by_sql == by_core
    assert by_sql[1] == 1 and sorted(c.delivery_id for c in by_sql[0]) == ids[1:]
    rows = {d.id: (d.status, d.last_error) for d in await deliveries(bot)}
    assert rows[ids[0]][0] == "failed" and "outcome unknown" in (rows[ids[0]][1] or "")
    assert _statements(bot).recover(conn, DUE - timedelta(minutes=5), ["test"]) == ([], 0)
    conn.close()


def test_the_usual_decision_keys_its_row_as_occurrence_key_does() -> None:
    row = Due(7, "nudge", "test", "c", "mle", 1, "19:30", "Europe/Berlin", DUE, None, False,
              3, "aws-mla", None, None, None)  # fmt: skip
    decision = decide(row, DUE)
    assert decision.pending is not None
    assert decision.pending.key == occurrence_key("nudge", 7, DUE, None)
    assert decision.rows == [decision.pending] and decision.outcome[2] == "active"


async def test_recovery_waits_for_a_busy_file_instead_of_failing(bot: CareerBot) -> None:
    """Like the claim and the settles, recovery runs on the loop's connection and, when another
    writer holds the lock, through aiosqlite, which waits for it."""
    ids = await _claim_three(bot)
    other = _raw(bot)
    other.execute("BEGIN IMMEDIATE")
    later = DUE + LEASE + timedelta(minutes=1)
    recovery = asyncio.ensure_future(bot.services.outbox.recover(later, ["test"]))
    await asyncio.sleep(0.2)
    assert not recovery.done(), "recovery waits for the lock (through aiosqlite, off the loop)"
    other.execute("COMMIT")
    other.close()
    sends, abandoned = await recovery
    assert abandoned == 0 and sorted(c.delivery_id for c in sends) == ids


def _in_rows(params: list, columns: tuple[str, ...]) -> list[dict]:
    width = len(columns)
    return [
        dict(zip(columns, params[at : at + width], strict=True))
        for at in range(0, len(params), width)
    ]


def _rows(plan: ClaimPlan) -> list[dict]:
    """Both kinds of a plan's outbox rows as whole rows, by id."""
    usual = [
        {**row, "status": "pending", "attempts": 0, "last_error": None}
        for row in _in_rows(plan.pending, PENDING_COLUMNS)
    ]
    return sorted(usual + _in_rows(plan.params, COLUMNS), key=lambda row: row["id"])


def _reference(statements: Statements, rows: list[tuple], now: datetime, last_id: int) -> tuple:
    """What the claim wrote before the usual rows had a path of their own: every row through
    ``decide``, each outbox row numbered in order, subscriptions grouped by outcome."""
    t, day = statements.read_time, statements.read_day
    params: list = []
    groups: dict = {}
    paused, completed, sends = [], [], []
    did = last_id
    for raw in rows:
        sid, kind, platform, chat, role, wd, at, tz, due, snoozed, skip, goal, cert = raw[:13]
        exam, goal_set, start = raw[13:]
        r = Due(sid, kind, platform, chat, role, wd, at, tz, t(due), t(snoozed),
                None if skip is None else bool(skip), goal, cert, day(exam),
                read_utc(goal_set), day(start))  # fmt: skip
        d = decide(r, now)
        mine = None
        for row in d.rows:
            did += 1
            mine = did if row is d.pending else mine
            params += (did, row.key, sid, platform, chat, statements.write_time(row.occurrence_utc))
            params += (row.status, row.attempts, row.last_error, statements.write_time(now))
        groups.setdefault(d.outcome, []).append(sid)
        if d.paused_reason is not None:
            paused.append((d.paused_reason, sid))
        if d.goal_completed and goal:
            completed.append(goal)
        if mine is not None:
            sends.append(claimed(r, mine, d))
    return params, groups, paused, completed, sends, did


async def test_usual_rows_planned_directly_write_and_send_what_decide_gives(bot: CareerBot) -> None:
    """The claim plans the usual row (no snooze or skip, on time, nothing missed, exam ahead)
    without going through ``decide``; every other row still goes through it. On rows of every
    kind, interleaved and sharing rules, the plan writes the same outbox rows with the same ids,
    advances the same subscriptions together, pauses and completes the same ones, and hands
    out the same sends, field by field, as ``decide`` for every row."""
    statements = _statements(bot)
    stored, day = statements.write_time, (lambda d: d.isoformat())
    berlin = (1, "19:30", "Europe/Berlin")
    kolkata = (2, "00:00", "Asia/Kolkata")  # 18:30 UTC on Tuesday is Wednesday 00:00 there
    goal_set = "2026-10-01 08:15:00.000000"
    ahead, today, began = day(DUE.date() + timedelta(days=60)), day(DUE.date()), "2026-11-04"
    kinds = [  # rule, due, snoozed until, skip, exam date, goal set, plan start
        (berlin, stored(DUE), None, 0, None, goal_set, None),  # usual, set time only
        (berlin, stored(DUE), None, 1, None, None, began),  # skip asked
        (berlin, stored(DUE), stored(DUE), 0, None, None, None),  # snoozed to now
        (berlin, stored(DUE), None, None, today, None, None),  # exam reached
        (berlin, stored(DUE), None, 0, ahead, None, began),  # usual, exam ahead
        (berlin, stored(DUE - timedelta(weeks=3)), None, 0, None, None, None),  # missed weeks
        (kolkata, stored(DUE), None, 0, None, None, None),  # usual, another rule
        (kolkata, stored(DUE), None, 0, today, None, None),  # exam today there
        (berlin, stored(DUE), None, 0, None, None, None),  # usual again
    ]
    rows = [
        (10 + i, "nudge", "test", f"c{i}", "mle", *rule, due, snoozed, skip, 100 + i, "aws-mla",
         exam, made, start)
        for i, (rule, due, snoozed, skip, exam, made, start) in enumerate(kinds)
    ]  # fmt: skip
    for now in (DUE, DUE + timedelta(hours=30)):  # on time; and a day late (all skipped)
        plan = plan_claim(rows, now, CATCH_UP, 41, statements.write_time, statements.read_time,
                          statements.read_day, read_utc)  # fmt: skip
        params, groups, paused, completed, sends, last = _reference(statements, rows, now, 41)
        assert _rows(plan) == _in_rows(params, COLUMNS) and plan.last_id == last
        assert {k: v for k, v in plan.groups.items() if v} == groups
        assert list(groups) == [k for k, v in plan.groups.items() if v], "the same order"
        assert (plan.paused, plan.completed, plan.sends) == (paused, completed, sends)
    on_time = plan_claim(rows, DUE, CATCH_UP, 0, statements.write_time, statements.read_time,
                         statements.read_day, read_utc)  # fmt: skip
    assert len(sends) == 0 and len(on_time.sends) == 6, "late rows skipped, on-time ones sent"
