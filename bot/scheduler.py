"""The tick: one APScheduler job a minute that sends whatever the database says is due.

The database is the scheduler of record (see storage/outbox.py for the claim and the delivery
guarantee); APScheduler only wakes us up. There is exactly one job, whatever the number of
subscribers, configured explicitly — ``coalesce=True`` (after a stall, run once, not once per
missed minute), ``max_instances=1`` (a slow tick is never overlapped by the next), and a
``misfire_grace_time`` of one interval (APScheduler's 1-second default would silently drop a tick
whenever the event loop is busy for a second). A dropped or late tick loses nothing anyway:
the next one finds the same rows still due.

A tick: recover sends a stopped worker left behind → claim due rows in batches → send each
batch through a window of ``workers`` concurrent sends (a row is marked started only when a send
worker is free for it; see :meth:`Dispatcher._send`), record what was sent, and turn permanent
failures into paused subscriptions with the reason. A crash therefore writes off at most
``workers`` sends per process — the ones really in flight — and recovery sends the rest.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import SENT_FIRST_TIME, Deliverer, Outcome
from bot.messages import Reply, Target, quick_target
from bot.platform import Platform
from bot.services import Services
from storage.outbox import Claimed, Outbox, Window

log = logging.getLogger("careerbot.scheduler")

Composer = Callable[[Claimed, Services], Reply | None]
JOB_ID = "careerbot-dispatch"


@dataclass(slots=True)
class TickReport:
    started: datetime
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    paused: int = 0
    abandoned: int = 0
    recovered: int = 0
    sent_keys: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, failed {self.failed}, paused {self.paused}, "
            f"recovered {self.recovered}, abandoned {self.abandoned}"
        )


def default_composer(claimed: Claimed, services: Services) -> Reply | None:
    return resolve_default_composer()(claimed, services)


def resolve_default_composer() -> Composer:
    """The handlers' composer, imported on first use (the scheduler does not import handlers
    at import time); a dispatcher calls it directly from then on."""
    global _compose
    if _compose is None:
        from handlers.nudges import compose

        _compose = compose
    return _compose


_compose: Composer | None = None

YOUNG_DURING_TICK = 10_000
"""The collector's young-generation threshold while a tick runs (Python's default is 700)."""
_ticking = 0
_threshold = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation less often while a tick runs.

    A busy tick keeps a claim's rows, decisions and sends alive together, so at the default
    threshold it triggers about 230 young collections per 20,000 nudges, each walking those
    live objects and promoting them, and a full one: 2–2.5 µs a nudge. At 10,000 it is about
    ten (1–2 ms each, shorter than a claim keeps the loop); the threshold goes back when the
    last tick running in the process ends."""
    global _ticking, _threshold
    if _ticking == 0:
        _threshold = gc.get_threshold()
        gc.set_threshold(max(YOUNG_DURING_TICK, _threshold[0]), *_threshold[1:])
    _ticking += 1
    try:
        yield
    finally:
        _ticking -= 1
        if _ticking == 0:
            gc.set_threshold(*_threshold)


