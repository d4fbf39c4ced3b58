"""Shared fixtures: a real CareerBot on a SQLite file, a movable clock, a recording platform."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.messages import Inbound, Reply, Target

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class RecordingPlatform:
    """A platform that records what the core sends; used by handler tests through the router.

    It is the core's own Platform protocol (not an imitation of a chat library), so recording
    is all it needs to do.
    """

    def __init__(self, name: str = "test", moderators: set[str] | None = None) -> None:
        self.name = name
        self.sent: list[tuple[Target, Reply]] = []
        self.moderators = moderators if moderators is not None else set()
        self.missing: dict[str, str] = {}
        self.fail_with: Exception | None = None

    async def send(self, target: Target, reply: Reply) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((target, reply))

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return user_id in self.moderators

    async def missing_permission(self, chat_id: str) -> str | None:
        return self.missing.get(chat_id)


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "telegram_bot_token": None,
        "discord_bot_token": None,
        "database_url": None,
        "flood_burst": 1000,
        "charts": False,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[CareerBot]:
    app = CareerBot(settings_for(tmp_path), clock=clock)
    await app.start()
    yield app
    await app.stop()


@pytest.fixture
def platform() -> RecordingPlatform:
    return RecordingPlatform()


class Chat:
    """Drive the bot as one person would: send text, press buttons, read replies."""

    def __init__(
        self,
        bot: CareerBot,
        platform: RecordingPlatform,
        user_id: str = "u1",
        chat_id: str | None = None,
        chat_kind: str = "private",
    ) -> None:
        self.bot, self.platform = bot, platform
        self.user_id, self.chat_id = user_id, chat_id or user_id
        self.chat_kind = chat_kind
        self.last: Reply | None = None

    async def say(self, text: str) -> Reply | None:
        inbound = Inbound(
            self.platform.name,
            self.user_id,
            self.chat_id,
            text=text,
            chat_kind=self.chat_kind,
            user_name="Test User",
        )  # type: ignore[arg-type]
        self.last = await self.bot.feed(inbound, self.platform)
        return self.last

    async def press(self, label_or_action: str) -> Reply | None:
        """Press a button of the last reply by (part of) its label, or send raw action data."""
        data = label_or_action
        if self.last is not None:
            for button in self.last.all_buttons():
                if label_or_action.lower() in button.label.lower():
                    data = button.action
                    break
        inbound = Inbound(
            self.platform.name,
            self.user_id,
            self.chat_id,
            kind="action",
            text=data,
            chat_kind=self.chat_kind,
        )  # type: ignore[arg-type]
        self.last = await self.bot.feed(inbound, self.platform)
        return self.last


@pytest.fixture
def chat(bot: CareerBot, platform: RecordingPlatform) -> Chat:
    return Chat(bot, platform)


def text_of(reply: Reply | None) -> str:
    from bot.render import plain_text

    assert reply is not None, "expected a reply"
    buttons = " | ".join(b.label for b in reply.all_buttons())
    return plain_text(reply) + ("\n[buttons] " + buttons if buttons else "")


def postgres_url() -> str | None:
    """The test PostgreSQL server, from CAREERBOT_TEST_POSTGRES_URL; None skips PG tests."""
    return os.environ.get("CAREERBOT_TEST_POSTGRES_URL")


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        if os.environ.get("CAREERBOT_REQUIRE_POSTGRES"):
            pytest.fail("CAREERBOT_REQUIRE_POSTGRES is set but CAREERBOT_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL: set CAREERBOT_TEST_POSTGRES_URL to run this test")
    return url


async def _postgres_admin(base: str, sql: str) -> None:
    engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A freshly created PostgreSQL database for one test, dropped afterwards.

    Tests never share the server's own database: what one run (or a half-finished migration
    on another branch) leaves there must not decide whether the next run passes. A plain
    fixture, so sync tests (subprocess crash points) and async tests can both use it.
    """
    base = make_url(require_postgres())
    name = f"careerbot_t_{uuid.uuid4().hex[:12]}"
    admin = base.render_as_string(hide_password=False)
    asyncio.run(_postgres_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
