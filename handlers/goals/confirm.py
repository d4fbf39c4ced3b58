"""The end of the goal set-up: the confirmation that shows the plan and the first nudge in the
person's local time, and creating (or rescheduling) the goal once they confirm."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.actions import action
from bot.charts.specs import PlanChart
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from domain.ics import plan_sessions
from domain.studyplan import PlanWeek, build_plan
from domain.weekly import day_text, describe_local, next_occurrence, zone
from handlers.certs import cert_title
from handlers.goals.questions import ask_when, flow_cert
from handlers.goals.shared import (
    STATE,
    already,
    domains_of,
    goal_view,
    guide_text,
    plural,
    schedule_text,
)
from storage.goals import GoalExists, GoalView


async def confirm(ctx: Context, data: dict[str, Any], tz_name: str) -> Reply:
    data.update(step="confirm", tz=tz_name)
    await ctx.set_state(STATE, data)
    cert = flow_cert(ctx, data)
    weekday, local_time = int(data["weekday"]), str(data["time"])
    first = next_occurrence(weekday, local_time, tz_name, ctx.now)
    exam = date.fromisoformat(data["exam"]) if data.get("exam") else None
    plan_first = first
    if data.get("change"):
        view = await ctx.services.goals.get(int(data["change"]))
        if view is not None:
            plan_first = next_occurrence(weekday, local_time, tz_name, view.goal.created_utc)
    start = plan_first.astimezone(zone(tz_name)).date()
    plan = build_plan(domains_of(cert), start, exam)
    sessions = plan_sessions(plan, weekday, local_time, tz_name, plan_first)
    if exam is not None and not sessions:
        # Nothing to plan: no nudge would ever go out, so don't offer to confirm.
        data.update(step="when")
        data.pop("tz", None)
        await ctx.set_state(STATE, data)
        reply = ask_when(
            data,
            f"Your exam on {day_text(exam, weekday=True)} comes before your first weekly "
            f"session ({describe_local(first, tz_name)}), so there would be no study week to "
            "plan. Choose a day and time before the exam, or change the date.",
        )
        reply.buttons.insert(0, [Button("Change the exam date", action("goal", "redate"))])
        return reply
    reply = Reply(title="Please confirm your study goal")
    reply.add(
        Section(
            rows=[
                ("Credential", cert_title(cert)),
                ("Exam date", day_text(exam, weekday=True) if exam else "not set yet"),
                ("Nudges", schedule_text(weekday, local_time, tz_name)),
                ("First nudge", describe_local(first, tz_name)),
            ]
        )
    )
    weeks = [week for week, _ in sessions]
    reply.add(
        Section(
            heading=f"Your plan: {plural(len(sessions), 'weekly study session')}",
            bullets=plan_bullets(weeks),
        )
    )
    if guide := guide_text(cert):
        reply.add(Section(paragraphs=[guide]))
    today = ctx.now.astimezone(zone(tz_name)).date()
    reply.chart = PlanChart.of(f"Study plan: {cert_title(cert)}", weeks, exam, today, frozenset())
    if exam is None:
        reply.add(Section(paragraphs=["With no exam date I plan 8 weeks; add the date later."]))
    reply.buttons = [
        [Button("Confirm", action("goal", "ok"))],
        [
            Button("Start over", action("goal", "restart")),
            Button("Cancel", action("goal", "cancel")),
        ],
    ]
    return reply


def plan_bullets(weeks: list[PlanWeek]) -> list[str]:
    """One line per topic with its number of weekly sessions, then the review weeks: counted
    from the same sessions the calendar file lists."""
    topics: dict[str, int] = {}
    for week in weeks:
        if week.kind == "study":
            topics[week.topic] = topics.get(week.topic, 0) + 1
    bullets = [f"{topic}: {plural(count, 'week')}" for topic, count in topics.items()]
    review = sum(1 for week in weeks if week.kind != "study")
    if review:
        last = "the last week" if review == 1 else f"the last {review} weeks"
        bullets.append(f"Review and practice exam: {last}")
    return bullets


async def create_goal(ctx: Context, data: dict[str, Any]) -> Reply:
    cert = flow_cert(ctx, data)
    exam = date.fromisoformat(data["exam"]) if data.get("exam") else None
    weekday, local_time, tz_name = int(data["weekday"]), str(data["time"]), str(data["tz"])
    services = ctx.services
    if data.get("change"):
        view = await services.goals.reschedule(
            int(data["change"]), weekday, local_time, tz_name, ctx.now, exam_date=exam
        )
        await ctx.clear_state()
        if view is None:
            raise StaleAction("goal")
        reply = goal_view(ctx, view, await services.goals.weeks_done(view.goal.id or 0))
        reply.title = "Updated — " + (reply.title or "")
        return reply
    try:
        view = await services.goals.create(
            user_id=ctx.user.id or 0,
            role_id=str(data["role"]),
            cert_id=cert.id,
            exam_date=exam,
            platform=ctx.inbound.platform,
            chat_id=ctx.inbound.chat_id,
            weekday=weekday,
            local_time=local_time,
            timezone=tz_name,
            now=ctx.now,
        )
    except GoalExists as exc:
        await ctx.clear_state()
        return already(ctx, GoalView(exc.goal, None))
    await ctx.clear_state()
    await services.users.update(ctx.user.id or 0, timezone=tz_name)
    assert view.nudge is not None
    reply = Reply(title=f"Goal set: {cert_title(cert)}")
    reply.add(
        Section(
            paragraphs=[
                f"Your first nudge comes {describe_local(view.nudge.next_due_utc, tz_name)}, "
                "then every week at the same local time "
                + (
                    f"until your exam on {day_text(exam)}."
                    if exam
                    else "(an 8-week plan: add your exam date with /goal → Change date or time)."
                ),
                "Send /goal to see or change it, /progress for your streak and /plan_ics for a "
                "calendar file.",
            ]
        )
    )
    reply.buttons = [
        [Button("Calendar file (.ics)", action("goal", "ics", view.goal.id or 0))],
        [Button("Show my goal", action("goal", "show", view.goal.id or 0))],
    ]
    return reply
