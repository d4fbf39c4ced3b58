"""Scheduler benchmark: (A) our tick + outbox vs (B) one APScheduler CronTrigger job per subscriber.

Both designs run in their own subprocesses, so resident memory is measured per design and size.
For each size:

- **register** N weekly subscriptions (A: rows in SQLite, bulk and through the repository;
  B: ``scheduler.add_job`` per subscriber into a ``SQLAlchemyJobStore`` on a SQLite file);
- **restart-to-ready**: a fresh process opens the existing store and is ready to dispatch;
- **dispatch**: all N fall due in the same minute; every send goes to a no-op sender that counts.
  A: one tick with a manual clock (outbox rows written, marked sent). B: real wall-clock firing
  with APScheduler's own executor; executed and missed jobs are counted through its events.

B runs twice: with APScheduler's defaults, and with the settings it needs to lose nothing
(``misfire_grace_time=None``, ``coalesce=True``).

    .venv/bin/python -m bench.scheduler [--sizes 10000,100000] [--designs A,B] [--skip-b-above N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # Tuesday 19:30 in Berlin
COUNTER = {"executed": 0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------------- design A


class CountingPlatform:
    name = "bench"

    def __init__(self) -> None:
        self.count = 0

    async def send(self, target: Any, reply: Any) -> None:
        self.count += 1

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return False

    async def missing_permission(self, chat_id: str) -> str | None:
        return None


def _settings(data_dir: Path):  # type: ignore[no-untyped-def]
    from bot.config import Settings

    return Settings.model_validate(
        {"data_dir": data_dir, "telegram_bot_token": None, "discord_bot_token": None}
    )


async def a_register(data_dir: Path, n: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from bot.app import CareerBot
    from bot.clock import ManualClock
    from storage.models import Goal, Subscription, User

    clock = ManualClock(DUE - timedelta(hours=9))
    bot = CareerBot(_settings(data_dir), clock=clock)
    await bot.start()
    now = clock.now()
    started = time.perf_counter()
    async with bot.db.engine.begin() as conn:
        await conn.execute(
            insert(User.__table__),  # type: ignore[arg-type]
            [
                {"platform": "bench", "platform_user_id": str(i), "created_utc": now}
                for i in range(n)
            ],
        )
        await conn.execute(
            insert(Goal.__table__),  # type: ignore[arg-type]
            [
                {
                    "user_id": i + 1,
                    "role_id": "mle",
                    "cert_id": "aws-mla",
                    "status": "active",
                    "created_utc": now,
                }
                for i in range(n)
            ],
        )
        await conn.execute(
            insert(Subscription.__table__),  # type: ignore[arg-type]
            [
                {
                    "kind": "nudge",
                    "platform": "bench",
                    "chat_id": str(i),
                    "user_id": i + 1,
                    "goal_id": i + 1,
                    "role_id": "mle",
                    "weekday": 1,
                    "local_time": "19:30",
                    "timezone": "Europe/Berlin",
                    "next_due_utc": DUE,
                    "skip_next": False,
                    "status": "active",
                    "created_utc": now,
                }
                for i in range(n)
            ],
        )
    bulk = time.perf_counter() - started
    # The same through the repository a person's Confirm uses (one transaction per goal).
    sample = 1000
    started = time.perf_counter()
    for i in range(sample):
        await _sample_create(bot, n + i + 1, now)
    per_goal = (time.perf_counter() - started) / sample
    await bot.stop()
    return {
        "register_bulk_s": bulk,
        "register_api_per_goal_ms": per_goal * 1000,
        "rss_mb": rss_mb(),
    }


async def _sample_create(bot: Any, user_pk: int, now: datetime) -> None:
    """A separate user per sample goal (the one-open-goal rule would refuse a second one)."""
    user = await bot.services.users.get_or_create("sample", str(user_pk), None, now)
    await bot.services.goals.create(
        user_id=user.id,
        role_id="mle",
        cert_id="aws-mla",
        exam_date=None,
        platform="sample",
        chat_id=str(user_pk),
        weekday=1,
        local_time="19:30",
        timezone="Europe/Berlin",
        now=now,
    )


async def a_restart_and_dispatch(data_dir: Path, n: int) -> dict[str, Any]:

    from bot.app import CareerBot
    from bot.clock import ManualClock
    from bot.scheduler import Dispatcher, SchedulerComponent

    rss_start = rss_mb()
    started = time.perf_counter()
    clock = ManualClock(DUE - timedelta(minutes=1))
    bot = CareerBot(_settings(data_dir), clock=clock)
    await bot.start()
    platform = CountingPlatform()
    component = SchedulerComponent(bot.services, {"bench": platform})
    await component.start()
    ready = time.perf_counter() - started
    rss_ready = rss_mb()
    await component.stop()  # dispatch below is driven by hand with the manual clock

    clock.set(DUE)
    dispatcher = Dispatcher(bot.services, {"bench": platform})
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = await dispatcher.tick()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    sent_rows = await sent_count(bot)
    again = await dispatcher.tick()
    await bot.stop()
    return {
        "ready_s": ready,
        "rss_before_mb": rss_start,
        "rss_ready_mb": rss_ready,
        "dispatch_s": wall,
        "dispatch_cpu_s": cpu,
        "per_s": n / wall if wall else 0.0,
        "delivered": platform.count,
        "sent_rows": sent_rows,
        "report_sent": report.sent,
        "second_tick_sent": again.sent,
        "lost": n - platform.count,
        "rss_after_dispatch_mb": rss_mb(),
        "peak_mb": peak_mb(),
    }


async def sent_count(bot: Any) -> int:
    """Deliveries recorded as sent: what the database says went out, beside what the tick says."""
    from sqlmodel import func, select

    from storage.models import Delivery

    table = Delivery.__table__  # type: ignore[attr-defined]
    async with bot.db.engine.connect() as conn:
        query = select(func.count()).select_from(table).where(table.c.status == "sent")
        return int((await conn.execute(query)).scalar_one())


async def a_bare_due_loop(data_dir: Path) -> dict[str, Any]:
    """The reference the issue quotes: select due ids in batches through SQLAlchemy core."""
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import Subscription

    db = Database(_settings(data_dir).resolved_database_url)
    S = Subscription.__table__.c  # type: ignore[attr-defined]
    count = 0
    started = time.perf_counter()
    async with db.engine.connect() as conn:
        result = await conn.stream(
            select(S.id, S.chat_id, S.next_due_utc)
            .where(S.status == "active", S.next_due_utc <= DUE, S.platform == "bench")
            .order_by(S.next_due_utc)
        )
        async for batch in result.partitions(500):
            count += len(batch)
    wall = time.perf_counter() - started
    await db.dispose()
    return {"rows": count, "per_s": count / wall if wall else 0.0}


# --------------------------------------------------------------------------------- design B


async def naive_send(user: int) -> None:
    """What each per-subscriber job calls: a no-op that counts."""
    COUNTER["executed"] += 1


def _b_scheduler(url: str, tuned: bool):  # type: ignore[no-untyped-def]
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    job_defaults: dict[str, Any] = {}
    if tuned:
        job_defaults = {"misfire_grace_time": None, "coalesce": True}
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=url)},
        job_defaults=job_defaults,
        timezone=UTC,
    )


async def b_register_and_dispatch(db_path: Path, n: int, tuned: bool) -> dict[str, Any]:
    from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
    from apscheduler.triggers.cron import CronTrigger

    url = f"sqlite:///{db_path}"
    scheduler = _b_scheduler(url, tuned)
    counts = {"executed": 0, "missed": 0}
    last_event = [0.0]

    def on_event(event: Any) -> None:
        counts["missed" if event.code == EVENT_JOB_MISSED else "executed"] += 1
        last_event[0] = time.time()

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    scheduler.start(paused=True)
    # Calibrate on the first jobs so every job can be given the same firing minute, after
    # registration is over: the design's worst case is everyone choosing the same time.
    started = time.perf_counter()
    calibrate = min(500, n)
    fire_at: datetime | None = None
    for i in range(n):
        if i == calibrate:
            rate = (time.perf_counter() - started) / calibrate
            fire_at = datetime.now(UTC) + timedelta(seconds=rate * (n - i) * 1.3 + 8)
            fire_at = fire_at.replace(microsecond=0)
        when = fire_at or datetime.now(UTC) + timedelta(days=1)
        scheduler.add_job(
            "bench.scheduler:naive_send",
            CronTrigger(
                day_of_week=when.weekday(), hour=when.hour, minute=when.minute, timezone=UTC
            ),
            args=[i],
            id=f"nudge-{i}",
            next_run_time=when if fire_at else None,
        )
    register = time.perf_counter() - started
    rss_registered = rss_mb()
    assert fire_at is not None
    for i in range(calibrate):  # the calibration jobs fire with the rest
        scheduler.modify_job(f"nudge-{i}", next_run_time=fire_at)
    scheduler.resume()
    wait = (fire_at - datetime.now(UTC)).total_seconds()
    if wait < 0:
        return {"error": f"registration overran the firing time by {-wait:.1f}s"}
    # Timed from the firing instant itself: APScheduler's own pass over the due jobs may run
    # (and block the loop) before this coroutine wakes up.
    cpu0 = time.process_time()
    await asyncio.sleep(wait)
    deadline = time.time() + 600
    while counts["executed"] + counts["missed"] < n and time.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    wall = (last_event[0] or time.time()) - fire_at.timestamp()
    cpu = time.process_time() - cpu0
    scheduler.shutdown(wait=False)
    # The jobs call bench.scheduler:naive_send, which is a different module object from this
    # __main__ when run with -m: read its counter.
    executed = importlib.import_module("bench.scheduler").COUNTER["executed"]
    return {
        "register_s": register,
        "rss_registered_mb": rss_registered,
        "dispatch_s": wall,
        "dispatch_cpu_s": cpu,
        "executed": executed,
        "executed_events": counts["executed"],
        "missed_events": counts["missed"],
        "lost": n - executed,
        "peak_mb": peak_mb(),
    }


async def b_restart(db_path: Path) -> dict[str, Any]:
    rss_start = rss_mb()
    started = time.perf_counter()
    scheduler = _b_scheduler(f"sqlite:///{db_path}", tuned=True)
    scheduler.start()
    await asyncio.sleep(0)  # the first wake-up pass runs on the loop
    ready = time.perf_counter() - started
    rss_ready = rss_mb()
    jobs = len(scheduler.get_jobs())
    listed = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    return {
        "ready_s": ready,
        "rss_before_mb": rss_start,
        "rss_ready_mb": rss_ready,
        "jobs": jobs,
        "get_jobs_s": listed - ready,
        "rss_after_get_jobs_mb": rss_mb(),
    }


# --------------------------------------------------------------------------------- driver


def child(args: list[str]) -> None:
    mode, path = args[0], Path(args[1])
    n = int(args[2]) if len(args) > 2 else 0
    runs = {
        "a-register": lambda: a_register(path, n),
        "a-dispatch": lambda: a_restart_and_dispatch(path, n),
        "a-bare": lambda: a_bare_due_loop(path),
        "b-default": lambda: b_register_and_dispatch(path, n, tuned=False),
        "b-tuned": lambda: b_register_and_dispatch(path, n, tuned=True),
        "b-restart": lambda: b_restart(path),
    }
    result = asyncio.run(runs[mode]())
    print("RESULT " + json.dumps(result))


def run_child(mode: str, path: Path, n: int, timeout: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.scheduler", "--child", mode, str(path), str(n)]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=Path(__file__).parent.parent,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f}s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
            result["process_s"] = time.perf_counter() - started
            return result
    return {"error": (done.stderr or done.stdout)[-800:]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--skip-b-above", type=int, default=10**9)
    parser.add_argument("--designs", default="A,B", help="A, B or A,B")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results: dict[str, Any] = {}
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            row: dict[str, Any] = {}
            if "A" in args.designs:
                row["A-register"] = run_child("a-register", root / "a", n, 600)
                row["A-bare-due-loop"] = run_child("a-bare", root / "a", n, 600)
                row["A-dispatch"] = run_child("a-dispatch", root / "a", n, 600)
            if "B" in args.designs and n <= args.skip_b_above:
                for variant in ("default", "tuned"):
                    store = root / f"b-{variant}.db"
                    row[f"B-{variant}"] = run_child(f"b-{variant}", store, n, 900)
                    if variant == "tuned":
                        row["B-restart"] = run_child("b-restart", store, n, 600)
            results[str(n)] = row
            print(json.dumps({n: row}, indent=1), flush=True)
    print("ALL " + json.dumps(results))


if __name__ == "__main__":
    os.environ.setdefault("CAREERBOT_LOG_LEVEL", "WARNING")
    main()
