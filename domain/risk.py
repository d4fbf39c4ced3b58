"""The AI automation risk score: what it is called, what it means, and its formula.

One definition for the role packs' stated scores (checked against it when a pack loads), the
personal /check and every card that explains the number, so they can never disagree.
"""

from __future__ import annotations

from typing import Literal

RISK_NAME = "AI automation risk"
"""What the 0–100 number is called everywhere (cards, method, FAQs, summaries, README, charts)."""
RISK_DEFINITION = (
    "our estimate, from 0 to 100, of how much of a role's current work AI could take over: "
    "routine work and wide AI adoption raise it, work that needs human judgement lowers it. "
    "It is not a forecast of job losses"
)
"""One-line meaning of the number, lower-case so it reads inside a sentence; see STYLE.md."""

RISK_WEIGHTS = {"repetitiveness": 0.35, "ai_adoption": 0.35, "human_judgment": 0.30}
RISK_FORMULA = (
    "raw = 0.35 × repetitiveness + 0.35 × AI adoption + 0.30 × (11 − human judgement); "
    "score = (raw − 1) ÷ 9 × 100, rounded to a whole number"
)
LOW_BELOW = 30
HIGH_ABOVE = 70


def formula_score(repetitiveness: float, ai_adoption: float, human_judgment: float) -> int:
    """The documented formula on factor values 1–10; the personal check uses it too."""
    raw = (
        RISK_WEIGHTS["repetitiveness"] * repetitiveness
        + RISK_WEIGHTS["ai_adoption"] * ai_adoption
        + RISK_WEIGHTS["human_judgment"] * (11 - human_judgment)
    )
    return round((raw - 1) / 9 * 100)


def risk_level(score: int) -> Literal["low", "medium", "high"]:
    """The band a score falls in, named the same on every card: low under 30, high over 70."""
    if score < LOW_BELOW:
        return "low"
    if score > HIGH_ABOVE:
        return "high"
    return "medium"
