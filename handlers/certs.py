"""/certs: the certification roadmap in order, each credential's status as of the review date.

A retired or closed exam is never shown as something to aim for without saying so and naming
its successor, because people plan months of study around these answers.
"""

from __future__ import annotations

import re

from bot.actions import action
from bot.context import Context, StaleAction
from bot.messages import Button, Reply, Section
from bot.router import Router
from content.certifications import Certification, Certifications
from content.schema import RolePack
from domain.weekly import day_text
from handlers.common import answer, missing, named_role, nav, reviewed_footer, target_role

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


def _squash(text: str) -> str:
    """Letters and digits only: "ai102", "AI-102" and "ai 102" are the same code."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_NICKNAMES = {"Google Cloud": ("gcp",), "Microsoft": ("ms",)}
"""What people call a provider that its name's initials do not give ("aws" they do)."""

_SHORT_FOR = {"ml": ("machine", "learning"), "ai": ("artificial", "intelligence")}
"""Words typed for two in a credential's name: "aws ml engineer" is AWS's Machine Learning
Engineer exam. A name that says "AI" itself still matches "ai" as a word of its own."""


def match_certs(section: Certifications, text: str) -> list[Certification]:
    """The credentials a typed answer can mean, in roadmap order: an exact id, code or name
    (punctuation ignored), else every credential whose name, code or provider has all the words
    typed ("aws" → both AWS exams, "azure" → the Microsoft ones, "gcp" → Google Cloud's)."""
    key = _squash(text)
    if not key:
        return []
    ordered = section.in_order()
    exact = [c for c in ordered if key in (_squash(c.id), _squash(c.code or ""), _squash(c.name))]
    if exact:
        return exact
    words = re.findall(r"[a-z0-9]+", text.lower())

    def fits(cert: Certification) -> bool:
        own = set(
            re.findall(r"[a-z0-9]+", f"{cert.name} {cert.code or ''} {cert.provider}".lower())
        )
        own.add("".join(w[0] for w in cert.provider.split() if w[:1].isupper()).lower())
        own.update(_NICKNAMES.get(cert.provider, ()))
        own.update(short for short, long in _SHORT_FOR.items() if own.issuperset(long))
        return all(w in own or (len(w) >= 4 and any(o.startswith(w) for o in own)) for w in words)

    matches = [c for c in ordered if fits(c)]
    return [c for c in matches if c.goal_ready] + [c for c in matches if not c.goal_ready]


def _named_credentials(ctx: Context) -> Reply | None:
    """``/certs AI-102``: the credential the argument names (its card), or the few it could
    mean (buttons), from the chosen role's roadmap first, else any role's; None when the
    argument is a role or names no credential."""
    if not ctx.args or named_role(ctx, ctx.args) is not None:
        return None
    chosen = ctx.role()
    packs = [chosen, *(p for p in ctx.services.library.packs if p.id != chosen.id)]
    for role in packs:
        section = role.certifications
        found = match_certs(section, ctx.args) if section is not None else []
        if section is None or not found:
            continue
        if len(found) == 1:
            return cert_reply(role, found[0], section)
        reply = Reply.text(f"“{ctx.args[:60]}” fits {len(found)} credentials. Which one?")
        reply.buttons = [
            [Button(cert_label(section, cert), action("cert", role.id, cert.id))] for cert in found
        ]
        return reply
    return None


@router.command(
    "certs",
    "The certification roadmap, in order",
    takes_role=True,
    also=("certifications", "certification", "cert", "exams", "exam", "roadmap"),
)
async def certs(ctx: Context) -> Reply:
    named = _named_credentials(ctx)
    if named is not None:
        return named
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
