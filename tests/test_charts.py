"""Charts: each drawn from fixed data and compared with a stored reference image; the service
caches by content, never holds the text back, and a failing or slow renderer still yields text.

References live in tests/charts/. After an intended change to a chart, regenerate them with
``CAREERBOT_UPDATE_CHART_REFERENCES=1 .venv/bin/python -m pytest tests/test_charts.py`` and look
at every image before committing it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from PIL import Image as PILImage

from bot.charts.draw import render
from bot.charts.service import ChartService, without_picture
from bot.charts.specs import (
    ChartSpec,
    CheckChart,
    Factor,
    MeasureRow,
    MeasuresChart,
    PlanChart,
    ProgressChart,
    RiskChart,
)
from bot.config import Settings
from bot.messages import Reply, Target
from domain.studyplan import build_plan

REFERENCES = Path(__file__).parent / "charts"
TOLERANCE = 2.0
"""RMS difference allowed (0–255 scale): room for antialiasing, far below any real change."""
MAX_BYTES = 1_000_000
"""Well inside Telegram's 10 MB photo and Discord's 10 MB attachment limits."""

RISK = RiskChart(
    "AI automation risk score: Machine Learning Engineer",
    (
        Factor("Repetitiveness", 3),
        Factor("AI adoption", 9),
        Factor("Human judgement", 8, lowers=True),
    ),
    46,
    "medium",
    measure="AI automation risk score",
)
_PLAN = build_plan(
    (("Data preparation", 28.0), ("Model development", 26.0), ("Deployment", 22.0), ("Ops", 24.0)),
    date(2026, 12, 1),
    date(2027, 3, 16),
)
PLAN = PlanChart.of(
    "Study plan: AWS Certified Machine Learning Engineer – Associate",
    _PLAN.weeks,
    _PLAN.exam,
    date(2027, 1, 5),
    frozenset({1, 2, 3, 5}),
)
PROGRESS = ProgressChart("Progress: AWS ML Engineer", 14, frozenset({1, 2, 3, 5, 13, 14}), 2)
MEASURES = MeasuresChart(
    "AI exposure: Accountants and Auditors (SOC 13-2011)",
    (
        MeasureRow(
            "Tasks exposed to language models",
            "Eloundou et al. 2024",
            0,
            1,
            "0%",
            "100%",
            0.56,
            "56%",
            87,
            798,
        ),
        MeasureRow(
            "Observed AI use", "Tomlinson et al. 2025", 0, 1, "0.00", "1.00", 0.2, "0.20", 66, 800
        ),
        MeasureRow(
            "AI occupational exposure (AIOE)",
            "Felten et al. 2021",
            -5,
            5,
            "-5.00",
            "+5.00",
            1.48,
            "+1.48",
            99,
            800,
        ),
        MeasureRow("Probability of computerisation", "Frey & Osborne 2013", 0, 1, "0%", "100%"),
    ),
)
CHECK = CheckChart(
    "Your own AI automation risk: 38/100",
    own=38,
    own_level="medium",
    baseline=61,
    baseline_level="medium",
    subject="Accountants and Auditors",
    measure="AI automation risk score",
)
CASES: dict[str, ChartSpec] = {
    "risk": RISK,
    "plan": PLAN,
    "progress": PROGRESS,
    "measures": MEASURES,
    "check": CHECK,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_matches_its_reference_image(name: str, tmp_path: Path) -> None:
    spec = CASES[name]
    png = render(spec)
    reference = REFERENCES / f"{name}.png"
    if os.environ.get("CAREERBOT_UPDATE_CHART_REFERENCES"):
        reference.parent.mkdir(exist_ok=True)
        reference.write_bytes(png)
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(png)
    assert reference.exists(), f"no reference image {reference}; see this module's docstring"
    assert compare_images(str(reference), str(actual), tol=TOLERANCE) is None
    assert render(spec) == png, "the same spec must give the same bytes"

    picture = PILImage.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.width == 960
    assert 300 <= picture.height <= 1200 and len(png) < MAX_BYTES
    assert set(picture.info) <= {"dpi"}, "no software version or timestamp in the file"


def test_alt_text_says_in_words_what_each_chart_shows() -> None:
    assert RISK.alt == (
        "Bar chart. AI automation risk score: Machine Learning Engineer. Factors on a 1 to 10 "
        "scale: Repetitiveness 3 of 10, AI adoption 9 of 10, Human judgement 8 of 10 (lowers the "
        "score). AI automation risk score: 46 of 100, in the medium band (under 30 low, 30 to 70 "
        "medium, over 70 high)."
    )
    assert "15 weekly sessions from 1 December 2026 to the week of 9 March 2027" in PLAN.alt
    assert "Practice exam: week 14; Final review: week 15." in PLAN.alt
    assert "Exam on 16 March 2027. Done: weeks 1–3, 5. Today is 5 January 2027." in PLAN.alt
    assert PROGRESS.alt.endswith(
        "6 of 14 weeks done (weeks 1–3, 5, 13–14 done); current streak 2 weeks."
    )
    assert MEASURES.alt.endswith(
        "(AIOE) (Felten et al. 2021): +1.48, higher than 99% of 800 occupations; Probability of "
        "computerisation (Frey & Osborne 2013): no figure."
    )
    assert CHECK.alt == (
        "Bar chart. Your own AI automation risk: 38/100. AI automation risk score on a 0 to 100 "
        "scale: you 38 (medium), Accountants and Auditors 61 (medium)."
    )
    assert RISK.filename == "risk-ai-automation-risk-score-machine-learning-engineer.png"


def test_the_plan_chart_holds_exactly_the_plan_weeks() -> None:
    assert [(b.number, b.starts, b.topic, b.kind) for b in PLAN.weeks] == [
        (w.number, w.starts, w.topic, w.kind) for w in _PLAN.weeks
    ]
    assert PLAN.areas[-2:] == ("Practice exam", "Final review")
    moot = PlanChart.of("t", _PLAN.weeks[:3], None, None, frozenset({2, 9}))
    assert moot.done == frozenset({2})


def test_charts_setting() -> None:
    assert Settings.model_validate({"CAREERBOT_CHARTS": "0"}).charts is False
    assert Settings.model_validate({}).charts is True


# --------------------------------------------------------------------------- the service


def _boom(spec: ChartSpec) -> bytes:
    raise RuntimeError("the renderer broke")


def _slow(spec: ChartSpec) -> bytes:
    time.sleep(0.3)
    return b"\x89PNG late"


def _reply(spec: ChartSpec) -> Reply:
    reply = Reply.text("The answer in words.", title="Answer")
    reply.chart = spec
    return reply


TARGET = Target("test", "chat")


async def test_cache_hit_on_the_second_request() -> None:
    with ThreadPoolExecutor(1) as pool:
        charts = ChartService(executor=pool, renderer=render)
        first = _reply(RISK)
        charts.attach(first, TARGET)
        assert first.image is None, "a miss never holds the text back"
        picture = await charts.follow_up(first)
        assert picture is not None and picture.image is not None
        assert picture.image.alt == RISK.alt and picture.image.png.startswith(b"\x89PNG")

        second = _reply(RISK)
        charts.attach(second, TARGET)
        assert second.image == picture.image
        assert await charts.follow_up(second) is None
        assert charts.renders == 1


async def test_a_failing_renderer_still_yields_the_text_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with ThreadPoolExecutor(1) as pool:
        charts = ChartService(executor=pool, renderer=_boom)
        with caplog.at_level(logging.WARNING, "careerbot.charts"):
            for _ in range(3):
                reply = _reply(RISK)
                charts.attach(reply, TARGET)
                assert await charts.follow_up(reply) is None
                assert "The answer in words." in str(reply.sections)
        assert charts.renders == 1, "a failed chart is not retried on every message"
        assert len([r for r in caplog.records if "could not be drawn" in r.message]) == 1


async def test_a_slow_render_times_out_and_the_text_went_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with ThreadPoolExecutor(1) as pool:
        charts = ChartService(executor=pool, renderer=_slow, timeout=0.05)
        reply = _reply(PROGRESS)
        charts.attach(reply, TARGET)
        assert reply.image is None
        with caplog.at_level(logging.WARNING, "careerbot.charts"):
            assert await charts.follow_up(reply) is None
        assert any("took over" in r.message for r in caplog.records)


async def test_charts_off_strips_the_chart() -> None:
    charts = ChartService(enabled=False, renderer=_boom)
    reply = _reply(RISK)
    charts.attach(reply, TARGET)
    assert reply.chart is None and reply.image is None
    assert await charts.follow_up(reply) is None and charts.renders == 0


async def test_a_refused_picture_names_the_right_once_then_the_chat_gets_text() -> None:
    with ThreadPoolExecutor(1) as pool:
        charts = ChartService(executor=pool, renderer=render)
        note = charts.refused(TARGET, "Send photos")
        assert note is not None and "“Send photos”" in note and "Moderators" in note
        assert charts.refused(TARGET, "Send photos") is None
        reply = _reply(RISK)
        charts.attach(reply, TARGET)
        assert reply.chart is None and charts.renders == 0
        text = without_picture(_reply(RISK), note)
        assert text.image is None and text.chart is None
        assert text.sections[-1].paragraphs == [note]


async def test_the_default_render_process_draws_off_the_event_loop() -> None:
    charts = ChartService()
    reply = _reply(PROGRESS)
    charts.attach(reply, TARGET)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    picture = await charts.follow_up(reply)
    task.cancel()
    assert picture is not None and picture.image is not None
    assert compare_images_bytes(picture.image.png, render(PROGRESS))
    assert ticks > 1, "the loop kept running while the chart was drawn"


def compare_images_bytes(a: bytes, b: bytes) -> bool:
    return PILImage.open(io.BytesIO(a)).tobytes() == PILImage.open(io.BytesIO(b)).tobytes()


@pytest.mark.parametrize(
    "before_exit",
    [
        "assert (await charts.follow_up(reply)) is not None",  # an idle worker
        "await asyncio.sleep(0.05)",  # a worker still starting when the bot dies
    ],
)
def test_the_render_process_leaves_when_the_bot_process_dies(before_exit: str) -> None:
    """A bot that exits at once (Ctrl-C in the terminal chat, SIGKILL) must not leave its
    render worker behind: every such exit used to leak one process for ever."""
    script = (
        "import asyncio, os, sys\n"
        "from bot.charts.service import ChartService, shared_pool\n"
        "from tests.test_charts import PROGRESS, TARGET, _reply\n"
        "async def main():\n"
        "    charts = ChartService()\n"
        "    reply = _reply(PROGRESS)\n"
        "    charts.attach(reply, TARGET)\n"
        f"    {before_exit}\n"
        "    print(*shared_pool()._processes, flush=True)\n"
        "    os._exit(0)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=Path(__file__).resolve().parents[1],
    )
    workers = [int(pid) for pid in done.stdout.split()]
    assert done.returncode == 0 and workers, done.stderr
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), "the render worker outlived the bot"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))
