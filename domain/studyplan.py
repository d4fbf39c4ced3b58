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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from domain.schedule import Step, full_rounds, steps

DEFAULT_WEEKS = 8
"""Plan length when no exam date is set (the 8-week example of domain-facts.md section 2)."""

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
        return heading(self.number, self.topic, self.part, self.parts)


def heading(number: int, topic: str, part: int = 1, parts: int = 1) -> str:
    """A week's heading: "Week 3: Deployment (week 2 of 3 on this area)"."""
    if parts != 1:
        topic = f"{topic} (week {part} of {parts} on this area)"
    return f"Week {number}: {topic}"


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


def plan_position(start: date, exam: date | None, day: date) -> tuple[int, int, int | None]:
    """(``plan_length(start, exam)``, ``week_number(start, day)``, ``weeks_left(exam, day)`` or
    None without an exam) in one go: every weekly nudge asks all three, and the integer
    arithmetic on day ordinals costs a third of the three calls with their date differences."""
    first, today = start.toordinal(), day.toordinal()
    number = (today - first) // 7 + 1
    if exam is None:
        return DEFAULT_WEEKS, number if number > 1 else 1, None
    end = exam.toordinal()
    total = -((first - end) // 7)  # ceil((end - first) / 7)
    left = -((today - end) // 7)
    return total if total > 1 else 1, number if number > 1 else 1, left if left > 0 else 0


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


Specs = list[tuple[str, float, tuple[str, ...]]]


def _normalise(domains: Iterable[DomainSpec]) -> Specs:
    out = [(d[0], d[1], d[2] if len(d) > 2 else ()) for d in domains]  # type: ignore[misc]
    return out or [("The exam guide's topics", 1.0, ())]


def _study_count(total: int) -> int:
    """Study weeks in a ``total``-week plan: the last week is the final review, and from three
    weeks on the one before it is the practice exam."""
    return total - 2 if total >= 3 else total - 1


def _allocation(specs: Specs, study: int) -> list[int]:
    """Study weeks per domain (one each when they are grouped, see :func:`_study_weeks`)."""
    return [1] * len(specs) if study < len(specs) else allocate([w for _, w, _ in specs], study)


def _study_weeks(specs: Specs, study: int) -> Iterator[PlanWeek]:
    """The study weeks in order, numbered from 1."""
    if study == 0:
        return
    if study < len(specs):
        yield from _grouped_weeks(specs, study)
        return
    for number, step in enumerate(_schedule(specs, study), start=1):
        yield _study_week(specs, number, step)


def _grouped_weeks(specs: Specs, study: int) -> Iterator[PlanWeek]:
    """Fewer weeks than domains: group neighbours, one group a week."""
    size, extra = divmod(len(specs), study)
    at = 0
    for i in range(study):
        group = specs[at : at + size + (1 if i < extra else 0)]
        at += len(group)
        topic = " + ".join(name for name, _, _ in group)
        todo = _study_todo(topic, group[0][2], 1, 1) if len(group) == 1 else _group_todo(group)
        yield PlanWeek(i + 1, date.min, topic, "study", todo=todo)


def _group_todo(group: Specs) -> tuple[str, ...]:
    """A week that covers several areas names a task for each of them (the pack's first, or
    reading the objectives), not just the first area's, and closes with practice across all."""
    tasks = tuple(
        todos[0] if todos else f"{name}: read the exam guide's objectives and the provider's docs."
        for name, _, todos in group
    )
    return (
        *tasks,
        f"Finish with 10 practice questions spread over these {len(group)} areas; note what "
        "you got wrong.",
    )


def _schedule(specs: Specs, study: int) -> Iterator[Step]:
    """The interleaved study weeks as :data:`Step` numbers, in order: what a week is, without
    its text (a generator of small integers, so only the weeks asked for are built)."""
    return steps(_allocation(specs, study), 0, [0] * len(specs), [])


def _study_week(specs: Specs, number: int, step: Step) -> PlanWeek:
    """The week a :data:`Step` describes, with its topic and to-dos."""
    name, todo, review = _step_words(specs, step)
    return PlanWeek(number, date.min, name, "study", step[1], step[2], todo, review)


def _step_words(specs: Specs, step: Step) -> tuple[str, tuple[str, ...], str | None]:
    """A step's topic, to-dos and reviewed domain."""
    i, part, parts, pick = step
    name, _, todos = specs[i]
    todo = _study_todo(name, todos, part, parts)
    review = None
    if pick >= 0:
        review = specs[pick][0]
        todo = (*todo, _review_line(review))
    return name, todo, review


@lru_cache(maxsize=64)
def _closing_weeks(total: int) -> tuple[PlanWeek, ...]:
    """The practice-exam week (from three weeks on) and the final review, numbered."""
    final = PRACTICE_TODO[:1] + FINAL_TODO if total == 1 else FINAL_TODO
    last = PlanWeek(total, date.min, "Final review", "exam", todo=final)
    if total < 3:
        return (last,)
    practice = PlanWeek(
        total - 1, date.min, "Practice exam and review", "practice", todo=PRACTICE_TODO
    )
    return practice, last


@lru_cache(maxsize=4096)
def layout(domains: tuple[DomainSpec, ...], total: int) -> Plan:
    """What each of ``total`` weeks holds (numbered, without dates): the part of a plan that
    every goal on this credential and plan length shares."""
    specs = _normalise(domains)
    study = _study_count(total)
    weeks = (*_study_weeks(specs, study), *_closing_weeks(total))
    counts = _allocation(specs, study) if study else [0] * len(specs)
    allocation = tuple((name, count) for (name, _, _), count in zip(specs, counts, strict=True))
    return Plan(date.min, None, weeks, allocation)


class _Prefix:
    """The study weeks of one (domains, length) as far as a nudge has asked: the steps of its
    full rounds from the shared :class:`domain.schedule.FullRounds`, and its own last rounds'
    steps up to the furthest week asked."""

    __slots__ = ("_counts", "_full", "_grouped", "_rest", "_shared", "_specs", "steps")

    def __init__(self, domains: tuple[DomainSpec, ...], total: int) -> None:
        self._specs = specs = _normalise(domains)
        study = _study_count(total)
        self.steps: list[Step] = []
        """The plan's own steps, after its full rounds."""
        self._rest: Iterator[Step] | None = None
        self._counts = counts = _allocation(specs, study)
        self._shared = full_rounds(len(specs))
        self._full = min(counts) * len(specs)
        """Weeks in full rounds."""
        self._grouped: list[PlanWeek] = []
        if study < len(specs):  # grouped: at most a handful of weeks, built at once
            self._grouped = list(_study_weeks(specs, study))

    def step(self, number: int) -> Step:
        n, full = len(self._specs), self._full
        if number <= full:
            self._shared.until(-(-number // n))
            i, part, _, pick = self._shared.steps[number - 1]
            return i, part, self._counts[i], pick
        if self._rest is None:
            rounds = full // n
            self._shared.until(rounds)
            last, order = self._shared.rounds[rounds]
            self._rest = steps(self._counts, rounds, list(last), list(order))
        own = self.steps
        while len(own) < number - full:
            own.append(next(self._rest))
        return own[number - full - 1]

    def words(self, number: int) -> tuple[str, tuple[str, ...]]:
        if self._grouped:
            week = self._grouped[number - 1]
            return week.heading, week.todo
        step = self.step(number)
        name, todo, _ = _step_words(self._specs, step)
        return heading(number, name, step[1], step[2]), todo


_prefix = lru_cache(maxsize=4096)(_Prefix)


def week_words(
    domains: tuple[DomainSpec, ...], total: int, number: int
) -> tuple[str, tuple[str, ...]]:
    """The heading and to-dos of week ``number`` of a ``total``-week plan (the nudge's path):
    those of ``layout(domains, total).weeks[number - 1]``, at the cost of the weeks up to
    ``number`` once per (domains, total) — goals set a few weeks ago on a plan of two years
    need their first few weeks, not all hundred — and without building the week itself."""
    if not 1 <= number <= total:
        week = _keep_practising(number)
    elif number > (study := _study_count(total)):
        week = _closing_weeks(total)[number - study - 1]
    else:
        return _prefix(domains, total).words(number)
    return week.heading, week.todo


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
