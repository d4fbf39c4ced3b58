"""What every part of the study-goal feature shares: finding the credential, the plan a goal
follows, how a schedule and the next nudge read, the nudge buttons, and the goal card.

Kept apart from the conversation and the commands so that the weekly nudge (handlers.nudges) and
the scheduler build the same buttons and texts as /goal does.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from bot.actions import action, parse_number
from bot.context import Answer, Context, StaleAction
from bot.messages import Button, Reply, Section, fitted_button
from content.certifications import Certification
from domain.studyplan import DomainSpec, Plan, build_plan
from domain.weekly import (
    WEEKDAYS,
    day_text,
    describe_local,
    first_session_day,
    next_occurrence,
    zone,
)
from domain.zones import zone_display
from handlers.certs import cert_title
from storage.goals import GoalView, streak
from storage.models import Goal, Subscription
from storage.subscriptions import current_occurrence, regular_next

STATE = "goal"
PRIVATE_ONLY = (
    "Study goals are personal: send /goal to me in a private chat, and the weekly nudges "
    "will reach only you."
)


def find_cert(ctx_or_library: Any, role_id: str, cert_id: str | None):  # type: ignore[no-untyped-def]
    library = getattr(ctx_or_library, "library", ctx_or_library)
    role = library.get(role_id)
    section = role.certifications if role is not None else None
    cert = section.get(cert_id or "") if section is not None else None
    return role, section, cert


def domains_of(cert: Certification | None) -> tuple[DomainSpec, ...]:
    return tuple((d.name, d.weight, tuple(d.todo)) for d in cert.domains) if cert else ()


def plan_start(goal: Goal, sub: Subscription) -> date:
    """The day of the goal's first weekly session: as stored with the goal (set and moved by
    storage.goals, and what nudges read), worked out only for a goal stored without it. Every
    view of the plan (the card, the .ics, "done this week") goes through here, so none can
    disagree with the nudges."""
    if goal.plan_start is not None:
        return goal.plan_start
    return first_session_day(goal.created_utc, sub.weekday, sub.local_time, sub.timezone)


def guide_text(cert: Certification | None) -> str | None:
    """Which exam guide a plan follows, and what about it is unconfirmed: plans must say it."""
    if cert is None or cert.guide is None:
        return None
    note = f" {cert.guide.note}" if cert.guide.note else ""
    return f"Plan based on {cert.guide.label()}.{note}"


def plan_of(goal: Goal, sub: Subscription, cert: Certification | None) -> Plan:
    return build_plan(domains_of(cert), plan_start(goal, sub), goal.exam_date)


def first_nudge(goal: Goal, sub: Subscription) -> datetime:
    return next_occurrence(sub.weekday, sub.local_time, sub.timezone, goal.created_utc)


def upcoming(sub: Subscription) -> tuple[datetime, datetime | None]:
    """(the next nudge that will really be sent, the regular one skipped on request or None).

    "Don't send next nudge" sets ``skip_next``; the tick then skips the next regular occurrence
    (a pending snoozed reminder still comes first). ``next_due_utc`` still holds the skipped one,
    so everything that shows a next nudge asks this instead.
    """
    if not sub.skip_next:
        return sub.next_due_utc, None
    if sub.snoozed_until_utc is not None and sub.snoozed_until_utc == sub.next_due_utc:
        return sub.next_due_utc, regular_next(sub, sub.next_due_utc)
    skipped = sub.next_due_utc
    return regular_next(sub, skipped), skipped


def next_nudge_text(sub: Subscription) -> str:
    """ "Tuesday 1 December 2026, 19:30 (CET, UTC+01:00); the one on Tuesday 24 November is
    skipped" — the effective next nudge, and which one is skipped."""
    moment, skipped = upcoming(sub)
    text = describe_local(moment, sub.timezone)
    if skipped is not None:
        local = skipped.astimezone(zone(sub.timezone))
        when = f"{WEEKDAYS[local.weekday()]} {local.day} {local:%B}"
        later = " after it" if skipped > moment else ""
        text += f"; the one{later} on {when} is skipped (as you asked)"
    return text


def schedule_text(weekday: int, local_time: str, tz_name: str, lower: bool = False) -> str:
    """ "Every Tuesday at 19:30 (Europe/Berlin)"; ``lower`` for use inside a sentence."""
    where = zone_display(tz_name)
    return f"{'every' if lower else 'Every'} {WEEKDAYS[weekday]} at {local_time} ({where})"


