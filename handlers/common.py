"""Small pieces every topic handler uses: which role is meant, and the buttons under an answer."""

from __future__ import annotations

from datetime import date

from bot import replies
from bot.actions import action
from bot.context import Answer, Context
from bot.messages import Button, Reply, Section
from content.schema import RolePack
from domain.weekly import day_text


def unknown_role(ctx: Context, text: str) -> Reply:
    shown = text[:60]
    reply = Reply.text(f"I don't know a role called “{shown}”.")
    suggestions = ctx.services.index.suggest_roles(text)
    if suggestions:
        reply.add(Section(paragraphs=["Did you mean one of these?"]))
        reply.buttons = [[Button(p.title, action("role", p.id))] for p in suggestions]
    else:
        reply.buttons = [[Button("See all roles", action("roles"))]]
    return reply


def named_role(ctx: Context, text: str) -> RolePack | None:
    """The role a command's argument names: by id, title, alias or a small typo; or by a word
    only its names use ("/risk llm") when that word is no occupation either."""
    index = ctx.services.index
    pack = index.resolve_role(text)
    if pack is None:
        found = ctx.services.occupation_index.find(text[:200])
        if found.kind == "none" and not found.matches:
            pack = index.role_by_word(text)
    return pack


def target_role(ctx: Context) -> RolePack:
    """The role an answer is about: a button's role, a command's argument, or the chosen one."""
    if ctx.action is not None:
        return ctx.action_role()
    if ctx.args:
        pack = named_role(ctx, ctx.args)
        if pack is None:
            raise Answer(unknown_role(ctx, ctx.args))
        return pack
    return ctx.role()


def nav(role: RolePack, *pairs: tuple[str, str]) -> list[list[Button]]:
    """Follow-up buttons: the given (label, action name) pairs for this role, then the menu."""
    buttons = [Button(label, action(name, role.id)) for label, name in pairs]
    buttons.append(Button("Main menu", action("menu", role.id)))
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def answer(ctx: Context, reply: Reply) -> Reply:
    """Edit the menu in place when the answer comes from a button press."""
    reply.edit = ctx.action is not None
    return reply


def source_titles(role: RolePack, ids: list[str]) -> list[str]:
    """The readable titles of the sources an item rests on, in order, each once (ids and file
    names are for the content team, never for replies)."""
    by_id = {source.id: source.title for source in role.sources}
    return list(dict.fromkeys(by_id.get(source_id, source_id) for source_id in ids))


def reviewed_footer(role: RolePack, sources: list[str], reviewed: date) -> str:
    """ "Sources: <titles> · last reviewed 24 November 2026"."""
    return (
        f"Sources: {'; '.join(source_titles(role, sources))} · last reviewed {day_text(reviewed)}"
    )


def missing(ctx: Context, role: RolePack, section: str) -> Reply:
    return answer(ctx, replies.no_data(role, section))
