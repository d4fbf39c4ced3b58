"""Router benchmark: the real CareerBot on a real SQLite file, one core, one event loop.

Measures messages per second and p50/p99 latency per message for /start, /risk, a button press
and a free-text question, then profiles one path to show where the time goes.

    .venv/bin/python -m bench.router [--messages 3000] [--profile] [--people 100000]

It also sets a new person's first message beside a returning person's (interleaved rounds, CPU
time per message), and with ``--people`` reports resident memory after that many new people.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.app import CareerBot
from bot.config import Settings
from bot.messages import Inbound, Reply, Target

USERS = 200


class NullPlatform:
    name = "bench"

    async def send(self, target: Target, reply: Reply) -> None:
        return None

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return False

    async def missing_permission(self, chat_id: str) -> str | None:
        return None


PATHS = {
    "/start": lambda u: Inbound("bench", u, u, text="/start"),
    "/risk": lambda u: Inbound("bench", u, u, text="/risk"),
    "button (risk)": lambda u: Inbound("bench", u, u, kind="action", text="v1:risk:mle"),
    "free text": lambda u: Inbound("bench", u, u, text="will AI replace ML engineers?"),
}


async def measure(
    bot: CareerBot,
    make: Callable[[str], Inbound],
    n: int,
    users: Callable[[int], str] | None = None,
) -> tuple[float, list[float]]:
    platform = NullPlatform()
    latencies: list[float] = []
    user = users or (lambda i: f"user{i % USERS}")
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        reply = await bot.feed(make(user(i)), platform)
        latencies.append(time.perf_counter() - t0)
        assert reply is not None
    return time.perf_counter() - started, latencies


async def first_contact(bot: CareerBot, n: int, rounds: int = 20) -> None:
    """A new person's first /start against a returning person's, interleaved in rounds so that
    both see the same load on a shared machine; CPU time per message as well as wall time.

    The ratio is also given as the median of the rounds' own ratios: a burst of load from
    elsewhere then spoils one round, not the figure.
    """
    new_cpu = old_cpu = 0.0
    new_lat: list[float] = []
    old_lat: list[float] = []
    ratios: list[float] = []
    serial = iter(range(10**9))
    for _ in range(rounds):
        cpu = time.process_time()
        _, lat = await measure(bot, PATHS["/start"], n, lambda i: f"new{next(serial)}")
        new_round = time.process_time() - cpu
        new_lat += lat
        cpu = time.process_time()
        _, lat = await measure(bot, PATHS["/start"], n)
        old_round = time.process_time() - cpu
        old_lat += lat
        new_cpu, old_cpu = new_cpu + new_round, old_cpu + old_round
        ratios.append(new_round / old_round)
    total = n * rounds
    print(f"{'first contact':16} {'cpu ms':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, cpu_s, lat in (("new person", new_cpu, new_lat), ("returning", old_cpu, old_lat)):
        print(f"{name:16} {cpu_s / total * 1000:8.2f} {pct(lat, 0.5):8.2f} {pct(lat, 0.99):8.2f}")
    print(
        f"new / returning CPU: {new_cpu / old_cpu:.2f} "
        f"(median of {rounds} rounds {statistics.median(ratios):.2f})"
    )


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def many_people(bot: CareerBot, people: int) -> None:
    """Resident memory after ``people`` distinct people each sent one message."""
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    await measure(bot, PATHS["/start"], people, lambda i: f"person{i}")
    gc.collect()
    print(
        f"{people} new people: {time.perf_counter() - started:.1f} s, "
        f"RSS {before:.1f} -> {rss_mb():.1f} MB"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(messages: int, profile: bool, people: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate(
            {"data_dir": Path(tmp), "flood_burst": 10**9, "database_url": None}
        )
        bot = CareerBot(settings)
        await bot.start()
        for make in PATHS.values():  # warm-up: creates the users, fills caches
            await measure(bot, make, USERS)
        print(f"{'path':16} {'msgs/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for name, make in PATHS.items():
            total, latencies = await measure(bot, make, messages)
            print(
                f"{name:16} {messages / total:8.0f} {pct(latencies, 0.5):8.2f} "
                f"{pct(latencies, 0.99):8.2f}  (mean {statistics.mean(latencies) * 1000:.2f})"
            )
        await first_contact(bot, max(messages // 10, 50))
        if people:
            await many_people(bot, people)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await measure(bot, PATHS["/risk"], messages)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
        await bot.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--people", type=int, default=0, help="then memory after N new people")
    args = parser.parse_args()
    print(f"cores visible: {os.cpu_count()}, pinned to one event loop")
    asyncio.run(main(args.messages, args.profile, args.people))
