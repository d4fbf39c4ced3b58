"""Scheduler on data that looks like production, beside the uniform set and a bare sqlite3 loop.

A busy minute: N subscribers fall due in the same UTC minute, as the issue measured. Two
populations, built the same way and measured in the same run:

- **uniform** — what bench/scheduler.py uses: everyone on one credential, no exam date, one
  rule (Tuesday 19:30 in Berlin), goals set at the same moment, so every nudge shares one plan;
- **realistic** — subscribers the way people create them: credentials spread over the ML pack's
  bookable exams, exam dates none (40 %) / near (2–12 weeks, 30 %) / far (3–24 months, 30 %),
  goals set 0–30 weeks ago at any time of day (so plans start in different weeks), and 34 IANA
  zones, half-hour and 45-minute offsets included; each subscriber's weekday and local time is
  what that UTC minute is in their zone, so both spread too.

For each population and size, every measurement runs in its own subprocess on a copy of the same
SQLite file: our tick (``Dispatcher.tick`` on a no-op platform, nudges composed in full), and a
**bare sqlite3 due-loop** — plain ``sqlite3`` doing the same database work per batch of 1,000
(select due rows, insert one outbox row each, advance ``next_due_utc``, commit) with no framework,
no composition and no sending: the floor the ratio is taken against. With ``--postgres URL`` it
also runs two worker processes ticking at once on one PostgreSQL database and counts duplicates.

    .venv/bin/python -m bench.scheduler_real --sizes 20000,100000 [--postgres URL] [--history 52]

``--history W`` first fills the outbox with W past weeks of sent nudges per subscriber, as a bot
that has run for W weeks keeps them (the outbox is never emptied): both the tick and the bare
loop then work beside a table of W × N rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.scheduler import CountingPlatform, _settings, peak_mb, rss_mb, sent_count

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
ZONES = (
    "Europe/Berlin", "Europe/London", "Europe/Lisbon", "Europe/Helsinki", "Europe/Istanbul",
    "Europe/Moscow", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai",
    "Asia/Tehran", "Asia/Kabul", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu",
    "Asia/Dhaka", "Asia/Yangon", "Asia/Bangkok", "Asia/Singapore", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Darwin", "Australia/Adelaide", "Australia/Sydney",
    "Pacific/Auckland", "Pacific/Chatham", "America/St_Johns", "America/Sao_Paulo",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "Pacific/Honolulu", "Pacific/Marquesas",
)  # fmt: skip
CERTS = ("aws-mla", "gcp-pmle", "ai-103", "ai-901", "dbx-ml-assoc")


def population(n: int, kind: str, seed: int = 13) -> list[dict[str, Any]]:
    """One dict per subscriber: the goal's and the subscription's columns."""
    from zoneinfo import ZoneInfo

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        if kind == "uniform":
            tz, cert, exam = "Europe/Berlin", "aws-mla", None
            created = DUE - timedelta(hours=9)
        else:
            tz = ZONES[i % len(ZONES)]
            cert = rng.choices(CERTS, weights=(30, 25, 20, 15, 10))[0]
            roll = rng.random()
            today = DUE.date()
            exam = (
                None
                if roll < 0.4
                else today + timedelta(days=rng.randint(14, 84))
                if roll < 0.7
                else today + timedelta(days=rng.randint(90, 720))
            )
            created = DUE - timedelta(minutes=rng.randint(60, 30 * 7 * 24 * 60))
        local = DUE.astimezone(ZoneInfo(tz))
        rows.append(
            {
                "cert_id": cert,
                "exam_date": exam,
                "created_utc": created,
                "weekday": local.weekday(),
                "local_time": f"{local:%H:%M}",
                "timezone": tz,
            }
        )
    return rows


async def populate(
    url: str, n: int, kind: str, *, migrate: bool, history: int = 0
) -> dict[str, Any]:
    from sqlalchemy import insert

    from domain.weekly import first_session_day
    from storage.db import Database
    from storage.models import Goal, Subscription, User

    db = Database(url)
    if migrate:
        await db.upgrade()
    rows = population(n, kind)
    now = DUE - timedelta(minutes=1)
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for at in range(0, n, 20000):
            part = rows[at : at + 20000]
            await conn.execute(
                insert(User.__table__),  # type: ignore[arg-type]
                [
                    {"platform": "bench", "platform_user_id": str(at + i), "created_utc": now}
                    for i in range(len(part))
                ],
            )
            await conn.execute(
                insert(Goal.__table__),  # type: ignore[arg-type]
                [
                    {
                        "user_id": at + i + 1,
                        "role_id": "mle",
                        "cert_id": r["cert_id"],
                        "exam_date": r["exam_date"],
                        "status": "active",
                        "created_utc": r["created_utc"],
                        # what Goals.create stores with a goal
                        "plan_start": first_session_day(
                            r["created_utc"], r["weekday"], r["local_time"], r["timezone"]
                        ),
                    }
                    for i, r in enumerate(part)
                ],
            )
            await conn.execute(
                insert(Subscription.__table__),  # type: ignore[arg-type]
                [
                    {
                        "kind": "nudge",
                        "platform": "bench",
                        "chat_id": str(at + i),
                        "user_id": at + i + 1,
                        "goal_id": at + i + 1,
                        "role_id": "mle",
                        "weekday": r["weekday"],
                        "local_time": r["local_time"],
                        "timezone": r["timezone"],
                        "next_due_utc": DUE,
                        "skip_next": False,
                        "status": "active",
                        "created_utc": r["created_utc"],
                    }
                    for i, r in enumerate(part)
                ],
            )
        await _history(conn, n, history)
    seconds = time.perf_counter() - started
    await db.dispose()
    return {"populate_s": seconds}


async def _history(conn: Any, n: int, weeks: int) -> None:
    """``weeks`` past weekly nudges per subscriber, sent, as a bot that has run that long keeps
    them: the outbox is never emptied, so whatever reads it per tick pays for its size."""
    from sqlalchemy import insert, text

    from storage.models import Delivery

    for week in range(weeks, 0, -1):
        when = DUE - timedelta(weeks=week)
        stamp = when.strftime("%Y%m%dT%H%M")
        for at in range(0, n, 20000):
            await conn.execute(
                insert(Delivery.__table__),  # type: ignore[arg-type]
                [
                    {
                        "key": f"nudge:{i + 1}:{stamp}",
                        "subscription_id": i + 1,
                        "platform": "bench",
                        "chat_id": str(i),
                        "occurrence_utc": when,
                        "status": "sent",
                        "attempts": 1,
                        "created_utc": when,
                        "sent_utc": when,
                    }
                    for i in range(at, min(n, at + 20000))
                ],
            )
    if weeks and conn.dialect.name == "sqlite":
        # All of it sent: the recovery floor a bot that has run that long has (storage.models).
        await conn.execute(
            text(
                "INSERT INTO delivery_floor (platform, settled_through) "
                "SELECT 'bench', max(id) FROM deliveries"
            )
        )


async def ours(url: str, n: int, keep_keys: bool = False) -> dict[str, Any]:
    """One tick of the real dispatcher with the real composer, on a no-op platform."""

    from bot.app import CareerBot, freeze_heap
    from bot.clock import ManualClock
    from bot.scheduler import Dispatcher

    bot = CareerBot(
        _settings(Path(tempfile.mkdtemp())).model_copy(update={"database_url": url}),
        clock=ManualClock(DUE),
    )
    platform = CountingPlatform()
    dispatcher = Dispatcher(bot.services, {"bench": platform}, keep_keys=keep_keys)
    freeze_heap()  # as `careerbot run` does once started
    rss_ready = rss_mb()
    stalls = asyncio.ensure_future(_longest_stall())
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = await dispatcher.tick()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    stalls.cancel()
    sent_rows = await sent_count(bot)
    await bot.stop()
    return {
        "keys": report.sent_keys,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s": report.sent / wall if wall else 0.0,
        "per_cpu_s": report.sent / cpu if cpu else 0.0,
        "sent": report.sent,
        "delivered": platform.count,
        "sent_rows_total": sent_rows,
        "failed": report.failed,
        "rss_ready_mb": rss_ready,
        "peak_mb": peak_mb(),
        "longest_stall_ms": _STALL[0] * 1000,
    }


_STALL = [0.0]


async def _longest_stall() -> None:
    """How long the event loop went without running anyone else (what a message arriving
    during the tick would wait for): a 1 ms sleeper's worst lateness."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.001)
        _STALL[0] = max(_STALL[0], loop.time() - before - 0.001)


