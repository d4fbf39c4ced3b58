"""A cascade: the static matcher first, the transformer only where the static matcher is unsure.

Since the sixth pass the bot ships it (content/search.py, content/understanding/encoder.py):
``python -m bench.cascade`` gives the shipped cascade's dev and held-out figures beside the
static matcher's, and ``--time`` its CPU time per message. The rest is the fifth pass's probe.

Issue 10, fifth pass (bench/RESULTS.md). The real MiniLM transformer ranks better on dev than
the static table (fourth pass: top-1 0.924 → 0.943) but costs ~7.5 ms of one core per question,
so it cannot run on every question. Here it runs only when the static matcher's decision is not
a direct answer (a close call, or nothing close for a question that is not a probe like "test"),
or when its answer leads the runner-up by less than a margin; it then re-scores only the static
ranking's best K units with the fused score of bench/context_probe.py (mix and weight as given).
Reported: dev top-1 and MRR@3 of the cascade's ranking, the share of dev questions and of all
bench messages (small talk and off-topic included; for the test half only the static decision
is read, never whether it was right) that would pay for the transformer, and with ``timing``
the CPU time per question of the whole cascade.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import content.search as search
from bench.embed_probe import held_out_cases
from bench.faq_eval import load_questions
from content.loader import load_library
from content.search import ContentIndex, SearchResult
from content.understanding.smalltalk import is_probe, small_talk

DEPTHS = (5, 10, 20)
"""How many of the static ranking's best units the transformer re-scores."""
MARGINS = (-1.0, 0.0, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, math.inf)
"""A direct answer leading by less than this still pays (0: only close calls and "none";
below the matcher's own ANSWER_MARGIN, 0.15, a margin adds nothing; inf: every question). A
negative margin pays for close calls only: "none" is mostly off-topic, half the bench's cost."""
ROUTER_QUESTION = "will AI replace ML engineers?"
"""bench/router.py's free-text message: the cascade must leave it to the static matcher."""


def pays(result: SearchResult, text: str, margin: float) -> bool:
    """Whether the cascade would run the transformer for this static result."""
    if result.decision == "choose":
        return True
    if result.decision == "none":
        return margin >= 0 and not is_probe(text)
    hits = result.hits
    return hits[0].score - (hits[1].score if len(hits) > 1 else 0.0) < margin


@dataclass(frozen=True, slots=True)
class Case:
    """A dev question: its gold, the static ranking, and every reachable unit's fused score
    with the transformer (what the cascade would re-rank by)."""

    gold: tuple[str, ...]
    text: str
    static: SearchResult
    rescored: dict[str, float]


def _rank(refs: Sequence[str], gold: Sequence[str]) -> int | None:
    return next((r for r, ref in enumerate(refs[:3], 1) if ref in gold), None)


def cascade_refs(case: Case, depth: int, margin: float) -> list[str]:
    """The cascade's ranking: the static one, or its best ``depth`` units re-scored (ties keep
    the static order)."""
    static = [hit.ref for hit in case.static.hits]
    if not pays(case.static, case.text, margin):
        return static
    return sorted(static[:depth], key=lambda ref: -case.rescored[ref])


def dev_cases(static: ContentIndex, mixed: ContentIndex, weight: float) -> list[Case | None]:
    """Every answerable dev question (None for one taken for small talk, which scores 0 as in
    bench/faq_eval.py)."""
    kept = search.DENSE_WEIGHT
    cases: list[Case | None] = []
    try:
        for item in load_questions("dev"):
            if item["kind"] in ("offtopic", "smalltalk"):
                continue
            if small_talk(item["q"]) is not None:
                cases.append(None)
                continue
            search.DENSE_WEIGHT = kept
            first = static.search(item["q"], role_id=item["role"], limit=max(DEPTHS))
            search.DENSE_WEIGHT = weight
            every = mixed.search(item["q"], role_id=item["role"], limit=100_000).hits
            scores = {hit.ref: hit.score for hit in reversed(every)}
            cases.append(Case(tuple(item["gold"]), item["q"], first, scores))
    finally:
        search.DENSE_WEIGHT = kept
    return cases


def pay_share(static: ContentIndex, split: str, margin: float) -> float:
    """Share of a split's messages that would pay for the transformer; small talk is answered
    before any search and never pays. Reads only the static decision."""
    items = load_questions(split)
    paid = sum(
        small_talk(item["q"]) is None
        and pays(static.search(item["q"], role_id=item["role"]), item["q"], margin)
        for item in items
    )
    return paid / len(items)


