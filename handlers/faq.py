"""/faq and free-text questions, answered from the FAQs and the rest of the content."""

from __future__ import annotations

from bot import replies
from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Handler, Router
from content.schema import RolePack
from content.search import Hit
from handlers import about, certs, day, plan, risk, tasks
from handlers.common import answer, missing, nav, reviewed_footer, target_role
from handlers.occupations import occupation_in_text
from handlers.roles import role_card

router = Router("faq")

SECTION_ACTIONS = {
    "risk": ("AI automation risk", "risk"),
    "tasks": ("Tasks at risk", "tasks"),
    "plan": ("Protection plan", "plan"),
    "certs": ("Certification roadmap", "certs"),
    "day": ("A day in the life", "day"),
    "salary": ("Salary", "salary"),
    "responsibilities": ("Responsibilities", "day"),
    "about": ("Sources and method", "about"),
    "roles": ("Other roles", "card"),
}


def faq_answer(role: RolePack, faq_id: str) -> Reply | None:
    if role.faqs is None:
        return None
    faq = next((f for f in role.faqs.items if f.id == faq_id), None)
    if faq is None:
        return None
    reply = Reply(title=faq.question)
    reply.add(Section(paragraphs=[faq.answer]))
    reply.buttons = nav(role, ("More questions", "faqs"))
    reply.footer = reviewed_footer(role.faqs.sources, role.faqs.reviewed)
    return reply


@router.command("faq", "Frequently asked questions about a role", takes_role=True)
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
async def salary(ctx: Context) -> Reply:
    role = target_role(ctx)
    if role.salary is None:
        return missing(ctx, role, "salary")
    reply = Reply(title=f"Salary: {role.title}")
    reply.add(Section(bullets=list(role.salary.facts), paragraphs=[role.salary.note]))
    reply.buttons = nav(role, ("Certifications", "certs"))
    reply.footer = reviewed_footer(role.salary.sources, role.salary.reviewed)
    return answer(ctx, reply)


SECTION_HANDLERS: dict[str, Handler] = {
    "risk": risk.risk,
    "tasks": tasks.tasks,
    "plan": plan.plan,
    "certs": certs.certs,
    "day": day.day,
    "responsibilities": day.day,
    "salary": salary,
    "about": about.about,
}


def _hit_button(hit: Hit) -> Button:
    if hit.kind == "faq":
        return Button(hit.title, action("faq", hit.role_id, hit.ref))
    label, name = SECTION_ACTIONS[hit.ref]
    return Button(label, action(name, hit.role_id))


@router.text()
async def question(ctx: Context) -> Reply | None:
    """Answer the best match when it is clear; otherwise offer the three closest questions."""
    named_job = occupation_in_text(ctx)
    if named_job is not None:
        return named_job
    index = ctx.services.index
    result = index.search(ctx.inbound.text, role_id=ctx.role().id)
    if result.role is not None and result.role.faqs is None:
        return role_card(result.role)
    if result.confident:
        top = result.hits[0]
        role = ctx.services.library.get(top.role_id) or ctx.role()
        if top.kind == "faq":
            reply = faq_answer(role, top.ref)
            if reply is not None:
                return reply
        else:
            handler = SECTION_HANDLERS.get(top.ref)
            if handler is not None:
                ctx.args = role.id
                return await handler(ctx)
            return role_card(role)
    if not result.hits:
        return replies.menu(
            ctx.role(),
            greeting="I couldn't find anything about that. Here is what I can tell you about:",
        )
    reply = Reply.text("I'm not sure I understood. Did you mean one of these?")
    reply.buttons = [[_hit_button(hit)] for hit in result.hits[:3]]
    return reply