def bare(path: str) -> dict[str, Any]:
    """The floor: the same database work as a tick, in plain sqlite3, nothing else."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    due = DUE.strftime("%Y-%m-%d %H:%M:%S.%f")
    following = (DUE + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.%f")
    count = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while True:
        conn.execute("BEGIN")
        rows = conn.execute(
            "SELECT id, platform, chat_id FROM subscriptions WHERE status = 'active' "
            "AND next_due_utc <= ? ORDER BY next_due_utc LIMIT 1000",
            (due,),
        ).fetchall()
        if not rows:
            conn.execute("COMMIT")
            break
        conn.executemany(
            'INSERT INTO deliveries ("key", subscription_id, platform, chat_id, occurrence_utc, '
            "status, attempts, created_utc, sent_utc) VALUES (?, ?, ?, ?, ?, 'sent', 1, ?, ?)",
            [(f"nudge:{i}:x", i, p, c, due, due, due) for i, p, c in rows],
        )
        conn.executemany(
            "UPDATE subscriptions SET next_due_utc = ? WHERE id = ?",
            [(following, i) for i, _, _ in rows],
        )
        conn.execute("COMMIT")
        count += len(rows)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    conn.close()
    return {"rows": count, "wall_s": wall, "per_s": count / wall, "per_cpu_s": count / cpu}


def child(args: list[str]) -> None:
    mode, url = args[0], args[1]
    if mode == "bare":
        result = bare(url)
    elif mode == "ours":
        result = asyncio.run(ours(url, int(args[2]), len(args) > 3))
    else:
        history = int(args[4]) if len(args) > 4 else 0
        result = asyncio.run(populate(url, int(args[2]), args[3], migrate=True, history=history))
    print("RESULT " + json.dumps(result))


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.scheduler_real", "--child", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )


def collect(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=1800)
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": err[-1500:]}


def sqlite_round(root: Path, n: int, kind: str, repeats: int, history: int = 0) -> dict[str, Any]:
    template = root / f"{kind}-{n}.db"
    url = f"sqlite+aiosqlite:///{template}"
    populate = spawn("populate", url, str(n), kind, str(history))
    result: dict[str, Any] = {"populate": collect(populate)}
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": []}
    for r in range(repeats):  # alternate, so both see the same load on the shared machine
        for mode in ("ours", "bare") if r % 2 == 0 else ("bare", "ours"):
            copy = root / f"run-{mode}.db"
            shutil.copyfile(template, copy)
            target = str(copy) if mode == "bare" else f"sqlite+aiosqlite:///{copy}"
            run = collect(spawn(mode, target, str(n)))
            run.pop("keys", None)
            runs[mode].append(run)
            copy.unlink()
            for extra in ("-wal", "-shm"):
                Path(f"{copy}{extra}").unlink(missing_ok=True)
    result.update(runs)
    best = {m: max(runs[m], key=lambda x: x.get("per_s", 0)) for m in runs}
    result["best_ours_per_s"] = best["ours"].get("per_s")
    result["best_bare_per_s"] = best["bare"].get("per_s")
    if best["bare"].get("per_s"):
        result["ratio_wall"] = best["ours"]["per_s"] / best["bare"]["per_s"]
        result["ratio_cpu"] = best["ours"]["per_cpu_s"] / best["bare"]["per_cpu_s"]
    template.unlink()
    return result


def postgres_round(base: str, n: int) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"careerbot_bench_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(base)

    async def admin(sql: str) -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        result: dict[str, Any] = {"populate": collect(spawn("populate", url, str(n), "realistic"))}
        started = time.perf_counter()
        workers = [spawn("ours", url, str(n), "keys") for _ in range(2)]
        outcomes = [collect(w) for w in workers]
        wall = time.perf_counter() - started
        every = [key for o in outcomes for key in o.pop("keys", [])]
        result.update(
            workers=outcomes,
            sent=len(every),
            duplicates=len(every) - len(set(every)),
            both_wall_s=wall,
            per_s=len(every) / max(o.get("wall_s", 0) for o in outcomes),
        )
        return result
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--postgres", default=None, help="postgresql+asyncpg://… (optional)")
    parser.add_argument(
        "--history", type=int, default=0, help="weeks of sent nudges already in the outbox"
    )
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results: dict[str, Any] = {"date": date.today().isoformat()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in (int(x) for x in args.sizes.split(",")):
            for kind in ("uniform", "realistic"):
                row = sqlite_round(root, n, kind, args.repeats, args.history)
                results[f"sqlite {kind} {n}"] = row
                print(json.dumps({f"sqlite {kind} {n}": row}, indent=1), flush=True)
            if args.postgres:
                row = postgres_round(args.postgres, n)
                results[f"postgres realistic {n}"] = row
                print(json.dumps({f"postgres realistic {n}": row}, indent=1), flush=True)
    print("ALL " + json.dumps(results))


if __name__ == "__main__":
    os.environ.setdefault("CAREERBOT_LOG_LEVEL", "WARNING")
    main()
