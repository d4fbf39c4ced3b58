"""People and chats, found by their platform identity and created on first contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import Database
from storage.models import Chat, ConversationState, Delivery, GroupSettings, Subscription, User


class Users:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        async with self.db.session() as session:
            user = await session.get(User, user_id)
            if user is None:
                return None
            for name, value in values.items():
                setattr(user, name, value)
            session.add(user)
            await session.commit()
            return user


class Chats:
    def __init__(self, db: Database) -> None:
        self.db = db

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
    ) -> Chat:
        """Create the chat on first sight; a chat that speaks to us again is active again."""
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
