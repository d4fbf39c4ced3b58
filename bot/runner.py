"""Runs the platforms whose tokens are set, and the scheduler, in one process until a signal.

Each part is a :class:`Component` with ``start`` and ``stop``; they stop in reverse order so the
scheduler never sends through an adapter that has already shut down.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from bot.app import CareerBot
from bot.platform import Platform

log = logging.getLogger("careerbot")


class Component(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


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


async def serve(bot: CareerBot, components: list[Component], stop: asyncio.Event) -> None:
    """Start ``components`` in order, wait for ``stop``, then stop them in reverse order."""
    await bot.start()
    bot.warm_charts()
    started: list[Component] = []
    try:
        for component in components:
            await component.start()
            started.append(component)
            log.info("%s started", component.name)
        await _until_stopped(stop, started)
    finally:
        for component in reversed(started):
            try:
                await component.stop()
            except Exception:
                log.exception("%s did not stop cleanly", component.name)
        await bot.stop()


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


def platforms_of(components: list[Component]) -> dict[str, Platform]:
    """Components that can deliver messages, by platform name (what the scheduler sends with)."""
    return {c.name: c for c in components if hasattr(c, "send")}  # type: ignore[misc]
