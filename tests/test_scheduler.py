"""The tick, with a manual clock: DST, snooze/skip/done/stop, downtime, crashes, delivery errors."""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.delivery import Deliverer
from bot.errors import ChatMoved, MissingPermission, RetryLater, TransientError, Unreachable
from bot.messages import Reply, Target
from bot.scheduler import (
    JOB_ID,
    YOUNG_DURING_TICK,
    Dispatcher,
    SchedulerComponent,
    fewer_collections,
)
from domain.studyplan import build_plan
from domain.weekly import zone
from handlers.goals import domains_of
from storage.goals import GoalView
from storage.models import Delivery, Subscription
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of


async def make_goal(
    bot: CareerBot,
    *,
    user: str = "u1",
    weekday: int = 6,
    at: str = "09:00",
    tz: str = "Europe/Berlin",
    exam: date | None = None,
    platform: str = "test",
    cert: str = "aws-mla",
) -> GoalView:
    person = await bot.services.users.get_or_create(platform, user, user, bot.services.clock.now())
    return await bot.services.goals.create(
        user_id=person.id or 0,
        role_id="mle",
        cert_id=cert,
        exam_date=exam,
        platform=platform,
        chat_id=user,
        weekday=weekday,
        local_time=at,
        timezone=tz,
        now=bot.services.clock.now(),
    )


def dispatcher(bot: CareerBot, platform: RecordingPlatform, **kw: object) -> Dispatcher:
    return Dispatcher(bot.services, {platform.name: platform}, **kw)  # type: ignore[arg-type]


async def sub_of(bot: CareerBot, sub_id: int) -> Subscription:
    sub = await bot.services.subscriptions.get(sub_id)
    assert sub is not None
    return sub


async def deliveries(bot: CareerBot) -> list[Delivery]:
    async with bot.db.session() as session:
        return list((await session.exec(select(Delivery).order_by(Delivery.id))).all())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
)
async def test_weekly_nudge_keeps_local_time_across_dst(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform, tz: str
) -> None:
    view = await make_goal(bot, tz=tz, weekday=6, at="09:00")
    d = dispatcher(bot, platform)
    sub_id = view.nudge.id  # type: ignore[union-attr]
    offsets = set()
    for week in range(58):  # Nov 2026 → Dec 2027: both DST changes in every zone
        due = (await sub_of(bot, sub_id or 0)).next_due_utc
        clock.set(due - timedelta(minutes=1))
        assert (await d.tick()).sent == 0, f"early in week {week}"
        clock.set(due)
        assert (await d.tick()).sent == 1, f"week {week}"
        local = due.astimezone(zone(tz))
        assert (local.weekday(), local.strftime("%H:%M")) == (6, "09:00"), local
        offsets.add(local.utcoffset())
    assert len(platform.sent) == 58
    assert len(offsets) == (1 if tz == "Asia/Kolkata" else 2)
    if tz == "Asia/Kolkata":
        assert offsets == {timedelta(hours=5, minutes=30)}


