"""The shape of a role pack: one YAML file per role under ``content/roles/``.

Every section carries ``sources`` (ids from the pack's own ``sources`` list) and the date it was
last ``reviewed``, so the bot can always say where an answer came from and how fresh it is.
Validation is strict (unknown keys are errors) because a typo in a hand-written YAML file should
stop start-up with a precise message rather than silently drop a section.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.risk import formula_score, risk_level

SLUG = r"^[a-z0-9][a-z0-9-]{0,23}$"
"""Ids travel inside button data (64 bytes on Telegram), so they are short ASCII slugs."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(Strict):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    where: str = Field(
        min_length=3,
        description="For the content team only (never shown): a file under shared/sources or a "
        "full citation. The title is what replies show.",
    )


class Sourced(Strict):
    """Mixin for every section: where it came from and when it was last checked."""

    sources: list[str] = Field(min_length=1)
    reviewed: date


class Overview(Sourced):
    text: str = Field(min_length=20)
    industry_context: str | None = None
    suits: str | None = None


class Factor(Strict):
    score: int = Field(ge=1, le=10)
    why: str = Field(min_length=10)


class Factors(Strict):
    repetitiveness: Factor
    ai_adoption: Factor
    human_judgment: Factor


class PublishedMeasure(Strict):
    """A published number for a neighbouring occupation, shown beside our own estimate."""

    measure: str
    occupation: str
    value: str
    meaning: str
    source: str


def risk_score(factors: Factors) -> int:
    """Apply the documented formula; the pack's stated score must equal this."""
    return formula_score(
        factors.repetitiveness.score, factors.ai_adoption.score, factors.human_judgment.score
    )


