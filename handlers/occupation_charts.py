"""The charts of an occupation's card and of the personal check, built from the same figures and
result their text is written from (the card's rows, the check's scores and levels)."""

from __future__ import annotations

from bot.charts.specs import CheckChart, MeasureRow, MeasuresChart
from content.occupations import Occupation
from content.occupations.check import CheckResult, level
from domain.risk import RISK_NAME


def source_of(study: str, year: int) -> str:
    """ "Eloundou, Manning, Mishkin & Rock" → "Eloundou et al. 2024"; two authors stay whole."""
    first = study.split(",")[0]
    return f"{first} {year}" if first == study else f"{first} et al. {year}"


def measures_chart(title: str, occ: Occupation) -> MeasuresChart:
    rows = tuple(
        MeasureRow(
            name=f.measure.name,
            source=source_of(f.measure.study, f.measure.year),
            low=f.measure.low,
            high=f.measure.high,
            low_text=f.measure.format(f.measure.low),
            high_text=f.measure.format(f.measure.high),
            value=f.value,
            text=f.text,
            percentile=f.percentile,
            out_of=f.out_of,
        )
        for f in occ.figures
    )
    return MeasuresChart(title, rows)


def check_chart(title: str, found: CheckResult, subject: str) -> CheckChart:
    return CheckChart(
        title,
        own=found.own,
        own_level=level(found.own),
        baseline=found.baseline,
        baseline_level=level(found.baseline),
        subject=subject,
        measure=f"{RISK_NAME} score",
    )
