""" "Show my plan": the study plan as a timeline, from a button under every weekly nudge.

The nudge itself stays text (a tick of 100,000 nudges draws nothing); pressing the button
answers with the plan in words and the same plan as a chart, drawn only for the person who
asked, with their done weeks ticked and today marked.
"""

from __future__ import annotations

from bot.actions import action
from bot.charts.specs import PlanChart
from bot.context import Context
from bot.messages import Button, Reply, Section
from bot.router import Router
from domain.weekly import day_text, zone
from handlers.certs import cert_title
from handlers.goals import find_cert, own_goal, plan_of
from handlers.goals.confirm import plan_bullets

router = Router("plan_chart")

ACTION = "myplan"


@router.action(ACTION)
async def show_plan(ctx: Context) -> Reply:
    assert ctx.action is not None
    view = await own_goal(ctx, ctx.action.arg(0))
    goal, sub = view.goal, view.nudge
    _, _, cert = find_cert(ctx.services, goal.role_id, goal.cert_id)
    if sub is None or cert is None:
        return Reply.text("This goal has no weekly plan any more. Send /goal to set one.")
    plan = plan_of(goal, sub, cert)
    today = ctx.now.astimezone(zone(sub.timezone)).date()
    done = frozenset(await ctx.services.goals.weeks_done(goal.id or 0))
    title = f"Study plan: {cert_title(cert)}"
    reply = Reply(title=title, personal=True)
    week = plan.week(plan.week_number(today))
    rows = [("This week", week.heading)]
    if plan.exam is not None:
        rows.append(("Exam date", day_text(plan.exam, weekday=True)))
    reply.add(Section(rows=rows))
    reply.add(Section(heading="The plan", bullets=plan_bullets(list(plan.weeks))))
    reply.chart = PlanChart.of(title, plan.weeks, plan.exam, today, done)
    reply.buttons = [[Button("Show my goal", action("goal", "show", goal.id or 0))]]
    return reply