def report(static: ContentIndex, mixed: ContentIndex, weight: float) -> None:
    """Dev top-1 / MRR@3 and the shares paying, for every depth and margin."""
    cases = dev_cases(static, mixed, weight)
    real = [c for c in cases if c is not None]
    n = len(cases)

    def figures(ranking: Callable[[Case], list[str]]) -> str:
        ranks = [_rank(ranking(c), c.gold) for c in real]
        top1 = sum(r == 1 for r in ranks) / n
        mrr = sum(1 / r for r in ranks if r) / n
        return f"top-1 {top1:.3f}  MRR@3 {mrr:.3f}"

    print(f"  static alone      {figures(lambda c: [h.ref for h in c.static.hits])}")
    every = figures(lambda c: sorted(c.rescored, key=lambda r: -c.rescored[r]))
    print(f"  transformer, all  {every}")
    router = static.search(ROUTER_QUESTION)
    for margin in MARGINS:
        dev_paid = sum(pays(c.static, c.text, margin) for c in real) / n
        shares = (
            f"pays: dev answerable {dev_paid:.2f}, dev messages "
            f"{pay_share(static, 'dev', margin):.2f}, all bench messages "
            f"{pay_share(static, 'all', margin):.2f}; router question "
            f"{'pays' if pays(router, ROUTER_QUESTION, margin) else 'static'}"
        )
        label = "close calls only" if margin < 0 else f"margin {margin:g}"
        print(f"  {label:<16} {shares}")
        for depth in DEPTHS:
            ranked = figures(lambda c, d=depth, m=margin: cascade_refs(c, d, m))
            print(f"    K {depth:<3} {ranked}")


def held_out(static: object, mixed: object, weight: float, margins: Sequence[float]) -> None:
    """The packs' own phrasings, each asked (role chosen) against indexes built without it
    (bench/embed_probe.py's check), ranked by the cascade at K 10 for each margin: a check on
    text the bench did not tune."""
    kept = search.DENSE_WEIGHT
    right = dict.fromkeys(margins, 0)
    asked = alone = 0
    library = load_library()
    try:
        for (first, question, role, ref), (second, *_) in zip(
            held_out_cases(library, static),  # type: ignore[arg-type]
            held_out_cases(library, mixed),  # type: ignore[arg-type]
            strict=True,
        ):
            search.DENSE_WEIGHT = kept
            result = first.search(question, role_id=role, limit=max(DEPTHS))
            search.DENSE_WEIGHT = weight
            every = second.search(question, role_id=role, limit=100_000).hits
            case = Case((ref,), question, result, {h.ref: h.score for h in reversed(every)})
            asked += 1
            alone += result.hits[0].ref == ref
            for margin in margins:
                right[margin] += cascade_refs(case, 10, margin)[:1] == [ref]
    finally:
        search.DENSE_WEIGHT = kept
    cells = "  ".join(f"{margin:g}: {right[margin] / asked:.3f}" for margin in margins)
    print(
        f"  held-out phrasings ({asked}) top-1: static {alone / asked:.3f}; K 10, by margin"
        f"  {cells}"
    )


