"""The Telegram path against python-telegram-bot's own floor, on the project's fake Bot API server.

Two bots take the same updates from the same fake server (tests/adapters/fake_telegram.py, in
its own process, handing out at most ``limit`` updates per getUpdates as Telegram does):

- **bare**: a plain PTB ``Application`` whose only handler echoes the text back with
  ``reply_text`` — the least any PTB bot can do per update;
- **bare+pool**: the same with careerbot's connection pool (8 connections instead of PTB's
  default 256), to separate what the pool setting saves from what careerbot's own work costs;
- **careerbot**: the real :class:`TelegramAdapter` over the real :class:`CareerBot` (router,
  middlewares, a real SQLite file), pacing off, answering ``--text`` (default ``/start``: the
  main menu, text and buttons; ``/risk`` now also sends a chart, which measures the photo upload
  more than the adapter).

Both use the same update concurrency (64). Each bot runs in a fresh process, the designs
alternate round by round so both see the same machine load, and each run first takes one update
per user (first contact, not timed) and then the timed ``--updates``. Per run: updates/s, CPU
ms per update (this process only; the fake server's CPU is its own), p50/p99 of the time PTB
spends on one update (handler and send), the garbage collector's pauses in the timed part, and
the fake server's CPU per update (its process, first contacts included).
``--gc freeze`` runs careerbot with the heap frozen after start-up, as ``careerbot run`` does.

    .venv/bin/python -m bench.telegram [--updates 2000] [--users 200] [--rounds 3]

``--baseline DIR`` also runs every careerbot design from another checkout of the code (e.g.
``git archive <commit> | tar -x -C DIR``), as ``design@base``, alternating with the others in the
same run: the before and after of a change, on the same server and the same machine load.

To see where one design's time goes, start a server and profile one child::

    .venv/bin/python -m bench.telegram --serve 2200 200 < /dev/tty   # prints the port
    .venv/bin/python -m bench.telegram --child careerbot PORT --profile /tmp/tg.prof
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.adapters.telegram import CONNECTION_POOL, POOL_WAIT

CONCURRENCY = 64
DESIGNS = ("bare", "bare+pool", "careerbot", "careerbot+freeze")


# ---------------------------------------------------------------------------- the fake server


async def _serve(total: int, users: int, text: str) -> None:
    from tests.adapters.fake_telegram import FakeTelegram

    class PagedFake(FakeTelegram):
        """Hands out at most ``limit`` updates per call (default 100), as Telegram does."""

        async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
            updates = await super()._get_updates(params)
            return updates[: int(params.get("limit") or 100)]

    fake = PagedFake()
    await fake.start()
    for i in range(total):
        user = 10_000 + i % users
        fake.message(text, chat_id=user, user_id=user)
    fake.calls = _Discard()
    print(fake.port, flush=True)
    started = time.process_time()
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.stop()
    print(time.process_time() - started, flush=True)  # the server's CPU while serving the bot


class _Discard(list):  # type: ignore[type-arg]
    """The server need not remember thousands of calls: nothing reads them here."""

    def append(self, item: object) -> None:
        return None


# ---------------------------------------------------------------------------- the bots


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def _bare(api_url: str, token: str, pool: int | None) -> tuple[Any, Any]:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(api_url)
        .concurrent_updates(CONCURRENCY)
        .job_queue(None)
    )
    if pool is not None:
        builder = builder.connection_pool_size(pool).pool_timeout(POOL_WAIT)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    return app, None


async def _careerbot(api_url: str, token: str, data_dir: Path) -> tuple[Any, Any]:
    from bot.adapters.telegram import TelegramAdapter
    from bot.adapters.telegram_limits import RateLimits
    from bot.app import CareerBot
    from bot.config import Settings

    settings = Settings.model_validate(
        {
            "data_dir": data_dir,
            "telegram_bot_token": token,
            "telegram_api_url": api_url,
            "flood_burst": 0,
            "database_url": None,
        }
    )
    bot = CareerBot(settings)
    await bot.start()
    adapter = TelegramAdapter(bot, limits=RateLimits.unlimited())
    assert adapter.processor.max_concurrent_updates == CONCURRENCY
    await adapter.application.initialize()
    return adapter.application, bot


async def _child(
    design: str, port: int, warm: int, timed: int, profile: str | None = None
) -> dict[str, Any]:
    from tests.adapters.fake_telegram import TOKEN

    profiler = cProfile.Profile() if profile else None

    api_url = f"http://127.0.0.1:{port}/bot"
    with tempfile.TemporaryDirectory() as tmp:
        if design.startswith("bare"):
            pool = CONNECTION_POOL if design == "bare+pool" else None
            app, bot = await _bare(api_url, TOKEN, pool)
        else:
            app, bot = await _careerbot(api_url, TOKEN, Path(tmp))
        if design.endswith("+freeze"):
            from bot.app import freeze_heap

            freeze_heap()
        handled: list[float] = []
        latencies: list[float] = []
        all_done = asyncio.Event()
        marks: dict[str, float] = {}
        process = app.process_update

        async def timed_update(update: object) -> None:
            started = time.perf_counter()
            await process(update)
            latencies.append(time.perf_counter() - started)
            handled.append(started)
            if len(handled) == warm:
                marks["wall"], marks["cpu"] = time.perf_counter(), time.process_time()
                latencies.clear()
                pauses.clear()
                if profiler is not None:
                    profiler.enable()
            if len(handled) == warm + timed:
                all_done.set()
                if profiler is not None:
                    profiler.disable()

        app.process_update = timed_update  # type: ignore[method-assign]
        pauses: list[float] = []
        gc_started = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            elif info["generation"] == 2:
                pauses.append(time.perf_counter() - gc_started[0])
            else:
                pauses.append(-(time.perf_counter() - gc_started[0]))

        gc.callbacks.append(on_gc)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        await asyncio.wait_for(all_done.wait(), 600)
        wall = time.perf_counter() - marks["wall"]
        cpu = time.process_time() - marks["cpu"]
        gc.callbacks.remove(on_gc)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if bot is not None:
            await bot.stop()
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    full = [p for p in pauses if p > 0]
    return {
        "design": design,
        "updates_per_s": timed / wall,
        "cpu_ms": cpu / timed * 1000,
        "p50_ms": _pct(latencies, 0.5),
        "p99_ms": _pct(latencies, 0.99),
        "gc_young": sum(1 for p in pauses if p < 0),
        "gc_young_ms": -sum(p for p in pauses if p < 0) * 1000,
        "gc_full": len(full),
        "gc_full_max_ms": max(full, default=0.0) * 1000,
        "gc_full_ms": sum(full) * 1000,
    }


# ---------------------------------------------------------------------------- orchestration


def _run(
    design: str, updates: int, users: int, text: str, baseline: Path | None = None
) -> dict[str, Any]:
    """One fresh server and one fresh bot process; ``design@base`` runs from ``baseline``."""
    here = Path(__file__).resolve().parent.parent
    design, _, where = design.partition("@")
    code = baseline if where and baseline is not None else here
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "bench.telegram", "--text", text),
            *("--serve", str(users + updates), str(users)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=here,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        out = subprocess.run(
            [
                *(sys.executable, "-m", "bench.telegram", "--child", design, str(port)),
                *("--users", str(users), "--updates", str(updates)),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=code,
        )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(30)
    # Every update (first contacts included) costs the fake server too; on a shared machine a
    # design that makes the server work harder loses updates/s without spending more itself.
    result["server_cpu_ms"] = float(server.stdout.read()) / (users + updates) * 1000
    return result


def main(
    updates: int,
    users: int,
    rounds: int,
    designs: list[str],
    text: str,
    baseline: Path | None = None,
) -> None:
    print(f"cores visible: {os.cpu_count()}; {updates} timed updates from {users} users per run")
    if baseline is not None:
        bots = [d for d in designs if not d.startswith("bare")]
        designs = [*designs, *(f"{d}@base" for d in bots)]
    results: dict[str, list[dict[str, Any]]] = {d: [] for d in designs}
    columns = (
        "updates_per_s",
        "cpu_ms",
        "p50_ms",
        "p99_ms",
        "gc_young",
        "gc_young_ms",
        "gc_full",
        "gc_full_max_ms",
        "gc_full_ms",
        "server_cpu_ms",
    )
    print(f"{'round':5} {'design':22} " + " ".join(f"{c:>14}" for c in columns))
    for r in range(rounds):
        for design in designs:
            result = _run(design, updates, users, text, baseline)
            results[design].append(result)
            print(
                f"{r:5d} {design:22} " + " ".join(f"{result[c]:14.2f}" for c in columns),
                flush=True,
            )
    print("medians:")
    for design in designs:
        row = {c: statistics.median(x[c] for x in results[design]) for c in columns}
        print(f"{'':5} {design:22} " + " ".join(f"{row[c]:14.2f}" for c in columns))

    def median(design: str, column: str) -> float:
        return statistics.median(x[column] for x in results[design])

    for base in (d for d in designs if d.startswith("bare")):
        for design in (d for d in designs if not d.startswith("bare")):
            speed = median(design, "updates_per_s") / median(base, "updates_per_s")
            per_cpu = median(base, "cpu_ms") / median(design, "cpu_ms")
            print(
                f"{design} vs {base}: {speed:.2f} of its updates/s, "
                f"{per_cpu:.2f} of its updates per CPU second"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--designs", default=",".join(DESIGNS))
    parser.add_argument("--serve", nargs=2, type=int, metavar=("TOTAL", "USERS"))
    parser.add_argument("--text", default="/start", help="what every user sends")
    parser.add_argument("--child", nargs=2, metavar=("DESIGN", "PORT"))
    parser.add_argument("--profile", help="with --child: cProfile of the timed part to this file")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout: its careerbot designs run as design@base"
    )
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve[0], args.serve[1], args.text))
    elif args.child:
        design, port = args.child[0], int(args.child[1])
        result = asyncio.run(_child(design, port, args.users, args.updates, args.profile))
        print(json.dumps(result))
    else:
        main(
            args.updates, args.users, args.rounds, args.designs.split(","), args.text, args.baseline
        )
