"""Question matching speed: start-up added, and latency per question at 1, 10 and 100 packs.

Packs beyond the real ones are copies of the full Machine Learning Engineer pack under new ids
and names (the worst case: every pack as big as the biggest). Latency is measured on one core
over every question in bench/questions.yaml, with the asker's role chosen and with none chosen
(which searches every pack).

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


def latencies(index: ContentIndex, role: str | None, rounds: int) -> tuple[list[float], float]:
    """CPU seconds per question (what one core spends; the shared box's scheduling noise
    stays out), and the wall seconds of the first pass (it builds the scopes it reaches)."""
    questions = [q["q"] for q in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))]
    t0 = time.perf_counter()
    for q in questions:
        index.search(q, role_id=role)
    first = time.perf_counter() - t0
    times: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.thread_time()
            index.search(q, role_id=role)
            times.append(time.thread_time() - t0)
    return times, first


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
    print(
        f"{'packs':>6} {'role p50':>9} {'role p99':>9} {'none p50':>9} {'none p99':>9} "
        f"{'first pass, role / none':>24}   (CPU ms per question)"
    )
    for n in args.packs:
        index = ContentIndex(library_of(n), embedder=embedder)
        chosen, first_chosen = latencies(index, "mle", args.rounds)
        anyone, first_any = latencies(index, None, args.rounds)
        print(
            f"{n:>6} {pct(chosen, 0.5):9.2f} {pct(chosen, 0.99):9.2f} {pct(anyone, 0.5):9.2f} "
            f"{pct(anyone, 0.99):9.2f} {first_chosen:11.2f} s / {first_any:6.2f} s"
        )


if __name__ == "__main__":
    main()
