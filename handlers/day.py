"""/day: what the role involves day to day."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("day")


@router.command(
    "day",
    "A day in the life of the role",
    takes_role=True,
    also=("daily", "routine", "dayinthelife"),
)
async def day(ctx: Context) -> Reply:
    role = target_role(ctx)
    if role.day_in_the_life is None and role.activities is None:
        return missing(ctx, role, "day-in-the-life description")
    reply = Reply(title=f"A day in the life: {role.title}")
    shown = [s for s in (role.day_in_the_life, role.activities, role.responsibilities) if s]
    if role.day_in_the_life:
        reply.add(Section(rows=[(m.time, m.activity) for m in role.day_in_the_life.items]))
    if role.activities:
        reply.add(
            Section(
                heading="What the work involves",
                bullets=[
                    f"{a.name}: {a.what}" + (f" ({', '.join(a.tools)})" if a.tools else "")
                    for a in role.activities.items
                ],
            )
        )
    if role.responsibilities:
        reply.add(
            Section(heading="Core responsibilities", bullets=list(role.responsibilities.items))
        )
    reply.buttons = nav(role, ("Tasks at risk", "tasks"), ("Certifications", "certs"))
    # Credit every section shown, each for its own sources.
    reply.footer = reviewed_footer(
        role, [i for s in shown for i in s.sources], max(s.reviewed for s in shown)
    )
    return answer(ctx, reply)


router.action("day")(day)
