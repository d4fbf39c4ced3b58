"""What the fast claim rests on: SQLite's statements on the loop's thread, with aiosqlite when the
file is busy; values read as SQLAlchemy reads them; the rule maths shared by a busy minute's rows
while each row keeps its own snooze, skip and exam date."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Reply, Target
from storage.models import Goal, Subscription
from storage.outbox.sqlite import read_utc
from tests.conftest import RecordingPlatform, text_of
from tests.test_scheduler import deliveries, dispatcher, make_goal, sub_of

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # Tuesday 19:30 in Berlin


async def test_a_goals_set_time_is_read_as_sqlalchemy_reads_it(bot: CareerBot) -> None:
    view = await make_goal(bot)
    async with bot.db.engine.connect() as conn:
        stored = (await conn.exec_driver_sql("SELECT created_utc FROM goals")).scalar_one()
        typed = (await conn.execute(select(Goal.created_utc))).scalar_one()  # type: ignore[call-overload]
    assert read_utc(stored) == typed == view.goal.created_utc
    assert read_utc(stored).tzinfo is UTC  # type: ignore[union-attr]
    assert read_utc(None) is None


def _lock(bot: CareerBot) -> sqlite3.Connection:
    """Another writer (say a second process) holding SQLite's write lock."""
    other = sqlite3.connect(bot.db.file, isolation_level=None)  # type: ignore[arg-type]
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_claim_waits_for_a_busy_file_instead_of_failing(
    bot: CareerBot, clock: ManualClock
) -> None:
    for n in range(3):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    other = _lock(bot)
    claim = asyncio.ensure_future(bot.services.outbox.claim(DUE, ["test"], 100))
    await asyncio.sleep(0.2)
    assert not claim.done(), "the claim waits for the lock (through aiosqlite, off the loop)"
    other.execute("COMMIT")
    other.close()
    claimed, seen = await claim
    assert seen == 3 and sorted(c.chat_id for c in claimed) == ["p0", "p1", "p2"]
    assert [(d.status, d.attempts) for d in await deliveries(bot)] == [("pending", 0)] * 3
    assert (await bot.services.outbox.claim(DUE, ["test"], 100)) == ([], 0)


class LockingPlatform(RecordingPlatform):
    """Its first send takes the write lock from another connection for a moment, so the record
    of that send meets a busy file."""

    def __init__(self, bot: CareerBot) -> None:
        super().__init__()
        self.bot = bot
        self.other: sqlite3.Connection | None = None

    async def send(self, target: Target, reply: Reply) -> None:
        if self.other is None:
            self.other = _lock(self.bot)
            asyncio.get_running_loop().call_later(0.2, self.other.execute, "COMMIT")
        await super().send(target, reply)


async def test_settling_a_window_waits_for_a_busy_file(bot: CareerBot, clock: ManualClock) -> None:
    for n in range(5):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    clock.set(DUE)
    platform = LockingPlatform(bot)
    report = await dispatcher(bot, platform, workers=2).tick()
    assert report.sent == 5 and report.failed == 0
    assert sorted(t.chat_id for t, _ in platform.sent) == [f"p{n}" for n in range(5)]
    assert [d.status for d in await deliveries(bot)] == ["sent"] * 5
    assert platform.other is not None
    platform.other.close()


async def test_rows_sharing_a_rule_keep_their_own_snooze_skip_and_exam(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    """One claim, one rule and due time for all: the shared timeline decides the occurrence,
    each row's own state decides what happens to it."""
    clock.set(DUE - timedelta(days=1))
    plain = await make_goal(bot, user="plain", weekday=1, at="19:30")
    skipping = await make_goal(bot, user="skipping", weekday=1, at="19:30")
    ending = await make_goal(bot, user="ending", weekday=1, at="19:30", exam=date(2026, 11, 24))
    snoozed = await make_goal(bot, user="snoozed", weekday=1, at="19:30")
    await bot.services.subscriptions.set_skip_next(skipping.nudge.id or 0, True)  # type: ignore[union-attr]
    # A snooze from last week that fires now, on the same minute as everyone's rule.
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            Subscription.__table__.update()  # type: ignore[attr-defined]
            .where(Subscription.__table__.c.id == snoozed.nudge.id)  # type: ignore[attr-defined, union-attr]
            .values(snoozed_until_utc=DUE)
        )
    clock.set(DUE)
    report = await dispatcher(bot, platform).tick()
    sent = {t.chat_id: text_of(r) for t, r in platform.sent}
    assert sorted(sent) == ["plain", "snoozed"]
    assert "Reminder (snoozed)" in sent["snoozed"] and "Reminder" not in sent["plain"]
    assert report.sent == 2
    rows = {(d.subscription_id, d.status, d.last_error) for d in await deliveries(bot)}
    assert (skipping.nudge.id, "skipped", "skipped at the person's request") in rows  # type: ignore[union-attr]
    week = timedelta(days=7)
    assert (await sub_of(bot, plain.nudge.id or 0)).next_due_utc == DUE + week  # type: ignore[union-attr]
    after_skip = await sub_of(bot, skipping.nudge.id or 0)  # type: ignore[union-attr]
    assert (after_skip.next_due_utc, after_skip.skip_next) == (DUE + week, False)
    after_snooze = await sub_of(bot, snoozed.nudge.id or 0)  # type: ignore[union-attr]
    assert (after_snooze.next_due_utc, after_snooze.snoozed_until_utc) == (DUE + week, None)
    stopped = await sub_of(bot, ending.nudge.id or 0)  # type: ignore[union-attr]
    assert (stopped.status, stopped.paused_reason) == ("stopped", "exam date reached")
    done = await bot.services.goals.get(ending.goal.id or 0)
    assert done is not None and done.goal.status == "completed"


async def test_a_claimed_send_has_every_field_and_the_goals_values(bot: CareerBot) -> None:
    """Claimed and its rows are built positionally without NamedTuple's ``__new__`` (for
    speed): a field added to the class but not to the builder would leave the tuple short."""
    view = await make_goal(bot, weekday=1, at="19:30")
    [send], seen = await bot.services.outbox.claim(DUE, ["test"], 100)
    assert seen == 1 and len(send) == len(type(send)._fields)
    assert send.goal_id == view.goal.id and send.plan_start == view.goal.plan_start
    assert send.timezone == "Europe/Berlin" and send.local_time == "19:30"
    assert send.occurrence == DUE and send.goal_created is None  # read only without a start
