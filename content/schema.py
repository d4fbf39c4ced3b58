"""The shape of a role pack: one YAML file per role under ``content/roles/``.

Every section carries ``sources`` (ids from the pack's own ``sources`` list) and the date it was
last ``reviewed``, so the bot can always say where an answer came from and how fresh it is.
The shared base (strict models, sources) is in :mod:`content.packbase`; the certification
roadmap in :mod:`content.certifications`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from content.certifications import Certifications
from content.packbase import SLUG, Source, Sourced, Strict, unique_ids
from domain.risk import formula_score, risk_level


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


class Faqs(Sourced):
    items: list[Faq] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> Faqs:
        unique_ids(list(self.items), "faq")
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
        unique_ids(list(self.sources), "source")
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
