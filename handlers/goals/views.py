"""/nudges, /progress and /plan_ics: read-only views of a person's goal and weekly nudges."""

from __future__ import annotations

from bot.actions import action
from bot.charts.specs import ProgressChart
from bot.context import Answer, Context, StaleAction
from bot.messages import Button, Document, Reply, Section
from bot.router import Router
from domain.ics import plan_ics
from domain.weekly import zone
from handlers.certs import cert_title
from handlers.goals.shared import (
    find_cert,
    first_nudge,
    guide_text,
    next_nudge_text,
    plan_of,
    plural,
    require_private,
    schedule_text,
)
from storage.goals import GoalView, streak
from storage.models import Subscription

router = Router("goal views")


@router.command(
    "nudges",
    "Your weekly nudges and scheduled summaries",
    personal=True,
    also=("unsubscribe", "reminders", "reminder", "notifications", "subscriptions"),
)
async def nudges_command(ctx: Context) -> Reply:
    subs = await ctx.services.subscriptions.for_user(ctx.user.id or 0)
    if not subs:
        return Reply.text(
            "You have no weekly nudges. Send /goal to set a study goal.", title="Your nudges"
        )
    lines = []
    for sub in subs:
        what = _describe_sub(ctx, sub)
        when = schedule_text(sub.weekday, sub.local_time, sub.timezone, lower=True)
        if sub.status == "active":
            state = "next " + next_nudge_text(sub)
        else:
            state = sub.status + (f" ({sub.paused_reason})" if sub.paused_reason else "")
        lines.append(f"{what}: {when} — {state}")
    reply = Reply(title="Your nudges", personal=True)
    reply.add(Section(bullets=lines))
    reply.buttons = [
        [Button("Show my goal", action("goal", "show", sub.goal_id))]
        for sub in subs
        if sub.kind == "nudge" and sub.goal_id
    ][:1]
    return reply


def _describe_sub(ctx: Context, sub: Subscription) -> str:
    role = ctx.services.library.get(sub.role_id)
    if sub.kind == "summary":
        title = role.title if role else sub.role_id
        return f"Role summary ({title}) posted to chat {sub.chat_id}"
    return "Study nudge"


async def _open_goal(ctx: Context) -> GoalView:
    require_private(ctx)
    view = await ctx.services.goals.current(ctx.user.id or 0)
    if view is None or view.nudge is None:
        reply = Reply.text("You have no study goal yet. Send /goal to set one.")
        raise Answer(reply)
    return view


@router.command(
    "progress",
    "Weeks done and your current streak",
    personal=True,
    scope="private",
    also=("streak", "stats"),
)
async def progress_command(ctx: Context) -> Reply:
    require_private(ctx)
    goals = ctx.services.goals
    view = await goals.current(ctx.user.id or 0) or await goals.latest(ctx.user.id or 0)
    if view is None or view.nudge is None:
        return Reply.text("You have no study goal yet. Send /goal to set one.")
    goal, sub = view.goal, view.nudge
    _, _, cert = find_cert(ctx.services, goal.role_id, goal.cert_id)
    done = await goals.weeks_done(goal.id or 0)
    plan = plan_of(goal, sub, cert)
    today = ctx.now.astimezone(zone(sub.timezone)).date()
    is_open = goal.status in ("active", "paused")
    # A stopped goal's record ends with the last week marked done; it no longer moves on.
    current = plan.week_number(today) if is_open else max(done, default=0)
    name = cert_title(cert) if cert else goal.cert_id
    reply = Reply(title=f"Progress: {name}", personal=True)
    if not is_open:
        reply.add(
            Section(
                paragraphs=[
                    f"This goal is {goal.status}, so no more nudges come. Your record stays "
                    "here; send /goal to set a new goal."
                ]
            )
        )
    so_far, in_a_row = max(current, 1), streak(set(done), current)
    rows = [
        ("Weeks done", f"{len(done)} of {so_far} so far" if is_open else str(len(done))),
        ("Current streak" if is_open else "Final streak", plural(in_a_row, "week")),
    ]
    reply.chart = ProgressChart(reply.title or "", so_far, frozenset(done), in_a_row)
    left = plan.weeks_left(today) if is_open else None
    if left is not None:
        rows.append(("Weeks to the exam", str(left)))
    reply.add(Section(rows=rows))
    lines = []
    for number in range(1, current + 1):
        mark = "done ✓" if number in done else "not marked done"
        lines.append(f"{plan.week(number).heading} — {mark}")
    if lines:
        reply.add(Section(heading="Weeks so far", bullets=lines[-12:]))
    reply.buttons = [[Button("Show my goal", action("goal", "show", goal.id or 0))]]
    if is_open:
        reply.buttons.insert(
            0, [Button("Done this week", action("nudge", "done", goal.id or 0, current))]
        )
    return reply


@router.command(
    "plan_ics",
    "Your study plan as a calendar file (.ics)",
    personal=True,
    scope="private",
    also=("ics", "ical", "calendar"),
)
async def plan_ics_command(ctx: Context) -> Reply:
    return await calendar_reply(ctx, await _open_goal(ctx))


async def calendar_reply(ctx: Context, view: GoalView) -> Reply:
    goal, sub = view.goal, view.nudge
    if sub is None:
        raise StaleAction("goal")
    _, _, cert = find_cert(ctx.services, goal.role_id, goal.cert_id)
    title = cert_title(cert) if cert else goal.cert_id
    data = plan_ics(
        plan=plan_of(goal, sub, cert),
        title=title,
        weekday=sub.weekday,
        local_time=sub.local_time,
        tz_name=sub.timezone,
        first=first_nudge(goal, sub),
        uid_prefix=f"goal-{goal.id}-{goal.created_utc:%Y%m%d%H%M}",
        now=ctx.now,
        about=guide_text(cert),
    )
    reply = Reply.text(
        "Your weekly study sessions, "
        + schedule_text(sub.weekday, sub.local_time, sub.timezone, lower=True)
        + (", and the exam date" if goal.exam_date else "")
        + ". Open the file to add them to your calendar.",
        title="Calendar file",
    )
    reply.document = Document(f"study-plan-{goal.cert_id}.ics", data, "text/calendar")
    reply.personal = True
    return reply
