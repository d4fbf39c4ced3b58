"""/roles: list the roles, choose one (remembered per person), and each role's summary card."""

from __future__ import annotations

from bot import replies
from bot.actions import action
from bot.context import Context
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.loader import Library
from content.schema import RolePack
from domain.risk import RISK_DEFINITION
from domain.weekly import day_text
from handlers.certs import cert_title
from handlers.common import answer, named_role
from handlers.occupations import occupation_reply

router = Router("roles")


def _named(library: Library | None, role_id: str, text: str) -> str:
    """A comparison bullet led by the other role's title, so it says which role it compares."""
    pack = library.get(role_id) if library is not None else None
    return f"{pack.title}: {text}" if pack is not None else text


def role_card(role: RolePack, library: Library | None = None) -> Reply:
    """What a role is, how it relates to its neighbours, and which sections have no data."""
    reply = Reply(title=role.title, buttons=replies.menu_buttons(role, about_page=True))
    reply.add(Section(paragraphs=[role.summary]))
    if role.overview:
        reply.add(Section(paragraphs=[role.overview.text]))
    if role.adjacent_roles:
        reply.add(
            Section(
                heading="How it compares",
                bullets=[
                    _named(library, item.role, item.difference)
                    for item in role.adjacent_roles.items
                ],
            )
        )
    missing = role.missing_sections()
    if missing:
        reply.add(
            Section(
                heading="No data yet for this role",
                paragraphs=["I have nothing on these for this role: " + ", ".join(missing) + "."],
            )
        )
    return reply


def summary(role: RolePack) -> Reply:
    """A compact summary for posting into groups and channels: one screen, no buttons."""
    reply = Reply(title=f"Role summary: {role.title}")
    reply.add(Section(paragraphs=[role.summary]))
    if role.risk:
        reply.add(
            Section(
                heading="AI automation risk (our estimate)",
                paragraphs=[
                    f"{role.risk.score}/100, {role.risk.level}: {RISK_DEFINITION}.",
                    role.risk.context,
                ],
            )
        )
    if role.tasks_at_risk:
        reply.add(
            Section(
                heading="Tasks AI can take over", bullets=[t.task for t in role.tasks_at_risk.items]
            )
        )
    if role.protection:
        reply.add(Section(heading="Skills that protect", bullets=list(role.protection.skills)))
    if role.certifications:
        ready = role.certifications.bookable()
        if ready:
            reply.add(
                Section(
                    heading="Certifications you can book today",
                    bullets=[f"{cert_title(c)}, {c.provider}" for c in ready],
                )
            )
    missing = role.missing_sections()
    if missing:
        reply.add(Section(paragraphs=["No data yet on: " + ", ".join(missing) + "."]))
    reply.footer = f"Last reviewed {day_text(role.reviewed)}. Ask the bot for details."
    return reply


def roles_list(ctx: Context) -> Reply:
    chosen = ctx.user.role_id
    reply = Reply(title="Roles I know")
    reply.add(
        Section(
            bullets=[
                f"{p.title}{' (your role)' if p.id == chosen else ''}"
                f"{'' if p.risk else ' — short entry'}"
                for p in ctx.services.library.packs
            ]
        )
    )
    reply.add(Section(paragraphs=["Pick one and I'll remember it for your next questions."]))
    reply.buttons = [[Button(p.title, action("role", p.id))] for p in ctx.services.library.packs]
    reply.buttons.append([Button("Main menu", action("menu", ctx.role().id))])
    return reply


@router.command(
    "roles", "List the roles and choose yours", takes_role=True, also=("jobs", "career", "careers")
)
async def roles(ctx: Context) -> Reply:
    if not ctx.args:
        return roles_list(ctx)
    pack = named_role(ctx, ctx.args)
    if pack is None:
        return occupation_reply(ctx, ctx.args)
    return await _choose(ctx, pack)


@router.action("roles")
async def roles_button(ctx: Context) -> Reply:
    return answer(ctx, roles_list(ctx))


@router.action("card")
async def card(ctx: Context) -> Reply:
    return answer(ctx, role_card(ctx.action_role(), ctx.services.library))


@router.action("role")
async def choose(ctx: Context) -> Reply:
    return answer(ctx, await _choose(ctx, ctx.action_role()))


async def _choose(ctx: Context, pack: RolePack) -> Reply:
    if ctx.user.role_id != pack.id and ctx.user.id is not None:
        await ctx.services.users.update(ctx.user.id, role_id=pack.id)
        ctx.user.role_id = pack.id
    reply = role_card(pack, ctx.services.library)
    reply.sections.insert(0, Section(paragraphs=[f"Got it: your role is now {pack.title}."]))
    return reply
