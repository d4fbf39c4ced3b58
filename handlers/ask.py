"""Free text: questions answered from the unit that fits, small talk, and honest "did you mean".

The matcher (content/search.py) decides; this module turns its decision into a reply. A clear
match opens that unit's card exactly as its button would; a close call offers the three closest
cards as buttons; anything else gets a short list of what the bot can help with.
"""

from __future__ import annotations

from bot import replies
from bot.actions import Action, action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Handler, Router
from content.schema import RolePack
from content.search import Hit
from content.understanding.smalltalk import small_talk
from handlers import about, certs, day, faq, hiring, plan, risk, roles, start, tasks
from handlers.common import answer, reviewed_footer
from handlers.occupations import occupation_in_text

router = Router("ask")

OPENERS: dict[str, Handler] = {
    "faq": faq.faq,
    "card": roles.card,
    "risk": risk.risk,
    "method": risk.method,
    "tasks": tasks.tasks,
    "plan": plan.plan,
    "salary": faq.salary,
    "day": day.day,
    "about": about.about,
    "certs": certs.certs,
    "cert": certs.cert,
    "lifecycle": hiring.lifecycle,
    "hiring": hiring.hiring,
}
"""Card openers by action name; a module registering its own units adds its opener here."""

OFF_TOPIC = (
    "That's outside what I know, sorry. I answer questions, in English, about careers that AI "
    "is changing: "
    "how exposed a role is, which tasks are at risk, how to protect your career, "
    "certifications and study plans. Pick a topic, or ask in your own words."
)


def _button(hit: Hit) -> Button:
    return Button(hit.unit.title, action(*hit.unit.opens))


async def open_unit(ctx: Context, hit: Hit) -> Reply | None:
    """Open a unit's card as its button would, but as a new message rather than an edit."""
    name, *args = hit.unit.opens
    handler = OPENERS.get(name) if name != "unit" else unit_card
    if handler is None:
        return None
    ctx.action = Action(name, tuple(args))
    try:
        reply = await handler(ctx)
    except StaleAction:
        return None
    finally:
        ctx.action = None
    if reply is not None:
        reply.edit = False
    return reply


@router.text()
async def question(ctx: Context) -> Reply | None:
    text = ctx.inbound.text
    talk = small_talk(text)
    if talk is not None:
        return await _small_talk(ctx, talk)
    named_job = occupation_in_text(ctx)
    if named_job is not None:
        return named_job
    index = ctx.services.index
    result = index.search(text, role_id=ctx.user.role_id)
    if result.decision == "answer":
        reply = await open_unit(ctx, result.hits[0])
        if reply is not None:
            return reply
    if result.decision == "none":
        reply = Reply.text(OFF_TOPIC)
        reply.buttons = replies.menu_buttons(ctx.role())
        return reply
    reply = Reply.text("I'm not sure I understood. Did you mean one of these?")
    reply.buttons = [[_button(hit)] for hit in result.hits[:3]]
    return reply


async def _small_talk(ctx: Context, talk: str) -> Reply:
    role = ctx.role()
    if talk == "help":
        return await start.help_(ctx)
    if talk == "greet":
        return replies.menu(role, greeting="Hello! Ask me anything about your career and AI.")
    if talk == "thanks":
        reply = Reply.text("You're welcome! Anything else? Ask away, or pick a topic.")
    elif talk == "ack":
        reply = Reply.text("Anything else? Ask me in your own words, or pick a topic.")
    elif talk == "yesno":
        reply = Reply.text(
            "If that answers one of my questions, please press its button: a typed yes or no "
            "could be taken for the wrong one. Or ask me anything, or pick a topic."
        )
    else:
        reply = Reply.text("Bye for now. Come back any time: your role and goals are saved.")
    reply.buttons = replies.menu_buttons(role)
    return reply


@router.action("unit")
async def unit_card(ctx: Context) -> Reply:
    """The card of a comparison with a neighbouring role (it has no command of its own)."""
    role = ctx.action_role()
    reply = _comparison(ctx, role) if ctx.action and ctx.action.arg(1) == "compare" else None
    if reply is None:
        raise StaleAction("unit")
    return answer(ctx, reply)


def _comparison(ctx: Context, role: RolePack) -> Reply | None:
    other_id = ctx.action.arg(2) if ctx.action else None
    if role.adjacent_roles is None or other_id is None:
        return None
    item = next((a for a in role.adjacent_roles.items if a.role == other_id), None)
    other = ctx.services.library.get(other_id)
    if item is None or other is None:
        return None
    reply = Reply(title=f"{role.title} vs {other.title}")
    reply.add(Section(paragraphs=[item.difference]))
    reply.buttons = [
        [
            Button(f"About: {role.title}", action("card", role.id)),
            Button(f"About: {other.title}", action("card", other.id)),
        ]
    ]
    reply.footer = reviewed_footer(role, role.adjacent_roles.sources, role.adjacent_roles.reviewed)
    return reply


@router.action("cmd")
async def command_button(ctx: Context) -> Reply | None:
    """The "Did you mean /risk?" button: runs the command as if it had been typed."""
    name = (ctx.action.arg(0) if ctx.action else None) or ""
    info = next((c for c in ctx.services.router_commands if c.name == name), None)
    if info is None:
        raise StaleAction("cmd")
    ctx.action = None
    ctx.command, ctx.args = name, ""
    return await info.handler(ctx)