class Dispatcher:
    """Runs ticks against the database; the APScheduler wrapper below only calls :meth:`tick`."""

    def __init__(
        self,
        services: Services,
        platforms: Mapping[str, Platform],
        *,
        deliverer: Deliverer | None = None,
        compose: Composer = default_composer,
        batch: int = 500,
        keep_keys: bool = False,
        workers: int = 32,
    ) -> None:
        self.services = services
        self.outbox: Outbox = services.outbox
        self.deliverer = deliverer or Deliverer(platforms)
        self.compose = compose
        # Due rows per claim. On SQLite a claim runs on the loop's own thread, so this also
        # bounds how long it keeps the loop from anything else (about 10 ms at 500).
        self.batch = batch
        self.keep_keys = keep_keys
        self.workers = workers

    @property
    def platform_names(self) -> Sequence[str]:
        return list(self.deliverer.platforms)

    async def tick(self, now: datetime | None = None) -> TickReport:
        with fewer_collections():
            return await self._tick(now)

    async def _tick(self, now: datetime | None) -> TickReport:
        now = now or self.services.clock.now()
        report = TickReport(started=now)
        names = self.platform_names
        while True:  # recovery reads a bounded page at a time; a dead worker may leave more
            resend, abandoned = await self.outbox.recover(now, names)
            report.abandoned += abandoned
            if not resend:
                break
            report.recovered += len(resend)
            await self._send(resend, now, report)
        races = 0
        while True:
            claimed, seen = await self.outbox.claim(now, names, self.batch)
            if seen == 0:
                break
            if seen < 0:
                races += 1
                if races > 50:
                    log.warning("gave up claiming after 50 lost races; next tick retries")
                    break
                await asyncio.sleep(0)
                continue
            report.claimed += len(claimed)
            await self._send(claimed, now, report)
        if report.sent or report.failed or report.abandoned:
            log.info("tick at %s: %s", now.isoformat(timespec="minutes"), report)
        return report

    async def _send(self, claimed: list[Claimed], now: datetime, report: TickReport) -> None:
        """Send ``claimed`` with never more than ``workers`` sends started and not yet recorded.

        A row is marked started (the outbox's compare-and-set) only when a send worker is free
        for it, and the outcomes of finished sends are recorded in the same transaction that
        starts the ones taking their place. So wherever the process dies, at most ``workers``
        rows are "started, outcome unknown" — the sends really in flight, written off to keep
        the guarantee at most once — and every row not started yet is sent by recovery.
        Recording batches itself: whatever finished while the last commit ran goes into the
        next one, so fast sends share transactions and a slow one holds up nobody.

        The workers are a few long-lived coroutines, not one task per message, and they wake
        one another only as far as needed: a worker that takes a send wakes one idle worker if
        more are waiting. When sends finish without ever suspending (a fast platform), one
        worker goes through the whole window and costs one wake-up, not one per send; when each
        send waits on the network, the wake-ups cascade until every waiting send has a worker.
        """
        loop = asyncio.get_running_loop()
        waiting = deque(claimed)
        ready: deque[Claimed] = deque()
        idle: list[asyncio.Future[None]] = []
        finished: list[tuple[Claimed, Outcome]] = []
        wake = asyncio.Event()
        send = self.deliverer.send
        woken = 0  # workers woken that have not run yet
        closing = False

        def wake_one() -> None:
            nonlocal woken
            if idle and not woken:
                woken += 1
                idle.pop().set_result(None)

        async def worker() -> None:
            nonlocal woken
            while True:
                if not ready:
                    if closing:
                        return
                    nap = loop.create_future()
                    idle.append(nap)
                    await nap
                    woken -= 1
                    continue
                item = ready.popleft()
                if ready:
                    wake_one()
                # Composed and sent here rather than in a coroutine of its own: one frame less
                # per nudge (the rare moved chat goes through _moved).
                reply = self._compose_one(item)
                if reply.__class__ is Outcome:
                    outcome = reply
                else:
                    outcome = await send(quick_target(item.platform, item.chat_id), reply)
                    if outcome.status == "moved" and outcome.new_chat_id:
                        outcome = await self._moved(item, reply, outcome)
                finished.append((item, outcome))
                wake.set()

        pool = [asyncio.ensure_future(worker()) for _ in range(min(self.workers, len(claimed)))]
        try:
            async with self.outbox.window() as window:
                in_flight = 0
                done: list[tuple[Claimed, Outcome]] = []
                while True:
                    free = self.workers - in_flight + len(done)
                    batch = [waiting.popleft() for _ in range(min(free, len(waiting)))]
                    owned = await self._settle(window, done, batch, now, report)
                    in_flight += len(owned) - len(done)
                    if len(owned) == len(batch):  # the usual case: every row started is ours
                        ready.extend(batch)
                    else:
                        ready.extend(c for c in batch if c.delivery_id in owned)
                    wake_one()
                    if in_flight == 0 and not waiting:
                        break
                    if in_flight:
                        await wake.wait()
                    wake.clear()
                    done, finished[:] = finished[:], []
        except BaseException:
            for task in pool:
                task.cancel()
            raise
        finally:
            closing = True
            for nap in idle:
                if not nap.done():
                    nap.set_result(None)
            await asyncio.gather(*pool, return_exceptions=True)

    async def _settle(
        self,
        window: Window,
        done: list[tuple[Claimed, Outcome]],
        start: list[Claimed],
        now: datetime,
        report: TickReport,
    ) -> set[int]:
        """Record ``done`` and start ``start`` in one transaction; returns the ids now owned."""
        sent: list[int] = []
        failed: list[tuple[Claimed, Outcome]] = []
        for c, o in done:  # one pass: a window's worth per settle, tens of thousands a tick
            if o is SENT_FIRST_TIME or o.status == "sent":
                sent.append(c.delivery_id)
            else:
                failed.append((c, o))
        failures = [(c.delivery_id, o.detail or o.status, max(1, o.attempts)) for c, o in failed]
        owned = await self.outbox.settle(
            window, sent, failures, now, [c.delivery_id for c in start]
        )
        report.sent += len(sent)
        if self.keep_keys:
            report.sent_keys.extend(c.key for c, o in done if o.status == "sent")
        for c, outcome in failed:
            await self._failed(c, outcome, report)
        return owned

    def _compose_one(self, claimed: Claimed) -> Reply | Outcome:
        """The reply to send, or the failure to record when there is none."""
        compose = self.compose
        if compose is default_composer:  # resolved on the first send, then one call less each
            compose = self.compose = resolve_default_composer()
        try:
            reply = compose(claimed, self.services)
        except Exception as exc:
            log.exception("could not compose %s", claimed.key)
            return Outcome("failed", 0, f"compose: {type(exc).__name__}")
        if reply is None:
            return Outcome("failed", 0, "nothing to send: the role or credential is gone")
        return reply

    async def _moved(self, claimed: Claimed, reply: Reply, outcome: Outcome) -> Outcome:
        """A Telegram group became a supergroup: move its rows, then send there once."""
        assert outcome.new_chat_id is not None
        await self.services.chats.migrate(claimed.platform, claimed.chat_id, outcome.new_chat_id)
        moved = outcome.new_chat_id
        again = await self.deliverer.send(Target(claimed.platform, moved), reply)
        return Outcome(again.status, outcome.attempts + again.attempts, again.detail, moved)

    async def _failed(self, claimed: Claimed, outcome: Outcome, report: TickReport) -> None:
        """What a recorded failure means for the chat or the subscription."""
        report.failed += 1
        if outcome.status == "unreachable":
            chat_id = outcome.new_chat_id or claimed.chat_id  # where it went, if the chat moved
            await self.services.chats.deactivate(claimed.platform, chat_id, outcome.detail)
            report.paused += 1
        elif outcome.status == "forbidden":
            await self.services.subscriptions.pause(claimed.subscription_id, outcome.detail)
            report.paused += 1
        log.warning("%s not delivered: %s %s", claimed.key, outcome.status, outcome.detail)


class SchedulerComponent:
    """The runner's component: an AsyncIOScheduler with the one dispatch job."""

    name = "scheduler"

    def __init__(
        self,
        services: Services,
        platforms: Mapping[str, Platform],
        *,
        interval: timedelta = timedelta(minutes=1),
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self.dispatcher = dispatcher or Dispatcher(services, platforms)
        self.interval = interval
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self.last_tick: TickReport | None = None

    def add_job(self) -> None:
        seconds = self.interval.total_seconds()
        self.scheduler.add_job(
            self._run,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=JOB_ID,
            name="dispatch due nudges and summaries",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(seconds),
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
            replace_existing=True,
        )

    async def start(self) -> None:
        self.add_job()
        self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler.running:
            # AsyncIOScheduler shuts down on the loop's next turn: give it that turn.
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
        # Let a tick in progress finish marking what it sent; it is short by design.
        try:
            async with asyncio.timeout(30):
                async with self._lock:
                    pass
        except TimeoutError:
            log.warning("a tick was still running at shutdown; recovery will settle it")

    async def _run(self) -> None:
        async with self._lock:
            try:
                self.last_tick = await self.dispatcher.tick()
            except Exception:
                log.exception("scheduler tick failed; the next one retries")
