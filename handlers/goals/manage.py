"""/goal on an open goal: the buttons that show, pause, resume, reschedule, skip a nudge or stop
it, and the one action verb ("goal") that also carries the set-up conversation's buttons.

A person has one open goal at a time (a second one would halve the value of each nudge).
"""

from __future__ import annotations

from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from domain.weekly import describe_local
from domain.zones import slug_to_zone
from handlers.goals.confirm import confirm, create_goal
from handlers.goals.questions import ask_date, ask_zone, flow_cert, flow_data
from handlers.goals.setup import ask_credential, choose_credential, start_goal, take_date
from handlers.goals.shared import (
    STATE,
    find_cert,
    goal_view,
    next_nudge_text,
    own_goal,
    require_private,
    upcoming,
)
from handlers.goals.views import calendar_reply
from handlers.start import cancel
from storage.goals import GoalView

router = Router("goal management")


@router.action("goal")
async def goal_action(ctx: Context) -> Reply:
    assert ctx.action is not None
    verb = ctx.action.arg(0) or ""
    require_private(ctx)
    if verb == "cert":
        role = ctx.action_role(1)
        section = role.certifications
        cert = section.get(ctx.action.arg(2) or "") if section else None
        if cert is None:
            raise StaleAction("goal")
        return await choose_credential(ctx, role, cert)
    if verb == "nodate":
        data = await flow_data(ctx, "date")
        return await take_date(ctx, data, None)
    if verb == "tz":
        data = await flow_data(ctx, "tz")
        name = slug_to_zone(ctx.action.arg(1) or "")
        if name is None:
            reply = ask_zone(ctx, "That button names no time zone I know. Type your time zone.")
            reply.title = "This menu has expired"
            return reply
        return await confirm(ctx, data, name)
    if verb == "redate":
        data = await flow_data(ctx, "when")
        data.update(step="date")
        await ctx.set_state(STATE, data)
        return ask_date(flow_cert(ctx, data))
    if verb == "role":
        return await ask_credential(ctx, ctx.action_role(1))
    if verb == "start":
        return await start_goal(ctx)
    if verb == "ok":
        return await create_goal(ctx, await flow_data(ctx, "confirm"))
    if verb == "restart":
        await ctx.clear_state()
        return await start_goal(ctx)
    if verb == "cancel":
        await ctx.clear_state()
        return Reply.text("Cancelled; nothing was saved. Send /goal when you're ready.")
    view = await own_goal(ctx, ctx.action.arg(1))
    return await _manage(ctx, verb, view)


async def _manage(ctx: Context, verb: str, view: GoalView) -> Reply:
    services, goal = ctx.services, view.goal
    gid = goal.id or 0
    if verb == "show":
        return goal_view(ctx, view, await services.goals.weeks_done(gid))
    if goal.status not in ("active", "paused"):
        return Reply.text(f"That goal is {goal.status}. Send /goal to set a new one.")
    if verb == "pause":
        view = await services.goals.set_status(gid, "paused", ctx.now, "paused by you") or view
        return await _after_change(
            ctx, view, "Nudges paused. Weeks that pass while paused are not sent later."
        )
    if verb == "resume":
        view = await services.goals.set_status(gid, "active", ctx.now) or view
        return await _after_change(ctx, view, "Nudges resumed.")
    if verb == "stopask":
        reply = Reply.text(
            "Stop this goal and its weekly nudges? Your completed weeks stay in /progress and "
            "/mydata.",
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
        return ask_date(cert)
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


async def _after_change(ctx: Context, view: GoalView, note: str) -> Reply:
    """The goal card, with the real weeks done, under a line saying what just changed."""
    reply = goal_view(ctx, view, await ctx.services.goals.weeks_done(view.goal.id or 0))
    reply.sections.insert(0, Section(paragraphs=[note]))
    return reply


@router.command(
    "goal",
    "Your study goal: set, see, pause, change or stop it",
    personal=True,
    scope="private",
    also=("goals", "mygoal", "study", "subscribe", "target"),
)
async def goal_command(ctx: Context) -> Reply:
    require_private(ctx)
    verb = ctx.args.strip().lower()
    if verb == "cancel":  # "/goal cancel" in the middle of the set-up means /cancel
        return await cancel(ctx)
    if verb in ("pause", "resume", "stop", "change"):
        view = await ctx.services.goals.current(ctx.user.id or 0)
        if view is None:
            return Reply.text("You have no study goal yet. Send /goal to set one.")
        return await _manage(ctx, "stopask" if verb == "stop" else verb, view)
    return await start_goal(ctx)
