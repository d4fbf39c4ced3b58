"""Against the PostgreSQL server: the schema, the goal flow and two workers ticking at once.

Each test gets its own freshly created database, so runs never interfere; they skip with a clear
reason when CAREERBOT_TEST_POSTGRES_URL is not set (and fail when CAREERBOT_REQUIRE_POSTGRES is).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import func, select

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Reply, Target
from bot.scheduler import Dispatcher
from storage.models import Delivery
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of
from tests.test_scheduler import make_goal


async def pg_bot(url: str, tmp_path: Path, clock: ManualClock, *, upgrade: bool) -> CareerBot:
    bot = CareerBot(settings_for(tmp_path, database_url=url), clock=clock)
    if upgrade:
        await bot.db.upgrade()
    await bot.start()
    return bot


class SlowPlatform(RecordingPlatform):
    """Yields to the loop on every send so the two workers really interleave."""

    async def send(self, target: Target, reply: Reply) -> None:
        await asyncio.sleep(0)
        await super().send(target, reply)


async def test_two_workers_never_send_a_nudge_twice(
    pg_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    one = await pg_bot(pg_url, tmp_path / "a", clock, upgrade=True)
    two = await pg_bot(pg_url, tmp_path / "b", clock, upgrade=False)
    try:
        # Goals that differ as people's do, so every nudge is composed from its own plan.
        certs = ("aws-mla", "gcp-pmle", "ai-103", "ai-901", "dbx-ml-assoc")
        for n in range(300):
            exam = None if n % 3 == 0 else date(2026, 12, 22) + timedelta(weeks=n % 70)
            await make_goal(
                one, user=f"p{n}", weekday=1, at="19:30", exam=exam, cert=certs[n % len(certs)]
            )
        clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
        pa, pb = SlowPlatform(), SlowPlatform()
        a = Dispatcher(one.services, {"test": pa}, batch=25, workers=10)
        b = Dispatcher(two.services, {"test": pb}, batch=25, workers=10)
        ra, rb = await asyncio.gather(a.tick(), b.tick())
        chats = Counter(t.chat_id for t, _ in pa.sent + pb.sent)
        assert len(chats) == 300 and set(chats.values()) == {1}, "each person exactly once"
        titles = {t.chat_id: r.title for t, r in pa.sent + pb.sent}
        assert len(set(titles.values())) > 20, "the nudges really differ"
        assert "Google Cloud" in titles["p1"] and "Week 1:" in titles["p1"]
        assert ra.sent + rb.sent == 300
        assert ra.sent > 0 and rb.sent > 0, "SKIP LOCKED let both workers take a share"
        async with one.db.session() as session:
            count = (await session.exec(select(func.count()).select_from(Delivery))).one()
        assert count == 300
        # A second round at the same minute finds nothing, from either worker.
        more = await asyncio.gather(a.tick(), b.tick())
        assert sum(r.sent for r in more) == 0
        clock.advance(timedelta(days=7))
        ra, rb = await asyncio.gather(a.tick(), b.tick())
        assert ra.sent + rb.sent == 300
    finally:
        await one.stop()
        await two.stop()


async def test_goal_flow_and_nudge_on_postgres(
    pg_url: str, tmp_path: Path, clock: ManualClock
) -> None:
    bot = await pg_bot(pg_url, tmp_path, clock, upgrade=True)
    try:
        platform = RecordingPlatform()
        chat = Chat(bot, platform)
        await chat.say("/goal")
        await chat.say("AI-103")
        await chat.say("2027-02-02")
        await chat.say("Tuesday 19:30")
        await chat.say("UTC+5:30")
        await chat.press("Use Asia/Kolkata")
        assert "Goal set" in text_of(await chat.press("Confirm"))
        clock.set(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
        report = await Dispatcher(bot.services, {"test": platform}).tick()
        assert report.sent == 1
        chat.last = platform.sent[-1][1]
        assert "Week 1 marked done" in text_of(await chat.press("Done this week"))
        assert "already" in text_of(await chat.press(platform.sent[-1][1].buttons[0][0].action))
    finally:
        await bot.stop()
