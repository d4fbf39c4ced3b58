"""Per-person state stays bounded without forgetting anyone it matters for.

Flood buckets, recently seen chats and send limiters evict the least recently used entry when
full (never everything at once): a flooder keeps their empty bucket however many new people
arrive, and a person whose state was evicted gets it rebuilt exactly as it should be. First
contact creates the person and their chat on one connection, also when two workers race.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.adapters.telegram_limits import RateLimits, SendLimiter
from bot.dispatcher import Dispatcher
from bot.messages import Inbound
from bot.middlewares import FloodLimit, identify
from domain.lru import LruMap
from storage.db import Database
from storage.users import Chats, ChatSeen, Users
from tests.conftest import START, RecordingPlatform, text_of


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'people.db'}")
    await database.upgrade()
    yield database
    await database.dispose()


def test_lru_map_forgets_the_least_recently_used_first() -> None:
    lru: LruMap[str, int] = LruMap(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recently used
    lru.put("c", 3)
    assert "b" not in lru and lru.peek("a") == 1 and lru.peek("c") == 3
    lru.put("d", 4)
    assert "a" not in lru and len(lru) == 2


def test_lru_map_drops_expired_entries_from_the_old_end_only() -> None:
    lru: LruMap[str, float] = LruMap(10)
    for key, expiry in (("a", 1.0), ("b", 2.0), ("c", 5.0), ("d", 3.0)):
        lru.put(key, expiry)
    lru.drop_oldest_while(lambda expiry: expiry <= 2.5)
    assert [k for k in "abcd" if k in lru] == ["c", "d"]


def test_a_flooder_keeps_their_bucket_while_many_new_people_arrive() -> None:
    limiter = FloodLimit(burst=2, per_second=0.0, max_tracked=3)
    assert [limiter.allow("t", "flooder", 0.0) for _ in range(3)] == [True, True, False]
    for i in range(50):
        assert limiter.allow("t", f"new{i}", 0.0)  # every newcomer gets their burst
        assert not limiter.allow("t", "flooder", 0.0)  # still empty: never handed a new burst
    assert len(limiter._buckets) == 3


def test_an_evicted_quiet_person_gets_a_full_bucket_back() -> None:
    limiter = FloodLimit(burst=2, per_second=1.0, max_tracked=2)
    assert limiter.allow("t", "quiet", 0.0)
    for i in range(5):
        limiter.allow("t", f"other{i}", 1.0)
    assert "quiet" not in {key[1] for key in limiter._buckets._data}
    # After ten quiet seconds their bucket would have refilled: the rebuilt one is the same.
    assert [limiter.allow("t", "quiet", 10.0) for _ in range(3)] == [True, True, False]


async def test_flood_warning_survives_newcomers_through_the_middleware(bot) -> None:
    flood = FloodLimit(burst=1, per_second=0.0, max_tracked=2)
    dispatcher = Dispatcher(bot.router, bot.services, [flood, identify])
    platform = RecordingPlatform()

    async def say(user: str) -> object:
        return await dispatcher.feed(Inbound("test", user, user, text="/risk"), platform)

    assert "46/100" in text_of(await say("flooder"))
    assert "faster than I can answer" in text_of(await say("flooder"))
    for i in range(4):
        assert "46/100" in text_of(await say(f"newcomer{i}"))
        assert await say("flooder") is None  # warned once, then silence: no second warning


async def test_an_evicted_chat_is_recorded_again_and_made_active(db: Database) -> None:
    chats = Chats(db, max_recent=2)
    for chat_id in ("c1", "c2"):
        await chats.record("telegram", chat_id, "private", None, START)
    async with db.engine.begin() as connection:
        await connection.execute(text("UPDATE chats SET active = 0, inactive_reason = 'blocked'"))
    # c2 is still remembered as recorded a moment ago: no write for it.
    await chats.record("telegram", "c2", "private", None, START)
    assert not (await chats.get("telegram", "c2")).active
    # Two newcomers push c1 and c2 out; their next messages record them again.
    await chats.record("telegram", "c3", "group", "Team", START)
    await chats.record("telegram", "c4", "private", None, START)
    for chat_id in ("c1", "c2"):
        await chats.record("telegram", chat_id, "private", None, START)
        chat = await chats.get("telegram", chat_id)
        assert chat.active and chat.inactive_reason is None and chat.kind == "private"
    assert len(chats._recent) == 2


async def test_a_new_title_is_recorded_and_a_missing_one_keeps_the_old(db: Database) -> None:
    chats = Chats(db)
    await chats.record("telegram", "-5", "group", "Team", START)
    await chats.record("telegram", "-5", "group", "Team renamed", START)
    assert (await chats.get("telegram", "-5")).title == "Team renamed"
    await chats.record("telegram", "-5", "group", None, START)
    assert (await chats.get("telegram", "-5")).title == "Team renamed"


async def test_first_contact_creates_the_person_and_the_chat_at_once(db: Database) -> None:
    users = Users(db)
    chat = ChatSeen("telegram", "-77", "group", "Study group")
    user, state = await users.identify("telegram", "42", "-77", "Ana", START, chat)
    assert user.id is not None and user.display_name == "Ana" and state is None
    again, _ = await users.identify("telegram", "42", "-77", "Ana", START)
    assert again.id == user.id and again.created_utc == START
    recorded = await Chats(db).get("telegram", "-77")
    assert recorded.title == "Study group" and recorded.kind == "group" and recorded.active


async def _race(db: Database, user_id: str, now: datetime) -> set[int | None]:
    users = [Users(db) for _ in range(4)]
    results = await asyncio.gather(
        *(u.identify("telegram", user_id, user_id, "Racer", now) for u in users)
    )
    return {user.id for user, _ in results}


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "through-sqlalchemy"])
async def test_two_workers_meeting_a_new_person_at_once_agree_on_one_row(
    db: Database, direct: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not direct:
        monkeypatch.setattr(db, "direct", lambda: None)
    ids = await _race(db, "999", START)
    assert len(ids) == 1 and None not in ids
    async with db.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM users"))
    assert count == 1


async def test_first_contact_race_on_postgres(pg_url: str) -> None:
    database = Database(pg_url)
    try:
        await database.upgrade()
        ids = await _race(database, "racer", START)
        assert len(ids) == 1 and None not in ids
    finally:
        await database.dispose()


async def test_send_limiter_is_bounded_and_a_busy_chat_keeps_its_bucket() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = SendLimiter(
        RateLimits(overall_per_second=1e9, chat_per_second=1.0, chat_burst=1),
        clock=lambda: now[0],
        sleep=sleep,
        max_tracked=3,
    )
    await limiter.acquire("busy")
    for i in range(10):
        await limiter.acquire(f"chat{i}")
        await limiter.acquire("busy")  # its bucket is still there, so it is paced
    assert len(limiter._chats) == 3
    assert sum(waits) == pytest.approx(10.0)


async def test_the_direct_sqlite_path_equals_the_sqlalchemy_path(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.conversations import Conversations, State, StateKey

    users = Users(db)
    await users.identify(
        "telegram", "5", "-9", "Bo", START, ChatSeen("telegram", "-9", "group", "G")
    )
    await Conversations(db).set(StateKey("telegram", "-9", "5"), State("goal", {"step": 2}), START)
    direct = await users.identify("telegram", "5", "-9", "Bo", START)
    assert db.direct() is not None
    first_direct, _ = await users.identify("telegram", "6", "6", "Cy", START)
    monkeypatch.setattr(db, "direct", lambda: None)
    through_sqlalchemy = await users.identify("telegram", "5", "-9", "Bo", START)
    assert direct == through_sqlalchemy
    first_sqlalchemy, _ = await users.identify("telegram", "7", "7", "Cy", START)
    assert first_direct.model_dump(exclude={"id", "platform_user_id"}) == (
        first_sqlalchemy.model_dump(exclude={"id", "platform_user_id"})
    )
    assert (await users.identify("telegram", "6", "6", "Cy", START))[0] == first_direct
    assert direct[1] is not None and direct[1].name == "goal"
    assert direct[0].created_utc == START and direct[0].created_utc.tzinfo is not None


async def test_a_first_contact_waits_out_another_writer_instead_of_failing(db: Database) -> None:
    """The direct path gives up on a held write lock at once; the async path then waits."""
    assert db.direct() is not None and db.file is not None
    writer = sqlite3.connect(db.file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    release = asyncio.get_running_loop().call_later(0.2, writer.execute, "COMMIT")
    try:
        user, _ = await Users(db).identify(
            "telegram", "8", "8", "Di", START, ChatSeen("telegram", "8", "private", None)
        )
    finally:
        release.cancel()
        if writer.in_transaction:
            writer.execute("COMMIT")
        writer.close()
    assert user.id is not None
    assert not db.direct().in_transaction
    assert (await Chats(db).get("telegram", "8")) is not None


async def test_a_first_contact_failing_half_way_leaves_nothing_half_written(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person and their chat are written in one transaction on the direct path: a failure
    after the first write rolls both back, and the async path then writes both."""
    from storage import users as users_module

    direct = db.direct()
    assert direct is not None
    statements = users_module._direct_statements()

    class Busy:
        def execute(self, connection: sqlite3.Connection, values: object) -> None:
            assert connection.in_transaction  # the person's row is written but not committed
            raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(
        users_module, "_direct_statements", lambda: (statements[0], statements[1], Busy())
    )
    user, _ = await Users(db).identify(
        "telegram", "9", "9", "Ed", START, ChatSeen("telegram", "9", "private", None)
    )
    assert not direct.in_transaction
    async with db.engine.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM users"))
    assert count == 1 and user.id is not None
    assert (await Chats(db).get("telegram", "9")) is not None


async def test_a_first_contact_error_that_is_not_busy_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a busy database falls back to the async path; any other failure of the chat's
    write takes the person's row, written a moment before, back with it."""
    from storage import users as users_module

    statements = users_module._direct_statements()

    class Broken:
        def execute(self, connection: sqlite3.Connection, values: object) -> None:
            raise sqlite3.IntegrityError("constraint failed")

    monkeypatch.setattr(
        users_module, "_direct_statements", lambda: (statements[0], statements[1], Broken())
    )
    with pytest.raises(sqlite3.IntegrityError):
        await Users(db).identify(
            "telegram", "10", "10", "Flo", START, ChatSeen("telegram", "10", "private", None)
        )
    assert not db.direct().in_transaction
    async with db.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM users")) == 0


def test_a_direct_statement_takes_the_callers_value_over_a_binds_own() -> None:
    from sqlalchemy import bindparam, select

    from storage.direct import DirectStatement

    statement = DirectStatement(select((bindparam("a", 5) + bindparam("b")).label("sum")))
    assert statement._parameters({"a": 7, "b": 2}) == [7, 2]
    assert statement._parameters({"b": 2}) == [5, 2]
