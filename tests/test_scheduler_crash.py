"""Crash points: a tick killed with SIGKILL at random moments, then recovered.

Each point forks a worker process (two on PostgreSQL, ticking at once) that runs a real tick
against a real database; its platform appends every delivered chat id to a log file with one
``write`` (what a person would have received, and it survives the kill). The test kills the
worker at a random moment — during the claim, between sends, between a send and its record —
then, past the lease, runs recovery in this process and checks what the issue asks: nothing sent
twice, nothing lost without a record, every subscription advanced exactly once, and no more
nudges written off ("outcome unknown") per killed worker than the sends it had in flight.

The tests are plain functions (no running event loop) so that ``os.fork`` leaves the child a
clean interpreter with everything already imported; the child never returns into pytest.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from select import select as wait_readable

import pytest
from sqlalchemy import select, text, update

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Reply, Target
from bot.scheduler import Dispatcher
from content.loader import Library, load_library
from storage.models import Subscription
from storage.outbox import LEASE
from tests.conftest import RecordingPlatform, settings_for
from tests.test_scheduler import make_goal

DUE = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # Tuesday 19:30 in Berlin
PEOPLE = 120
WORKERS = 6
"""Sends in flight per worker process: the most a kill may write off."""


class LoggedPlatform(RecordingPlatform):
    """Takes a moment per send, then records the delivery in the log with one write."""

    def __init__(self, log: Path, rng: random.Random) -> None:
        super().__init__()
        self.fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        self.rng = rng

    async def send(self, target: Target, reply: Reply) -> None:
        await asyncio.sleep(self.rng.uniform(0, 0.004))
        os.write(self.fd, f"{target.chat_id}\n".encode())


@dataclass
class Store:
    url: str
    library: Library
    root: Path

    def bot(self, name: str, now: datetime) -> CareerBot:
        return CareerBot(
            settings_for(self.root / name, database_url=self.url),
            clock=ManualClock(now),
            library=self.library,
        )


async def _populate(store: Store) -> None:
    bot = store.bot("setup", DUE - timedelta(days=1))
    await bot.db.upgrade()
    for n in range(PEOPLE):
        await make_goal(bot, user=f"p{n}", weekday=1, at="19:30")
    await bot.stop()


async def _reset(store: Store) -> None:
    """Every subscription due at DUE again, no delivery rows: the state before the tick."""
    bot = store.bot("setup", DUE)
    async with bot.db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM deliveries"))
        await conn.execute(
            update(Subscription.__table__).values(next_due_utc=DUE)  # type: ignore[arg-type]
        )
    await bot.stop()


def _child(store: Store, log: Path, seed: int, ready: int) -> None:
    """The worker process: one tick, then exit without running any of pytest's teardown."""
    code = 0
    try:

        async def tick() -> None:
            bot = store.bot(f"w{seed}", DUE)
            platform = LoggedPlatform(log, random.Random(seed))
            dispatcher = Dispatcher(bot.services, {"test": platform}, batch=40, workers=WORKERS)
            os.write(ready, b"go")
            await dispatcher.tick()
            os.write(ready, b"end")
            await bot.stop()

        asyncio.run(tick())
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _fork_worker(store: Store, log: Path, seed: int) -> tuple[int, int]:
    """Start a worker; returns (pid, pipe) once its tick is about to begin."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _child(store, log, seed, write)
    os.close(write)
    ready, _, _ = wait_readable([read], [], [], 30)
    assert ready, "the worker process did not start"
    assert os.read(read, 2) == b"go"
    return pid, read


def _time_tick(pid: int, pipe: int) -> float:
    """Let the worker finish; returns how long its tick took."""
    started = time.perf_counter()
    ready, _, _ = wait_readable([pipe], [], [], 60)
    span = time.perf_counter() - started
    assert ready and os.read(pipe, 3) == b"end", "the uninterrupted tick failed"
    os.close(pipe)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return span


def _delivered(log: Path) -> int:
    return log.read_bytes().count(b"\n") if log.exists() else 0


def _kill(pid: int, pipe: int, log: Path, plan: tuple[int, float] | None) -> bool:
    """Kill the worker once the log holds ``plan`` = (k deliveries, then d more seconds):
    k = 0 lands in the claim or the first sends, k > 0 between or inside later sends. None lets
    it finish. True if it was killed before it exited by itself."""
    if plan is None:
        os.waitpid(pid, 0)
        os.close(pipe)
        return False
    count, delay = plan
    deadline = time.monotonic() + 30
    while _delivered(log) < count and time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            os.close(pipe)
            return False
        time.sleep(0.0005)
    time.sleep(delay)
    if os.waitpid(pid, os.WNOHANG)[0]:
        os.close(pipe)
        return False
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(pipe)
    return True


async def _recover(store: Store, log: Path) -> tuple[list, Counter]:
    """Recovery past the lease, as the next worker's tick would run it: the delivery rows
    (chat, status, reason) and the next due times afterwards."""
    bot = store.bot("recovery", DUE + LEASE + timedelta(minutes=1))
    dispatcher = Dispatcher(
        bot.services, {"test": LoggedPlatform(log, random.Random(0))}, workers=WORKERS
    )
    await dispatcher.tick()
    assert (await dispatcher.tick()).sent == 0, "recovery finishes in one tick"
    S = Subscription.__table__.c  # type: ignore[attr-defined]
    async with bot.db.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT s.chat_id, d.status, d.last_error "
                    "FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
                )
            )
        ).all()
        next_due = Counter((await conn.execute(select(S.next_due_utc))).scalars())
    await bot.stop()
    return rows, next_due


def _received(log: Path) -> Counter:
    return Counter(log.read_text().split()) if log.exists() else Counter()


def _recover_and_check(store: Store, log: Path, killed: int) -> tuple[int, int]:
    """Recover, check every promise, and return (delivered before recovery, written off)."""
    before = sum(_received(log).values())
    rows, next_due = asyncio.run(_recover(store, log))
    received = _received(log)
    assert not [c for c, n in received.items() if n > 1], "a nudge was sent twice"
    by_chat = {chat: (status, error) for chat, status, error in rows}
    assert len(rows) == len(by_chat) == PEOPLE, "one delivery row per subscription"
    for chat, (status, error) in by_chat.items():
        assert status in ("sent", "failed"), f"{chat} left {status}"
        if status == "sent":
            assert received[chat] == 1, f"{chat} recorded sent but never delivered"
        else:
            assert error, f"{chat} failed without a reason"
    written_off = sum(1 for _, error in by_chat.values() if "outcome unknown" in (error or ""))
    lost = [c for c, (status, _) in by_chat.items() if status != "sent" and not received[c]]
    assert len(lost) <= written_off, "every undelivered nudge has a record of why"
    assert written_off <= WORKERS * killed, "wrote off more than the sends in flight"
    assert next_due == {DUE + timedelta(days=7): PEOPLE}, "every subscription advanced once"
    return before, written_off


def _run_points(store: Store, workers: int, points: int, seed: int) -> None:
    rng = random.Random(seed)
    asyncio.run(_populate(store))
    # An uninterrupted run first: it must deliver everything, and it times the tick.
    log = store.root / "calibrate.log"
    workers_ = [_fork_worker(store, log, rng.randrange(10**9)) for _ in range(workers)]
    span = max(_time_tick(pid, pipe) for pid, pipe in workers_)
    assert _recover_and_check(store, log, killed=0) == (PEOPLE, 0)
    mid_tick = 0
    for point in range(points):
        asyncio.run(_reset(store))
        log = store.root / f"point{point}.log"
        workers_ = [_fork_worker(store, log, rng.randrange(10**9)) for _ in range(workers)]
        plans: list[tuple[int, float] | None] = [
            (0, rng.uniform(0, span / 2))
            if rng.random() < 0.2
            else (rng.randrange(1, PEOPLE), rng.uniform(0, 0.004))
            for _ in workers_
        ]
        if workers > 1 and rng.random() < 0.3:
            plans[rng.randrange(workers)] = None  # on two workers, sometimes one survives
        plans_by_count = sorted(
            zip(workers_, plans, strict=True), key=lambda wp: wp[1][0] if wp[1] else PEOPLE
        )
        killed = sum(_kill(pid, pipe, log, plan) for (pid, pipe), plan in plans_by_count)
        before, _ = _recover_and_check(store, log, killed)
        if killed and 0 < before < PEOPLE:
            mid_tick += 1
    assert mid_tick >= points // 2, f"only {mid_tick} of {points} kills landed mid-tick"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def test_kill_a_sqlite_tick_at_random_points(tmp_path: Path, library: Library) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    _run_points(Store(url, library, tmp_path), workers=1, points=20, seed=8)


def test_kill_postgres_ticks_of_two_workers_at_random_points(
    tmp_path: Path, library: Library, pg_url: str
) -> None:
    _run_points(Store(pg_url, library, tmp_path), workers=2, points=10, seed=13)
