"""/plan: the protection plan — skills that protect, where to move, and AI tools to master."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("plan")


@router.command(
    "plan",
    "A protection plan: skills, moves and tools",
    takes_role=True,
    also=("protect", "protection", "skills"),
)
async def plan(ctx: Context) -> Reply:
    role = target_role(ctx)
    section = role.protection
    if section is None:
        return missing(ctx, role, "protection plan")
    reply = Reply(title=f"Your protection plan: {role.title}")
    reply.add(Section(heading="Skills that protect you", bullets=list(section.skills)))
    reply.add(
        Section(
            heading="Where you could move next",
            rows=[(path.title, path.detail) for path in section.migration_paths],
        )
    )
    reply.add(
        Section(
            heading="AI tools to master: our own picks",
            rows=[(tool.name, tool.why) for tool in section.tools_to_master],
        )
    )
    reply.buttons = nav(role, ("Certifications", "certs"), ("Tasks at risk", "tasks"))
    reply.footer = reviewed_footer(role, section.sources, section.reviewed)
    return answer(ctx, reply)


router.action("plan")(plan)
