"""Everything the bot can answer, as units: one card each, with the words people use for it.

A unit is a FAQ, a section of a role pack, one certification, one comparison with a neighbouring
role — or anything else another part of the bot registers (occupations, for instance): build
:class:`Unit` values and pass them to ``ContentIndex.add_units``. Answering a unit means opening
its card, which is the button action in ``opens``.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.schema import RolePack

SHARED = ""
"""Scope of units any question may reach whichever role is chosen (not tied to one pack)."""


@dataclass(frozen=True, slots=True)
class Unit:
    key: str
    """Unique within its scope: ``faq:<id>``, a section name, ``cert:<id>``, ``compare:<role>``."""
    kind: str
    """For reports and replies: faq, section, cert, compare, or a registering module's own."""
    scope: str
    """The role pack it belongs to (its id), or :data:`SHARED`."""
    title: str
    """What the "did you mean" button says."""
    questions: tuple[str, ...]
    """Its name and the ways people ask for it: matched at full weight."""
    text: str = ""
    """Its own content: matched at a lower weight, widening recall."""
    opens: tuple[str, ...] = ()
    """The action (name, then arguments) that opens its card."""
    codes: tuple[str, ...] = ()
    """Codes found in a question however they are punctuated ("ai102", "AI 102", "AI-102")."""

    @property
    def ref(self) -> str:
        return f"{self.scope}/{self.key}" if self.scope else self.key


SECTION_CARDS: dict[str, tuple[str, str]] = {
    "overview": ("About the role", "card"),
    "risk": ("AI automation risk", "risk"),
    "method": ("How the risk score is made", "method"),
    "tasks": ("Tasks at risk", "tasks"),
    "tools": ("AI tools affecting the role", "tasks"),
    "plan": ("Protection plan", "plan"),
    "salary": ("Salary", "salary"),
    "lifecycle": ("Lifecycle stages", "lifecycle"),
    "hiring": ("Hiring guide", "hiring"),
    "day": ("A day in the life", "day"),
    "responsibilities": ("Responsibilities", "day"),
    "about": ("Sources and method", "about"),
    "certs": ("Certification roadmap", "certs"),
}
"""Button label and opening action of each section unit."""


def _section_text(pack: RolePack, key: str) -> str | None:
    """The words of a section a question may share, or None when the pack lacks it."""
    match key:
        case "overview":
            parts = [pack.summary]
            if pack.overview:
                parts += [pack.overview.text, pack.overview.suits or ""]
            return " ".join(parts)
        case "risk" if pack.risk:
            return f"AI automation risk score {pack.risk.level} {pack.risk.context}"
        case "method" if pack.risk:
            return "how the score is computed: formula factors " + " ".join(
                f.why for f in (pack.risk.factors.repetitiveness, pack.risk.factors.ai_adoption)
            )
        case "tasks" if pack.tasks_at_risk:
            return " ".join(f"{t.task} {t.why}" for t in pack.tasks_at_risk.items)
        case "tools" if pack.ai_tools:
            return " ".join(f"{t.name} {t.automates}" for t in pack.ai_tools.items)
        case "plan" if pack.protection:
            p = pack.protection
            return " ".join(
                [*p.skills, *(m.title for m in p.migration_paths)]
                + [t.name for t in p.tools_to_master]
            )
        case "salary" if pack.salary:
            return " ".join([*pack.salary.facts, pack.salary.note])
        case "lifecycle" if pack.lifecycle:
            return " ".join(f"{s.name} {s.focus}" for s in pack.lifecycle.stages)
        case "hiring" if pack.hiring_table:
            return " ".join(
                f"{r.situation} {r.strong_signal} {r.red_flag}" for r in pack.hiring_table.rows
            )
        case "day" if pack.day_in_the_life or pack.activities:
            moments = pack.day_in_the_life.items if pack.day_in_the_life else []
            doing = pack.activities.items if pack.activities else []
            return " ".join([m.activity for m in moments] + [f"{a.name} {a.what}" for a in doing])
        case "responsibilities" if pack.responsibilities:
            return " ".join(pack.responsibilities.items)
        case "about":
            return " ".join(s.title for s in pack.sources)
        case "certs" if pack.certifications:
            return " ".join(c.name for c in pack.certifications.roadmap())
    return None


def pack_units(pack: RolePack, role_titles: dict[str, str]) -> list[Unit]:
    """Every unit of one role pack, in a fixed order (ties between equal scores follow it)."""
    units: list[Unit] = []
    examples = pack.examples
    if pack.faqs:
        for faq in pack.faqs.items:
            units.append(
                Unit(
                    f"faq:{faq.id}",
                    "faq",
                    pack.id,
                    faq.question,
                    (faq.question, *faq.also_asked, *examples.get(f"faq:{faq.id}", ())),
                    faq.answer,
                    ("faq", pack.id, faq.id),
                )
            )
    for key, (label, opener) in SECTION_CARDS.items():
        text = _section_text(pack, key)
        if text is None:
            continue
        opens = (opener, pack.id)
        title = label if key != "overview" else f"About: {pack.title}"
        asked = (f"{pack.title} {label}", *examples.get(key, ()))
        units.append(Unit(key, "section", pack.id, title, asked, text, opens))
    if pack.certifications:
        for cert in pack.certifications.items:
            names = [cert.name, f"{cert.provider} {cert.level} {cert.name}"]
            if cert.code:
                names.append(cert.code)
            units.append(
                Unit(
                    f"cert:{cert.id}",
                    "cert",
                    pack.id,
                    f"{cert.name} ({cert.code})" if cert.code else cert.name,
                    (*names, *examples.get(f"cert:{cert.id}", ())),
                    f"{cert.proves} " + " ".join(d.name for d in cert.domains),
                    ("cert", pack.id, cert.id),
                    (cert.code,) if cert.code else (),
                )
            )
    if pack.adjacent_roles:
        for item in pack.adjacent_roles.items:
            other = role_titles.get(item.role, item.role)
            units.append(
                Unit(
                    f"compare:{item.role}",
                    "compare",
                    pack.id,
                    f"{pack.title} vs {other}",
                    (
                        f"{pack.title} vs {other}",
                        f"difference between {other} and {pack.title}",
                        *examples.get(f"compare:{item.role}", ()),
                    ),
                    item.difference,
                    ("unit", pack.id, "compare", item.role),
                )
            )
    return units
