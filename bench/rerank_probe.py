"""Would a small learned re-ranker over the matcher's first pass help? (Issue 10, second pass.)

Trained only on the packs' own phrasings, never on bench questions: each example or also-asked
phrasing (not a unit's own name) is asked, with its role chosen, against an index built without
it, and the first pass's six best units become one case, labelled by the unit the phrasing
belongs to. Features per (question, candidate): the fused score and how far it is behind the
leader, the BM25 share, the cosine and its parts (best phrasing, second best, centroid,
content), first-pass rank, a code or phrasing named outright, the share of the question's words
in the card's title, the share found in no other candidate's phrasings, how many phrasings the
unit has, and its kind. A conditional logit (softmax over the candidates, L2 penalty) is fitted
by Newton's method in plain numpy.

Reported: the held-out phrasings' top-1 before and after (5-fold cross-validated over them),
and the split's top-1 / MRR@3 with the candidates re-ordered. The matcher does not use it: on
2026-11-30 it did not beat the first pass (see bench/RESULTS.md).

    .venv/bin/python -m bench.rerank_probe [--split dev] [--l2 0.1 1 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import math

import numpy as np

from bench.faq_eval import load_questions
from content.loader import Library, load_library
from content.search import ContentIndex, Hit
from content.understanding.embed import StaticEmbedder
from content.understanding.smalltalk import small_talk
from content.understanding.text import terms

CANDIDATES = 6
KINDS = ("faq", "section", "cert", "compare")


def features(index: ContentIndex, text: str, hits: list[Hit]) -> np.ndarray:
    """One row per candidate, in first-pass order."""
    asked = {t for t in terms(index._markers.mark(text)) if t[0] not in "@#"}
    phrased = [
        {t for q in hit.unit.questions for t in terms(index._markers.mark(q))} for hit in hits
    ]
    rows = []
    for r, hit in enumerate(hits):
        scope = index.scope(hit.unit.scope)
        i = scope.units.index(hit.unit)
        assert index.embedder is not None and scope.vectors is not None
        assert scope.content_vectors is not None
        vector = index.embedder.embed(index._markers.strip(text, hit.unit.scope or None))
        sims = np.sort(scope.vectors[scope.dense_unit == i] @ vector)
        others = set().union(*(p for k, p in enumerate(phrased) if k != r))
        title = {t for t in terms(index._markers.mark(hit.unit.title)) if t[0] not in "@#"}
        share = 1 / len(asked) if asked else 0.0
        rows.append(
            [
                hit.score,
                hit.score - hits[0].score,
                hit.lexical,
                hit.dense,
                sims[-1],
                sims[-2] if len(sims) > 1 else sims[-1],
                float(scope.centroids[i] @ vector),
                float(scope.content_vectors[i] @ vector),
                r == 0,
                1 / (r + 1),
                hit.named,
                len(asked & title) * share,
                len(asked & (phrased[r] - others)) * share,
                math.log1p(len(hit.unit.questions)),
                *(hit.unit.kind == k for k in KINDS),
            ]
        )
    return np.array(rows, dtype=np.float64)


def held_out_cases(library: Library, embedder: StaticEmbedder) -> tuple[list, int]:
    """(features, right candidate) per held-out phrasing whose unit is among the candidates,
    and how many phrasings were asked in all."""
    cases = []
    asked_in_all = 0
    base = ContentIndex(library, embedder=embedder, pooled=False)
    for pack in library.packs:
        units = base._units_of(pack.id)
        for u, unit in enumerate(units):
            for j in range(1, len(unit.questions)):
                asked = unit.questions[j]
                kept = unit.questions[:j] + unit.questions[j + 1 :]
                if asked in kept:
                    continue
                held = [*units[:u], dataclasses.replace(unit, questions=kept), *units[u + 1 :]]
                index = ContentIndex(library, embedder=embedder, pooled=False)
                index._units_of = lambda s, held=held, p=pack.id: (  # type: ignore[method-assign]
                    held if s == p else base._units_of(s)
                )
                asked_in_all += 1
                hits = index.search(asked, role_id=pack.id, limit=CANDIDATES).hits
                refs = [hit.ref for hit in hits]
                if unit.ref in refs:
                    cases.append((features(index, asked, hits), refs.index(unit.ref)))
    return cases, asked_in_all


def fit(cases: list, l2: float, rounds: int = 50) -> np.ndarray:
    """Weights maximising the softmax likelihood of the right candidate, minus l2·|w|²/2."""
    w = np.zeros(cases[0][0].shape[1])
    for _ in range(rounds):
        grad = -l2 * w
        hess = -l2 * np.eye(len(w))
        for x, right in cases:
            p = np.exp(x @ w - (x @ w).max())
            p /= p.sum()
            mean = p @ x
            grad += x[right] - mean
            hess -= (x * p[:, None]).T @ x - np.outer(mean, mean)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", "test"])
    parser.add_argument("--l2", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    args = parser.parse_args()
    library = load_library()
    embedder = StaticEmbedder.load()
    cases, asked = held_out_cases(library, embedder)
    first = sum(right == 0 for _, right in cases)
    print(f"held-out phrasings: {asked}; first pass top-1 {first / asked:.3f}")
    index = ContentIndex(library, embedder=embedder)
    questions = [
        (q, index.search(q["q"], role_id=q["role"], limit=CANDIDATES).hits)
        for q in load_questions(args.split)
        if q["kind"] not in ("smalltalk", "offtopic") and small_talk(q["q"]) is None
    ]
    rows = [
        (features(index, q["q"], hits), [h.ref for h in hits], q["gold"]) for q, hits in questions
    ]
    for l2 in [None, *args.l2]:
        folds = []
        for k in range(5):
            train = [c for n, c in enumerate(cases) if n % 5 != k]
            w = fit(train, l2) if l2 is not None else None
            test = [c for n, c in enumerate(cases) if n % 5 == k]
            folds += [(np.argmax(x @ w) if w is not None else 0) == r for x, r in test]
        w = fit(cases, l2) if l2 is not None else None
        top1 = mrr = 0.0
        for x, refs, gold in rows:
            order = np.argsort(-(x @ w), kind="stable")[:3] if w is not None else range(3)
            rank = next((n for n, i in enumerate(order, 1) if i < len(refs) and refs[i] in gold), 0)
            top1 += rank == 1
            mrr += 1 / rank if rank else 0.0
        name = "first pass" if l2 is None else f"re-ranked, l2 {l2}"
        print(
            f"{name:<22} held-out top-1 (5-fold) {sum(folds) / asked:.3f}   {args.split} top-1 "
            f"{top1 / len(rows):.3f}  MRR@3 {mrr / len(rows):.3f}"
        )


if __name__ == "__main__":
    main()
