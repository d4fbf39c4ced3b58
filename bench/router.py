"""Router benchmark: the real CareerBot on a real SQLite file, one core, one event loop.

Measures messages per second and p50/p99 latency per message for /start, /risk, a button press
and a free-text question, then profiles one path to show where the time goes.

    .venv/bin/python -m bench.router [--messages 3000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
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
    bot: CareerBot, make: Callable[[str], Inbound], n: int
) -> tuple[float, list[float]]:
    platform = NullPlatform()
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        reply = await bot.feed(make(f"user{i % USERS}"), platform)
        latencies.append(time.perf_counter() - t0)
        assert reply is not None
    return time.perf_counter() - started, latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main(messages: int, profile: bool) -> None:
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
    args = parser.parse_args()
    print(f"cores visible: {os.cpu_count()}, pinned to one event loop")
    asyncio.run(main(args.messages, args.profile))
