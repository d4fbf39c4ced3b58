"""People and chats, found by their platform identity and created on first contact."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, false, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.lru import LruMap
from storage.db import Database
from storage.direct import DirectStatement
from storage.models import Chat, ConversationState, Delivery, GroupSettings, Subscription, User

_USERS, _STATES = User.__table__, ConversationState.__table__  # type: ignore[attr-defined]
_IDENTIFY = (
    select(
        *(c.label(f"u_{c.name}") for c in _USERS.columns),
        *(c.label(f"s_{c.name}") for c in _STATES.columns),
    )
    .select_from(
        _USERS.outerjoin(
            _STATES,
            and_(
                _STATES.c.platform == _USERS.c.platform,
                _STATES.c.user_id == _USERS.c.platform_user_id,
                _STATES.c.chat_id == bindparam("chat_id"),
            ),
        )
    )
    .where(_USERS.c.platform == bindparam("platform"))
    .where(_USERS.c.platform_user_id == bindparam("user_id"))
)
"""Built once: composing this statement per message cost about as much as running it."""


_UNSET: dict[str, Any] = {c.name: None for c in _USERS.columns if c.name != "id"}
"""A new person's row before first contact fills it in: every column the insert binds."""


def _columns(row: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def _dialect_insert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@lru_cache(maxsize=4)
def _insert_user(dialect: str) -> Any:
    """First contact as one statement that a concurrent first contact cannot break."""
    return _dialect_insert(dialect)(_USERS).on_conflict_do_nothing(
        index_elements=[_USERS.c.platform, _USERS.c.platform_user_id]
    )


@lru_cache(maxsize=4)
def _upsert_chat(dialect: str) -> Any:
    """Create the chat, or make it active again and take its new title, in one statement.

    A chat that is active under the same title is left untouched (no write at all).
    """
    chats = Chat.__table__  # type: ignore[attr-defined]
    insert = _dialect_insert(dialect)(chats)
    return insert.on_conflict_do_update(
        index_elements=[chats.c.platform, chats.c.platform_chat_id],
        set_={
            "active": True,
            "inactive_reason": None,
            "title": func.coalesce(insert.excluded.title, chats.c.title),
        },
        where=or_(chats.c.active == false(), chats.c.title.is_distinct_from(insert.excluded.title)),
    )


@dataclass(frozen=True, slots=True)
class ChatSeen:
    """A chat to record along with the person who spoke in it."""

    platform: str
    chat_id: str
    kind: str
    title: str | None


def _chat_values(chat: ChatSeen, now: datetime) -> dict[str, Any]:
    return {
        "platform": chat.platform,
        "platform_chat_id": chat.chat_id,
        "kind": chat.kind,
        "title": (chat.title or "")[:256] or None,
        "active": True,
        "inactive_reason": None,
        "created_utc": now,
    }


def _person(row: Mapping[str, Any] | None) -> tuple[User, ConversationState | None]:
    assert row is not None
    user = User.model_validate(_columns(row, "u_"))
    state = (
        ConversationState.model_validate(_columns(row, "s_")) if row["s_id"] is not None else None
    )
    return user, state


@lru_cache(maxsize=1)
def _direct_statements() -> tuple[DirectStatement, DirectStatement, DirectStatement]:
    return (
        DirectStatement(_IDENTIFY),
        DirectStatement(_insert_user("sqlite"), [c.name for c in _USERS.columns if c.name != "id"]),
        DirectStatement(
            _upsert_chat("sqlite"), list(_chat_values(ChatSeen("", "", "", None), datetime.now()))
        ),
    )


def _identify_directly(
    connection: sqlite3.Connection,
    params: dict[str, str],
    new_user: dict[str, Any],
    chat: ChatSeen | None,
    now: datetime,
) -> tuple[User, ConversationState | None]:
    """:meth:`Users.identify` on the loop's thread (see :mod:`storage.direct`).

    A first contact's two writes share one transaction: nothing awaits between them, so
    SQLite's write lock is still never held across an await, and one commit replaces two.
    """
    identify, insert_user, upsert_chat = _direct_statements()
    row = identify.first(connection, params)
    if row is None or chat is not None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            if row is None:
                cursor = insert_user.execute(connection, new_user)
                if cursor.rowcount == 1:
                    row = _new_row(new_user, cursor.lastrowid)
            if chat is not None:
                upsert_chat.execute(connection, _chat_values(chat, now))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    if row is None:  # a concurrent first contact inserted the person first
        row = identify.first(connection, params)
    return _person(row)


def _new_row(values: Mapping[str, Any], user_id: int | None) -> dict[str, Any]:
    """The row the identify read would now return for a person just inserted."""
    return {"s_id": None, "u_id": user_id, **{f"u_{k}": v for k, v in values.items()}}


class Users:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def identify(
        self,
        platform: str,
        platform_user_id: str,
        chat_id: str,
        display_name: str | None,
        now: datetime,
        chat: ChatSeen | None = None,
    ) -> tuple[User, ConversationState | None]:
        """The person and their conversation state in this chat, in one round trip.

        Every message needs both, and always fresh from the database (another worker may have
        moved the conversation on), so they are read together rather than cached. A new person
        (insert-if-absent) and ``chat``, when given, are written without holding SQLite's single
        write lock across an await (with dozens of first contacts at once, a transaction held
        over several thread hops made the others time out with "database is locked"): on the
        loop's own thread in one transaction, else on one more connection with each idempotent
        statement committing on its own.
        """
        params = {"platform": platform, "user_id": platform_user_id, "chat_id": chat_id}

        new_user = {
            **_UNSET,
            "platform": platform,
            "platform_user_id": platform_user_id,
            "display_name": (display_name or "")[:128] or None,
            "created_utc": now,
        }

        direct = self.db.direct()
        if direct is not None:
            try:
                return _identify_directly(direct, params, new_user, chat, now)
            except sqlite3.OperationalError:
                pass  # busy (a checkpoint, a long writer): the async path waits properly
        async with self.db.engine.connect() as connection:
            found = (await connection.execute(_IDENTIFY, params)).first()
        row = found._mapping if found is not None else None
        if row is None or chat is not None:
            async with self.db.autocommit.connect() as connection:
                if row is None:
                    insert = _insert_user(connection.dialect.name)
                    result = await connection.execute(insert, new_user)
                    if result.rowcount == 1:
                        row = _new_row(new_user, result.inserted_primary_key[0])
                    else:
                        row = (await connection.execute(_IDENTIFY, params)).one()._mapping
                if chat is not None:
                    await connection.execute(
                        _upsert_chat(connection.dialect.name), _chat_values(chat, now)
                    )
        return _person(row)

    async def get(self, platform: str, platform_user_id: str) -> User | None:
        async with self.db.session() as session:
            result = await session.exec(
                select(User).where(
                    User.platform == platform, User.platform_user_id == platform_user_id
                )
            )
            return result.first()

    async def get_or_create(
        self, platform: str, platform_user_id: str, display_name: str | None, now: datetime
    ) -> User:
        user = await self.get(platform, platform_user_id)
        if user is not None:
            return user
        async with self.db.session() as session:
            user = User(
                platform=platform,
                platform_user_id=platform_user_id,
                display_name=(display_name or "")[:128] or None,
                created_utc=now,
            )
            session.add(user)
            try:
                await session.commit()
            except IntegrityError:
                # Another worker created the same identity a moment ago: use theirs.
                await session.rollback()
                existing = await self.get(platform, platform_user_id)
                if existing is None:
                    raise
                return existing
            return user

    async def by_id(self, user_id: int) -> User | None:
        async with self.db.session() as session:
            return await session.get(User, user_id)

    async def update(self, user_id: int, **values: object) -> User | None:
        return await self.db.update(User, user_id, **values)


class Chats:
    RECENT_SECONDS = 300.0
    """A chat recorded this recently is not looked up again on its next message."""

    def __init__(self, db: Database, max_recent: int = 100_000) -> None:
        self.db = db
        self._recent: LruMap[tuple[str, str], tuple[str | None, float]] = LruMap(max_recent)

    async def get(self, platform: str, platform_chat_id: str) -> Chat | None:
        async with self.db.session() as session:
            result = await session.exec(
                select(Chat).where(
                    Chat.platform == platform, Chat.platform_chat_id == platform_chat_id
                )
            )
            return result.first()

    def due(
        self, platform: str, platform_chat_id: str, kind: str, title: str | None
    ) -> ChatSeen | None:
        """The chat to record with this message, or None when it was recorded a moment ago.

        Only the chat's "active" flag could have gone stale since (a deactivation evicts it).
        Entries expire by age and the map is bounded, so a quiet chat is simply recorded again.
        """
        now = time.monotonic()
        key = (platform, platform_chat_id)
        self._recent.drop_oldest_while(lambda seen: seen[1] <= now)
        seen = self._recent.peek(key)
        if seen is not None and seen[0] == title:
            return None
        self._recent.put(key, (title, now + self.RECENT_SECONDS))
        return ChatSeen(platform, platform_chat_id, kind, title)

    async def record(
        self, platform: str, platform_chat_id: str, kind: str, title: str | None, now: datetime
    ) -> None:
        """Create the chat on first sight; a chat that speaks to us again is active again."""
        chat = self.due(platform, platform_chat_id, kind, title)
        if chat is None:
            return
        async with self.db.autocommit.connect() as connection:
            await connection.execute(_upsert_chat(connection.dialect.name), _chat_values(chat, now))

    def forget(self, platform: str, platform_chat_ids: Iterable[str]) -> None:
        """Deleted chats (/forget) are recorded again on their next message, not up to
        :attr:`RECENT_SECONDS` later: until then a new subscription would have no chat row."""
        for chat_id in platform_chat_ids:
            self._recent.pop((platform, chat_id))

    async def deactivate(self, platform: str, platform_chat_id: str, reason: str) -> None:
        """The chat can no longer be reached: mark it and pause its weekly sends, with why."""
        self._recent.pop((platform, platform_chat_id))
        reason = reason[:256]
        async with self.db.session() as session:
            await session.exec(
                update(Chat)
                .where(Chat.platform == platform, Chat.platform_chat_id == platform_chat_id)
                .values(active=False, inactive_reason=reason)
            )
            await session.exec(
                update(Subscription)
                .where(
                    Subscription.platform == platform,
                    Subscription.chat_id == platform_chat_id,
                    Subscription.status == "active",
                )
                .values(status="paused", paused_reason=reason)
            )
            await session.commit()

    async def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A Telegram group became a supergroup: move every row keyed by the old id."""
        self._recent.pop((platform, old_chat_id))
        async with self.db.session() as session:
            existing = (
                await session.exec(
                    select(Chat).where(
                        Chat.platform == platform, Chat.platform_chat_id == new_chat_id
                    )
                )
            ).first()
            if existing is None:
                await session.exec(
                    update(Chat)
                    .where(Chat.platform == platform, Chat.platform_chat_id == old_chat_id)
                    .values(platform_chat_id=new_chat_id, kind="group")
                )
            for table in (GroupSettings, Subscription, Delivery, ConversationState):
                await session.exec(
                    update(table)
                    .where(table.platform == platform, table.chat_id == old_chat_id)
                    .values(chat_id=new_chat_id)
                )
            await session.commit()
