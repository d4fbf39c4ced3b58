"""Short answers the core gives on its own: menus, refusals and the answers to bad input."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bot.actions import action
from bot.messages import Button, Reply, Section
from domain.lru import LruMap

if TYPE_CHECKING:
    from bot.context import Context
    from content.schema import RolePack


_MENUS: LruMap[tuple[str, bool], tuple[RolePack, tuple[tuple[Button, ...], ...]]] = LruMap(1024)
"""Menus already composed, by role id, with the (frozen) pack they were composed from."""


def menu_buttons(role: RolePack, *, about_page: bool = False) -> list[list[Button]]:
    """The main menu for one role; sections the pack lacks are left out rather than dead ends.
    ``about_page``: shown under the role's own About page, which must not offer itself again.

    Most answers carry this menu, and a pack never changes once loaded, so it is composed once
    per pack (a reloaded pack is a new object and is composed again); every caller gets lists
    of its own to extend."""
    key = (role.id, about_page)
    cached = _MENUS.get(key)
    if cached is None or cached[0] is not role:
        cached = (role, tuple(tuple(row) for row in _compose_menu(role, about_page)))
        _MENUS.put(key, cached)
    return [list(row) for row in cached[1]]


def _compose_menu(role: RolePack, about_page: bool) -> list[list[Button]]:
    rid = role.id
    candidates = [
        ("AI automation risk", "risk", role.risk),
        ("Tasks at risk", "tasks", role.tasks_at_risk),
        ("Protection plan", "plan", role.protection),
        ("FAQ", "faqs", role.faqs),
        ("Certifications", "certs", role.certifications),
        ("A day in the life", "day", role.day_in_the_life or role.activities),
        ("Salary", "salary", role.salary),
        ("Lifecycle of the work", "lifecycle", role.lifecycle),
        ("Hiring guide", "hiring", role.hiring_table),
    ]
    buttons = [Button(label, action(name, rid)) for label, name, section in candidates if section]
    if not about_page and len(buttons) < len(candidates):
        buttons.append(Button("About this role", action("card", rid)))
    buttons.append(Button("Choose another role", action("roles")))
    buttons.append(Button("Sources & method", action("about", rid)))
    buttons.append(Button("My study goal", action("goal", "start")))
    buttons.append(Button("My data", action("mydata")))
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def menu(role: RolePack, *, greeting: str | None = None) -> Reply:
    reply = Reply(title=f"{role.title}", buttons=menu_buttons(role))
    if greeting:
        reply.add(Section(paragraphs=[greeting]))
    reply.add(Section(paragraphs=[role.summary, "What would you like to look at?"]))
    return reply


def expired(ctx: Context) -> Reply:
    reply = menu(ctx.role(), greeting="This menu has expired. Here is a fresh one.")
    reply.edit = ctx.inbound.kind == "action"
    return reply


def unknown_command(ctx: Context, name: str) -> Reply:
    """Say so, and offer the closest real command when it looks like a typo of a command or of
    another name for one ("/rsik", "/subscibe")."""
    if not name:
        return Reply.text("A command is a slash and a name, such as /risk. Send /help for all.")
    shown = name[:32]
    reply = Reply.text(f"I don't know the command /{shown}. Send /help to see what I can do.")
    names = {
        typed: info.name
        for info in ctx.services.router_commands
        if info.scope != "moderator" or ctx.in_group
        for typed in (info.name, *info.also)
    }
    close = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=0.6)
    if close:
        meant = names[close[0]]
        reply = Reply.text(f"I don't know the command /{shown}. Did you mean /{meant}?")
        reply.buttons = [
            [Button(f"/{meant}", action("cmd", meant))],
            [Button("All commands", action("cmd", "help"))],
        ]
    return reply


def unknown_text(ctx: Context) -> Reply:
    return Reply.text("I didn't understand that. Send /help to see what I can do.")


def empty_message() -> Reply:
    return Reply.text("Your message was empty. Ask me a question, or send /help.")


def too_long(length: int, limit: int) -> Reply:
    return Reply.text(
        f"That message is {length:,} characters long, and I read questions of up to "
        f"{limit:,}, so I have not answered it. Send the question on its own, in fewer words."
    )


def slow_down() -> Reply:
    return Reply.text("You're sending messages faster than I can answer. Please wait a moment.")


def internal_error(error_id: str) -> Reply:
    return Reply.text(
        "Something went wrong on my side and I couldn't answer that. "
        f"If it keeps happening, quote error id {error_id} to the bot's operators."
    )


def no_data(role: RolePack, section: str) -> Reply:
    """Say plainly that a role pack has nothing on a section, and what it does have."""
    reply = Reply(title=role.title, buttons=menu_buttons(role))
    reply.add(
        Section(
            paragraphs=[
                f"I have no {section} for the {role.title} role yet. What I do have is a short "
                "entry on how it compares with neighbouring roles: press “About this role”."
                if role.adjacent_roles
                else f"I have no {section} for the {role.title} role yet."
            ]
        )
    )
    return reply
