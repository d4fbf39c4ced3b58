"""Occupation lookup over the whole data set, and the start-up time the occupation data adds.

Run on one core: ``taskset -c 0 .venv/bin/python -m bench.occupations``. Targets: lookup p99
under 5 ms per query; start-up added under 0.3 s.

Queries (all derived from the shipped data, so every occupation is covered): each official
title, the first reported title of each occupation, every alias, a one-letter typo of each title
(a letter dropped from its longest word), each SOC code, and nonsense words. Every query is timed
with the lookup's caches cleared first, so each pays the full cost (typo correction included).

Start-up: a fresh interpreter per run imports the occupation package, loads and validates the
CSV and builds the lookup index; the role packs' load is timed in the same runs for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from content.occupations import OccupationIndex, load_occupations

STARTUP = """
import time
t0 = time.perf_counter()
from content.loader import load_library
library = load_library()
t1 = time.perf_counter()
from content.occupations import OccupationIndex, load_occupations
data = load_occupations(pack_ids={p.id for p in library.packs})
OccupationIndex(data)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _typo(title: str) -> str:
    words = title.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 5:
        words[longest] = word[: len(word) // 2] + word[len(word) // 2 + 1 :]
    return " ".join(words)


def queries(index: OccupationIndex) -> dict[str, list[str]]:
    data = index.data
    return {
        "official title": [o.title for o in data.occupations],
        "reported title": [o.reported_titles[0] for o in data.occupations if o.reported_titles],
        "alias": list(data.aliases.names),
        "typo": [_typo(o.title) for o in data.occupations],
        "SOC code": [o.soc for o in data.occupations],
        "nonsense": [f"qzx{i}vrb wlk" for i in range(200)],
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def lookup(index: OccupationIndex) -> None:
    print("| queries | n | p50 ms | p99 ms | max ms | found one | few/many | none |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    everything: list[float] = []
    for name, batch in queries(index).items():
        times: list[float] = []
        kinds: dict[str, int] = {"one": 0, "few": 0, "many": 0, "none": 0}
        for text in batch:
            index.find.cache_clear()
            index._known.cache_clear()
            started = time.perf_counter()
            found = index.find(text)
            times.append((time.perf_counter() - started) * 1000)
            kinds[found.kind] += 1
        everything += times
        print(
            f"| {name} | {len(batch)} | {statistics.median(times):.3f} | "
            f"{_percentile(times, 0.99):.3f} | {max(times):.3f} | {kinds['one']} | "
            f"{kinds['few'] + kinds['many']} | {kinds['none']} |"
        )
    print(
        f"| **all** | {len(everything)} | {statistics.median(everything):.3f} | "
        f"{_percentile(everything, 0.99):.3f} | {max(everything):.3f} | | | |"
    )


def startup(runs: int) -> None:
    packs: list[float] = []
    occupations: list[float] = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP], capture_output=True, text=True, check=True
        ).stdout.split()
        packs.append(float(out[0]))
        occupations.append(float(out[1]))
    print(f"\nStart-up, {runs} fresh interpreters (median / max, seconds):")
    print(f"- role packs (for comparison): {statistics.median(packs):.3f} / {max(packs):.3f}")
    print(
        "- occupation data added (import + load + validate + index): "
        f"{statistics.median(occupations):.3f} / {max(occupations):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters for start-up")
    args = parser.parse_args()
    index = OccupationIndex(load_occupations())
    lookup(index)
    startup(args.runs)


if __name__ == "__main__":
    main()