class Risk(Sourced):
    score: int = Field(ge=0, le=100)
    level: Literal["low", "medium", "high"]
    factors: Factors
    derivation: str = Field(
        min_length=20, description="How the project chose the factor scores: it is an estimate."
    )
    context: str = Field(
        min_length=20,
        description="What this score means for the role, agreeing with RISK_DEFINITION and with "
        "the published measures quoted below it.",
    )
    published_measures: list[PublishedMeasure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _score_follows_formula(self) -> Risk:
        expected = risk_score(self.factors)
        if self.score != expected:
            raise ValueError(
                f"score {self.score} does not follow the formula; it should be {expected}"
            )
        if self.level != risk_level(self.score):
            raise ValueError(f"level {self.level!r} does not match score {self.score}")
        return self


class TaskAtRisk(Strict):
    task: str
    why: str


class TasksAtRisk(Sourced):
    items: list[TaskAtRisk] = Field(min_length=1)


class AiTool(Strict):
    name: str
    automates: str


class AiTools(Sourced):
    items: list[AiTool] = Field(min_length=1)


class MigrationPath(Strict):
    title: str
    detail: str


class ToolToMaster(Strict):
    name: str
    why: str


class Protection(Sourced):
    skills: list[str] = Field(min_length=1)
    migration_paths: list[MigrationPath] = Field(min_length=1)
    tools_to_master: list[ToolToMaster] = Field(min_length=1)


class Faq(Strict):
    id: str = Field(pattern=SLUG)
    question: str
    also_asked: list[str] = Field(min_length=2)
    answer: str = Field(min_length=20)
    sources: list[str] = Field(
        default_factory=list,
        description="What this answer rests on; empty means the FAQ section's own sources.",
    )


def _unique_ids(items: list[BaseModel], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in seen:
            raise ValueError(f"duplicate {what} id {item_id!r}")
        seen.add(item_id)


class Faqs(Sourced):
    items: list[Faq] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> Faqs:
        _unique_ids(list(self.items), "faq")
        return self


class Responsibilities(Sourced):
    items: list[str] = Field(min_length=1)


class Activity(Strict):
    name: str
    what: str
    tools: list[str] = Field(default_factory=list)


class Activities(Sourced):
    items: list[Activity] = Field(min_length=1)


class DayMoment(Strict):
    time: str = Field(pattern=r"^\d{1,2}:\d{2}$")
    activity: str


class DayInTheLife(Sourced):
    items: list[DayMoment] = Field(min_length=1)


class Domain(Strict):
    name: str
    weight: float = Field(gt=0, le=100, description="Percent of the exam; midpoint of a range.")
    todo: list[str] = Field(
        default_factory=list,
        description="Concrete things to do in a study week on this domain, in our own words; "
        "a plan's n-th week on the domain names the n-th (round again when there are more weeks).",
    )


class ExamGuide(Strict):
    """Which version of the provider's exam guide the domains and weights come from."""

    version: str = Field(description='How people can recognise it, e.g. "the June 2026 guide".')
    in_force_since: date | None = None
    note: str | None = Field(
        default=None, description="What is not confirmed about it, said plainly to the user."
    )
    sources: list[str] = Field(min_length=1)

    def label(self) -> str:
        """ "the June 2026 exam guide (in force since 1 June 2026)": for plan cards, calendars."""
        day = self.in_force_since
        return f"{self.version} (in force since {day.day} {day:%B %Y})" if day else self.version


CertStatus = Literal["active", "retiring", "retired", "closed"]


class Certification(Strict):
    id: str = Field(pattern=SLUG)
    step: int | None = Field(
        default=None, ge=1, description="Position on the roadmap; None for a successor entry."
    )
    name: str
    code: str | None = None
    provider: str
    level: str
    proves: str
    identification: str = Field(
        min_length=10, description="How the source's description was matched to this credential."
    )
    status: CertStatus
    status_date: date | None = None
    successor: str | None = Field(default=None, description="Id of another certification here.")
    domains: list[Domain] = Field(default_factory=list)
    guide: ExamGuide | None = Field(
        default=None, description="The exam guide in force on the pack's review date."
    )
    facts: list[str] = Field(default_factory=list, description="Format, cost, length, as found.")
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _dated_when_not_active(self) -> Certification:
        if self.status != "active" and self.status_date is None:
            raise ValueError(f"status {self.status!r} needs a status_date")
        return self

    @property
    def is_open(self) -> bool:
        """Whether the exam can still be booked."""
        return self.status in ("active", "retiring")

    @property
    def goal_ready(self) -> bool:
        """Whether it can be a study goal: still open, and with exam areas to plan weeks around
        (a roadmap step that names no single exam has none)."""
        return self.is_open and bool(self.domains)


class Certifications(Sourced):
    items: list[Certification] = Field(min_length=1)

    @model_validator(mode="after")
    def _roadmap_consistent(self) -> Certifications:
        _unique_ids(list(self.items), "certification")
        ids = {c.id for c in self.items}
        steps = [c.step for c in self.items if c.step is not None]
        if len(steps) != len(set(steps)):
            raise ValueError("two certifications share the same roadmap step")
        for cert in self.items:
            if cert.successor is not None and cert.successor not in ids:
                raise ValueError(
                    f"certification {cert.id!r} names unknown successor {cert.successor!r}"
                )
        return self

    def roadmap(self) -> list[Certification]:
        return sorted((c for c in self.items if c.step is not None), key=lambda c: c.step or 0)

    def in_order(self) -> list[Certification]:
        """Every credential in roadmap order, each successor right after the step it replaces
        (successors have no step of their own)."""
        ordered: list[Certification] = []
        for cert in self.roadmap():
            ordered.append(cert)
            successor = self.get(cert.successor) if cert.successor else None
            while successor is not None and successor.step is None and successor not in ordered:
                ordered.append(successor)
                successor = self.get(successor.successor) if successor.successor else None
        return ordered + [c for c in self.items if c not in ordered]

    def bookable(self) -> list[Certification]:
        """What a person can book today, successors included, in roadmap order: open, and one
        named exam (a step that only describes a kind of credential is nothing to book)."""
        return [c for c in self.in_order() if c.goal_ready]

    def replaced(self, cert: Certification) -> Certification | None:
        """The credential that ``cert`` is the successor of, if any."""
        return next((c for c in self.items if c.successor == cert.id), None)

    def get(self, cert_id: str) -> Certification | None:
        return next((c for c in self.items if c.id == cert_id), None)


class Salary(Sourced):
    facts: list[str] = Field(min_length=1)
    note: str


class Stage(Strict):
    name: str
    focus: str


class Lifecycle(Sourced):
    stages: list[Stage] = Field(min_length=1)


class HiringRow(Strict):
    situation: str
    strong_signal: str
    red_flag: str
    proof: str


class HiringTable(Sourced):
    rows: list[HiringRow] = Field(min_length=1)


class AdjacentRole(Strict):
    role: str = Field(pattern=SLUG, description="Id of another role pack.")
    difference: str


class AdjacentRoles(Sourced):
    items: list[AdjacentRole] = Field(min_length=1)


OPTIONAL_SECTIONS = (
    "overview",
    "risk",
    "tasks_at_risk",
    "ai_tools",
    "protection",
    "faqs",
    "responsibilities",
    "activities",
    "day_in_the_life",
    "certifications",
    "salary",
    "lifecycle",
    "hiring_table",
    "adjacent_roles",
)
"""Sections a pack may leave out; a reply about a missing one says plainly that there is no data."""

SECTION_TITLES = {
    "overview": "overview",
    "risk": "AI automation risk score",
    "tasks_at_risk": "tasks at risk",
    "ai_tools": "AI tools affecting the role",
    "protection": "protection plan",
    "faqs": "frequently asked questions",
    "responsibilities": "responsibilities",
    "activities": "day-to-day activities",
    "day_in_the_life": "a day in the life",
    "certifications": "certification roadmap",
    "salary": "salary",
    "lifecycle": "lifecycle stages",
    "hiring_table": "hiring guide",
    "adjacent_roles": "adjacent roles",
}


UNIT_SECTIONS = {
    "overview": "summary",
    "risk": "risk",
    "method": "risk",
    "tasks": "tasks_at_risk",
    "tools": "ai_tools",
    "plan": "protection",
    "salary": "salary",
    "lifecycle": "lifecycle",
    "hiring": "hiring_table",
    "day": "day_in_the_life",
    "responsibilities": "responsibilities",
    "about": "sources",
    "certs": "certifications",
}
"""Each answerable section of a pack (a unit the question matcher can open) and the field it
needs; ``cert:<id>`` and ``compare:<role>`` name one credential or one neighbouring role."""


class RolePack(Strict):
    id: str = Field(pattern=SLUG)
    title: str
    aliases: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=20)
    sources: list[Source] = Field(min_length=1)
    reviewed: date
    overview: Overview | None = None
    risk: Risk | None = None
    tasks_at_risk: TasksAtRisk | None = None
    ai_tools: AiTools | None = None
    protection: Protection | None = None
    faqs: Faqs | None = None
    responsibilities: Responsibilities | None = None
    activities: Activities | None = None
    day_in_the_life: DayInTheLife | None = None
    certifications: Certifications | None = None
    salary: Salary | None = None
    lifecycle: Lifecycle | None = None
    hiring_table: HiringTable | None = None
    adjacent_roles: AdjacentRoles | None = None
    examples: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Questions people ask, by unit (a key of UNIT_SECTIONS, faq:<id>, cert:<id> "
        "or compare:<role>): the matcher learns each unit's wording from these.",
    )

    @field_validator("aliases")
    @classmethod
    def _aliases_not_blank(cls, aliases: list[str]) -> list[str]:
        if any(not a.strip() for a in aliases):
            raise ValueError("an alias is blank")
        return aliases

    @model_validator(mode="after")
    def _sources_resolve(self) -> RolePack:
        _unique_ids(list(self.sources), "source")
        known = {s.id for s in self.sources}
        for name in OPTIONAL_SECTIONS:
            section = getattr(self, name)
            if section is None:
                continue
            cited = list(section.sources)
            if isinstance(section, Certifications):
                cited += [s for c in section.items for s in c.sources]
                cited += [s for c in section.items if c.guide for s in c.guide.sources]
            if isinstance(section, Faqs):
                cited += [s for f in section.items for s in f.sources]
            for source_id in cited:
                if source_id not in known:
                    raise ValueError(f"{name} cites unknown source {source_id!r}")
        return self

    @model_validator(mode="after")
    def _examples_name_units(self) -> RolePack:
        for key, questions in self.examples.items():
            kind, _, ref = key.partition(":")
            if kind == "faq":
                known = self.faqs is not None and any(f.id == ref for f in self.faqs.items)
            elif kind == "cert":
                known = self.certifications is not None and self.certifications.get(ref)
            elif kind == "compare":
                known = self.adjacent_roles is not None and any(
                    a.role == ref for a in self.adjacent_roles.items
                )
            else:
                known = key in UNIT_SECTIONS and getattr(self, UNIT_SECTIONS[key]) is not None
            if not known:
                raise ValueError(f"examples name {key!r}, which this pack has no section for")
            if any(not q.strip() for q in questions):
                raise ValueError(f"examples for {key!r} include a blank question")
        return self

    def missing_sections(self) -> list[str]:
        return [SECTION_TITLES[name] for name in OPTIONAL_SECTIONS if getattr(self, name) is None]


def slug_words(text: str) -> str:
    """Lower-case words only; used to compare role names and aliases."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
