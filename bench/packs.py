"""Content at scale: start-up and question latency with 1, 10 and 100 role packs.

The packs are the shipped full ones cloned under new ids, titles and aliases (round robin,
adjacent-role links dropped so any count is valid), each clone's questions, answers and
examples given a word of its own so that no two packs share those sentences (real packs
don't: identical sentences would share one row of vectors and flatter the memory figures),
written to a temporary folder. Every count starts in a fresh subprocess, so imports and caches
are cold:

- **start-up**: ``CareerBot(settings)`` (load the packs, build the search index, wire the
  router) plus ``start()`` (migrate the SQLite file): what stands between ``careerbot run``
  and the first answer, imports excluded (they do not depend on the pack count);
- **first start / next start**: with no compiled index yet, and with the one the first start
  wrote;
- **question latency**: p50/p99 and CPU time of ``bot.feed`` on a free-text question
  (``bench/questions.yaml``) through the whole middleware chain on a real SQLite file, from a
  person who has chosen no role (so every pack can answer), and of ``index.search`` alone
  scoped to one chosen role; and the very first question after start (no role chosen: on a
  first start it builds the pool of every pack's units, on the next it was read at start);
- **memory**: the process's peak resident set after all of it.

    .venv/bin/python -m bench.packs [--counts 1,10,100] [--questions 400]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from content.loader import DEFAULT_ROLES_DIR


def write_packs(folder: Path, count: int) -> None:
    """``count`` valid packs in ``folder``, cloned from the shipped full ones (with a risk
    section: the short adjacent-role packs would understate what a real pack costs)."""
    templates = [
        data
        for path in sorted(DEFAULT_ROLES_DIR.glob("*.yaml"))
        if "risk" in (data := yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    ]
    for i in range(count):
        data = copy.deepcopy(templates[i % len(templates)])
        if i >= len(templates):  # the first copies keep their own names (other data cite them)
            data["id"] = f"bench-{i:03d}"
            data["title"] = f"Bench Role {i:03d}"
            data["aliases"] = [f"bench alias {i:03d}"]
            _vary(data, f"zq{i:03d}x")
        data.pop("adjacent_roles", None)
        examples = data.get("examples") or {}
        data["examples"] = {k: v for k, v in examples.items() if not k.startswith("compare:")}
        (folder / f"bench-{i:03d}.yaml").write_text(
            yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True), encoding="utf-8"
        )


def _vary(data: dict[str, Any], word: str) -> None:
    """Append ``word`` to every FAQ question, answer and other phrasing, and every example."""
    for faq in (data.get("faqs") or {}).get("items", []):
        faq["question"] = f"{faq['question']} {word}"
        faq["answer"] = f"{faq['answer']} {word}"
        faq["also_asked"] = [f"{q} {word}" for q in faq.get("also_asked") or []]
    examples = data.get("examples") or {}
    data["examples"] = {k: [f"{q} {word}" for q in v] for k, v in examples.items()}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _child(roles: Path, data_dir: Path, questions: int) -> dict[str, Any]:
    from bench.router import NullPlatform
    from bot.app import CareerBot
    from bot.config import Settings
    from bot.messages import Inbound

    settings = Settings.model_validate(
        {"data_dir": data_dir, "flood_burst": 0, "database_url": None}
    )
    started, cpu = time.perf_counter(), time.process_time()
    bot = CareerBot(settings, roles_dir=roles)
    await bot.start()
    result: dict[str, Any] = {
        "startup_s": time.perf_counter() - started,
        "startup_cpu_s": time.process_time() - cpu,
    }
    queries = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text(encoding="utf-8"))
    texts = [q["q"] for q in queries]
    platform = NullPlatform()
    role_id = bot.services.library.default.id
    t0 = time.perf_counter()
    await bot.feed(Inbound("bench", "u1", "u1", text="what do they earn"), platform)
    result["first_ask_ms"] = (time.perf_counter() - t0) * 1000
    for text in texts:  # warm-up: the user exists, caches are filled
        await bot.feed(Inbound("bench", "u1", "u1", text=text), platform)
    for label, run in (
        ("feed", lambda text: bot.feed(Inbound("bench", "u1", "u1", text=text), platform)),
        ("search", None),
    ):
        latencies: list[float] = []
        cpu_times: list[float] = []
        for i in range(questions):
            text = texts[i % len(texts)]
            t0, cpu = time.perf_counter(), time.process_time()
            if run is None:
                bot.services.index.search(text, role_id=role_id)
            else:
                await run(text)
            latencies.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - cpu)
        result[f"{label}_cpu_ms"] = sum(cpu_times) / questions * 1000
        result[f"{label}_cpu_p99_ms"] = _pct(cpu_times, 0.99)
        result[f"{label}_p50_ms"] = _pct(latencies, 0.5)
        result[f"{label}_p99_ms"] = _pct(latencies, 0.99)
    await bot.stop()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run_child(roles: Path, data_dir: Path, questions: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            *(sys.executable, "-m", "bench.packs", "--child", str(roles), str(data_dir)),
            *("--questions", str(questions)),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(counts: list[int], questions: int) -> None:
    print(f"cores visible: {os.cpu_count()}; each row in a fresh process")
    print("ask = bot.feed, no role chosen (all packs); search = index.search, one chosen role")
    print("cpu ms: mean and p99 of the process CPU time per question (all threads)")
    header = (
        f"{'packs':>5} {'first start s':>13} {'(cpu)':>6} {'1st ask ms':>10} "
        f"{'next start s':>12} {'(cpu)':>6} {'1st ask ms':>10} "
        f"{'ask p50':>8} {'p99 ms':>7} {'cpu ms':>7} {'cpu p99':>7} "
        f"{'search p50':>10} {'p99 ms':>7} {'peak MB':>7}"
    )
    print(header)
    for count in counts:
        with tempfile.TemporaryDirectory() as tmp:
            roles, data = Path(tmp) / "roles", Path(tmp) / "data"
            roles.mkdir()
            write_packs(roles, count)
            first = _run_child(roles, data, questions)
            second = _run_child(roles, data, questions)
        print(
            f"{count:5d} {first['startup_s']:13.3f} {first['startup_cpu_s']:6.2f} "
            f"{first['first_ask_ms']:10.1f} "
            f"{second['startup_s']:12.3f} {second['startup_cpu_s']:6.2f} "
            f"{second['first_ask_ms']:10.1f} "
            f"{second['feed_p50_ms']:8.2f} {second['feed_p99_ms']:7.2f} "
            f"{second['feed_cpu_ms']:7.2f} {second['feed_cpu_p99_ms']:7.2f} "
            f"{second['search_p50_ms']:10.2f} "
            f"{second['search_p99_ms']:7.2f} {second['peak_rss_mb']:7.0f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1,10,100")
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--child", nargs=2, metavar=("ROLES", "DATA"))
    args = parser.parse_args()
    if args.child:
        roles_dir, data_dir = (Path(p) for p in args.child)
        print(json.dumps(asyncio.run(_child(roles_dir, data_dir, args.questions))))
    else:
        main([int(c) for c in args.counts.split(",")], args.questions)