def timing(
    static: ContentIndex, mixed: ContentIndex, weight: float, depth: int, margin: float
) -> None:
    """CPU time of the process per bench message that reaches a search (every split: only the
    cost is read), the cascade as a whole: the static search, then for a question that pays the
    transformer's vector of the question (``mixed`` must compute it anew each time) and the
    fused search with it (all units re-scored: an upper bound on re-scoring ``depth``). Run it
    under ``taskset -c 0`` with one BLAS thread, so all of it is one core's time."""
    questions = [q for q in load_questions("all") if small_talk(q["q"]) is None]
    kept = search.DENSE_WEIGHT
    for index in (static, mixed):  # every scope and the pool built before the clock starts
        index.warm()
        index.pool()
    every: list[float] = []
    paying: list[float] = []
    alone: list[float] = []
    """The static search's part of each question's time: today's matcher, in the same run."""
    try:
        for _ in range(3):
            for q in questions:
                started = time.process_time()
                search.DENSE_WEIGHT = kept
                first = static.search(q["q"], role_id=q["role"], limit=depth)
                alone.append(time.process_time() - started)
                paid = pays(first, q["q"], margin)
                if paid:
                    search.DENSE_WEIGHT = weight
                    mixed.search(q["q"], role_id=q["role"], limit=depth)
                every.append(time.process_time() - started)
                if paid:
                    paying.append(every[-1])
    finally:
        search.DENSE_WEIGHT = kept
    for name, values in (("static alone", alone), ("cascade", every), ("those paying", paying)):
        values = sorted(values)
        p50, p99 = values[len(values) // 2], values[int(0.99 * len(values))]
        print(
            f"  {name:<15} n {len(values):>4}  CPU ms p50 {p50 * 1e3:.2f}  p99 {p99 * 1e3:.2f}"
            f"  max {values[-1] * 1e3:.2f}  mean {np.mean(values) * 1e3:.2f}"
        )


def shipped(depths: Sequence[int | None]) -> None:
    """The shipped cascade (content/search.py) on dev and on the held-out pack phrasings, for
    each depth (None: every unit searched), beside the static matcher alone."""
    from bench.embed_probe import held_out as held_out_static
    from bench.faq_eval import evaluate, overall
    from content.understanding.embed import StaticEmbedder
    from content.understanding.encoder import default_encoder

    library = load_library()
    table = StaticEmbedder.load()
    kept = search.CASCADE_DEPTH
    encoder = search.default_encoder
    try:
        for depth in [-1, *depths]:
            if depth == -1:
                search.default_encoder = lambda: None  # type: ignore[assignment]
            else:
                search.default_encoder = encoder
                search.CASCADE_DEPTH = depth
            tallies = evaluate(ContentIndex(library, embedder=table), "dev")
            total, off = overall(tallies), tallies["offtopic"]
            precision = total.direct_right / total.direct if total.direct else 1.0
            label = "static alone" if depth == -1 else f"cascade, depth {depth or 'all'}"
            print(
                f"{label:<22} dev top-1 {total.top1 / total.n:.3f}  MRR@3 "
                f"{total.rr / total.n:.3f}  direct {total.direct / total.n:.2f}  precision "
                f"{precision:.3f}  seen {total.seen / total.n:.3f}  told off-topic {total.lost}"
                f"  off-topic answered {off.direct}, buttons {off.choose}; held-out phrasings "
                f"{held_out_static(library, table):.3f}"
            )
    finally:
        search.CASCADE_DEPTH = kept
        search.default_encoder = encoder
    del default_encoder


def time_shipped(rounds: int = 3) -> None:
    """CPU time of the process per bench message that reaches a search (every split: only the
    cost is read), the shipped matcher with and without the transformer, interleaved message
    by message; every index warmed (scopes, pool, unit vectors) before the clock starts, and no
    question's vector is remembered, so each paying question runs its own forward pass. Run it
    as ``OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python -m bench.cascade --time``."""
    library = load_library()
    questions = [q for q in load_questions("all") if small_talk(q["q"]) is None]
    cascade = ContentIndex(library)
    static = ContentIndex(library, embedder=cascade.embedder, encoder=None)
    for index in (static, cascade):
        index.warm()
        index.prepare()
        for q in questions[:20]:
            index.search(q["q"], role_id=q["role"])
    rows: dict[str, list[float]] = {"static alone": [], "cascade": [], "those paying": []}
    for _ in range(rounds):
        for q in questions:
            started = time.process_time()
            static.search(q["q"], role_id=q["role"])
            rows["static alone"].append(time.process_time() - started)
            started = time.process_time()
            result = cascade.search(q["q"], role_id=q["role"])
            rows["cascade"].append(time.process_time() - started)
            if result.cascaded:
                rows["those paying"].append(rows["cascade"][-1])
    print(f"{len(questions)} messages x {rounds} rounds, CPU time of the process")
    for name, values in rows.items():
        values = sorted(values)
        p50, p99 = values[len(values) // 2], values[int(0.99 * len(values))]
        print(
            f"  {name:<13} n {len(values):>4}  ms p50 {p50 * 1e3:.2f}  p99 {p99 * 1e3:.2f}"
            f"  max {values[-1] * 1e3:.2f}  mean {np.mean(values) * 1e3:.2f}"
        )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the shipped cascade: dev and held-out figures")
    parser.add_argument("--depths", nargs="+", default=["10", "all"])
    parser.add_argument("--time", action="store_true", help="only CPU time per message")
    args = parser.parse_args()
    if args.time:
        time_shipped()
    else:
        shipped([None if d == "all" else int(d) for d in args.depths])
