"""Storage on a real SQLite file: round trips, migrations, restarts; PostgreSQL when reachable."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.app import CareerBot
from bot.clock import ManualClock
from bot.dispatcher import Dispatcher
from bot.messages import Inbound, Reply
from bot.router import Router
from handlers import build_router
from storage.conversations import Conversations, State, StateKey
from storage.db import Database, alembic_config
from storage.models import Subscription
from storage.users import Chats, Users
from tests.conftest import START, RecordingPlatform, settings_for, text_of

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
"""The newest migration: exactly one head, whoever added it."""


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    await database.upgrade()
    yield database
    await database.dispose()


def _schema_diff(connection):
    """What the migrated database lacks or has beyond the models, as this dialect creates them:
    an index the models create only on another dialect (``ddl_if``) is not expected here."""
    name = connection.dialect.name

    def here(obj, _name, _type, reflected, _compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return reflected or condition is None or condition.dialect in (None, name)

    context = MigrationContext.configure(connection, opts={"include_object": here})
    return compare_metadata(context, SQLModel.metadata)


async def test_migration_creates_exactly_the_models(db: Database) -> None:
    assert await db.current_revision() == HEAD
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_schema_diff) == []


async def test_postgres_migration_creates_exactly_the_models(pg_url: str) -> None:
    """The same on PostgreSQL, where the outbox keeps its partial index of pending rows."""
    database = Database(pg_url)
    try:
        await database.upgrade()
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_schema_diff) == []
            indexes = await connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'deliveries'"
            )
            assert "ix_deliveries_pending" in {row[0] for row in indexes}
    finally:
        await database.dispose()


async def test_upgrade_is_idempotent(db: Database) -> None:
    await db.upgrade()
    assert await db.current_revision() == HEAD


async def test_user_round_trip_and_identity_is_per_platform(db: Database) -> None:
    users = Users(db)
    tg = await users.get_or_create("telegram", "42", "Ana", START)
    again = await users.get_or_create("telegram", "42", "Ana", START)
    dc = await users.get_or_create("discord", "42", "Ana", START)
    assert tg.id == again.id and tg.id != dc.id
    await users.update(tg.id, role_id="mle", timezone="Europe/Berlin")
    stored = await users.get("telegram", "42")
    assert (stored.role_id, stored.timezone) == ("mle", "Europe/Berlin")
    assert stored.created_utc == START and stored.created_utc.tzinfo is not None


async def test_display_names_are_stored_safely(db: Database) -> None:
    users = Users(db)
    name = "Robert'); DROP TABLE users;-- " + "é" * 300
    user = await users.get_or_create("telegram", "7", name, START)
    assert (await users.by_id(user.id)).display_name == name[:128]


async def test_conversation_state_round_trip_and_expiry(db: Database) -> None:
    states = Conversations(db)
    key = StateKey("telegram", "c1", "u1")
    await states.set(key, State("goal:date", {"cert": "gcp-pmle", "n": 1}), START)
    assert await states.get(key, START) == State("goal:date", {"cert": "gcp-pmle", "n": 1})
    assert await states.get(key, START + timedelta(days=2)) is None
    await states.clear(key)
    assert await states.get(key, START) is None


async def add_weekly(db: Database, kind: str, chat_id: str) -> None:
    async with db.session() as session:
        session.add(
            Subscription(
                kind=kind,
                platform="telegram",
                chat_id=chat_id,
                role_id="mle",
                weekday=0,
                local_time="09:00",
                timezone="UTC",
                next_due_utc=START,
                created_utc=START,
            )
        )
        await session.commit()


async def test_unreachable_chat_pauses_its_subscriptions_with_the_reason(db: Database) -> None:
    chats = Chats(db)
    await chats.record("telegram", "c9", "private", None, START)
    await add_weekly(db, "nudge", "c9")
    await chats.deactivate("telegram", "c9", "Forbidden: bot was blocked by the user")
    chat = await chats.get("telegram", "c9")
    assert not chat.active and "blocked" in chat.inactive_reason
    async with db.session() as session:
        sub = await session.get(Subscription, 1)
    assert sub.status == "paused" and "blocked" in sub.paused_reason
    await chats.record("telegram", "c9", "private", None, START)
    assert (await chats.get("telegram", "c9")).active


async def test_migrated_group_keeps_its_rows(db: Database) -> None:
    chats = Chats(db)
    await chats.record("telegram", "-1", "group", "Team", START)
    await add_weekly(db, "summary", "-1")
    await chats.migrate("telegram", "-1", "-1001")
    assert await chats.get("telegram", "-1") is None
    assert (await chats.get("telegram", "-1001")).title == "Team"
    async with db.session() as session:
        assert (await session.get(Subscription, 1)).chat_id == "-1001"


async def test_database_file_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    app = CareerBot(settings_for(tmp_path), clock=ManualClock(START))
    await app.start()
    await app.stop()
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "careerbot.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"users", "chats", "conversation_states", "subscriptions", "deliveries"} <= tables


def two_step_router() -> Router:
    """A real two-step conversation, to prove a flow's step survives a restart."""
    router = Router("flow")

    @router.command("survey", "test flow")
    async def begin(ctx) -> Reply:
        await ctx.set_state("survey:name", {"step": 1})
        return Reply.text("What is your name?")

    @router.state("survey:name")
    async def name(ctx) -> Reply:
        await ctx.set_state("survey:city", {"name": ctx.inbound.text})
        return Reply.text("Which city?")

    @router.state("survey:city")
    async def city(ctx) -> Reply:
        state = await ctx.state()
        await ctx.clear_state()
        return Reply.text(f"{state.data['name']} from {ctx.inbound.text}")

    return router


async def test_conversation_survives_a_restart_of_the_app(tmp_path: Path) -> None:
    platform = RecordingPlatform()

    async def run(text: str) -> str:
        app = CareerBot(settings_for(tmp_path), clock=ManualClock(START))
        await app.start()
        dispatcher = Dispatcher(two_step_router(), app.services, app.dispatcher.middlewares)
        try:
            return text_of(await dispatcher.feed(Inbound("test", "u", "u", text=text), platform))
        finally:
            await app.stop()

    assert "name" in await run("/survey")
    assert "city" in await run("Ana")
    assert "Ana from Lisbon" in await run("Lisbon")


async def test_a_command_ends_a_half_finished_conversation(tmp_path: Path) -> None:
    app = CareerBot(settings_for(tmp_path), clock=ManualClock(START))
    await app.start()
    router = two_step_router().include(build_router())
    dispatcher = Dispatcher(router, app.services, app.dispatcher.middlewares)
    platform = RecordingPlatform()
    feed = lambda t: dispatcher.feed(Inbound("test", "u", "u", text=t), platform)  # noqa: E731
    await feed("/survey")
    await feed("/risk")
    assert "REPLACE" in text_of(await feed("will AI replace ML engineers?")).upper()
    await app.stop()


async def test_postgres_round_trip(pg_url: str) -> None:
    url = pg_url
    db = Database(url)
    try:
        await db.upgrade()
        users = Users(db)
        platform_id = f"pg-{datetime.now(UTC).timestamp()}"
        user = await users.get_or_create("telegram", platform_id, "Pg", START)
        assert (await users.get("telegram", platform_id)).id == user.id
        states = Conversations(db)
        key = StateKey("telegram", platform_id, platform_id)
        await states.set(key, State("x", {"a": 1}), START)
        assert (await states.get(key, START)).data == {"a": 1}
        await states.clear(key)
    finally:
        await db.dispose()
