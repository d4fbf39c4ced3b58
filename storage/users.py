"""People and chats, found by their platform identity and created on first contact."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import Database
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


def _columns(row: Row[Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in row._mapping.items() if k.startswith(prefix)}


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
    ) -> tuple[User, ConversationState | None]:
        """The person and their conversation state in this chat, in one round trip.

        Every message needs both, and always fresh from the database (another worker may have
        moved the conversation on), so they are read together rather than cached.
        """
        params = {"platform": platform, "user_id": platform_user_id, "chat_id": chat_id}
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(_IDENTIFY, params)).first()
        if row is not None:
            user = User.model_validate(_columns(row, "u_"))
            state = (
                ConversationState.model_validate(_columns(row, "s_"))
                if row.s_id is not None
                else None
            )
            return user, state
        return await self.get_or_create(platform, platform_user_id, display_name, now), None

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

    def __init__(self, db: Database) -> None:
        self.db = db
        self._recent: dict[tuple[str, str], tuple[str | None, float]] = {}

    async def get(self, platform: str, platform_chat_id: str) -> Chat | None:
        async with self.db.session() as session:
            result = await session.exec(
                select(Chat).where(
                    Chat.platform == platform, Chat.platform_chat_id == platform_chat_id
                )
            )
            return result.first()

    async def record(
        self, platform: str, platform_chat_id: str, kind: str, title: str | None, now: datetime
    ) -> Chat | None:
        """Create the chat on first sight; a chat that speaks to us again is active again."""
        key = (platform, platform_chat_id)
        seen = self._recent.get(key)
        if seen is not None and seen[0] == title and seen[1] > time.monotonic():
            return None
        if len(self._recent) > 100_000:
            self._recent.clear()
        self._recent[key] = (title, time.monotonic() + self.RECENT_SECONDS)
        chat = await self.get(platform, platform_chat_id)
        async with self.db.session() as session:
            if chat is None:
                chat = Chat(
                    platform=platform,
                    platform_chat_id=platform_chat_id,
                    kind=kind,
                    title=(title or "")[:256] or None,
                    created_utc=now,
                )
            elif chat.active and chat.title == title:
                return chat
            else:
                chat.active, chat.inactive_reason = True, None
                chat.title = (title or "")[:256] or chat.title
            session.add(chat)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                existing = await self.get(platform, platform_chat_id)
                if existing is None:
                    raise
                return existing
            return chat

    async def deactivate(self, platform: str, platform_chat_id: str, reason: str) -> None:
        """The chat can no longer be reached: mark it and pause its weekly sends, with why."""
        self._recent.pop((platform, platform_chat_id), None)
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
        self._recent.pop((platform, old_chat_id), None)
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
