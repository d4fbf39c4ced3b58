"""Should a narrow static win be re-scored too? (issue 10, seventh pass; dev half only.)

The shipped cascade (content/search.py) re-scores a question only when the static matcher would
not answer it directly. Here a static direct answer is re-scored as well when its lead over the
runner-up is below T (``RESCORE_LEAD``) or its score below S (``RESCORE_BELOW``), for a grid of
T and S. Each message is searched twice, once as today (T = S = 0) and once with every static
answer re-scored (T = inf); a setting takes the second result exactly for the static answers it
would re-score, which is what the matcher does with that setting. Reported per setting: dev
top-1, MRR@3, direct share and precision, right card seen, told off-topic, off-topic answered
directly / offered buttons, the held-out pack phrasings' top-1 (each asked, role chosen,
against indexes without it), the share of dev's searched messages and of all bench messages
that pay for the transformer (for the test half only whether it pays is read, never whether it
was right), and a 5-fold cross-validation within dev (T chosen by MRR@3 on four fifths, scored
on the fifth).

    .venv/bin/python -m bench.rescore_probe [--no-held-out]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import content.search as search
from bench.embed_probe import held_out_cases
from bench.faq_eval import load_questions
from content.loader import load_library
from content.search import ContentIndex, SearchResult
from content.understanding.embed import StaticEmbedder
from content.understanding.smalltalk import small_talk

LEADS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.75, 1.0, math.inf)
BELOWS = (0.0, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0)


@dataclass(frozen=True, slots=True)
class Pair:
    kind: str
    gold: tuple[str, ...]
    today: SearchResult
    every: SearchResult
    """The same message with every static direct answer re-scored."""

    def static_answer(self) -> bool:
        return self.today.decision == "answer" and not self.today.cascaded

    def lead(self) -> float:
        hits = self.today.hits
        return hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)

    def pick(self, lead: float, below: float) -> SearchResult:
        if self.static_answer() and (self.lead() < lead or self.today.hits[0].score < below):
            return self.every
        return self.today


def _search(index: ContentIndex, text: str, role: str | None, limit: int = 3) -> SearchResult:
    return index.search(text, role_id=role, limit=limit)


def both(index: ContentIndex, text: str, role: str | None) -> tuple[SearchResult, SearchResult]:
    kept = search.RESCORE_LEAD, search.RESCORE_BELOW
    try:
        search.RESCORE_LEAD, search.RESCORE_BELOW = 0.0, 0.0
        today = _search(index, text, role)
        search.RESCORE_LEAD = math.inf
        every = _search(index, text, role)
    finally:
        search.RESCORE_LEAD, search.RESCORE_BELOW = kept
    return today, every


def pairs(index: ContentIndex, split: str) -> list[Pair]:
    out = []
    for item in load_questions(split):
        if item["kind"] == "smalltalk" or small_talk(item["q"]) is not None:
            continue
        today, every = both(index, item["q"], item["role"])
        out.append(Pair(item["kind"], tuple(item["gold"]), today, every))
    return out


def _rank(result: SearchResult, gold: tuple[str, ...]) -> int | None:
    refs = [h.ref for h in result.hits[:3]]
    return next((r for r, ref in enumerate(refs, 1) if ref in gold), None)


def figures(dev: list[Pair], n_answerable: int, lead: float, below: float) -> dict[str, float]:
    top1 = rr = direct = right = seen = lost = off_direct = off_choose = paid = 0.0
    for p in dev:
        result = p.pick(lead, below)
        paid += result.cascaded
        if p.kind == "offtopic":
            off_direct += result.decision == "answer"
            off_choose += result.decision == "choose"
            continue
        r = _rank(result, p.gold)
        top1 += r == 1
        rr += 1 / r if r else 0.0
        if result.decision == "answer":
            direct += 1
            right += r == 1
        seen += {"answer": r == 1, "choose": r is not None, "none": False}[result.decision]
        lost += result.decision == "none"
    n = n_answerable
    return {
        "top1": top1 / n,
        "mrr": rr / n,
        "rr": rr,
        "direct": direct / n,
        "precision": right / direct if direct else 1.0,
        "seen": seen / n,
        "lost": lost,
        "off_direct": off_direct,
        "off_choose": off_choose,
        "paid": paid / len(dev),
    }


def held_out(library, table) -> list[Pair]:  # type: ignore[no-untyped-def]
    out = []
    for index, question, role, ref in held_out_cases(library, table):
        today, every = both(index, question, role)
        out.append(Pair("held", (ref,), today, every))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-held-out", action="store_true")
    args = parser.parse_args()
    library = load_library()
    table = StaticEmbedder.load()
    index = ContentIndex(library, embedder=table)
    dev = pairs(index, "dev")
    # Dev's answerable count includes the questions taken for small talk (scored 0), as faq_eval.
    n = sum(q["kind"] not in ("offtopic", "smalltalk") for q in load_questions("dev"))
    rest = pairs(index, "test")  # only whether each pays is read below, never its answer
    held = [] if args.no_held_out else held_out(library, table)
    settings = [(t, 0.0) for t in LEADS] + [(0.0, s) for s in BELOWS[1:]]
    settings += [(0.3, 1.5), (0.4, 1.5), (0.5, 1.5)]
    print(
        "T lead  S score | dev top-1  MRR@3 (sum)  direct  precision  seen  told-off | off-topic "
        "answered/buttons | held-out top-1 | pays: dev searched, all bench searched"
    )
    for lead, below in settings:
        f = figures(dev, n, lead, below)
        all_paid = sum(p.pick(lead, below).cascaded for p in dev + rest) / len(dev + rest)
        held_top = (
            sum(p.pick(lead, below).hits[0].ref == p.gold[0] for p in held) / len(held)
            if held
            else float("nan")
        )
        print(
            f"{lead:>6g}  {below:>6g} | {f['top1']:.3f}  {f['mrr']:.3f} ({f['rr']:.2f})"
            f"  {f['direct']:.2f}  {f['precision']:.3f}  {f['seen']:.3f}  {f['lost']:.0f}"
            f" | {f['off_direct']:.0f}/{f['off_choose']:.0f} | {held_top:.3f}"
            f" | {f['paid']:.2f}, {all_paid:.2f}"
        )
    # Cross-validation within dev: T (lead only) chosen by MRR@3 on four fifths of the answerable
    # dev questions (ties: the smaller T), scored on the fifth; off-topic must stay unanswered.
    answerable = [p for p in dev if p.kind != "offtopic"]
    offtopic = [p for p in dev if p.kind == "offtopic"]
    fold = [k % 5 for k in range(len(answerable))]
    nested_rr = nested_top = 0.0
    today_rr = today_top = 0.0
    for k in range(5):
        train = [p for p, f in zip(answerable, fold, strict=True) if f != k] + offtopic
        test = [p for p, f in zip(answerable, fold, strict=True) if f == k]
        best = max(
            LEADS,
            key=lambda t: (
                figures(train, len(train), t, 0.0)["off_direct"] == 0,
                round(figures(train, len(train), t, 0.0)["rr"], 6),
                -t,
            ),
        )
        got = figures(test, len(test), best, 0.0)
        base = figures(test, len(test), 0.0, 0.0)
        nested_rr += got["rr"]
        nested_top += got["top1"] * len(test)
        today_rr += base["rr"]
        today_top += base["top1"] * len(test)
        print(
            f"  fold {k}: T {best:g} chosen on the others; here MRR@3 {got['mrr']:.3f} "
            f"(T 0: {base['mrr']:.3f}), top-1 {got['top1']:.3f} (T 0: {base['top1']:.3f})"
        )
    m = len(answerable)
    print(
        f"nested ({m} answerable dev questions searched): MRR@3 {nested_rr / m:.3f}, top-1 "
        f"{nested_top / m:.3f}; T 0: MRR@3 {today_rr / m:.3f}, top-1 {today_top / m:.3f}"
    )


if __name__ == "__main__":
    main()
