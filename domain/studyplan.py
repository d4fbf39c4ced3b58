"""The study plan: a credential's exam domains spread over the weeks until the exam.

A plan week starts on the day of a weekly study session (the nudge), so plan weeks, nudges and
calendar events are one and the same: one session per week from the first nudge, every session
before the exam day. Domains are spread by weight (largest remainder, at least one week each
when there is room), with the last week — the last two on plans of twelve weeks or more — for
review and a timed practice exam. Pure functions, no I/O, so they are cheap to test and cache.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

DEFAULT_WEEKS = 8
"""Plan length when no exam date is set (the 8-week example of domain-facts.md section 2)."""


@dataclass(frozen=True, slots=True)
class PlanWeek:
    number: int
    starts: date
    topic: str
    kind: str
    """study | review | exam"""
    part: int = 1
    parts: int = 1
    todo: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        if self.parts == 1:
            topic = self.topic
        else:
            topic = f"{self.topic} (week {self.part} of {self.parts} on this area)"
        return f"Week {self.number}: {topic}"


@dataclass(frozen=True, slots=True)
class Plan:
    start: date
    exam: date | None
    weeks: tuple[PlanWeek, ...]
    allocation: tuple[tuple[str, int], ...] = field(default=())

    def week_number(self, day: date) -> int:
        """The plan week ``day`` falls in; the days before the first session count as week 1."""
        return max(1, (day - self.start).days // 7 + 1)

    def week(self, number: int) -> PlanWeek:
        """The plan's week ``number``; past the last planned week, keep practising."""
        if 1 <= number <= len(self.weeks):
            return self.weeks[number - 1]
        starts = self.start + timedelta(weeks=number - 1)
        return PlanWeek(
            number,
            starts,
            "Keep practising",
            "review",
            todo=(
                "Book your exam date if you haven't, then add it in /goal → Change date or time.",
                "Take a timed practice exam and note your weakest area.",
                "Spend one session on that area.",
            ),
        )

    def weeks_left(self, day: date) -> int | None:
        if self.exam is None:
            return None
        return max(0, math.ceil((self.exam - day).days / 7))


def allocate(weights: list[float], weeks: int) -> list[int]:
    """Weeks per domain proportional to weight, at least one each, summing to ``weeks``."""
    total = sum(weights)
    ideal = [weeks * w / total for w in weights]
    alloc = [max(1, math.floor(x)) for x in ideal]
    while sum(alloc) > weeks:
        candidates = [i for i, a in enumerate(alloc) if a > 1]
        i = max(candidates, key=lambda j: (alloc[j] - ideal[j], -j))
        alloc[i] -= 1
    while sum(alloc) < weeks:
        i = max(range(len(alloc)), key=lambda j: (ideal[j] - alloc[j], -j))
        alloc[i] += 1
    return alloc


def _study_todo(topic: str, part: int, parts: int) -> tuple[str, ...]:
    if parts == 1 or part == 1:
        first = f"Read the exam guide's objectives for {topic} and the provider's docs on them."
    else:
        first = f"Continue {topic}: pick the objectives you haven't covered yet."
    hands_on = "Do one hands-on lab or small exercise that uses what you read."
    closing = (
        "Finish with 10 practice questions on this area and note what you got wrong."
        if part == parts
        else "Write 5 flashcards from this week's reading."
    )
    return first, hands_on, closing


@lru_cache(maxsize=4096)
def build_plan(domains: tuple[tuple[str, float], ...], start: date, exam: date | None) -> Plan:
    """Spread ``domains`` (name, weight) over the weeks from ``start`` to ``exam``.

    ``start`` is the day of the first weekly session, so there is one week per session held before
    the exam day (sessions on ``start``, ``start`` + 7, … while earlier than ``exam``).
    """
    total = max(1, math.ceil((exam - start).days / 7)) if exam else DEFAULT_WEEKS
    review = 1 if total < 12 else 2
    study = total - review
    weeks: list[PlanWeek] = []
    allocation: list[tuple[str, int]] = []
    names = [n for n, _ in domains] or ["The exam guide's topics"]
    weights = [w for _, w in domains] or [1.0]
    if study >= len(names):
        counts = allocate(weights, study)
        for name, count in zip(names, counts, strict=True):
            allocation.append((name, count))
            for part in range(1, count + 1):
                weeks.append(
                    PlanWeek(0, start, name, "study", part, count, _study_todo(name, part, count))
                )
    elif study > 0:
        # Fewer weeks than domains: group neighbours, the heaviest groups first.
        size, extra = divmod(len(names), study)
        at = 0
        for i in range(study):
            group = names[at : at + size + (1 if i < extra else 0)]
            at += len(group)
            topic = " + ".join(group)
            allocation.extend((g, 1) for g in group)
            weeks.append(PlanWeek(0, start, topic, "study", todo=_study_todo(topic, 1, 1)))
    if review == 2:
        weeks.append(
            PlanWeek(
                0,
                start,
                "Review every area",
                "review",
                todo=(
                    "Take a full, timed practice exam.",
                    "Re-read the objectives of your two weakest areas.",
                    "Redo the practice questions you got wrong.",
                ),
            )
        )
    weeks.append(
        PlanWeek(
            0,
            start,
            "Final review and practice exam" if exam else "Review and practice exam",
            "exam",
            todo=(
                "Take a timed practice exam in exam conditions.",
                "Review only what you missed; no new topics now.",
                "Check the logistics: ID, booking, test centre or online set-up.",
            ),
        )
    )
    numbered = tuple(
        PlanWeek(
            i,
            start + timedelta(weeks=i - 1),
            w.topic,
            w.kind,
            w.part,
            w.parts,
            w.todo,
        )
        for i, w in enumerate(weeks, start=1)
    )
    return Plan(start, exam, numbered, tuple(allocation))
