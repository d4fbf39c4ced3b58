"""The personal risk check: eight questions, each feeding one factor of the published formula.

Answers move a factor from 1 to 10 (the same scale a role pack's factors use) and the score is
the same formula (:func:`domain.risk.formula_score`), so a person's own score sits on the
scale of the role's. For an occupation without a pack, the comparison score is our estimate
from where the occupation ranks on the published measures (see :func:`occupation_factors`),
and the result says so. :class:`CheckResult` holds every number a reply or chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.occupations.data import Occupation
from content.schema import RolePack
from domain.risk import HIGH_ABOVE, LOW_BELOW, RISK_WEIGHTS, formula_score

FACTOR_NAMES = {
    "repetitiveness": "Repetitiveness",
    "ai_adoption": "AI adoption",
    "human_judgment": "Human judgement",
}
POINTS = (1.0, 4.0, 7.0, 10.0)
"""Factor value for the first to fourth answer of a question."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    factor: str
    text: str
    answers: tuple[str, str, str, str]
    """From the lowest value of the factor to the highest."""
    move: str
    """What to do when this answer pushes the score up: one concrete step."""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "routine",
        "repetitiveness",
        "How much of your week is routine work that follows set rules or steps?",
        ("Almost none", "About a quarter", "About half", "Most of it"),
        "Move time from rule-following work towards the exceptions, reviews and problem cases "
        "that the rules don't cover.",
    ),
    Question(
        "template",
        "repetitiveness",
        "How often does your output follow a template (the same forms, reports or replies)?",
        ("Rarely", "Sometimes", "Often", "Nearly always"),
        "Take on work that has no template yet: new processes, unusual clients, first drafts "
        "of things nobody has done before.",
    ),
    Question(
        "team_ai",
        "ai_adoption",
        "How much of your team's work is already done with AI tools?",
        ("None", "A little", "A fair share", "A lot"),
        "Become the person who sets up, checks and improves your team's AI tools, rather than "
        "the one whose work they absorb.",
    ),
    Question(
        "own_ai",
        "ai_adoption",
        "How much of what you do could an AI assistant draft for you today?",
        ("Hardly any", "Some", "Much of it", "Most of it"),
        "Learn to do those drafts with AI yourself, faster and better checked than anyone "
        "else, and spend the saved time on the parts it can't do.",
    ),
    Question(
        "employer",
        "ai_adoption",
        "Is your employer or industry rolling out AI for work like yours?",
        ("Not at all", "Talking about it", "Trying it out", "Already standard"),
        "Get involved in the roll-out: people who shape how AI is used in their field keep "
        "the work that comes with it.",
    ),
    Question(
        "judgment",
        "human_judgment",
        "How much of your work rests on judgement calls with no clear right answer?",
        ("Almost none", "Some", "A good part", "Most of it"),
        "Ask for the decisions: own trade-offs, approvals and calls where someone has to "
        "answer for the outcome.",
    ),
    Question(
        "people",
        "human_judgment",
        "How much of it depends on working with people: clients, patients, colleagues?",
        ("Almost none", "Some", "A good part", "Most of it"),
        "Grow the part of your job that is about people: advising, negotiating, teaching, "
        "looking after clients.",
    ),
    Question(
        "presence",
        "human_judgment",
        "How much of it needs you there in person, with your hands or on site?",
        ("Almost none", "Some", "A good part", "Most of it"),
        "Where it fits your field, add hands-on or on-site skills that a remote system can't "
        "supply.",
    ),
)


@dataclass(frozen=True, slots=True)
class FactorGap:
    factor: str
    own: float
    """1–10 from the person's answers."""
    baseline: float
    """1–10 for the role or occupation compared with."""
    points: int
    """How many points of the 0–100 score this factor's difference is worth (+ = higher)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    own: int
    baseline: int
    baseline_estimated: bool
    """True when the comparison score is our estimate from published ranks, not a pack's."""
    gaps: tuple[FactorGap, ...]
    moves: tuple[str, ...]


