"""Runs the platforms whose tokens are set, and the scheduler, in one process until a signal.

Each part is a :class:`Component` with ``start`` and ``stop``. Platforms start independently: one
that cannot connect is retried with backoff (one log line per attempt) while the others serve, and
joins the scheduler's live set of platforms when it comes up, so nudges for it wait in the
database instead of failing. A platform that refuses us for good (a rejected token) is logged and
left out. Only when no platform can start at all does the process stop, with one line that says
why. Components stop in reverse order, so the scheduler never sends through a stopped adapter.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.app import CareerBot, freeze_heap
from bot.errors import StartFailed
from bot.platform import Platform

log = logging.getLogger("careerbot")


class Component(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """How platforms that cannot connect are retried."""

    first: float = 2.0
    factor: float = 2.0
    cap: float = 300.0
    give_up_after: int = 5
    """Attempts per platform before the process stops, when no platform is up at all."""

    def delay(self, attempt: int) -> float:
        return min(self.first * self.factor ** (attempt - 1), self.cap)


def platform_components(bot: CareerBot) -> list[Component]:
    """The adapters for every platform whose token is configured."""
    settings = bot.settings
    components: list[Component] = []
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram import TelegramAdapter

        components.append(TelegramAdapter(bot))
    if settings.discord_bot_token is not None:
        from bot.adapters.discord import DiscordAdapter

        components.append(DiscordAdapter(bot))
    return components


class _Starter:
    """Starts the platforms, each in its own task, and keeps trying the ones that fail."""

    def __init__(
        self,
        platforms: Sequence[Component],
        live: dict[str, Platform],
        backoff: Backoff,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.live, self.backoff, self.sleep = live, backoff, sleep
        self.started: list[Component] = []
        self.attempts = {c.name: 0 for c in platforms}
        self.errors: dict[str, str] = {}
        self.given_up: set[str] = set()
        self.changed = asyncio.Event()
        self.tasks = [asyncio.ensure_future(self._keep_trying(c)) for c in platforms]

    async def _keep_trying(self, component: Component) -> None:
        while True:
            self.attempts[component.name] += 1
            attempt = self.attempts[component.name]
            try:
                await component.start()
            except StartFailed as exc:
                error = exc
            except Exception as exc:  # a library error we did not map: retry, say what it was
                error = StartFailed(f"{component.name}: {type(exc).__name__}", retry=True)
            else:
                self.started.append(component)
                if hasattr(component, "send"):
                    self.live[component.name] = component  # type: ignore[assignment]
                log.info("%s started", component.name)
                self.changed.set()
                return
            self.errors[component.name] = str(error)
            await _stop_quietly(component)
            if not error.retry:
                if len(self.attempts) > 1:  # alone, the CLI's last line says it
                    log.error("%s (not retried)", error)
                self.given_up.add(component.name)
                self.changed.set()
                return
            delay = self.backoff.delay(attempt)
            log.warning("%s (attempt %d; retrying in %gs)", error, attempt, delay)
            self.changed.set()
            await self.sleep(delay)

    def hopeless(self) -> bool:
        """Nothing is up and nothing is worth waiting for any longer."""
        if self.started:
            return False
        return all(
            name in self.given_up or count >= self.backoff.give_up_after
            for name, count in self.attempts.items()
        )

    async def first_up(self) -> None:
        """Wait until one platform is up; raise StartFailed when none can be."""
        while not self.started:
            if self.hopeless():
                reasons = " ".join(self.errors.values()) or "no platform is configured."
                raise StartFailed(reasons, retry=False)
            self.changed.clear()
            await self.changed.wait()

    async def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def serve(
    bot: CareerBot,
    platforms: Sequence[Component],
    stop: asyncio.Event,
    *,
    live: dict[str, Platform] | None = None,
    after: Sequence[Component] = (),
    backoff: Backoff | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Start ``platforms`` (retrying those that fail), then ``after`` (the scheduler, which
    sends through ``live``); wait for ``stop``; stop everything in reverse order."""
    await bot.start()
    starter = _Starter(platforms, live if live is not None else {}, backoff or Backoff(), sleep)
    started_after: list[Component] = []
    try:
        waiting = asyncio.ensure_future(starter.first_up())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({waiting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            if not waiting.done():
                waiting.cancel()
        if stop.is_set():
            return
        waiting.result()  # raises StartFailed when no platform could start
        bot.warm_charts()
        for component in after:
            await component.start()
            started_after.append(component)
            log.info("%s started", component.name)
        freeze_heap()  # everything long-lived exists now: keep full collections short
        await _until_stopped(stop, starter.started)
    finally:
        await starter.cancel()
        for component in [*reversed(started_after), *reversed(starter.started)]:
            try:
                await component.stop()
            except Exception:
                log.exception("%s did not stop cleanly", component.name)
        await bot.stop()


async def _stop_quietly(component: Component) -> None:
    """Undo a half-done start so the next attempt begins clean."""
    try:
        await component.stop()
    except Exception as exc:
        log.debug("%s: clean-up after a failed start: %s", component.name, type(exc).__name__)


async def _until_stopped(stop: asyncio.Event, components: list[Component]) -> None:
    """Wait for ``stop``, or for a component that ended on its own (it sets ``finished``,
    e.g. Telegram after a 409 Conflict): then the whole process stops cleanly."""
    events = {"signal": stop}
    for component in components:
        finished = getattr(component, "finished", None)
        if isinstance(finished, asyncio.Event):
            events[component.name] = finished
    waiters = {asyncio.ensure_future(event.wait()): name for name, event in events.items()}
    try:
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    for waiter in done:
        if waiters[waiter] != "signal":
            log.warning("%s stopped on its own; shutting down", waiters[waiter])


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