async def test_nonexistent_and_ambiguous_local_times(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    """02:30 on a Sunday in Berlin: skipped by the clocks in March, doubled in October."""
    clock.set(datetime(2027, 3, 22, tzinfo=UTC))
    view = await make_goal(bot, weekday=6, at="02:30")
    d = dispatcher(bot, platform)
    sub_id = view.nudge.id or 0  # type: ignore[union-attr]
    spring = (await sub_of(bot, sub_id)).next_due_utc
    # The gap: 02:30 does not exist on 28 March 2027; it fires at 03:30 CEST (01:30 UTC).
    assert spring == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    clock.set(datetime(2027, 10, 30, tzinfo=UTC))
    await bot.services.subscriptions.skip_current(sub_id, clock.now())
    autumn = (await sub_of(bot, sub_id)).next_due_utc
    # Twice 02:30 on 31 October 2027: fires once, at the first (CEST, 00:30 UTC).
    assert autumn == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    clock.set(autumn)
    assert (await d.tick()).sent == 1
    clock.set(autumn + timedelta(hours=1))  # the second 02:30 (CET)
    assert (await d.tick()).sent == 0
    assert (await sub_of(bot, sub_id)).next_due_utc == datetime(2027, 11, 7, 1, 30, tzinfo=UTC)


async def nudge_chat(bot: CareerBot, platform: RecordingPlatform) -> Chat:
    chat = Chat(bot, platform)
    chat.last = platform.sent[-1][1]
    return chat


async def test_nudge_names_topic_weeks_left_and_has_buttons(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30", exam=date(2027, 3, 16))
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    await dispatcher(bot, platform).tick()
    [(target, reply)] = platform.sent
    text = text_of(reply)
    assert target == Target("test", "u1")
    assert "Week 1: Data preparation for machine learning (week 1 of 4 on this area)" in text
    assert "16 weeks left until your exam on 16 March 2027" in text
    assert [b.label for b in reply.all_buttons()] == [
        "Done this week",
        "Snooze 1 day",
        "Show my plan",
        "Skip this week",
        "Stop",
    ]
    assert all(len(b.action.encode()) <= 64 for b in reply.all_buttons())


async def test_a_nudge_for_a_changed_goal_reflects_the_change(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    """The week's text is cached by (credential, plan length, week): changing the exam date
    changes the plan length, so the next nudge follows the new plan, not a cached old one."""
    view = await make_goal(bot, weekday=1, at="19:30", exam=date(2027, 3, 16))
    d = dispatcher(bot, platform)
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    await d.tick()
    assert "16 weeks left until your exam on 16 March 2027" in text_of(platform.sent[-1][1])
    new_exam = date(2027, 1, 19)
    await bot.services.goals.reschedule(
        view.goal.id or 0, 1, "19:30", "Europe/Berlin", clock.now(), exam_date=new_exam
    )
    clock.advance(timedelta(days=7))
    await d.tick()
    reply = platform.sent[-1][1]
    cert = bot.services.library.get("mle").certifications.get("aws-mla")  # type: ignore[union-attr]
    plan = build_plan(domains_of(cert), date(2026, 11, 24), new_exam)
    assert len(plan.weeks) == 8
    assert reply.title.endswith(plan.week(2).heading)
    assert reply.sections[0].bullets == list(plan.week(2).todo)
    assert "7 weeks left until your exam on 19 January 2027" in text_of(reply)
    # …and the 16-week plan's week 2 really said something else.
    old = build_plan(domains_of(cert), date(2026, 11, 24), date(2027, 3, 16)).week(2)
    assert old.heading != plan.week(2).heading


async def test_snooze_moves_only_that_occurrence(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    d = dispatcher(bot, platform)
    first = view.nudge.next_due_utc  # type: ignore[union-attr]
    clock.set(first + timedelta(minutes=5))
    await d.tick()
    chat = await nudge_chat(bot, platform)
    reply = await chat.press("Snooze 1 day")
    assert "remind you again Wednesday 25 November 2026, 19:35" in text_of(reply)
    clock.advance(timedelta(hours=23))
    assert (await d.tick()).sent == 0
    clock.advance(timedelta(hours=1))
    assert (await d.tick()).sent == 1
    assert "Reminder (snoozed)" in text_of(platform.sent[-1][1])
    assert "Week 1" in text_of(platform.sent[-1][1])
    assert (await sub_of(bot, view.nudge.id or 0)).next_due_utc == first + timedelta(days=7)  # type: ignore[union-attr]
    clock.set(first + timedelta(days=7))
    assert (await d.tick()).sent == 1
    assert "Week 2" in text_of(platform.sent[-1][1])
    assert len(platform.sent) == 3


async def test_skip_this_week_cancels_a_snooze_and_skip_next_skips_one(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    d = dispatcher(bot, platform)
    first = view.nudge.next_due_utc  # type: ignore[union-attr]
    clock.set(first)
    await d.tick()
    chat = await nudge_chat(bot, platform)
    await chat.press("Snooze 1 day")
    chat.last = platform.sent[-1][1]
    reply = await chat.press("Skip this week")
    assert "skipping this week" in text_of(reply)
    clock.advance(timedelta(days=2))
    assert (await d.tick()).sent == 0, "the snooze was cancelled"
    await chat.say("/goal")
    await chat.press("Don't send next nudge")
    clock.set(first + timedelta(days=7))
    assert (await d.tick()).sent == 0, "the next one is skipped"
    clock.set(first + timedelta(days=14))
    assert (await d.tick()).sent == 1, "then it carries on"
    statuses = [(x.status, x.last_error) for x in await deliveries(bot)]
    assert ("skipped", "skipped at the person's request") in statuses


async def test_done_from_the_nudge_twice_and_old_buttons(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    d = dispatcher(bot, platform)
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    await d.tick()
    old = platform.sent[-1][1]
    chat = await nudge_chat(bot, platform)
    assert "Week 1 marked done" in text_of(await chat.press("Done this week"))
    chat.last = old
    assert "already marked done" in text_of(await chat.press("Done this week"))
    clock.advance(timedelta(days=7))
    await d.tick()
    chat.last = old
    reply = await chat.press("Snooze 1 day")
    assert "earlier week" in text_of(reply)
    assert (await sub_of(bot, view.nudge.id or 0)).snoozed_until_utc is None  # type: ignore[union-attr]


async def test_stop_from_the_nudge(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    d = dispatcher(bot, platform)
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    await d.tick()
    chat = await nudge_chat(bot, platform)
    await chat.press("Stop")
    reply = await chat.press("Yes, stop")
    assert "no more nudges" in text_of(reply)
    clock.advance(timedelta(days=30))
    assert (await d.tick()).sent == 0
    assert (await sub_of(bot, view.nudge.id or 0)).status == "stopped"  # type: ignore[union-attr]


async def test_pause_and_resume_without_catch_up(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    d = dispatcher(bot, platform)
    gid = view.goal.id or 0
    await bot.services.goals.set_status(gid, "paused", clock.now(), "paused by you")
    clock.advance(timedelta(days=20))
    assert (await d.tick()).sent == 0
    await bot.services.goals.set_status(gid, "active", clock.now())
    assert (await d.tick()).sent == 0, "weeks missed while paused are not sent"
    clock.set((await sub_of(bot, view.nudge.id or 0)).next_due_utc)  # type: ignore[union-attr]
    assert (await d.tick()).sent == 1


async def test_a_week_of_downtime_sends_one_catch_up(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    first = view.nudge.next_due_utc  # type: ignore[union-attr]
    clock.set(first + timedelta(days=7, hours=3))  # down for both occurrences
    report = await dispatcher(bot, platform).tick()
    assert report.sent == 1 and len(platform.sent) == 1
    assert "Week 2" in text_of(platform.sent[0][1]), "the catch-up is the latest week"
    rows = await deliveries(bot)
    assert [(r.status, r.occurrence_utc) for r in rows] == [
        ("skipped", first),
        ("sent", first + timedelta(days=7)),
    ]
    assert (await sub_of(bot, view.nudge.id or 0)).next_due_utc == first + timedelta(days=14)  # type: ignore[union-attr]


async def test_downtime_past_24_hours_sends_nothing_and_records_it(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    first = view.nudge.next_due_utc  # type: ignore[union-attr]
    clock.set(first + timedelta(days=5 * 7 + 1, hours=1))
    d = dispatcher(bot, platform)
    assert (await d.tick()).sent == 0
    rows = await deliveries(bot)
    assert len(rows) == 6 and all(r.status == "skipped" for r in rows)
    assert rows[-1].last_error == "more than 24 h late after downtime"
    clock.set(first + timedelta(days=6 * 7))
    assert (await d.tick()).sent == 1


async def test_goal_completes_at_the_exam_date(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30", exam=date(2026, 12, 8))
    d = dispatcher(bot, platform)
    first = view.nudge.next_due_utc  # type: ignore[union-attr]
    for week in range(4):
        clock.set(first + timedelta(days=7 * week))
        await d.tick()
    assert len(platform.sent) == 2, "24 Nov and 1 Dec; none on or after the exam day"
    assert "Final review" in text_of(platform.sent[-1][1])
    done = await bot.services.goals.get(view.goal.id or 0)
    assert done is not None and done.goal.status == "completed"
    assert done.nudge is not None and done.nudge.status == "stopped"


async def restart(tmp_path: Path, clock: ManualClock) -> CareerBot:
    bot = CareerBot(settings_for(tmp_path), clock=clock)
    await bot.start()
    return bot


async def test_crash_after_claiming_and_before_sending(
    tmp_path: Path, clock: ManualClock, platform: RecordingPlatform
) -> None:
    first_bot = await restart(tmp_path, clock)
    view = await make_goal(first_bot, weekday=1, at="19:30")
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    d = dispatcher(first_bot, platform)

    async def crash(*args: object) -> set[int]:
        raise RuntimeError("power cut")

    d.outbox.settle = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await d.tick()
    await first_bot.stop()
    assert platform.sent == []

    bot = await restart(tmp_path, clock)
    d = dispatcher(bot, platform)
    assert (await d.tick()).sent == 0, "another worker may still own it: wait for the lease"
    clock.advance(timedelta(minutes=2))
    report = await d.tick()
    assert (report.recovered, report.sent) == (1, 1)
    clock.advance(timedelta(minutes=5))
    assert (await d.tick()).sent == 0
    assert len(platform.sent) == 1
    [row] = await deliveries(bot)
    assert row.status == "sent"
    await bot.stop()


async def test_crash_after_sending_and_before_marking(
    tmp_path: Path, clock: ManualClock, platform: RecordingPlatform
) -> None:
    first_bot = await restart(tmp_path, clock)
    view = await make_goal(first_bot, weekday=1, at="19:30")
    due = view.nudge.next_due_utc  # type: ignore[union-attr]
    clock.set(due)
    d = dispatcher(first_bot, platform)

    real_settle = d.outbox.settle

    async def crash(
        conn: object, sent: list[int], failures: object, now: datetime, start: list[int]
    ) -> set[int]:
        if sent:
            raise RuntimeError("power cut")
        return await real_settle(conn, sent, [], now, start)  # type: ignore[arg-type]

    d.outbox.settle = crash  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await d.tick()
    await first_bot.stop()
    assert len(platform.sent) == 1

    bot = await restart(tmp_path, clock)
    d = dispatcher(bot, platform)
    for _ in range(3):
        clock.advance(timedelta(minutes=2))
        report = await d.tick()
        assert report.sent == 0
    assert len(platform.sent) == 1, "at most once: an unknown outcome is never resent"
    [row] = await deliveries(bot)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "outcome unknown" in (row.last_error or "")
    clock.set(due + timedelta(days=7))
    assert (await d.tick()).sent == 1, "the next week goes out as usual"
    await bot.stop()


class FlakyPlatform(RecordingPlatform):
    def __init__(self, errors: list[Exception]) -> None:
        super().__init__()
        self.errors = errors
        self.calls = 0

    async def send(self, target: Target, reply: Reply) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        await super().send(target, reply)


async def test_retry_after_and_backoff_then_delivered_once(
    bot: CareerBot, clock: ManualClock
) -> None:
    platform = FlakyPlatform([RetryLater(3), TransientError("timeout"), TransientError("reset")])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    view = await make_goal(bot, weekday=1, at="19:30")
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    deliverer = Deliverer({"test": platform}, sleep=sleep)
    report = await dispatcher(bot, platform, deliverer=deliverer).tick()
    assert report.sent == 1 and len(platform.sent) == 1
    assert waits == [3, 2.0, 4.0]


async def test_transient_errors_give_up_and_record(bot: CareerBot, clock: ManualClock) -> None:
    platform = FlakyPlatform([TransientError("down")] * 4)

    async def sleep(seconds: float) -> None:
        return None

    view = await make_goal(bot, weekday=1, at="19:30")
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    deliverer = Deliverer({"test": platform}, sleep=sleep)
    report = await dispatcher(bot, platform, deliverer=deliverer).tick()
    assert (report.sent, report.failed) == (0, 1)
    [row] = await deliveries(bot)
    assert (row.status, row.attempts) == ("failed", 4)
    assert (await sub_of(bot, view.nudge.id or 0)).status == "active"  # type: ignore[union-attr]


async def test_blocked_user_pauses_with_the_reason(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30")
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    platform.fail_with = Unreachable("the user blocked the bot")
    report = await dispatcher(bot, platform).tick()
    assert (report.failed, report.paused) == (1, 1)
    sub = await sub_of(bot, view.nudge.id or 0)  # type: ignore[union-attr]
    assert (sub.status, sub.paused_reason) == ("paused", "the user blocked the bot")
    platform.fail_with = None
    clock.advance(timedelta(days=14))
    assert (await dispatcher(bot, platform).tick()).sent == 0
    reply = await Chat(bot, platform).say("/goal")
    assert "paused — the user blocked the bot" in text_of(reply)


async def test_only_platforms_running_here_are_claimed(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    view = await make_goal(bot, weekday=1, at="19:30", platform="telegram")
    clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
    assert (await dispatcher(bot, platform).tick()).sent == 0
    assert await deliveries(bot) == []
    assert (await sub_of(bot, view.nudge.id or 0)).next_due_utc == clock.now()  # type: ignore[union-attr]


# ------------------------------------------------------------------ scheduled summaries


async def test_scheduled_summary_set_listed_posted_and_cancelled(
    bot: CareerBot, clock: ManualClock
) -> None:
    platform = RecordingPlatform(moderators={"mod"})
    mod = Chat(bot, platform, user_id="mod", chat_id="g1", chat_kind="group")
    member = Chat(bot, platform, user_id="m", chat_id="g1", chat_kind="group")
    reply = await member.say("/summary every monday 09:00 Europe/Berlin")
    assert "administrators" in text_of(reply)
    reply = await mod.say("/summary every monday 09:00 Europe/Berlin ml engineer")
    assert "Scheduled" in text_of(reply), text_of(reply)
    assert "Monday 30 November 2026, 09:00 (CET, UTC+01:00)" in text_of(reply)
    reply = await mod.say("/summary every someday 09:00")
    assert "not a day of the week" in text_of(reply)
    reply = await mod.say("/summary every mon 25:00")
    assert "hours go from 00 to 23" in text_of(reply)
    reply = await mod.say("/summary schedules")
    assert "1. Machine Learning Engineer here — Every Monday at 09:00" in text_of(reply)
    reply = await member.say("/summary schedules")
    assert "administrators" in text_of(reply)

    d = dispatcher(bot, platform)
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert (await d.tick()).sent == 1
    target, posted = platform.sent[-1]
    assert target == Target("test", "g1") and "Role summary" in text_of(posted)

    assert "Give the number" in text_of(await mod.say("/summary cancel 7"))
    assert "Cancelled" in text_of(await mod.say("/summary cancel 1"))
    clock.advance(timedelta(days=7))
    assert (await d.tick()).sent == 0
    private = Chat(bot, platform, user_id="mod")
    assert "send this in the group" in text_of(await private.say("/summary schedules"))


async def test_summary_into_a_channel_that_lost_permission_pauses(
    bot: CareerBot, clock: ManualClock
) -> None:
    platform = RecordingPlatform(moderators={"mod"})
    mod = Chat(bot, platform, user_id="mod", chat_id="g1", chat_kind="group")
    reply = await mod.say("/summary every friday 17:00 UTC to chan1")
    assert "in chan1" in text_of(reply)
    platform.fail_with = MissingPermission("Send Messages")
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    report = await dispatcher(bot, platform).tick()
    assert report.paused == 1
    reply = await mod.say("/summary schedules")
    assert "paused: missing permission: Send Messages" in text_of(reply)


async def test_group_that_moved_is_followed(bot: CareerBot, clock: ManualClock) -> None:
    platform = FlakyPlatform([ChatMoved("-100777")])
    platform.moderators = {"mod"}
    mod = Chat(bot, platform, user_id="mod", chat_id="-42", chat_kind="group")
    await mod.say("/summary every friday 17:00 UTC")
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    report = await dispatcher(bot, platform).tick()
    assert report.sent == 1
    assert platform.sent[-1][0] == Target("test", "-100777")
    async with bot.db.session() as session:
        [sub] = (await session.exec(select(Subscription))).all()
    assert sub.chat_id == "-100777"


async def test_a_moved_group_that_then_blocks_is_paused_where_it_went(
    bot: CareerBot, clock: ManualClock
) -> None:
    platform = FlakyPlatform([ChatMoved("-100777"), Unreachable("the bot was removed")])
    platform.moderators = {"mod"}
    mod = Chat(bot, platform, user_id="mod", chat_id="-42", chat_kind="group")
    await mod.say("/summary every friday 17:00 UTC")
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    report = await dispatcher(bot, platform).tick()
    assert (report.sent, report.paused) == (0, 1)
    async with bot.db.session() as session:
        [sub] = (await session.exec(select(Subscription))).all()
    assert (sub.chat_id, sub.status, sub.paused_reason) == (
        "-100777",
        "paused",
        "the bot was removed",
    )


# ------------------------------------------------------------------ the APScheduler component


async def test_component_runs_one_job_with_explicit_misfire_settings(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    component = SchedulerComponent(bot.services, {"test": platform})
    await component.start()
    try:
        jobs = component.scheduler.get_jobs()
        assert [j.id for j in jobs] == [JOB_ID]
        job = jobs[0]
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 60)
        view = await make_goal(bot, weekday=1, at="19:30")
        clock.set(view.nudge.next_due_utc)  # type: ignore[union-attr]
        await component._run()  # what the job calls each minute
        assert component.last_tick is not None and component.last_tick.sent == 1
    finally:
        await component.stop()
    assert not component.scheduler.running


async def test_two_ticks_at_once_in_one_process_send_once(
    bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    for n in range(20):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    a, b = dispatcher(bot, platform, batch=3), dispatcher(bot, platform, batch=3)
    reports = await asyncio.gather(a.tick(), b.tick())
    assert sum(r.sent for r in reports) == 20
    assert len({t.chat_id for t, _ in platform.sent}) == 20 == len(platform.sent)


class GatedPlatform(RecordingPlatform):
    """The first ``free`` sends go straight through (they never suspend); every later one waits
    until the test opens the gate, counting how many wait at once."""

    def __init__(self, free: int) -> None:
        super().__init__()
        self.free = free
        self.gate = asyncio.Event()
        self.waiting = 0
        self.most = 0

    async def send(self, target: Target, reply: Reply) -> None:
        if self.free:
            self.free -= 1
            await super().send(target, reply)
            return
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        await self.gate.wait()
        self.waiting -= 1
        await super().send(target, reply)


async def test_slow_sends_fill_the_window_and_never_exceed_it(
    bot: CareerBot, clock: ManualClock
) -> None:
    """Workers wake one another only as needed; sends that wait must still run side by side,
    as many as the window holds and no more — also in a later window, after fast sends have
    sent the workers back to sleep."""
    for n in range(11):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    platform = GatedPlatform(free=4)
    tick = asyncio.ensure_future(dispatcher(bot, platform, workers=4).tick())
    for _ in range(500):  # recovery and the claim go through the database first
        if platform.waiting:
            break
        await asyncio.sleep(0.01)
    for _ in range(20):
        await asyncio.sleep(0)
    assert platform.waiting == 4, "a full window of sends waits at once"
    platform.gate.set()
    report = await tick
    assert report.sent == 11 and platform.most == 4
    assert len({t.chat_id for t, _ in platform.sent}) == 11 == len(platform.sent)


def test_nudge_actions_round_trip() -> None:
    """The scheduler formats nudge buttons directly; they must equal what bot.actions builds."""
    from bot.actions import action, parse
    from handlers.goals import nudge_buttons, occurrence_code

    moment = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    code = occurrence_code(moment)
    built = [b.action for row in nudge_buttons(123456, 654321, 104, moment) for b in row]
    assert built == [
        action("nudge", "done", 123456, 104),
        action("nudge", "snooze", 654321, code),
        action("myplan", 123456),
        action("nudge", "skip", 654321, code),
        action("nudge", "stop", 654321),
    ]
    assert all(parse(a).name in ("nudge", "myplan") for a in built)


def test_nudge_buttons_built_the_fast_way_are_ordinary_buttons() -> None:
    """fitted_button skips the label check: the nudge's labels must fit anyway, and the result
    must be the same immutable, hashable Button a handler would build."""
    from bot.messages import LABEL_LIMIT, Button
    from handlers.goals import nudge_buttons

    moment = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    for button in (b for row in nudge_buttons(1, 2, 3, moment) for b in row):
        assert type(button) is Button and len(button.label) <= LABEL_LIMIT
        assert button == Button(button.label, button.action)
        assert hash(button) == hash(Button(button.label, button.action))
        with pytest.raises(AttributeError):
            button.label = "changed"  # type: ignore[misc]
        again = pickle.loads(pickle.dumps(button))
        assert type(again) is Button and again == button and copy.deepcopy(button) == button


def test_the_collectors_threshold_comes_back_after_interleaved_ticks_and_a_failed_one() -> None:
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()  # two ticks at once, on one event loop
    first.__exit__(None, None, None)  # the first ends while the second still runs
    assert gc.get_threshold()[0] >= YOUNG_DURING_TICK, "the second tick still runs"
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the tick failed")
    assert gc.get_threshold() == before
