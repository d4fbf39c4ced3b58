"""/about: where every answer comes from, when it was checked, and how the score is made."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply, Section
from bot.router import Router
from content.schema import OPTIONAL_SECTIONS, SECTION_TITLES
from domain.risk import RISK_DEFINITION, RISK_FORMULA, RISK_NAME
from domain.weekly import day_text
from handlers.common import answer, nav, source_titles, target_role

router = Router("about")


@router.command(
    "about",
    "Sources, review dates and how the risk score is made",
    takes_role=True,
    also=("sources", "method", "methodology"),
)
async def about(ctx: Context) -> Reply:
    role = target_role(ctx)
    reply = Reply(title=f"Sources and method: {role.title}")
    reply.add(
        Section(
            heading="Sources",
            bullets=[s.title for s in role.sources],
        )
    )
    reviewed = []
    for name in OPTIONAL_SECTIONS:
        section = getattr(role, name)
        if section is not None:
            reviewed.append(
                (
                    SECTION_TITLES[name][:1].upper() + SECTION_TITLES[name][1:],
                    f"reviewed {day_text(section.reviewed)}; sources: "
                    + "; ".join(source_titles(role, section.sources)),
                )
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
    reply.footer = f"Role pack last reviewed {day_text(role.reviewed)}."
    return answer(ctx, reply)


router.action("about")(about)
