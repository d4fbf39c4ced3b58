"""The study plan: a credential's exam domains spread over the weeks until the exam.

A plan week starts on the day of a weekly study session (the nudge), so plan weeks, nudges and
calendar events are one and the same: one session per week from the first nudge, every session
before the exam day.

How the weeks teach:
- **Interleaved by weight.** Each domain gets a share of the study weeks by its exam weight
  (largest remainder, at least one each when there is room), and the weeks go round the domains
  in the guide's order, round after round, a heavier domain staying in more rounds — no block of
  consecutive weeks on one area.
- **Spaced review.** A study week also brings back one earlier domain: the one it has been
  longest since (studied or reviewed), once at least two weeks have passed — retrieval after a
  gap, never the week straight after.
- **Practice exam, then final review.** The second-to-last week is a full timed practice exam
  and its analysis; the last week reviews only what it showed.
- **Concrete to-dos.** A domain's to-dos come from the content pack (``todo`` under each exam
  domain); its n-th week takes the n-th one, so each nudge names something specific to do.

What a week says depends only on the domains and the plan's length, not on dates: :func:`layout`
caches it under that small key, so composing any nudge is a lookup (the dates are added by
:func:`build_plan`, for the views that list them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

DEFAULT_WEEKS = 8
"""Plan length when no exam date is set (the 8-week example of domain-facts.md section 2)."""

REVIEW_GAP = 2
"""Weeks since a domain was last seen before it comes back as a spaced review."""

DomainSpec = tuple[str, float] | tuple[str, float, tuple[str, ...]]
"""(name, weight) or (name, weight, to-dos): hashable, so plans cache by it."""


@dataclass(frozen=True, slots=True)
class PlanWeek:
    number: int
    starts: date
    topic: str
    kind: str
    """study | practice | exam"""
    part: int = 1
    parts: int = 1
    todo: tuple[str, ...] = ()
    review: str | None = None
    """The earlier domain this week brings back, if any."""

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
        return week_number(self.start, day)

    def week(self, number: int) -> PlanWeek:
        """The plan's week ``number``; past the last planned week, keep practising."""
        if 1 <= number <= len(self.weeks):
            return self.weeks[number - 1]
        return _dated(_keep_practising(number), self.start)

    def weeks_left(self, day: date) -> int | None:
        return None if self.exam is None else weeks_left(self.exam, day)


