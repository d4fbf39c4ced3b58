"""The question each step of the goal set-up asks, and the stored flow state every step reads:
shared by the set-up conversation, its buttons and its confirmation."""

from __future__ import annotations

from typing import Any

from bot.actions import action
from bot.context import Answer, Context, StaleAction, paused_name
from bot.messages import Button, Reply, Section
from content.certifications import Certification
from domain.weekly import WEEKDAYS, day_text
from domain.zones import etc_label, zone_to_slug
from handlers.certs import cert_title
from handlers.goals.shared import STATE, find_cert


def ask_date(cert: Certification, error: str | None = None) -> Reply:
    reply = Reply(title=f"Set a study goal — 2/4: {cert_title(cert)}", awaits_text=True)
    if error:
        reply.add(Section(paragraphs=[error]))
    prompt = "When is your exam? Write the date, e.g. 15 March 2027, or “in 8 weeks”."
    if cert.status == "retiring" and cert.status_date:
        prompt += (
            f" It retires on {day_text(cert.status_date)}, so the exam must be on or before then."
        )
    reply.add(Section(paragraphs=[prompt]))
    buttons = [Button("Cancel", action("goal", "cancel"))]
    if cert.status != "retiring":
        buttons.insert(0, Button("No date yet", action("goal", "nodate")))
    reply.buttons = [buttons]
    return reply


def ask_when(data: dict[str, Any], error: str | None = None) -> Reply:
    """Ask for the weekly day and time, or for the half still missing."""
    reply = Reply(title="Set a study goal — 3/4: your weekly time", awaits_text=True)
    if error:
        reply.add(Section(paragraphs=[error]))
    day, clock = data.get("day"), data.get("clock")
    if day is not None:
        when = " ".join(filter(None, (WEEKDAYS[int(day)], data.get("part"))))
        question = f"At what time on {when}? Write e.g. 19:30 or 7pm."
    elif clock is not None:
        question = f"On which day of the week, at {clock}? Write e.g. Tuesday."
    else:
        question = (
            "Which day and time should I nudge you each week? Write e.g. “Tuesday 19:30” "
            "or “sat 9am”."
        )
    reply.add(Section(paragraphs=[question]))
    reply.buttons = [[Button("Cancel", action("goal", "cancel"))]]
    return reply


def ask_zone(ctx: Context, message: str | None = None, suggestions: tuple[str, ...] = ()) -> Reply:
    reply = Reply(title="Set a study goal — 4/4: your time zone", awaits_text=True)
    if message:
        reply.add(Section(paragraphs=[message]))
    else:
        reply.add(
            Section(
                paragraphs=[
                    "Which time zone are you in? Type a city (Berlin, New York, Mumbai), an IANA "
                    "name (Europe/Berlin) or an offset (UTC+5:30)."
                ]
            )
        )
    choices = list(suggestions)
    if not choices and ctx.user.timezone:
        choices = [ctx.user.timezone]
    reply.buttons = [
        [Button(f"Use {etc_label(name) or name}", action("goal", "tz", zone_to_slug(name)))]
        for name in choices
    ]
    reply.buttons.append([Button("Cancel", action("goal", "cancel"))])
    return reply


async def flow_data(ctx: Context, step: str) -> dict[str, Any]:
    """The flow's stored data, if the person is at ``step``; otherwise the menu has expired."""
    state = await ctx.state()
    names = (STATE, paused_name(STATE))
    if state is None or state.name not in names or state.data.get("step") != step:
        raise Answer(
            Reply.text(
                "That goal set-up has expired or moved on. Send /goal to start again.",
                title="This menu has expired",
            )
        )
    return dict(state.data)


def flow_cert(ctx: Context, data: dict[str, Any]) -> Certification:
    _, _, cert = find_cert(ctx.services, data.get("role", ""), data.get("cert"))
    if cert is None:
        raise StaleAction("goal")
    return cert
