"""/certs: the certification roadmap in order, each credential's status as of the review date.

A retired or closed exam is never shown as something to aim for without saying so and naming
its successor, because people plan months of study around these answers.
"""

from __future__ import annotations

from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.schema import Certification, Certifications, RolePack
from domain.weekly import day_text
from handlers.common import answer, missing, nav, reviewed_footer, target_role

router = Router("certs")

STATUS_WORDS = {
    "active": "active",
    "retiring": "retiring on",
    "retired": "retired on",
    "closed": "closed on",
}


def status_line(cert: Certification, certs: Certifications) -> str:
    if cert.status == "active":
        line = "Active"
    else:
        when = day_text(cert.status_date) if cert.status_date else ""
        line = f"{STATUS_WORDS[cert.status].capitalize()} {when}".strip()
    successor = certs.get(cert.successor) if cert.successor else None
    if successor is not None:
        line += f"; its successor is {successor.name}" + (
            f" ({successor.code})" if successor.code else ""
        )
    elif not cert.is_open:
        line += "; no direct successor"
    return line


def cert_label(section: Certifications, cert: Certification) -> str:
    """ "2. AI-900 (retired)", "AI-901 (replaces AI-900)", "1. … (no single exam)"."""
    short = cert.code or cert.name
    replaced = section.replaced(cert) if cert.step is None else None
    label = f"{cert.step}. {short}" if cert.step is not None else short
    if not cert.is_open:
        label += f" ({cert.status})"
    elif not cert.goal_ready:
        label += " (no single exam)"
    elif replaced is not None:
        label += f" (replaces {replaced.code or replaced.name})"
    return label


def cert_title(cert: Certification) -> str:
    return f"{cert.name} ({cert.code})" if cert.code else cert.name


@router.command("certs", "The certification roadmap, in order", takes_role=True)
async def certs(ctx: Context) -> Reply:
    role = target_role(ctx)
    section = role.certifications
    if section is None:
        return missing(ctx, role, "certification roadmap")
    reply = Reply(title=f"Certification roadmap: {role.title}")
    lines = []
    for cert in section.roadmap():
        lines.append(
            f"{cert.step}. {cert_title(cert)} — {cert.provider}, {cert.level}. "
            f"{status_line(cert, section)}."
        )
    reply.add(Section(bullets=lines))
    reply.add(
        Section(
            paragraphs=[
                f"Statuses are as of {day_text(section.reviewed)}. Exams change often: check the "
                "provider's page before you book."
            ]
        )
    )
    reply.buttons = [
        [Button(cert_label(section, cert), action("cert", role.id, cert.id))]
        for cert in section.in_order()
    ]
    reply.buttons.append([Button("Main menu", action("menu", role.id))])
    reply.footer = reviewed_footer(role, section.sources, section.reviewed)
    return answer(ctx, reply)


router.action("certs")(certs)


def cert_reply(role: RolePack, cert: Certification, section: Certifications) -> Reply:
    reply = Reply(title=cert_title(cert))
    rows = [
        ("Provider", cert.provider),
        ("Level", cert.level),
        ("Status", status_line(cert, section)),
    ]
    reply.add(Section(paragraphs=[cert.proves], rows=rows))
    if not cert.is_open:
        successor = section.get(cert.successor) if cert.successor else None
        when = f" {day_text(cert.status_date)}" if cert.status_date else ""
        warning = f"You can no longer take this exam: it {STATUS_WORDS[cert.status]}{when}."
        if successor is not None:
            warning += f" Aim for {cert_title(successor)} instead."
        reply.add(Section(heading="Not available as a goal", paragraphs=[warning]))
    elif not cert.goal_ready:
        reply.add(
            Section(
                heading="Not available as a goal",
                paragraphs=[
                    "This step names no single exam, so there is no outline to plan "
                    "study weeks around. Pick one of the options above."
                ],
            )
        )
    if cert.domains:
        reply.add(
            Section(
                heading="Exam areas and weights",
                bullets=[f"{d.name}: {d.weight:g}%" for d in cert.domains],
            )
        )
    if cert.facts:
        reply.add(Section(heading="Facts", bullets=list(cert.facts)))
    reply.add(Section(heading="How we identified it", paragraphs=[cert.identification]))
    pairs: list[tuple[str, str]] = [("Back to the roadmap", "certs")]
    reply.buttons = nav(role, *pairs)
    if cert.goal_ready:
        # Starts the /goal flow at the exam-date step (handlers.goals).
        reply.buttons.insert(
            0, [Button("Set as my goal", action("goal", "cert", role.id, cert.id))]
        )
    if cert.successor and (successor := section.get(cert.successor)) is not None:
        reply.buttons.insert(
            0,
            [
                Button(
                    f"Successor: {successor.code or successor.name}",
                    action("cert", role.id, successor.id),
                )
            ],
        )
    reply.footer = reviewed_footer(role, cert.sources, section.reviewed)
    return reply


@router.action("cert")
async def cert(ctx: Context) -> Reply:
    role = ctx.action_role()
    section = role.certifications
    chosen = section.get((ctx.action.arg(1) if ctx.action else None) or "") if section else None
    if section is None or chosen is None:
        raise StaleAction("cert")
    return answer(ctx, cert_reply(role, chosen, section))