def level(score: int) -> str:
    return "low" if score < LOW_BELOW else "high" if score > HIGH_ABOVE else "medium"


def own_factors(answers: dict[str, int]) -> dict[str, float]:
    """Each factor's 1–10 value: the mean of its questions' answer points."""
    result: dict[str, float] = {}
    for factor in FACTOR_NAMES:
        points = [POINTS[answers[q.id]] for q in QUESTIONS if q.factor == factor]
        result[factor] = sum(points) / len(points)
    return result


def own_score(answers: dict[str, int]) -> int:
    return _score(own_factors(answers))


def _from_rank(percentile: int | None) -> float | None:
    return None if percentile is None else 1 + 9 * percentile / 100


def occupation_factors(occ: Occupation) -> dict[str, float]:
    """Our estimate of an occupation's factors from its published ranks (5.5 when missing):
    repetitiveness from Frey & Osborne's automation probability (their model scores routine,
    rule-based work), AI adoption from observed AI use (Tomlinson; else Eloundou's exposure),
    human judgement as the inverse of Eloundou's task exposure."""
    frey = _from_rank(occ.figure("frey").percentile)
    used = _from_rank(occ.figure("tomlinson").percentile)
    exposed = _from_rank(occ.figure("eloundou").percentile)
    return {
        "repetitiveness": frey if frey is not None else 5.5,
        "ai_adoption": used if used is not None else exposed if exposed is not None else 5.5,
        "human_judgment": 11 - exposed if exposed is not None else 5.5,
    }


def pack_factors(pack: RolePack) -> dict[str, float] | None:
    if pack.risk is None:
        return None
    f = pack.risk.factors
    return {name: float(getattr(f, name).score) for name in FACTOR_NAMES}


def _score(factors: dict[str, float]) -> int:
    return formula_score(
        factors["repetitiveness"], factors["ai_adoption"], factors["human_judgment"]
    )


def _points(factor: str, delta: float) -> int:
    sign = -1 if factor == "human_judgment" else 1
    return round(sign * RISK_WEIGHTS[factor] * delta / 9 * 100)


def result(
    answers: dict[str, int],
    baseline: dict[str, float],
    *,
    estimated: bool,
    pack: RolePack | None = None,
) -> CheckResult:
    """The person's score, the comparison, what made the difference and the best three moves."""
    own = own_factors(answers)
    gaps = tuple(
        sorted(
            (
                FactorGap(
                    name, own[name], baseline[name], _points(name, own[name] - baseline[name])
                )
                for name in FACTOR_NAMES
            ),
            key=lambda g: abs(g.points),
            reverse=True,
        )
    )
    gains: list[tuple[float, int, Question]] = []
    for order, q in enumerate(QUESTIONS):
        best = 0 if q.factor != "human_judgment" else len(q.answers) - 1
        moved = dict(answers, **{q.id: best})
        drop = _score(own_factors(answers)) - _score(own_factors(moved))
        if drop > 0:
            gains.append((drop, -order, q))
    gains.sort(key=lambda g: (g[0], g[1]), reverse=True)
    moves = tuple(_move(q, pack) for _, _, q in gains[:3])
    return CheckResult(_score(own), _score(baseline), estimated, gaps, moves)


def _move(q: Question, pack: RolePack | None) -> str:
    """A pack's own protection plan where it has one for this factor, else the general move."""
    plan = pack.protection if pack is not None else None
    if plan is None:
        return q.move
    if q.factor == "ai_adoption":
        tool = plan.tools_to_master[0]
        return f"{q.move} For this role: master {tool.name} — {tool.why}"
    if q.factor == "human_judgment":
        return f"{q.move} For this role: {plan.skills[0]}"
    path = plan.migration_paths[0]
    return f"{q.move} For this role, one way out of routine work: {path.title} — {path.detail}"