def week_number(start: date, day: date) -> int:
    return max(1, (day - start).days // 7 + 1)


def weeks_left(exam: date, day: date) -> int:
    return max(0, math.ceil((exam - day).days / 7))


def plan_length(start: date, exam: date | None) -> int:
    """Weekly sessions from ``start`` (a session day) that fall before the exam day."""
    return max(1, math.ceil((exam - start).days / 7)) if exam else DEFAULT_WEEKS


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


def interleave(counts: Sequence[int]) -> list[int]:
    """Domain indices week by week: round r visits, in order, every domain with more than r
    weeks, so heavier domains come back in more rounds and none sits in one block."""
    order: list[int] = []
    for round_ in range(max(counts, default=0)):
        order.extend(i for i, count in enumerate(counts) if count > round_)
    return order


@lru_cache(maxsize=2048)
def _line(template: str, topic: str) -> str:
    """One to-do line; cached so every plan that says it shares one string."""
    return template.format(topic=topic)


def _study_todo(topic: str, todos: tuple[str, ...], part: int, parts: int) -> tuple[str, ...]:
    if todos:
        first = todos[(part - 1) % len(todos)]
    elif part == 1:
        first = _line(
            "Read the exam guide's objectives for {topic} and the provider's docs.", topic
        )
    else:
        first = _line("Continue {topic}: pick the objectives you haven't covered yet.", topic)
    closing = (
        _line("Finish with 10 practice questions on {topic}; note what you got wrong.", topic)
        if part == parts
        else "Write 5 flashcards from this week's work."
    )
    return first, closing


def _review_line(topic: str) -> str:
    return _line(
        "Spaced review of {topic}: write down its main points from memory, then check them "
        "against your notes and flashcards.",
        topic,
    )


PRACTICE_TODO = (
    "Take a full practice exam, timed, in exam conditions (the provider's official sample "
    "questions first, if there are any).",
    "Sort the questions you missed by exam area and name your two weakest areas.",
    "Spend the rest of the week's session on the weakest one.",
)
FINAL_TODO = (
    "Review only what the practice exam showed; no new topics now.",
    "Go through every area's flashcards once.",
    "Check the logistics: ID, booking, test centre or online set-up.",
)


def _keep_practising(number: int) -> PlanWeek:
    return PlanWeek(
        number,
        date.min,
        "Keep practising",
        "practice",
        todo=(
            "Book your exam date if you haven't, then add it in /goal → Change date or time.",
            "Take a timed practice exam and note your weakest area.",
            "Spend one session on that area.",
        ),
    )


def _normalise(domains: Iterable[DomainSpec]) -> list[tuple[str, float, tuple[str, ...]]]:
    out = [(d[0], d[1], d[2] if len(d) > 2 else ()) for d in domains]  # type: ignore[misc]
    return out or [("The exam guide's topics", 1.0, ())]


def _study_weeks(
    specs: list[tuple[str, float, tuple[str, ...]]], study: int
) -> tuple[list[PlanWeek], list[tuple[str, int]]]:
    if study < len(specs):
        # Fewer weeks than domains: group neighbours, one group a week.
        size, extra = divmod(len(specs), study)
        weeks, at = [], 0
        for i in range(study):
            group = specs[at : at + size + (1 if i < extra else 0)]
            at += len(group)
            topic = " + ".join(name for name, _, _ in group)
            todos = tuple(t[0] for _, _, t in group if t)
            weeks.append(
                PlanWeek(0, date.min, topic, "study", todo=_study_todo(topic, todos, 1, 1))
            )
        return weeks, [(name, 1) for name, _, _ in specs]
    counts = allocate([w for _, w, _ in specs], study)
    seen = [0] * len(specs)
    last: dict[int, int] = {}  # domain -> the last week it was studied or reviewed
    weeks = []
    for number, i in enumerate(interleave(counts), start=1):
        seen[i] += 1
        name, _, todos = specs[i]
        todo = _study_todo(name, todos, seen[i], counts[i])
        ready = [j for j, week in last.items() if j != i and number - week >= REVIEW_GAP]
        review = None
        if ready:
            j = min(ready, key=lambda k: (last[k], k))
            review, last[j] = specs[j][0], number
            todo = (*todo, _review_line(review))
        last[i] = number
        weeks.append(PlanWeek(0, date.min, name, "study", seen[i], counts[i], todo, review))
    return weeks, [(name, count) for (name, _, _), count in zip(specs, counts, strict=True)]


@lru_cache(maxsize=4096)
def layout(domains: tuple[DomainSpec, ...], total: int) -> Plan:
    """What each of ``total`` weeks holds (numbered, without dates): the part of a plan that
    every goal on this credential and plan length shares."""
    specs = _normalise(domains)
    if total >= 3:
        weeks, allocation = _study_weeks(specs, total - 2)
        practice = PlanWeek(0, date.min, "Practice exam and review", "practice", todo=PRACTICE_TODO)
        weeks.append(practice)
    elif total == 2:
        weeks, allocation = _study_weeks(specs, 1)
    else:
        weeks, allocation = [], [(name, 0) for name, _, _ in specs]
    final = PRACTICE_TODO[:1] + FINAL_TODO if total == 1 else FINAL_TODO
    weeks.append(PlanWeek(0, date.min, "Final review", "exam", todo=final))
    numbered = tuple(
        PlanWeek(n, date.min, w.topic, w.kind, w.part, w.parts, w.todo, w.review)
        for n, w in enumerate(weeks, start=1)
    )
    return Plan(date.min, None, numbered, tuple(allocation))


def week_of(domains: tuple[DomainSpec, ...], total: int, number: int) -> PlanWeek:
    """Week ``number`` of a ``total``-week plan, undated: a cached lookup (the nudge's path)."""
    weeks = layout(domains, total).weeks
    return weeks[number - 1] if 1 <= number <= len(weeks) else _keep_practising(number)


def _dated(week: PlanWeek, start: date) -> PlanWeek:
    return PlanWeek(
        week.number,
        start + timedelta(weeks=week.number - 1),
        week.topic,
        week.kind,
        week.part,
        week.parts,
        week.todo,
        week.review,
    )


@lru_cache(maxsize=256)
def build_plan(domains: tuple[DomainSpec, ...], start: date, exam: date | None) -> Plan:
    """The plan from ``start`` (the day of the first weekly session) to ``exam``, with dates:
    one week per session held before the exam day."""
    shape = layout(domains, plan_length(start, exam))
    return Plan(start, exam, tuple(_dated(w, start) for w in shape.weeks), shape.allocation)
