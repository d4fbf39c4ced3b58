"""How well free text finds the right answer, on held-out questions (bench/faq_queries.yaml).

Reports MRR@3, Hit@1 and Hit@3 over the three hits the bot can show, and for the answers it
gives directly (the "confident" ones) how often they are right.

    .venv/bin/python -m bench.faq_eval [--verbose]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from content.loader import load_library
from content.search import ContentIndex

QUERIES = Path(__file__).with_name("faq_queries.yaml")


@dataclass(frozen=True)
class Evaluation:
    n: int
    mrr: float
    hit1: float
    hit3: float
    confident: int
    confident_right: int
    misses: list[tuple[str, str, list[str]]]

    @property
    def mrr_stderr(self) -> float:
        return 0.4 / math.sqrt(self.n)


def evaluate(index: ContentIndex, role_id: str = "mle") -> Evaluation:
    queries = yaml.safe_load(QUERIES.read_text())
    rr: list[float] = []
    hit1 = hit3 = confident = confident_right = 0
    misses = []
    for item in queries:
        result = index.search(item["q"], role_id=role_id)
        found = [f"{h.kind}:{h.ref}" for h in result.hits[:3]]
        rank = found.index(item["gold"]) + 1 if item["gold"] in found else None
        rr.append(1 / rank if rank else 0.0)
        hit1 += rank == 1
        hit3 += rank is not None
        if result.confident:
            confident += 1
            confident_right += rank == 1
        if rank != 1:
            misses.append((item["q"], item["gold"], found))
    n = len(queries)
    return Evaluation(n, sum(rr) / n, hit1 / n, hit3 / n, confident, confident_right, misses)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    result = evaluate(ContentIndex(load_library()))
    print(
        f"queries {result.n}  MRR@3 {result.mrr:.3f} (±{result.mrr_stderr:.2f})  "
        f"Hit@1 {result.hit1:.3f}  Hit@3 {result.hit3:.3f}"
    )
    print(
        f"answered directly {result.confident}/{result.n}, of which right {result.confident_right}"
    )
    if args.verbose:
        for query, gold, found in result.misses:
            print(f"  miss: {query!r} want {gold} got {found}")


if __name__ == "__main__":
    main()
