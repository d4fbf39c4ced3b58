"""The goal set-up conversation: credential → exam date (optional) → weekday and time → time zone
→ confirmation that shows the first nudge in the person's own local time.

The conversation is stored per (platform, chat, user) on every step, so it survives a restart.
Every step answers bad input with what was wrong and how to write it, and leaves the stored step
unchanged. Retired and closed exams are never accepted as goals; they point to their successor.
This module reads the answers; :mod:`handlers.goals.questions` asks the questions and
:mod:`handlers.goals.confirm` ends the conversation.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.actions import action
from bot.context import Context, paused_name
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.certifications import Certification, Certifications
from content.schema import RolePack
from domain.parsing import InputError, parse_exam_date, parse_when_parts, part_of_day_in
from domain.weekly import day_text
from domain.zones import resolve_timezone
from handlers.certs import cert_label, cert_title, match_certs
from handlers.goals.confirm import confirm, create_goal
from handlers.goals.questions import ask_date, ask_when, ask_zone, flow_cert
from handlers.goals.shared import (
    STATE,
    already,
    find_cert,
    goal_view,
    require_private,
)

router = Router("goal set-up")


async def start_goal(ctx: Context) -> Reply:
    """/goal with no goal open starts the set-up (at the date when it names a credential:
    "/goal MLA-C01"), or picks it up where another command interrupted it; with a goal open
    it shows that goal."""
    require_private(ctx)
    view = await ctx.services.goals.current(ctx.user.id or 0)
    if view is not None:
        return goal_view(ctx, view, await ctx.services.goals.weeks_done(view.goal.id or 0))
    state = await ctx.state()
    if state is not None and state.name in (STATE, paused_name(STATE)):
        resumed = await _resume(ctx, dict(state.data))
        if resumed is not None:
            resumed.sections.insert(0, Section(paragraphs=["Picking up where you left off."]))
            return resumed
    role = ctx.role()
    if ctx.args:
        # The chosen role's roadmap first, then any role's that has the credential.
        packs = [role, *(p for p in ctx.services.library.packs if p.id != role.id)]
        with_it = [p for p in packs if p.certifications and match_certs(p.certifications, ctx.args)]
        role = with_it[0] if with_it else role
        if role.certifications is not None:
            await ctx.set_state(STATE, {"step": "cert", "role": role.id})
            return await _typed_credential(ctx, role, ctx.args)
    return await ask_credential(ctx, role)


async def _resume(ctx: Context, data: dict[str, Any]) -> Reply | None:
    """Ask again the question of the step the person had reached."""
    step = data.get("step")
    role = ctx.services.library.get(str(data.get("role", "")))
    if role is None:
        return None
    await ctx.set_state(STATE, data)
    if step == "cert":
        return await ask_credential(ctx, role)
    _, _, cert = find_cert(ctx.services, role.id, data.get("cert"))
    if cert is None:
        return None
    if step == "date":
        return ask_date(cert)
    if step == "when":
        return ask_when(data)
    if step == "tz":
        return ask_zone(ctx)
    if step == "confirm":
        return await confirm(ctx, data, str(data["tz"]))
    return None


# ---------------------------------------------------------------------------------------------
# Step 1: the credential


def _cert_buttons(
    role: RolePack, section: Certifications, certs: list[Certification] | None = None
) -> list[list[Button]]:
    rows = [
        [Button(cert_label(section, cert), action("goal", "cert", role.id, cert.id))]
        for cert in (section.in_order() if certs is None else certs)
    ]
    rows.append([Button("Cancel", action("goal", "cancel"))])
    return rows


async def ask_credential(ctx: Context, role: RolePack, note: str | None = None) -> Reply:
    section = role.certifications
    if section is None:
        reply = Reply.text(
            f"I have no certification roadmap for {role.title} yet, so I can't plan a goal for "
            "it. Pick a role that has one:"
        )
        reply.buttons = [
            [Button(f"Goal from the {pack.title} roadmap", action("goal", "role", pack.id))]
            for pack in ctx.services.library.packs
            if pack.certifications is not None
        ]
        reply.buttons.append([Button("Main menu", action("menu", role.id))])
        return reply
    await ctx.set_state(STATE, {"step": "cert", "role": role.id})
    reply = Reply(title="Set a study goal — 1/4: the credential")
    if note:
        reply.add(Section(paragraphs=[note]))
    reply.add(
        Section(
            paragraphs=[
                f"Which credential from the {role.title} roadmap are you aiming for? "
                "Press one, or type its code."
            ]
        )
    )
    reply.buttons = _cert_buttons(role, section)
    return reply


async def _typed_credential(ctx: Context, role: RolePack, text: str) -> Reply:
    """A credential typed as an answer, or after /goal ("/goal MLA-C01"): chosen when it is
    clear, else the few it could mean, else the roadmap again."""
    section = role.certifications
    matches = match_certs(section, text) if section else []
    if not matches:
        return await ask_credential(
            ctx,
            role,
            note=f"“{text[:40]}” is not on the {role.title} roadmap. Choose one of these:",
        )
    if len(matches) > 1 and section is not None:
        reply = Reply(title="Set a study goal — 1/4: the credential")
        reply.add(Section(paragraphs=[f"“{text[:40]}” fits more than one credential. Which one?"]))
        reply.buttons = _cert_buttons(role, section, matches)
        return reply
    return await choose_credential(ctx, role, matches[0])


async def choose_credential(ctx: Context, role: RolePack, cert: Certification) -> Reply:
    section = role.certifications
    assert section is not None
    if cert.is_open and not cert.goal_ready:
        reply = Reply(title="Not available as a goal")
        reply.add(
            Section(
                paragraphs=[
                    f"This roadmap step, {cert_title(cert)}, names no single exam, so there are "
                    "no exam areas to plan your weeks around. Pick a named credential instead:"
                ]
            )
        )
        reply.buttons = _cert_buttons(role, section)
        await ctx.set_state(STATE, {"step": "cert", "role": role.id})
        return reply
    if not cert.goal_ready:
        successor = section.get(cert.successor) if cert.successor else None
        text = (
            f"{cert_title(cert)} {cert.status} on {day_text(cert.status_date)}: its exam can't "
            "be booked any more."
            if cert.status_date
            else f"{cert_title(cert)} is {cert.status}: its exam can't be booked any more."
        )
        reply = Reply(title="Not available as a goal")
        if successor is not None and successor.goal_ready:
            text += f" Its successor is {cert_title(successor)}."
            reply.buttons = [
                [
                    Button(
                        f"Choose {successor.code or successor.name} instead",
                        action("goal", "cert", role.id, successor.id),
                    )
                ]
            ]
        else:
            text += " It has no direct successor; choose another credential."
        reply.add(Section(paragraphs=[text]))
        reply.buttons += _cert_buttons(role, section)
        await ctx.set_state(STATE, {"step": "cert", "role": role.id})
        return reply
    user_goal = await ctx.services.goals.current(ctx.user.id or 0)
    if user_goal is not None:
        return already(ctx, user_goal)
    await ctx.set_state(STATE, {"step": "date", "role": role.id, "cert": cert.id})
    return ask_date(cert)


# ---------------------------------------------------------------------------------------------
# Step 2: the exam date, then the weekly time and the zone


async def take_date(ctx: Context, data: dict[str, Any], exam: date | None) -> Reply:
    cert = flow_cert(ctx, data)
    if cert.status == "retiring" and cert.status_date is not None:
        if exam is None:
            return ask_date(cert, "This exam is retiring, so I need your exam date.")
        if exam > cert.status_date:
            return ask_date(
                cert, f"{cert_title(cert)} retires on {cert.status_date}; book it before then."
            )
    data.update(step="when", exam=exam.isoformat() if exam else None)
    await ctx.set_state(STATE, data)
    return ask_when(data)


@router.state(
    STATE,
    paused="Goal set-up paused: send /goal to carry on where you left off, or /cancel.",
    cancelled="Goal set-up cancelled; nothing was saved. Send /goal when you're ready.",
)
async def goal_text(ctx: Context) -> Reply:
    state = await ctx.state()
    assert state is not None
    data = dict(state.data)
    text = ctx.inbound.text.strip()
    step = data.get("step")
    if step == "cert":
        return await _typed_credential(ctx, ctx.role(data.get("role")), text)
    if step == "date":
        cert = flow_cert(ctx, data)
        if text.lower() in ("no", "none", "skip", "no date", "no date yet", "-"):
            return await take_date(ctx, data, None)
        try:
            exam = parse_exam_date(text, ctx.now.date())
        except InputError as exc:
            return ask_date(cert, str(exc))
        return await take_date(ctx, data, exam)
    if step == "when":
        try:
            weekday, local_time = parse_when_parts(text, data.get("part"))
        except InputError as exc:
            return ask_when(data, str(exc))
        # Keep the half already given: "tuesday", then "19:30"; "saturday evening", then "7".
        weekday = weekday if weekday is not None else data.get("day")
        local_time = local_time or data.get("clock")
        if weekday is None or local_time is None:
            part = part_of_day_in(text) if local_time is None else None
            data.update(day=weekday, clock=local_time, part=part or data.get("part"))
            await ctx.set_state(STATE, data)
            return ask_when(data)
        for asked in ("day", "clock", "part"):
            data.pop(asked, None)
        data.update(step="tz", weekday=int(weekday), time=local_time)
        await ctx.set_state(STATE, data)
        return ask_zone(ctx)
    if step == "tz":
        choice = resolve_timezone(text, ctx.now)
        if choice.zone is None:
            return ask_zone(ctx, choice.message, choice.suggestions)
        return await confirm(ctx, data, choice.zone)
    words = set(re.findall(r"[a-z]+", text.lower()))
    if step == "confirm" and words and words <= CONFIRMING:
        return await create_goal(ctx, data)
    if step == "confirm" and words & NEGATIONS and len(words) <= 5:
        return Reply.text("Not saved. Press Start over to change something, or Cancel.")
    return Reply.text("Press Confirm above, or type “yes”; send /goal to start again.")


CONFIRMING = frozenset(
    {"yes", "y", "yep", "yeah", "ok", "okay", "sure", "confirm", "confirmed", "please", "looks"}
    | {"good", "great", "perfect", "correct", "right", "that", "s", "all"}
)
"""Typed at the last step, words that together mean the Confirm button ("yes, confirm", "looks
good", "that's right"): people answer a summary in words."""
NEGATIONS = frozenset(["no", "n", "nope", "nah", "not", "wrong", "isn", "t"])
"""A short answer with one of these at the summary is a no: nothing is saved."""
