"""/goal, /nudges, /progress, /plan_ics: a certification goal with one useful nudge a week.

The goal flow is a conversation stored per (platform, chat, user) on every step, so it survives a
restart: credential → exam date (optional) → weekday and time → time zone → confirmation that
shows the first nudge in the person's own local time. Every step answers bad input with what was
wrong and how to write it, and leaves the stored step unchanged.

Retired and closed exams are never accepted as goals; they point to their successor. A person has
one open goal at a time (a second one would halve the value of each nudge).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.actions import action
from bot.charts.specs import PlanChart, ProgressChart
from bot.context import Answer, Context, StaleAction
from bot.messages import Button, Document, Reply, Section
from bot.router import Router
from content.schema import Certification, Certifications, RolePack
from domain.ics import plan_ics, plan_sessions
from domain.parsing import InputError, parse_exam_date, parse_when
from domain.studyplan import Plan, PlanWeek, build_plan
from domain.weekly import WEEKDAYS, day_text, describe_local, next_occurrence, zone
from domain.zones import resolve_timezone, slug_to_zone, zone_to_slug
from handlers.certs import cert_title
from storage.goals import GoalExists, GoalView, streak
from storage.models import Goal, Subscription
from storage.subscriptions import current_occurrence, regular_next

router = Router("goals")

STATE = "goal"
PRIVATE_ONLY = (
    "Study goals are personal: send /goal to me in a private chat, and the weekly nudges "
    "will reach only you."
)


# ---------------------------------------------------------------------------------------------
# Shared helpers (also used by handlers.nudges)


def find_cert(ctx_or_library: Any, role_id: str, cert_id: str | None):  # type: ignore[no-untyped-def]
    library = getattr(ctx_or_library, "library", ctx_or_library)
    role = library.get(role_id)
    section = role.certifications if role is not None else None
    cert = section.get(cert_id or "") if section is not None else None
    return role, section, cert


def domains_of(cert: Certification | None) -> tuple[tuple[str, float], ...]:
    return tuple((d.name, d.weight) for d in cert.domains) if cert else ()


def plan_start(goal_created: datetime, weekday: int, local_time: str, tz_name: str) -> date:
    """The plan's first day: the local day of the first weekly session after the goal was set,
    so that every plan week holds exactly one nudge (and one calendar event)."""
    first = next_occurrence(weekday, local_time, tz_name, goal_created)
    return first.astimezone(zone(tz_name)).date()


def plan_of(goal: Goal, sub: Subscription, cert: Certification | None) -> Plan:
    start = plan_start(goal.created_utc, sub.weekday, sub.local_time, sub.timezone)
    return build_plan(domains_of(cert), start, goal.exam_date)


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
    return f"{'every' if lower else 'Every'} {WEEKDAYS[weekday]} at {local_time} ({tz_name})"


def occurrence_code(moment: datetime) -> int:
    """An occurrence as whole minutes since the epoch: short enough for 64-byte button data."""
    return int(moment.timestamp() // 60)


def nudge_buttons(goal_id: int, sub_id: int, week: int, occurrence: datetime) -> list[list[Button]]:
    code = occurrence_code(occurrence)
    # Integers are always valid action parts and short, so the scheduler's hot path formats
    # these directly; test_nudge_actions_round_trip checks they equal bot.actions.action(...).
    return [
        [
            Button("Done this week", f"v1:nudge:done:{goal_id}:{week}"),
            Button("Snooze 1 day", f"v1:nudge:snooze:{sub_id}:{code}"),
        ],
        # The plan as a chart (handlers.plan_chart): drawn when pressed, never per nudge.
        [Button("Show my plan", f"v1:myplan:{goal_id}")],
        [
            Button("Skip this week", f"v1:nudge:skip:{sub_id}:{code}"),
            Button("Stop", f"v1:nudge:stop:{sub_id}"),
        ],
    ]


async def own_goal(ctx: Context, goal_id: str | None) -> GoalView:
    """The goal a button names, if it belongs to the person pressing it."""
    if not goal_id or not goal_id.isdigit():
        raise StaleAction("goal")
    view = await ctx.services.goals.get(int(goal_id))
    if view is None or view.goal.user_id != ctx.user.id:
        raise StaleAction("goal")
    return view


def _require_private(ctx: Context) -> None:
    if ctx.in_group:
        raise Answer(Reply.text(PRIVATE_ONLY))


# ---------------------------------------------------------------------------------------------
# Step 1: the credential


def _cert_buttons(role: RolePack, section: Certifications) -> list[list[Button]]:
    rows = []
    for cert in section.roadmap():
        label = f"{cert.step}. {cert.code or cert.name}"
        if not cert.is_open:
            label += f" ({cert.status})"
        elif not cert.goal_ready:
            label += " (no single exam)"
        rows.append([Button(label[:60], action("goal", "cert", role.id, cert.id))])
    rows.append([Button("Cancel", action("goal", "cancel"))])
    return rows


async def ask_credential(ctx: Context, role: RolePack, note: str | None = None) -> Reply:
    section = role.certifications
    if section is None:
        return Reply.text(
            f"I have no certification roadmap for {role.title} yet, so I can't plan a goal. "
            "Choose another role with /roles."
        )
    await ctx.set_state(STATE, {"step": "cert", "role": role.id})
    reply = Reply(title="Set a study goal — 1/4: the credential")
    if note:
        reply.add(Section(paragraphs=[note]))
    reply.add(
        Section(
            paragraphs=[
                f"Which credential from the {role.title} roadmap are you aiming for? "
                "Press one, or type its code."
            ]
        )
    )
    reply.buttons = _cert_buttons(role, section)
    return reply


async def choose_credential(ctx: Context, role: RolePack, cert: Certification) -> Reply:
    section = role.certifications
    assert section is not None
    if cert.is_open and not cert.goal_ready:
        reply = Reply(title="Not available as a goal")
        reply.add(
            Section(
                paragraphs=[
                    f"This roadmap step, {cert_title(cert)}, names no single exam, so there are "
                    "no exam areas to plan your weeks around. Pick a named credential instead:"
                ]
            )
        )
        reply.buttons = _cert_buttons(role, section)
        await ctx.set_state(STATE, {"step": "cert", "role": role.id})
        return reply
    if not cert.goal_ready:
        successor = section.get(cert.successor) if cert.successor else None
        text = (
            f"{cert_title(cert)} {cert.status} on {cert.status_date}: its exam can't be booked "
            "any more."
        )
        reply = Reply(title="Not available as a goal")
        if successor is not None and successor.goal_ready:
            text += f" Its successor is {cert_title(successor)}."
            reply.buttons = [
                [
                    Button(
                        f"Choose {successor.code or successor.name} instead"[:60],
                        action("goal", "cert", role.id, successor.id),
                    )
                ]
            ]
        else:
            text += " It has no direct successor; choose another credential."
        reply.add(Section(paragraphs=[text]))
        reply.buttons += _cert_buttons(role, section)
        await ctx.set_state(STATE, {"step": "cert", "role": role.id})
        return reply
    user_goal = await ctx.services.goals.current(ctx.user.id or 0)
    if user_goal is not None:
        return _already(ctx, user_goal)
    await ctx.set_state(STATE, {"step": "date", "role": role.id, "cert": cert.id})
    return _ask_date(cert)


def _already(ctx: Context, view: GoalView) -> Reply:
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


# ---------------------------------------------------------------------------------------------
# Step 2: the exam date


def _ask_date(cert: Certification, error: str | None = None) -> Reply:
    reply = Reply(title=f"Set a study goal — 2/4: {cert_title(cert)}")
    if error:
        reply.add(Section(paragraphs=[error]))
    prompt = "When is your exam? Write the date, e.g. 2027-03-15 or 15 March 2027."
    if cert.status == "retiring":
        prompt += f" It retires on {cert.status_date}, so the exam must be on or before then."
    reply.add(Section(paragraphs=[prompt]))
    buttons = [Button("Cancel", action("goal", "cancel"))]
    if cert.status != "retiring":
        buttons.insert(0, Button("No date yet", action("goal", "nodate")))
    reply.buttons = [buttons]
    return reply


def _ask_when(error: str | None = None) -> Reply:
    reply = Reply(title="Set a study goal — 3/4: your weekly time")
    if error:
        reply.add(Section(paragraphs=[error]))
    reply.add(
        Section(
            paragraphs=[
                "Which day and time should I nudge you each week? Write e.g. “Tuesday 19:30” "
                "or “sat 9am”."
            ]
        )
    )
    reply.buttons = [[Button("Cancel", action("goal", "cancel"))]]
    return reply


def _ask_zone(ctx: Context, message: str | None = None, suggestions: tuple[str, ...] = ()) -> Reply:
    reply = Reply(title="Set a study goal — 4/4: your time zone")
    if message:
        reply.add(Section(paragraphs=[message]))
    else:
        reply.add(
            Section(
                paragraphs=[
                    "Which time zone are you in? Type a city (Berlin, New York, Mumbai), an IANA "
                    "name (Europe/Berlin) or an offset (UTC+5:30)."
                ]
            )
        )
    choices = list(suggestions)
    if not choices and ctx.user.timezone:
        choices = [ctx.user.timezone]
    reply.buttons = [
        [Button(f"Use {name}"[:60], action("goal", "tz", zone_to_slug(name)))] for name in choices
    ]
    reply.buttons.append([Button("Cancel", action("goal", "cancel"))])
    return reply


async def _flow(ctx: Context, step: str) -> dict[str, Any]:
    """The flow's stored data, if the person is at ``step``; otherwise the menu has expired."""
    state = await ctx.state()
    if state is None or state.name != STATE or state.data.get("step") != step:
        raise Answer(
            Reply.text(
                "That goal set-up has expired or moved on. Send /goal to start again.",
                title="This menu has expired",
            )
        )
    return dict(state.data)


