"""/about: where every answer comes from, when it was checked, and how the score is made."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from content.schema import (
    OPTIONAL_SECTIONS,
    RISK_DEFINITION,
    RISK_FORMULA,
    RISK_NAME,
    SECTION_TITLES,
)
from handlers.common import answer, nav, target_role

router = Router("about")


@router.command("about", "Sources, review dates and how the risk score is made", takes_role=True)
async def about(ctx: Context) -> Reply:
    role = target_role(ctx)
    reply = Reply(title=f"Sources and method: {role.title}")
    reply.add(
        Section(
            heading="Sources",
            bullets=[f"{s.id}: {s.title} ({s.where})" for s in role.sources],
        )
    )
    reviewed = []
    for name in OPTIONAL_SECTIONS:
        section = getattr(role, name)
        if section is not None:
            reviewed.append(
                (SECTION_TITLES[name], f"{section.reviewed} · {', '.join(section.sources)}")
            )
    if reviewed:
        reply.add(Section(heading="Sections, last reviewed and sources", rows=reviewed))
    missing = role.missing_sections()
    if missing:
        reply.add(Section(heading="No data for this role", bullets=missing))
    reply.add(
        Section(
            heading=f"The {RISK_NAME} score",
            paragraphs=[
                f"The {RISK_NAME} score is {RISK_DEFINITION}. It is made from three factors "
                f"scored 1–10: {RISK_FORMULA}."
            ],
        )
    )
    pairs = [("How is the risk computed?", "method")] if role.risk else []
    reply.buttons = nav(role, *pairs)
    reply.footer = f"Role pack last reviewed {role.reviewed}."
    return answer(ctx, reply)


router.action("about")(about)
