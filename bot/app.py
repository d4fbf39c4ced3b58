"""Wiring: settings, content, storage, router and middlewares become one :class:`CareerBot`.

Every platform adapter, the scheduler and the CLI share one instance per process.
"""

from __future__ import annotations

import gc
from pathlib import Path

from bot import middlewares
from bot.charts.service import ChartService
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.dispatcher import Dispatcher, Middleware
from bot.messages import Inbound, Reply
from bot.platform import Platform
from bot.presses import own_messages_only
from bot.services import Services
from content.loader import DEFAULT_ROLES_DIR, Library, load_library
from handlers import build_router
from handlers.risk import risk_reply
from storage.db import Database


def freeze_heap() -> None:
    """Take everything alive after start-up out of the garbage collector's sight.

    The content, the compiled statements, the libraries' own objects live as long as the
    process; without this every full collection walks all of them again (70-110 ms pauses on
    a loaded bot). Collect first so no garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


class CareerBot:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        library: Library | None = None,
        roles_dir: Path = DEFAULT_ROLES_DIR,
    ) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        self.services = Services.build(
            settings,
            library or load_library(roles_dir, settings.data_dir),
            self.db,
            clock or SystemClock(),
        )
        self.charts = ChartService(settings.charts)
        self.router = build_router()
        self.services.router_commands = list(self.router.commands.values())
        self.services.cancelled_notes = dict(self.router.cancelled_notes)
        chain: list[Middleware] = [
            middlewares.errors,
            own_messages_only,
            middlewares.logging_middleware,
            middlewares.input_guard,
        ]
        if settings.flood_burst > 0:
            chain.append(middlewares.FloodLimit(settings.flood_burst, settings.flood_per_second))
        chain.append(middlewares.identify)
        self.dispatcher = Dispatcher(self.router, self.services, chain)

    async def start(self) -> None:
        """Bring the schema up to date (automatically on the embedded database) or refuse to
        start on one this release cannot use: :class:`storage.db.DatabaseUnusable`."""
        await self.db.prepare(upgrade=self.db.is_sqlite)

    def warm_charts(self) -> None:
        """Start drawing every role's risk card now, so the first /risk has its picture at once
        (in the background: start-up does not wait for it)."""
        replies = (risk_reply(pack) for pack in self.services.library.packs)
        self.charts.warm(reply.chart for reply in replies if reply and reply.chart)

    async def stop(self) -> None:
        await self.db.dispose()

    async def feed(self, inbound: Inbound, platform: Platform) -> Reply | None:
        """The reply to ``inbound``, with its picture if one is already drawn; adapters send it,
        then ask ``self.charts.follow_up(reply)`` for a picture that was still being drawn."""
        reply = await self.dispatcher.feed(inbound, platform)
        self.charts.attach(reply, inbound.target)
        return reply
