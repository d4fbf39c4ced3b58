"""What a chart shows, as plain frozen data: the cache key, the renderer's input, the alt text.

A spec is built by a handler from the very objects its text is written from (the role's factor
scores, the study plan's weeks), so a chart can never disagree with the words beside it. Specs
are hashable and picklable: equal content means one render, and a spec crosses to the render
process as a few hundred bytes. Nothing here imports matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from domain.studyplan import PlanWeek

BANDS = ((0, 30, "low"), (30, 70, "medium"), (70, 100, "high"))
"""The 0–100 score's bands, as the method page states them (under 30 low, over 70 high)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "chart"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """Base of every chart: a title and a file name stem."""

    kind: ClassVar[str] = "chart"
    title: str

    @property
    def filename(self) -> str:
        return f"{self.kind}-{_slug(self.title)}.png"

    @property
    def alt(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Factor:
    label: str
    score: int
    """1–10."""
    lowers: bool = False
    """True when more of this factor lowers the score (human judgment)."""


@dataclass(frozen=True, slots=True)
class RiskChart(ChartSpec):
    """The risk card: three factors on their 1–10 scale and the score on its 0–100 band."""

    kind: ClassVar[str] = "risk"
    factors: tuple[Factor, ...] = ()
    score: int = 0
    level: str = ""
    measure: str = "Score"
    """What the 0–100 number is called on the card (domain.risk.RISK_NAME), so the picture
    uses the same words as the text."""

    @property
    def alt(self) -> str:
        parts = ", ".join(
            f"{f.label} {f.score} of 10{' (lowers the score)' if f.lowers else ''}"
            for f in self.factors
        )
        return (
            f"Bar chart. {self.title}. Factors on a 1 to 10 scale: {parts}. "
            f"{self.measure}: {self.score} of 100, in the {self.level} band "
            "(under 30 low, 30 to 70 medium, over 70 high)."
        )


@dataclass(frozen=True, slots=True)
class PlanBar:
    number: int
    starts: date
    topic: str
    kind: str
    """study | review | exam, as in :class:`domain.studyplan.PlanWeek`."""


@dataclass(frozen=True, slots=True)
class PlanChart(ChartSpec):
    """The study plan as a timeline: one bar a week, a row per exam area, review and the
    practice exam marked, done weeks ticked, today and the exam day as lines."""

    kind: ClassVar[str] = "plan"
    weeks: tuple[PlanBar, ...] = ()
    exam: date | None = None
    today: date | None = None
    done: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        title: str,
        weeks: Iterable[PlanWeek],
        exam: date | None,
        today: date | None,
        done: frozenset[int],
    ) -> PlanChart:
        """The chart of exactly the weeks the text lists (done weeks outside them are moot)."""
        bars = tuple(PlanBar(w.number, w.starts, w.topic, w.kind) for w in weeks)
        numbers = {bar.number for bar in bars}
        return cls(title, bars, exam, today, frozenset(done & numbers))

    @property
    def areas(self) -> tuple[str, ...]:
        """Rows top to bottom: study areas in plan order, then review, then the practice exam."""
        seen: dict[str, None] = {}
        for bar in self.weeks:
            seen.setdefault(self.row_of(bar), None)
        order = {"Practice exam": 1, "Final review": 2}
        return tuple(sorted(seen, key=lambda name: order.get(name, 0)))

    @staticmethod
    def row_of(bar: PlanBar) -> str:
        return {"practice": "Practice exam", "exam": "Final review"}.get(bar.kind, bar.topic)

    @property
    def alt(self) -> str:
        if not self.weeks:
            return f"Timeline. {self.title}. No study weeks are planned."
        first, last = self.weeks[0].starts, self.weeks[-1].starts
        spans = []
        for area in self.areas:
            numbers = [b.number for b in self.weeks if self.row_of(b) == area]
            spans.append(f"{area}: week{'s' if len(numbers) > 1 else ''} {_ranges(numbers)}")
        text = (
            f"Timeline. {self.title}. {len(self.weeks)} weekly sessions from "
            f"{_day(first)} to the week of {_day(last)}. " + "; ".join(spans) + "."
        )
        if self.exam is not None:
            text += f" Exam on {_day(self.exam)}."
        if self.done:
            text += f" Done: week{'s' if len(self.done) > 1 else ''} {_ranges(sorted(self.done))}."
        if self.today is not None:
            text += f" Today is {_day(self.today)}."
        return text

    @property
    def end(self) -> date:
        """The right edge of the time axis: the exam day, or the end of the last week."""
        last = self.weeks[-1].starts + timedelta(days=7) if self.weeks else date.min
        return max(last, self.exam) if self.exam else last


@dataclass(frozen=True, slots=True)
class ProgressChart(ChartSpec):
    """Weeks so far as a row of squares (done ones ticked) and the current streak."""

    kind: ClassVar[str] = "progress"
    weeks: int = 0
    """Weeks so far, the current one included."""
    done: frozenset[int] = frozenset()
    streak: int = 0

    @property
    def alt(self) -> str:
        done = sorted(self.done)
        marked = f"weeks {_ranges(done)} done" if done else "no week marked done yet"
        return (
            f"Progress chart. {self.title}. {len(done)} of {self.weeks} weeks done ({marked}); "
            f"current streak {self.streak} week{'s' if self.streak != 1 else ''}."
        )


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One published measure for one occupation, on the measure's own scale."""

    name: str
    source: str
    """Whose study and which year, e.g. "Felten, Raj & Seamans 2021"."""
    low: float
    high: float
    low_text: str
    high_text: str
    """The ends of the measure's scale, written as its values are."""
    value: float | None = None
    """None: the study has no figure for this occupation."""
    text: str = ""
    """The value as the card writes it ("45%", "+1.20")."""
    percentile: int | None = None
    out_of: int = 0


@dataclass(frozen=True, slots=True)
class MeasuresChart(ChartSpec):
    """An occupation's published measures side by side, each on its own scale, and where the
    occupation ranks among all occupations on each."""

    kind: ClassVar[str] = "measures"
    rows: tuple[MeasureRow, ...] = ()

    @property
    def alt(self) -> str:
        parts = []
        for row in self.rows:
            if row.value is None:
                parts.append(f"{row.name} ({row.source}): no figure")
            else:
                parts.append(
                    f"{row.name} ({row.source}): {row.text}, higher than {row.percentile}% of "
                    f"{row.out_of} occupations"
                )
        return f"Chart of published measures. {self.title}. " + "; ".join(parts) + "."


@dataclass(frozen=True, slots=True)
class CheckChart(ChartSpec):
    """The person's own score beside their occupation's, on the 0–100 band."""

    kind: ClassVar[str] = "check"
    own: int = 0
    own_level: str = ""
    baseline: int = 0
    baseline_level: str = ""
    subject: str = ""
    """The occupation or role compared with."""
    measure: str = "Score"

    @property
    def alt(self) -> str:
        return (
            f"Bar chart. {self.title}. {self.measure} on a 0 to 100 scale: you {self.own} "
            f"({self.own_level}), {self.subject} {self.baseline} ({self.baseline_level})."
        )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → "1–3, 5": short enough to read aloud."""
    out: list[str] = []
    start = prev = None
    for n in [*sorted(numbers), None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = n
    return ", ".join(out)
