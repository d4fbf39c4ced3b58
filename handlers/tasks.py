"""/tasks: which parts of the role AI is taking over, and the tools doing it."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("tasks")


@router.command(
    "tasks", "Which tasks of a role AI puts at risk", takes_role=True, also=("automation", "atrisk")
)
async def tasks(ctx: Context) -> Reply:
    role = target_role(ctx)
    section = role.tasks_at_risk
    if section is None:
        return missing(ctx, role, "tasks at risk")
    reply = Reply(title=f"Tasks at risk: {role.title}")
    reply.add(Section(bullets=[f"{t.task} — {t.why}" for t in section.items]))
    if role.ai_tools:
        reply.add(
            Section(
                heading="AI tools changing this work",
                rows=[(tool.name, tool.automates) for tool in role.ai_tools.items],
            )
        )
    reply.buttons = nav(role, ("Protection plan", "plan"), ("AI automation risk", "risk"))
    reply.footer = reviewed_footer(role, section.sources, section.reviewed)
    return answer(ctx, reply)


router.action("tasks")(tasks)
