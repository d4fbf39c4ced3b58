"""The cascade of bench/cascade.py (issue 10, fifth pass): when the transformer would be paid
for, and that it re-ranks only the static ranking's best K units. Its figures are in
bench/RESULTS.md; the weights it needs are not in the repository, so these check the rules."""

from __future__ import annotations

import math

from bench.cascade import Case, cascade_refs, pays
from content.search import Decision, Hit, SearchResult
from content.understanding.units import Unit


def _result(decision: Decision, *scores: float) -> SearchResult:
    hits = [
        Hit(Unit(key=f"u{n}", kind="faq", scope="mle", title="", questions=()), s, s, 0.6)
        for n, s in enumerate(scores)
    ]
    return SearchResult(hits, decision, [])


def test_the_transformer_is_paid_for_only_when_the_static_matcher_is_unsure() -> None:
    assert pays(_result("choose", 1.0, 0.95), "whats the pay", 0.0)
    assert pays(_result("none", 0.3, 0.2), "how tall is everest", 0.0)
    assert not pays(_result("none", 0.3, 0.2), "how tall is everest", -1.0)  # close calls only
    assert not pays(_result("none", 0.3, 0.2), "test", math.inf)  # checking the bot is alive
    confident = _result("answer", 1.6, 1.3)
    assert not pays(confident, "will ai replace ml engineers", 0.2)
    assert pays(confident, "will ai replace ml engineers", 0.4)


def test_only_the_best_k_static_units_are_re_ranked() -> None:
    static = _result("choose", 1.0, 0.99, 0.98, 0.5)
    rescored = {"mle/u0": 1.0, "mle/u1": 2.0, "mle/u2": 3.0, "mle/u3": 9.0}
    case = Case(("mle/u2",), "whats the pay", static, rescored)
    assert cascade_refs(case, 3, 0.0) == ["mle/u2", "mle/u1", "mle/u0"]  # u3 is not in the top 3
    assert cascade_refs(case, 2, 0.0) == ["mle/u1", "mle/u0"]
    sure = Case(("mle/u2",), "whats the pay", _result("answer", 2.0, 1.0), rescored)
    assert cascade_refs(sure, 3, 0.5) == ["mle/u0", "mle/u1"]  # not paid for: static order
