"""Question matching speed: start-up added, and latency per question at 1, 10 and 100 packs.

Packs beyond the real ones are copies of the full Machine Learning Engineer pack under new ids
and names (the worst case: every pack as big as the biggest). Latency is CPU time on one core
over every question in bench/questions.yaml, with the asker's role chosen and with none chosen.
With none chosen every pack may answer: the pool of all packs' units (what the bot does) and
the reference it must equal, every pack's index searched in turn, are timed in the same run,
round by round. "First pass" is the first time each question is asked (spelling corrections
not yet cached); the pool is built before it, and its build time is shown apart (a bot reads
a saved pool at start instead).

    .venv/bin/python -m bench.understand [--packs 1 10 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import yaml

from bench.faq_eval import QUESTIONS
from content.loader import Library, load_library
from content.schema import RolePack
from content.search import ContentIndex
from content.understanding.embed import StaticEmbedder

STARTUP = """
import time
t0 = time.perf_counter()
from content.loader import load_library
library = load_library()
t1 = time.perf_counter()
import numpy
t2 = time.perf_counter()
from content.search import ContentIndex
index = ContentIndex(library{embedder})
index.warm()
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def library_of(n: int) -> Library:
    """The real packs, then copies of the full pack until there are ``n`` full packs."""
    real = load_library()
    full = real.get("mle")
    assert full is not None
    packs = list(real.packs)
    for i in range(1, n):
        data = full.model_dump()
        data.update(id=f"mle-{i}", title=f"Copy {i} of {full.title}", aliases=[])
        packs.append(RolePack.model_validate(data))
    return Library(packs)


def startup(embedder: str) -> tuple[float, float, float]:
    """Seconds to load the packs, to import numpy and to build every scope of the index
    (model loaded when ``embedder`` is empty), in a fresh interpreter."""
    code = STARTUP.format(embedder=embedder)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    load, numpy, build = (float(x) for x in out.split())
    return load, numpy, build


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def one_pass(index: ContentIndex, role: str | None, questions: list[str]) -> list[float]:
    """CPU seconds of each question (what one core spends; the shared box's scheduling noise
    stays out)."""
    times: list[float] = []
    for q in questions:
        t0 = time.thread_time()
        index.search(q, role_id=role)
        times.append(time.thread_time() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packs", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    runs = [startup(", embedder=None") for _ in range(3)] + [startup("") for _ in range(3)]
    lexical_only = min(r[2] for r in runs[:3])
    full = min(r[2] for r in runs[3:])
    print(
        f"start-up, real packs (best of 3): load packs {min(r[0] for r in runs):.3f} s; import "
        f"numpy {min(r[1] for r in runs):.3f} s; every scope built: without vectors "
        f"{lexical_only:.3f} s, with the model loaded and vectors {full:.3f} s"
    )
    embedder = StaticEmbedder.load()
    questions = [q["q"] for q in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))]
    print("CPU ms per question: p50 / p99; pool: its arrays' size and CPU seconds to build")
    print(
        f"{'packs':>5} {'pool MB':>7} {'build s':>7} {'role chosen':>13} {'none: pool':>13} "
        f"{'each in turn':>13} {'1st pass pool':>14} {'1st pass each, total s':>22}"
    )
    for n in args.packs:
        library = library_of(n)
        pooled = ContentIndex(library, embedder=embedder)
        each = ContentIndex(library, embedder=embedder, pooled=False)
        t0 = time.thread_time()
        pool = pooled.pool()
        build = time.thread_time() - t0
        size = sum(a.nbytes for a in pool.arrays.values()) / 1e6
        first_pool = one_pass(pooled, None, questions)
        first_each = one_pass(each, None, questions)  # builds every pack's index
        one_pass(pooled, "mle", questions)  # the chosen role's index, as the old first pass
        chosen: list[float] = []
        anyone: list[float] = []
        in_turn: list[float] = []
        for _ in range(args.rounds):
            chosen += one_pass(pooled, "mle", questions)
            anyone += one_pass(pooled, None, questions)
            in_turn += one_pass(each, None, questions)
        print(
            f"{n:>5} {size:7.1f} {build:7.2f} {_pp(chosen):>13} {_pp(anyone):>13} "
            f"{_pp(in_turn):>13} {_pp(first_pool):>14} {sum(first_each):22.2f}",
            flush=True,
        )


def _pp(values: list[float]) -> str:
    return f"{pct(values, 0.5):.2f} / {pct(values, 0.99):.2f}"


if __name__ == "__main__":
    main()