def _flow_cert(ctx: Context, data: dict[str, Any]) -> Certification:
    _, _, cert = find_cert(ctx.services, data.get("role", ""), data.get("cert"))
    if cert is None:
        raise StaleAction("goal")
    return cert


async def _take_date(ctx: Context, data: dict[str, Any], exam: date | None) -> Reply:
    cert = _flow_cert(ctx, data)
    if cert.status == "retiring" and cert.status_date is not None:
        if exam is None:
            return _ask_date(cert, "This exam is retiring, so I need your exam date.")
        if exam > cert.status_date:
            return _ask_date(
                cert, f"{cert_title(cert)} retires on {cert.status_date}; book it before then."
            )
    data.update(step="when", exam=exam.isoformat() if exam else None)
    await ctx.set_state(STATE, data)
    return _ask_when()


@router.state("goal")
async def goal_text(ctx: Context) -> Reply:
    state = await ctx.state()
    assert state is not None
    data = dict(state.data)
    text = ctx.inbound.text.strip()
    step = data.get("step")
    if step == "cert":
        role = ctx.role(data.get("role"))
        section = role.certifications
        match = _match_cert(section, text) if section else None
        if match is None:
            return await ask_credential(
                ctx,
                role,
                note=f"“{text[:40]}” is not on the {role.title} roadmap. Choose one of these:",
            )
        return await choose_credential(ctx, role, match)
    if step == "date":
        cert = _flow_cert(ctx, data)
        if text.lower() in ("no", "none", "skip", "no date", "no date yet", "-"):
            return await _take_date(ctx, data, None)
        try:
            exam = parse_exam_date(text, ctx.now.date())
        except InputError as exc:
            return _ask_date(cert, str(exc))
        return await _take_date(ctx, data, exam)
    if step == "when":
        try:
            weekday, local_time = parse_when(text)
        except InputError as exc:
            return _ask_when(str(exc))
        data.update(step="tz", weekday=weekday, time=local_time)
        await ctx.set_state(STATE, data)
        return _ask_zone(ctx)
    if step == "tz":
        choice = resolve_timezone(text, ctx.now)
        if choice.zone is None:
            return _ask_zone(ctx, choice.message, choice.suggestions)
        return await _confirm(ctx, data, choice.zone)
    return Reply.text("Use the buttons above to confirm, or send /goal to start again.")


