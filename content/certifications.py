"""A role's certification roadmap: each credential, its status today, its exam areas and guide.

The roadmap is an ordered list of steps; a retired exam names its successor, which has no step
of its own and is shown right after the step it replaces.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from content.packbase import SLUG, Sourced, Strict, unique_ids


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
        unique_ids(list(self.items), "certification")
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
