"""/faq: a role's frequently asked questions, and the salary card (free text: handlers/ask.py)."""

from __future__ import annotations

from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.schema import RolePack
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("faq")


def faq_answer(role: RolePack, faq_id: str) -> Reply | None:
    if role.faqs is None:
        return None
    faq = next((f for f in role.faqs.items if f.id == faq_id), None)
    if faq is None:
        return None
    reply = Reply(title=faq.question)
    reply.add(Section(paragraphs=[faq.answer]))
    reply.buttons = nav(role, ("More questions", "faqs"))
    reply.footer = reviewed_footer(role, faq.sources or role.faqs.sources, role.faqs.reviewed)
    return reply


@router.command(
    "faq", "Frequently asked questions about a role", takes_role=True, also=("questions", "faqs")
)
async def faqs(ctx: Context) -> Reply:
    role = target_role(ctx)
    if role.faqs is None:
        return missing(ctx, role, "frequently asked questions")
    reply = Reply(title=f"Frequently asked: {role.title}")
    reply.add(Section(paragraphs=["Pick a question, or type your own."]))
    reply.buttons = [[Button(f.question, action("faq", role.id, f.id))] for f in role.faqs.items]
    reply.buttons.append([Button("Main menu", action("menu", role.id))])
    return answer(ctx, reply)


router.action("faqs")(faqs)


@router.action("faq")
async def faq(ctx: Context) -> Reply:
    role = ctx.action_role()
    reply = faq_answer(role, (ctx.action.arg(1) if ctx.action else None) or "")
    if reply is None:
        raise StaleAction("faq")
    return answer(ctx, reply)


@router.action("salary")
@router.command(
    "salary",
    "What the sources say about pay for a role",
    takes_role=True,
    also=("pay", "wage", "wages", "income", "money"),
)
async def salary(ctx: Context) -> Reply:
    role = target_role(ctx)
    if role.salary is None:
        return missing(ctx, role, "salary")
    reply = Reply(title=f"Salary: {role.title}")
    reply.add(Section(bullets=list(role.salary.facts), paragraphs=[role.salary.note]))
    reply.buttons = nav(role, ("Certifications", "certs"))
    reply.footer = reviewed_footer(role, role.salary.sources, role.salary.reviewed)
    return answer(ctx, reply)