def _match_cert(section: Certifications, text: str) -> Certification | None:
    key = text.strip().lower()
    if not key:
        return None
    for cert in section.items:
        if key in (cert.id.lower(), (cert.code or "").lower(), cert.name.lower()):
            return cert
    candidates = [c for c in section.items if len(key) >= 4 and key in c.name.lower()]
    return candidates[0] if len(candidates) == 1 else None


# ---------------------------------------------------------------------------------------------
# Confirmation


async def _confirm(ctx: Context, data: dict[str, Any], tz_name: str) -> Reply:
    data.update(step="confirm", tz=tz_name)
    await ctx.set_state(STATE, data)
    cert = _flow_cert(ctx, data)
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
    if sessions:
        weeks = [week for week, _ in sessions]
        reply.add(
            Section(
                heading=f"Your plan: {plural(len(sessions), 'weekly study session')}",
                bullets=plan_bullets(weeks),
            )
        )
        today = ctx.now.astimezone(zone(tz_name)).date()
        reply.chart = PlanChart.of(
            f"Study plan: {cert_title(cert)}", weeks, exam, today, frozenset()
        )
    else:
        reply.add(
            Section(
                paragraphs=[
                    "Your exam comes before your first weekly time, so there is no study session "
                    "to plan and no nudge will be sent. Choose an earlier day, or check the date."
                ]
            )
        )
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


