"""/lifecycle and /hiring: how the role's work runs from data to monitoring, and what hiring
teams should look for at each kind of situation."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("hiring")


@router.action("lifecycle")
@router.command(
    "lifecycle",
    "The stages of the role's work, from data to monitoring",
    takes_role=True,
    also=("stages", "workflow"),
)
async def lifecycle(ctx: Context) -> Reply:
    role = target_role(ctx)
    section = role.lifecycle
    if section is None:
        return missing(ctx, role, "lifecycle stages")
    reply = Reply(title=f"Lifecycle of the work: {role.title}")
    reply.add(
        Section(
            paragraphs=[
                "The stages a piece of this work goes through, and what each one is about."
            ],
            rows=[(f"{n}. {stage.name}", stage.focus) for n, stage in enumerate(section.stages, 1)],
        )
    )
    reply.buttons = nav(role, ("Hiring guide", "hiring"), ("A day in the life", "day"))
    reply.footer = reviewed_footer(role, section.sources, section.reviewed)
    return answer(ctx, reply)


@router.action("hiring")
@router.command(
    "hiring",
    "For hiring teams: strong signals, red flags and proof",
    takes_role=True,
    also=("hire", "interview", "recruit", "recruiting"),
)
async def hiring(ctx: Context) -> Reply:
    role = target_role(ctx)
    section = role.hiring_table
    if section is None:
        return missing(ctx, role, "hiring guide")
    reply = Reply(title=f"Hiring guide: {role.title}")
    reply.add(
        Section(
            paragraphs=[
                f"For teams assessing a {role.title} candidate: what a strong answer looks like "
                "in each situation, what should worry you, and what to ask to see."
            ]
        )
    )
    for row in section.rows:
        reply.add(
            Section(
                heading=row.situation,
                rows=[
                    ("Strong signal", row.strong_signal),
                    ("Red flag", row.red_flag),
                    ("Proof to ask for", row.proof),
                ],
            )
        )
    reply.buttons = nav(role, ("Lifecycle of the work", "lifecycle"), ("FAQ", "faqs"))
    reply.footer = reviewed_footer(role, section.sources, section.reviewed)
    return answer(ctx, reply)
