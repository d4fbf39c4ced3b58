"""What SQLite's recovery floor rests on: no delivery at or below a platform's floor is pending.

Recovery reads only the rows above the floors (tests/test_outbox_index.py), so every way a row
can be pending must keep it above: the floor stops below the oldest pending row (a crash's
claimed-never-started and started rows included), claims give ids above every floor even when
the newest rows were deleted, and a row of a platform not running here holds back only that
platform's floor. Crash recovery through the floor: tests/test_scheduler.py and
tests/test_scheduler_crash.py.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.app import CareerBot
from storage.db import Database
from storage.outbox import LEASE
from storage.outbox.sqlite import ISSUED, Statements
from tests.test_scheduler import deliveries, make_goal

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # Tuesday 19:30 in Berlin


def _floors(bot: CareerBot) -> dict[str, int]:
    conn = sqlite3.connect(bot.db.file)  # type: ignore[arg-type]
    try:
        rows = conn.execute("SELECT platform, settled_through FROM delivery_floor")
        return {platform: floor for platform, floor in rows if platform != ISSUED}
    finally:
        conn.close()


async def _claim(bot: CareerBot, users: list[str], platform: str = "test") -> list[int]:
    for user in users:
        await make_goal(bot, user=user, weekday=1, at="19:30", platform=platform)
    claimed, seen = await bot.services.outbox.claim(DUE, [platform], 100)
    assert seen == len(users)
    return [c.delivery_id for c in claimed]


async def _send(bot: CareerBot, ids: list[int]) -> None:
    outbox = bot.services.outbox
    async with outbox.window() as window:
        assert await outbox.settle(window, [], [], DUE, ids) == set(ids)
        await outbox.settle(window, ids, [], DUE, [])


async def test_the_floor_stops_below_the_oldest_pending_row_and_passes_sent_ones(
    bot: CareerBot,
) -> None:
    outbox = bot.services.outbox
    first = await _claim(bot, ["a", "b", "c"])
    await _send(bot, [first[0], first[2]])  # b stays claimed, never started (a crash)
    assert await outbox.recover(DUE, ["test"]) == ([], 0), "b is not stale yet"
    assert _floors(bot) == {"test": first[1] - 1}
    later = DUE + LEASE + timedelta(minutes=1)
    sends, abandoned = await outbox.recover(later, ["test"])
    assert [c.delivery_id for c in sends] == [first[1]] and abandoned == 0
    assert _floors(bot) == {"test": first[1] - 1}, "returned to send, still pending"
    await _send(bot, [first[1]])
    assert await outbox.recover(later, ["test"]) == ([], 0)
    assert _floors(bot) == {"test": first[2]}, "nothing pending: the floor is the newest row"


async def test_a_started_row_below_the_newest_is_still_written_off_after_a_crash(
    bot: CareerBot,
) -> None:
    ids = await _claim(bot, ["a", "b"])
    outbox = bot.services.outbox
    async with outbox.window() as window:
        await outbox.settle(window, [], [], DUE, ids)  # both started, the process dies
    later = DUE + LEASE + timedelta(minutes=1)
    assert await outbox.recover(later, ["test"]) == ([], 2)
    rows = {d.id: d.status for d in await deliveries(bot)}
    assert rows == {ids[0]: "failed", ids[1]: "failed"}
    assert _floors(bot) == {"test": ids[1]}


async def test_claims_give_ids_above_the_floor_after_the_newest_rows_are_deleted(
    bot: CareerBot,
) -> None:
    """A floor at the newest row stays where it is when that row is deleted (/forget), and
    the next claim, in this process or a fresh one, writes above it, so recovery sees it."""
    ids = await _claim(bot, ["a", "b"])
    await _send(bot, ids)
    await bot.services.outbox.recover(DUE, ["test"])
    assert _floors(bot) == {"test": ids[1]}
    async with bot.db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM deliveries WHERE id = :id"), {"id": ids[1]})
    [new] = await _claim(bot, ["c"])
    assert new == ids[1] + 1
    later = DUE + LEASE + timedelta(minutes=1)
    sends, _ = await bot.services.outbox.recover(later, ["test"])
    assert [c.delivery_id for c in sends] == [new], "claimed, never started: sent by recovery"


async def test_a_platform_not_running_here_holds_back_only_its_own_floor(
    bot: CareerBot,
) -> None:
    other = await _claim(bot, ["x"], platform="other")  # left pending: no worker runs it
    ids = await _claim(bot, ["a"])
    await _send(bot, ids)
    later = DUE + LEASE + timedelta(minutes=1)
    assert await bot.services.outbox.recover(later, ["test"]) == ([], 0)
    assert _floors(bot)["test"] == ids[0], "past the other platform's pending row"
    sends, _ = await bot.services.outbox.recover(later, ["other"])
    assert [c.delivery_id for c in sends] == other, "its own recovery still finds it"
    assert _floors(bot)["other"] == other[0] - 1


async def test_the_migration_starts_each_floor_below_its_oldest_pending_row(
    tmp_path: Path,
) -> None:
    """Revision 0005 on an outbox 0004 left: a platform with a pending row starts below it, one
    without at the newest row of all; SQLite's pending index is gone."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    await db.upgrade("0004")
    rows = [(1, "test", "sent"), (2, "test", "sent"), (3, "test", "pending"), (4, "test", "sent")]
    rows.append((5, "other", "sent"))
    async with db.engine.begin() as conn:
        for did, platform, status in rows:
            await conn.execute(
                text(
                    'INSERT INTO deliveries (id, "key", platform, chat_id, occurrence_utc, '
                    "status, attempts, created_utc) VALUES (:id, :key, :platform, 'c', "
                    "'2026-11-24 18:30:00.000000', :status, 0, '2026-11-24 18:30:00.000000')"
                ),
                {"id": did, "key": f"k{did}", "platform": platform, "status": status},
            )
    await db.upgrade()
    async with db.engine.connect() as conn:
        floors = dict((await conn.execute(text("SELECT * FROM delivery_floor"))).all())
        indexes = await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        assert "ix_deliveries_pending" not in {row[0] for row in indexes}
    await db.dispose()
    assert floors == {"test": 2, "other": 5}


async def test_two_processes_never_hand_out_one_id_after_a_deletion(bot: CareerBot) -> None:
    """Process A claims two rows; /forget deletes the newest; process B, recovering and then
    claiming another platform's row, must not be given the deleted row's id, which A's send
    window still holds (it would start B's row and send it to A's person)."""
    first, second = Statements(bot.db.engine.dialect), Statements(bot.db.engine.dialect)
    conn = sqlite3.connect(bot.db.file, isolation_level=None)  # type: ignore[arg-type]
    try:
        for user in ("a", "b"):
            await make_goal(bot, user=user, weekday=1, at="19:30")
        held, _ = first.claim(conn, DUE, ["test"], 100, timedelta(hours=1))
        conn.execute("DELETE FROM deliveries WHERE id = ?", (held[1].delivery_id,))
        second.recover(conn, DUE, ["other"])
        await make_goal(bot, user="c", weekday=1, at="19:30", platform="other")
        [fresh], _ = second.claim(conn, DUE, ["other"], 100, timedelta(hours=1))
        assert fresh.delivery_id > held[1].delivery_id
        owned = first.settle(conn, [], [], DUE, [c.delivery_id for c in held])
        assert owned == {held[0].delivery_id}, "A starts only its own surviving row"
        assert second.settle(conn, [], [], DUE, [fresh.delivery_id]) == {fresh.delivery_id}
    finally:
        conn.close()