def plural(count: int, noun: str) -> str:
    """ "1 week", "2 weeks", "0 weeks"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


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


# ---------------------------------------------------------------------------------------------
# Actions of the flow


@router.action("goal")
async def goal_action(ctx: Context) -> Reply:
    assert ctx.action is not None
    verb = ctx.action.arg(0) or ""
    _require_private(ctx)
    if verb == "cert":
        role = ctx.action_role(1)
        section = role.certifications
        cert = section.get(ctx.action.arg(2) or "") if section else None
        if cert is None:
            raise StaleAction("goal")
        return await choose_credential(ctx, role, cert)
    if verb == "nodate":
        data = await _flow(ctx, "date")
        return await _take_date(ctx, data, None)
    if verb == "tz":
        data = await _flow(ctx, "tz")
        name = slug_to_zone(ctx.action.arg(1) or "")
        if name is None:
            return _ask_zone(ctx, "I don't know that time zone any more; type it again.")
        return await _confirm(ctx, data, name)
    if verb == "ok":
        return await _create(ctx, await _flow(ctx, "confirm"))
    if verb == "restart":
        await ctx.clear_state()
        return await start_goal(ctx)
    if verb == "cancel":
        await ctx.clear_state()
        return Reply.text("Cancelled; nothing was saved. Send /goal when you're ready.")
    view = await own_goal(ctx, ctx.action.arg(1))
    return await _manage(ctx, verb, view)


async def _create(ctx: Context, data: dict[str, Any]) -> Reply:
    cert = _flow_cert(ctx, data)
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
        return _already(ctx, GoalView(exc.goal, None))
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


async def _manage(ctx: Context, verb: str, view: GoalView) -> Reply:
    services, goal = ctx.services, view.goal
    gid = goal.id or 0
    if verb == "show":
        return goal_view(ctx, view, await services.goals.weeks_done(gid))
    if goal.status not in ("active", "paused"):
        return Reply.text(f"That goal is {goal.status}. Send /goal to set a new one.")
    if verb == "pause":
        view = await services.goals.set_status(gid, "paused", ctx.now, "paused by you") or view
        return _after_change(ctx, view, "Nudges paused (missed weeks aren't sent later).")
    if verb == "resume":
        view = await services.goals.set_status(gid, "active", ctx.now) or view
        return _after_change(ctx, view, "Nudges resumed.")
    if verb == "stopask":
        reply = Reply.text(
            "Stop this goal and its weekly nudges? Your completed weeks stay in /mydata.",
            title="Stop your goal?",
        )
        reply.buttons = [
            [
                Button("Yes, stop", action("goal", "stop", gid)),
                Button("No, keep it", action("goal", "show", gid)),
            ]
        ]
        return reply
    if verb == "stop":
        await services.goals.set_status(gid, "stopped", ctx.now, "stopped by you")
        return Reply.text(
            "Stopped: no more nudges for this goal. Send /goal whenever you want a new one.",
            title="Goal stopped",
        )
    if verb == "change":
        _, _, cert = find_cert(services, goal.role_id, goal.cert_id)
        if cert is None:
            raise StaleAction("goal")
        await ctx.set_state(
            STATE, {"step": "date", "role": goal.role_id, "cert": goal.cert_id, "change": gid}
        )
        return _ask_date(cert)
    if verb in ("skipnext", "unskip"):
        sub = view.nudge
        if sub is None or sub.status != "active":
            return Reply.text("Your nudges are paused, so there is no next nudge to skip.")
        sub = await services.subscriptions.set_skip_next(sub.id or 0, verb == "skipnext") or sub
        if verb == "unskip":
            text = f"OK: I'll send your next nudge after all: {next_nudge_text(sub)}."
            reply = Reply.text(text, title="Next nudge back on")
            return reply
        _, skipped = upcoming(sub)
        assert skipped is not None
        reply = Reply.text(
            f"OK: I won't send the weekly nudge of {describe_local(skipped, sub.timezone)}, "
            f"then carry on as usual. Next nudge: {next_nudge_text(sub)}.",
            title="Next nudge skipped",
        )
        reply.buttons = [
            [Button("Send it after all", action("goal", "unskip", gid))],
            [Button("Show my goal", action("goal", "show", gid))],
        ]
        return reply
    if verb == "ics":
        return await calendar_reply(ctx, view)
    raise StaleAction("goal")


def _after_change(ctx: Context, view: GoalView, note: str) -> Reply:
    reply = goal_view(ctx, view, {})
    reply.title = f"{note} {reply.title}"
    return reply


# ---------------------------------------------------------------------------------------------
# /goal, /nudges, /progress, /plan_ics


async def start_goal(ctx: Context) -> Reply:
    _require_private(ctx)
    view = await ctx.services.goals.current(ctx.user.id or 0)
    if view is not None:
        return goal_view(ctx, view, await ctx.services.goals.weeks_done(view.goal.id or 0))
    return await ask_credential(ctx, ctx.role())


@router.command("goal", "Your study goal: set, see, pause, change or stop it", personal=True)
async def goal_command(ctx: Context) -> Reply:
    _require_private(ctx)
    verb = ctx.args.strip().lower()
    if verb in ("pause", "resume", "stop", "change"):
        view = await ctx.services.goals.current(ctx.user.id or 0)
        if view is None:
            return Reply.text("You have no study goal yet. Send /goal to set one.")
        return await _manage(ctx, "stopask" if verb == "stop" else verb, view)
    return await start_goal(ctx)


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


@router.command("nudges", "Your weekly nudges and scheduled summaries", personal=True)
async def nudges_command(ctx: Context) -> Reply:
    subs = await ctx.services.subscriptions.for_user(ctx.user.id or 0)
    if not subs:
        return Reply.text(
            "You have no weekly nudges. Send /goal to set a study goal.", title="Your nudges"
        )
    lines = []
    for sub in subs:
        what = _describe_sub(ctx, sub)
        when = schedule_text(sub.weekday, sub.local_time, sub.timezone)
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
    _require_private(ctx)
    view = await ctx.services.goals.current(ctx.user.id or 0)
    if view is None or view.nudge is None:
        reply = Reply.text("You have no study goal yet. Send /goal to set one.")
        raise Answer(reply)
    return view


@router.command("progress", "Weeks done and your current streak", personal=True)
async def progress_command(ctx: Context) -> Reply:
    view = await _open_goal(ctx)
    goal, sub = view.goal, view.nudge
    assert sub is not None
    _, _, cert = find_cert(ctx.services, goal.role_id, goal.cert_id)
    done = await ctx.services.goals.weeks_done(goal.id or 0)
    plan = plan_of(goal, sub, cert)
    today = ctx.now.astimezone(zone(sub.timezone)).date()
    current = plan.week_number(today)
    reply = Reply(title=f"Progress: {cert_title(cert) if cert else goal.cert_id}", personal=True)
    so_far, in_a_row = max(current, 1), streak(set(done), current)
    rows = [
        ("Weeks done", f"{len(done)} of {so_far} so far"),
        ("Current streak", plural(in_a_row, "week")),
    ]
    reply.chart = ProgressChart(reply.title or "", so_far, frozenset(done), in_a_row)
    left = plan.weeks_left(today)
    if left is not None:
        rows.append(("Weeks to the exam", str(left)))
    reply.add(Section(rows=rows))
    lines = []
    for number in range(1, current + 1):
        mark = "done ✓" if number in done else "not marked done"
        lines.append(f"{plan.week(number).heading} — {mark}")
    reply.add(Section(heading="Weeks so far", bullets=lines[-12:]))
    reply.buttons = [
        [Button("Done this week", action("nudge", "done", goal.id or 0, current))],
        [Button("Show my goal", action("goal", "show", goal.id or 0))],
    ]
    return reply


@router.command("plan_ics", "Your study plan as a calendar file (.ics)", personal=True)
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
