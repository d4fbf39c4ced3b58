"""Which answers carry a chart, and that each chart is drawn from the data its text is written from.

Driven through the real router on a SQLite file with charts on and the real render process.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import CareerBot
from bot.charts.specs import CheckChart, MeasuresChart, PlanChart, ProgressChart, RiskChart
from bot.clock import ManualClock
from bot.scheduler import Dispatcher
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of
from tests.test_check import ANSWERS, _answer
from tests.test_goals import set_goal


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[CareerBot]:
    app = CareerBot(settings_for(tmp_path, charts=True), clock=clock)
    await app.start()
    yield app
    await app.stop()


async def test_risk_card_chart_is_the_card_s_own_numbers_and_cached(
    chat: Chat, bot: CareerBot
) -> None:
    first = await chat.say("/risk mle")
    assert first is not None and isinstance(first.chart, RiskChart)
    risk = bot.services.library.get("mle").risk  # type: ignore[union-attr]
    assert risk is not None
    spec = first.chart
    assert [f.score for f in spec.factors] == [
        risk.factors.repetitiveness.score,
        risk.factors.ai_adoption.score,
        risk.factors.human_judgment.score,
    ]
    assert (spec.score, spec.level) == (risk.score, risk.level)
    assert f"{spec.score}/100: {spec.level}" in text_of(first)
    assert spec.title == first.title
    assert first.image is None, "a cold chart never holds the text back"
    picture = await bot.charts.follow_up(first)
    assert picture is not None and picture.image is not None
    assert picture.image.alt == spec.alt and picture.image.png.startswith(b"\x89PNG")

    second = await chat.say("/risk machine learning engineer")
    assert second is not None and second.image == picture.image
    assert await bot.charts.follow_up(second) is None
    assert bot.charts.renders == 1


async def test_plan_confirmation_progress_and_show_my_plan(
    chat: Chat, bot: CareerBot, clock: ManualClock, platform: RecordingPlatform
) -> None:
    # The confirmation, before the goal is set: the plan it describes, as a timeline.
    other = Chat(bot, platform, user_id="u2")
    for step in ("/goal", "MLA-C01", "2027-03-15", "Tuesday 19:30"):
        await other.say(step)
    confirm = await other.say("Berlin")
    sessions = int(re.search(r"Your plan: (\d+) weekly study sessions", text_of(confirm))[1])  # type: ignore[index]
    assert confirm is not None and isinstance(confirm.chart, PlanChart)
    assert len(confirm.chart.weeks) == sessions
    assert confirm.chart.exam is not None and confirm.chart.exam.isoformat() == "2027-03-15"
    assert str(confirm.chart.exam.day) in confirm.chart.alt

    await set_goal(chat)
    await chat.say("/goal")
    await chat.press("Done this week")
    clock.advance(timedelta(days=7))
    progress = await chat.say("/progress")
    assert progress is not None and isinstance(progress.chart, ProgressChart)
    assert (progress.chart.weeks, progress.chart.done, progress.chart.streak) == (
        2,
        frozenset({1}),
        1,
    )
    text = text_of(progress)
    assert "1 of 2 so far" in text and "Current streak: 1 week" in text

    # The weekly nudge stays text: a tick draws nothing, and offers "Show my plan".
    before = bot.charts.renders
    view = await bot.services.goals.current((await bot.services.users.get("test", "u1")).id)  # type: ignore[union-attr]
    assert view is not None and view.nudge is not None
    clock.set(view.nudge.next_due_utc)
    report = await Dispatcher(bot.services, {platform.name: platform}).tick()
    assert report.sent >= 1
    nudge = platform.sent[-1][1]
    assert nudge.chart is None and nudge.image is None and bot.charts.renders == before
    chat.last = nudge
    shown = await chat.press("Show my plan")
    assert shown is not None and isinstance(shown.chart, PlanChart)
    assert shown.chart.done == frozenset({1}) and shown.chart.today is not None
    assert len(shown.chart.weeks) == sessions
    assert "Study plan" in text_of(shown) and shown.personal


async def test_show_my_plan_of_someone_else_is_expired(
    chat: Chat, bot: CareerBot, platform: RecordingPlatform
) -> None:
    await set_goal(chat)
    view = await bot.services.goals.current((await bot.services.users.get("test", "u1")).id)  # type: ignore[union-attr]
    assert view is not None
    stranger = Chat(bot, platform, user_id="u9")
    reply = await stranger.press(f"v1:myplan:{view.goal.id}")
    assert reply is not None and reply.chart is None
    assert "expired" in text_of(reply).lower()


async def test_occupation_card_and_personal_check_charts(chat: Chat, bot: CareerBot) -> None:
    card = await chat.say("/risk paralegal")
    assert card is not None and isinstance(card.chart, MeasuresChart)
    occ = bot.services.occupations.get("23-2011")
    assert occ is not None
    assert [(r.name, r.value, r.percentile, r.out_of) for r in card.chart.rows] == [
        (f.measure.name, f.value, f.percentile, f.out_of) for f in occ.figures
    ]
    shown = text_of(card)
    for row in card.chart.rows:
        if row.value is not None:
            assert row.text in shown
            assert f"Higher than {row.percentile}% of the {row.out_of} occupations" in shown

    await chat.say("/check paralegal")
    await _answer(chat, ANSWERS)
    result = chat.last
    assert result is not None and isinstance(result.chart, CheckChart)
    spec = result.chart
    assert f"You: {spec.own}/100 ({spec.own_level})" in text_of(result)
    assert f"{spec.subject}: {spec.baseline}/100 ({spec.baseline_level})" in text_of(result)
    assert spec.subject == occ.title
