"""Drawing chart specs as PNG with matplotlib's Agg backend: one style for every chart.

The style is made for a phone: a 960-pixel-wide card, labels of 13–18 pt, an opaque light card
with dark text (readable whether the chat around it is light or dark), and the Okabe–Ito palette,
which people with every common form of colour blindness can tell apart; every colour also comes
with a word or a mark, so nothing is said by colour alone.

Figures are drawn straight onto an Agg canvas (no pyplot, no GUI backend), so no global figure
state leaks between renders. Output is deterministic (tests compare it with stored images): the
bundled DejaVu Sans font only, no timestamps or version strings in the PNG, a fixed hash salt.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.charts.specs import (
    BANDS,
    ChartSpec,
    CheckChart,
    MeasuresChart,
    PlanChart,
    ProgressChart,
    RiskChart,
)

# Okabe & Ito (2008), "Color Universal Design".
ORANGE, SKY, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, INK = "#0072B2", "#D55E00", "#CC79A7", "#1A1A1A"
CARD, GRID, MUTED = "#FFFFFF", "#D9D9D9", "#5A5A5A"
AREA_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW)
BAND_COLOURS = {"low": GREEN, "medium": YELLOW, "high": VERMILLION}

WIDTH_IN, DPI = 6.4, 150
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.labelsize": 13,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.facecolor": CARD,
    "figure.facecolor": CARD,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 12,
    "ytick.labelsize": 13,
    "svg.hashsalt": "careerbot",
    "path.simplify": True,
}
PNG_METADATA = {"Software": None}
"""No matplotlib version in the file: the same chart is the same bytes after an upgrade."""


def render(spec: ChartSpec) -> bytes:
    """The PNG of ``spec``; runs in the render process (see :mod:`bot.charts.service`)."""
    drawer = DRAWERS.get(type(spec))
    if drawer is None:
        raise TypeError(f"no drawing for {type(spec).__name__}")
    with matplotlib.rc_context(STYLE):
        figure = drawer(spec)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure)
        figure.savefig(
            buffer, format="png", dpi=DPI, metadata=PNG_METADATA, pil_kwargs={"compress_level": 3}
        )
    return buffer.getvalue()


def _figure(height_in: float) -> Figure:
    """A card of the common width; margins are set by hand (a layout engine would double the
    cost of a render by drawing everything once more just to measure it)."""
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)


def _inches(figure: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Margins in inches, so they stay the same whatever the card's height."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height
    )


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, max_lines=2, placeholder="…")) or text


def _clean(ax: Axes) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)


# --------------------------------------------------------------------------------------- risk


def draw_risk(spec: RiskChart) -> Figure:
    title = _wrap(spec.title, 44)
    head = 0.5 + 0.3 * title.count("\n")
    figure = _figure(4.1 + head)
    _inches(figure, left=1.9, right=0.2, top=head + 0.12, bottom=0.62)
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 1.1), gridspec_kw={"hspace": 0.95})
    figure.suptitle(title, fontsize=16, fontweight="bold", y=0.985, va="top")

    labels = [_wrap(f"{f.label}{' (lowers it)' if f.lowers else ''}", 18) for f in spec.factors]
    rows = list(range(len(spec.factors)))[::-1]
    colours = [SKY if f.lowers else BLUE for f in spec.factors]
    top.barh(rows, [f.score for f in spec.factors], color=colours, height=0.62)
    for row, factor in zip(rows, spec.factors, strict=True):
        top.text(factor.score + 0.15, row, f"{factor.score}/10", va="center", fontsize=14)
    top.set_yticks(rows, labels)
    top.set_xlim(0, 11.2)
    top.set_xticks([1, 5, 10])
    top.set_xlabel("Factor score (1–10)")
    top.grid(axis="x", color=GRID, linewidth=0.8)
    top.set_axisbelow(True)
    _clean(top)

    for low, high, name in BANDS:
        bottom.add_patch(
            Rectangle((low, 0), high - low, 1, color=BAND_COLOURS[name], alpha=0.85, lw=0)
        )
        bottom.text((low + high) / 2, 0.5, name, ha="center", va="center", fontsize=14)
    bottom.plot([spec.score], [1.12], marker="v", markersize=16, color=INK, clip_on=False)
    bottom.annotate(
        f"{spec.score}",
        (spec.score, 1.3),
        xytext=(0, 0),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=16,
        fontweight="bold",
        annotation_clip=False,
    )
    bottom.set_xlim(0, 100)
    bottom.set_ylim(0, 1)
    bottom.set_yticks([])
    bottom.set_xticks([0, 30, 70, 100])
    bottom.set_xlabel(f"{spec.measure} (0–100): {spec.score}, {spec.level}")
    for side in ("top", "right", "left"):
        bottom.spines[side].set_visible(False)
    return figure


# --------------------------------------------------------------------------------------- plan


def draw_plan(spec: PlanChart) -> Figure:
    areas = spec.areas
    title = _wrap(spec.title, 44)
    head = 0.55 + 0.3 * title.count("\n")
    figure = _figure(max(3.2, head + 1.2 + 0.52 * len(areas)))
    _inches(figure, left=2.3, right=0.25, top=head + 0.25, bottom=0.8)
    ax = figure.subplots()
    figure.suptitle(title, fontsize=15, fontweight="bold", y=0.99, va="top")
    row = {area: len(areas) - 1 - i for i, area in enumerate(areas)}
    study = [a for a in areas if a not in ("Practice exam", "Final review")]
    colour = {a: AREA_COLOURS[i % len(AREA_COLOURS)] for i, a in enumerate(study)}
    colour.update({"Practice exam": INK, "Final review": MUTED})
    width = timedelta(days=6)
    for bar in spec.weeks:
        area = PlanChart.row_of(bar)
        left = mdates.date2num(bar.starts)
        hatch = "//" if bar.kind == "exam" else None
        ax.add_patch(
            Rectangle(
                (left, row[area] - 0.36),
                width.days,
                0.72,
                facecolor=CARD if hatch else colour[area],
                edgecolor=colour[area],
                hatch=hatch,
                lw=1.5,
            )
        )
        mark = "✓" if bar.number in spec.done else ("★" if bar.kind == "exam" else None)
        if mark is not None:
            ink = INK if hatch or bar.number not in spec.done else CARD
            if bar.kind == "exam" and bar.number not in spec.done:
                ink = CARD
            ax.text(
                left + width.days / 2,
                row[area],
                mark,
                ha="center",
                va="center",
                fontsize=15,
                fontweight="bold",
                color=ink,
            )
    start = spec.weeks[0].starts if spec.weeks else (spec.today or spec.end)
    ax.set_xlim(mdates.date2num(start - timedelta(days=3)), mdates.date2num(spec.end) + 4)
    ax.set_ylim(-0.6, len(areas) - 0.4)
    ax.set_yticks(list(row.values()), [_wrap(a, 21) for a in row])
    for when, label, style in (
        (spec.exam, "Exam", "-"),
        (spec.today, "Today", "--"),
    ):
        if when is None:
            continue
        x = mdates.date2num(when)
        ax.axvline(x, color=VERMILLION if label == "Exam" else INK, ls=style, lw=2)
        # The exam line is at the right edge: its label reads leftwards; today's reads
        # rightwards unless it is close to the edge too.
        leftwards = label == "Exam" or (spec.end - when).days < 28
        ax.text(
            x,
            len(areas) - 0.4,
            f"{label} " if leftwards else f" {label}",
            ha="right" if leftwards else "left",
            va="bottom",
            fontsize=12,
            fontweight="bold",
            color=VERMILLION if label == "Exam" else INK,
        )
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    _clean(ax)
    ax.set_xlabel("✓ done   ★ practice exam   hatched: review")
    return figure


# ----------------------------------------------------------------------------------- progress


def draw_progress(spec: ProgressChart) -> Figure:
    per_row = 10
    rows = max(1, -(-spec.weeks // per_row))
    figure = _figure(1.2 + 0.6 * rows)
    _inches(figure, left=0.2, right=0.2, top=0.6, bottom=0.55)
    ax = figure.subplots()
    done = len(spec.done)  # as the text counts them
    figure.suptitle(_wrap(spec.title, 44), fontsize=16, fontweight="bold", y=0.97, va="top")
    for number in range(1, spec.weeks + 1):
        x, y = (number - 1) % per_row, rows - 1 - (number - 1) // per_row
        is_done = number in spec.done
        ax.add_patch(
            Rectangle(
                (x + 0.08, y + 0.08),
                0.84,
                0.84,
                facecolor=GREEN if is_done else CARD,
                edgecolor=GREEN if is_done else MUTED,
                lw=1.5,
            )
        )
        ax.text(
            x + 0.5,
            y + 0.5,
            "✓" if is_done else str(number),
            ha="center",
            va="center",
            fontsize=15 if is_done else 11,
            fontweight="bold" if is_done else "normal",
            color=CARD if is_done else MUTED,
        )
    ax.set_xlim(0, per_row)
    ax.set_ylim(0, rows)
    ax.axis("off")
    ax.text(
        0,
        -0.15,
        f"{done} of {spec.weeks} weeks done · streak: {spec.streak} "
        f"week{'' if spec.streak == 1 else 's'}",
        ha="left",
        va="top",
        fontsize=16,
        fontweight="bold",
        transform=ax.transData,
    )
    return figure


# ------------------------------------------------------------------------------ occupations


def draw_measures(spec: MeasuresChart) -> Figure:
    title = _wrap(spec.title, 44)
    head = 0.5 + 0.3 * title.count("\n")
    rows = max(1, len(spec.rows))
    figure = _figure(head + 0.25 + 1.2 * rows)
    _inches(figure, left=0.35, right=0.35, top=head + 0.5, bottom=0.3)
    figure.suptitle(title, fontsize=16, fontweight="bold", y=0.985, va="top")
    axes = figure.subplots(rows, 1, squeeze=False, gridspec_kw={"hspace": 1.5})[:, 0]
    for ax, row in zip(axes, spec.rows, strict=False):
        ax.set_xlim(row.low, row.high)
        ax.set_ylim(-1, 1)
        ax.axis("off")
        ax.set_title(f"{row.name} · {row.source}", loc="left", fontsize=12.5, pad=4)
        ax.plot([row.low, row.high], [0, 0], color=GRID, lw=9, solid_capstyle="butt")
        for x, text, align in ((row.low, row.low_text, "left"), (row.high, row.high_text, "right")):
            ax.text(x, 0.42, text, ha=align, va="bottom", fontsize=10.5, color=MUTED)
        if row.value is None:
            ax.text(
                (row.low + row.high) / 2,
                -0.45,
                "no figure for this occupation",
                ha="center",
                va="top",
                fontsize=12.5,
                color=MUTED,
                style="italic",
            )
            continue
        ax.plot([row.low, row.value], [0, 0], color=BLUE, lw=9, solid_capstyle="butt")
        ax.plot([row.value], [0], marker="o", markersize=13, color=BLUE)
        share = (row.value - row.low) / (row.high - row.low)
        align = "left" if share < 0.3 else "right" if share > 0.7 else "center"
        ax.text(
            row.value,
            -0.45,
            f"{row.text} · above {row.percentile}% of {row.out_of} jobs",
            ha=align,
            va="top",
            fontsize=13,
            fontweight="bold",
        )
    return figure


def draw_check(spec: CheckChart) -> Figure:
    title = _wrap(spec.title, 44)
    head = 0.5 + 0.3 * title.count("\n")
    figure = _figure(head + 2.3)
    _inches(figure, left=1.9, right=0.3, top=head + 0.15, bottom=0.75)
    figure.suptitle(title, fontsize=16, fontweight="bold", y=0.985, va="top")
    ax = figure.subplots()
    for low, high, name in BANDS:
        ax.axvspan(low, high, color=BAND_COLOURS[name], alpha=0.25, lw=0)
        ax.text((low + high) / 2, 1.72, name, ha="center", va="center", fontsize=12)
    labels = ["You", _wrap(spec.subject, 18)]
    values = [spec.own, spec.baseline]
    ax.barh([1, 0], values, color=[BLUE, MUTED], height=0.55)
    for y, value in zip((1, 0), values, strict=True):
        ax.text(value + 1.2, y, str(value), va="center", fontsize=16, fontweight="bold")
    ax.set_yticks([1, 0], labels)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.5, 2.0)
    ax.set_xticks([0, 30, 70, 100])
    ax.set_xlabel(f"{spec.measure} (0–100)")
    _clean(ax)
    return figure


DRAWERS: dict[type, Callable[[Any], Figure]] = {
    RiskChart: draw_risk,
    PlanChart: draw_plan,
    ProgressChart: draw_progress,
    MeasuresChart: draw_measures,
    CheckChart: draw_check,
}