@lru_cache(maxsize=4096)
def occurrence_code(moment: datetime) -> int:
    """An occurrence as whole minutes since the epoch: short enough for 64-byte button data."""
    return int(moment.timestamp() // 60)


def nudge_buttons(goal_id: int, sub_id: int, week: int, occurrence: datetime) -> list[list[Button]]:
    goal, sub = str(goal_id), str(sub_id)  # each written once, used twice
    tail = f"{sub}:{occurrence_code(occurrence)}"
    # Integers are always valid action parts and short, so the scheduler's hot path formats
    # these directly; test_nudge_actions_round_trip checks they equal bot.actions.action(...).
    # The labels are constants that fit, so the buttons are built the fast way.
    return [
        [
            fitted_button("Done this week", f"v1:nudge:done:{goal}:{week}"),
            fitted_button("Snooze 1 day", "v1:nudge:snooze:" + tail),
        ],
        # The plan as a chart (handlers.plan_chart): drawn when pressed, never per nudge.
        [fitted_button("Show my plan", "v1:myplan:" + goal)],
        [
            fitted_button("Skip this week", "v1:nudge:skip:" + tail),
            fitted_button("Stop", "v1:nudge:stop:" + sub),
        ],
    ]


async def own_goal(ctx: Context, goal_id: str | None) -> GoalView:
    """The goal a button names, if it belongs to the person pressing it."""
    number = parse_number(goal_id)
    if number is None:
        raise StaleAction("goal")
    view = await ctx.services.goals.get(number)
    if view is None or view.goal.user_id != ctx.user.id:
        raise StaleAction("goal")
    return view


def require_private(ctx: Context) -> None:
    """Goals are personal: asked in a group, answer with where to ask instead."""
    if ctx.in_group:
        raise Answer(Reply.text(PRIVATE_ONLY))


def plural(count: int, noun: str) -> str:
    """ "1 week", "2 weeks", "0 weeks"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def already(ctx: Context, view: GoalView) -> Reply:
    _, _, cert = find_cert(ctx.services, view.goal.role_id, view.goal.cert_id)
    name = cert_title(cert) if cert else view.goal.cert_id
    reply = Reply.text(
        f"You already have a goal: {name} ({view.goal.status}). I keep one goal at a time so each "
        "weekly nudge stays focused. Change its date or time, or stop it to pick another.",
        title="One goal at a time",
    )
    gid = view.goal.id
    reply.buttons = [
        [Button("Show my goal", action("goal", "show", gid))],
        [Button("Stop current goal", action("goal", "stopask", gid))],
    ]
    return reply


def goal_view(ctx: Context, view: GoalView, done: dict[int, datetime]) -> Reply:
    goal, sub = view.goal, view.nudge
    _, _, cert = find_cert(ctx.services, goal.role_id, goal.cert_id)
    name = cert_title(cert) if cert else goal.cert_id
    reply = Reply(title=f"Your goal: {name}", personal=True)
    rows = [("Status", goal.status)]
    if sub is not None and sub.status == "paused" and sub.paused_reason:
        rows[0] = ("Status", f"paused — {sub.paused_reason}")
    rows.append(
        ("Exam date", day_text(goal.exam_date, weekday=True) if goal.exam_date else "not set")
    )
    gid = goal.id or 0
    if sub is None:
        reply.add(Section(rows=rows))
        return reply
    rows.append(("Nudges", schedule_text(sub.weekday, sub.local_time, sub.timezone)))
    if sub.status == "active":
        rows.append(("Next nudge", next_nudge_text(sub)))
    plan = plan_of(goal, sub, cert)
    today = ctx.now.astimezone(zone(sub.timezone)).date()
    week_no = plan.week_number(today)
    rows.append(
        (
            "Progress",
            f"{plural(len(done), 'week')} done · streak "
            f"{plural(streak(set(done), week_no), 'week')}",
        )
    )
    reply.add(Section(rows=rows))
    week = plan.week(week_no)
    reply.add(Section(heading=f"This week — {week.heading}", bullets=list(week.todo)))
    buttons: list[list[Button]] = []
    first = first_nudge(goal, sub)
    if goal.status == "active" and ctx.now >= first:
        buttons += nudge_buttons(gid, sub.id or 0, week_no, current_occurrence(sub, ctx.now))
        buttons[-1][-1] = Button("Stop", action("goal", "stopask", gid))
    elif goal.status == "active":
        buttons.append([Button("Done this week", action("nudge", "done", gid, week_no))])
    toggle = ("Resume", "resume") if goal.status == "paused" else ("Pause", "pause")
    buttons.append(
        [
            Button(toggle[0], action("goal", toggle[1], gid)),
            Button("Change date or time", action("goal", "change", gid)),
        ]
    )
    buttons.append(
        [
            Button("Send next nudge after all", action("goal", "unskip", gid))
            if sub.skip_next
            else Button("Don't send next nudge", action("goal", "skipnext", gid)),
            Button("Calendar (.ics)", action("goal", "ics", gid)),
        ]
    )
    if not any(b.label == "Stop" for row in buttons for b in row):
        buttons.append([Button("Stop", action("goal", "stopask", gid))])
    reply.buttons = buttons
    return reply
