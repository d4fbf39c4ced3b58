"""Everything stored about one person: shown by /mydata, erased by /forget.

What counts as theirs: their user row and everything hanging off it (goals, weeks done, nudges
and their deliveries, and any table with a cascading foreign key to ``users``), their
unfinished conversations, their private chats with the bot (every one we can find: the one
asked from, the ones their nudges and conversations went to, and the one the platform names)
and settings keyed by those private chats. A weekly summary they set for a group belongs to the
group: it stays, and only its link to them is dropped. After deleting, SQLite's write-ahead log
is checkpointed so the rows do not linger in the ``-wal`` file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import (
    Chat,
    ConversationState,
    Delivery,
    Goal,
    GroupSettings,
    RiskCheck,
    Subscription,
    User,
    WeekDone,
)

_HIDDEN = {"id", "user_id", "goal_id", "subscription_id"}


def _public(row: SQLModel) -> dict[str, Any]:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in row.model_dump().items()
        if k not in _HIDDEN
    }


class Privacy:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _private_chat_ids(
        self, session: AsyncSession, user: User, known: Iterable[str]
    ) -> list[str]:
        """The person's private chats: those given, their own id (a private chat's id on
        Telegram and in the terminal), and wherever their nudges and conversations went."""
        candidates = {*known, user.platform_user_id}
        subs = await session.exec(
            select(Subscription.chat_id).where(
                Subscription.user_id == user.id, Subscription.kind == "nudge"
            )
        )
        candidates.update(subs.all())
        states = await session.exec(
            select(ConversationState.chat_id).where(
                ConversationState.platform == user.platform,
                ConversationState.user_id == user.platform_user_id,
            )
        )
        candidates.update(states.all())
        private = await session.exec(
            select(Chat.platform_chat_id).where(
                Chat.platform == user.platform,
                col(Chat.platform_chat_id).in_(sorted(candidates)),
                Chat.kind == "private",
            )
        )
        return sorted(private.all())

    async def export(self, user: User, private_chats: Iterable[str]) -> dict[str, Any]:
        """Every row that belongs to ``user`` (exactly what :meth:`forget` deletes or unlinks),
        in a form that can be shown or saved as JSON."""
        assert user.id is not None
        async with self.db.session() as session:
            goals = (await session.exec(select(Goal).where(Goal.user_id == user.id))).all()
            goal_ids = [g.id for g in goals]
            weeks = (
                await session.exec(select(WeekDone).where(col(WeekDone.goal_id).in_(goal_ids)))
            ).all()
            subs = (
                await session.exec(select(Subscription).where(Subscription.user_id == user.id))
            ).all()
            nudge_ids = [s.id for s in subs if s.kind != "summary"]
            deliveries = (
                await session.exec(
                    select(Delivery).where(col(Delivery.subscription_id).in_(nudge_ids))
                )
            ).all()
            states = (
                await session.exec(
                    select(ConversationState).where(
                        ConversationState.platform == user.platform,
                        ConversationState.user_id == user.platform_user_id,
                    )
                )
            ).all()
            checks = (
                await session.exec(select(RiskCheck).where(RiskCheck.user_id == user.id))
            ).all()
            chat_ids = await self._private_chat_ids(session, user, private_chats)
            chats = (
                await session.exec(
                    select(Chat).where(
                        Chat.platform == user.platform, col(Chat.platform_chat_id).in_(chat_ids)
                    )
                )
            ).all()
            settings = (
                await session.exec(
                    select(GroupSettings).where(
                        GroupSettings.platform == user.platform,
                        col(GroupSettings.chat_id).in_(chat_ids),
                    )
                )
            ).all()
        return {
            "profile": _public(user),
            "goals": [_public(g) for g in goals],
            "weeks_done": [_public(w) for w in weeks],
            "subscriptions": [_public(s) for s in subs if s.kind != "summary"],
            "group_summaries_you_set": [_public(s) for s in subs if s.kind == "summary"],
            "deliveries": [_public(d) for d in deliveries],
            "conversation": [_public(s) for s in states],
            "risk_check": [_public(c) for c in checks],
            "private_chat": [_public(c) for c in chats],
            "private_chat_settings": [_public(s) for s in settings],
        }

    async def forget(self, user: User, private_chats: Iterable[str]) -> list[str]:
        """Delete the person and everything hanging off them, in one transaction; keep the
        group summaries they set, without them. Returns the private chats deleted, for the
        caches that remember chats (:meth:`storage.users.Chats.forget`)."""
        assert user.id is not None
        async with self.db.session() as session:
            chat_ids = await self._private_chat_ids(session, user, private_chats)
            goal_ids = select(Goal.id).where(Goal.user_id == user.id)
            await session.exec(
                update(Subscription)
                .where(col(Subscription.user_id) == user.id, col(Subscription.kind) == "summary")
                .values(user_id=None)
            )
            nudge_ids = select(Subscription.id).where(
                col(Subscription.kind) != "summary",
                (col(Subscription.user_id) == user.id) | col(Subscription.goal_id).in_(goal_ids),
            )
            await session.exec(delete(Delivery).where(col(Delivery.subscription_id).in_(nudge_ids)))
            await session.exec(delete(Subscription).where(col(Subscription.id).in_(nudge_ids)))
            await session.exec(delete(WeekDone).where(col(WeekDone.goal_id).in_(goal_ids)))
            await session.exec(delete(Goal).where(Goal.user_id == user.id))
            await session.exec(delete(RiskCheck).where(RiskCheck.user_id == user.id))
            await session.exec(
                delete(ConversationState).where(
                    col(ConversationState.platform) == user.platform,
                    col(ConversationState.user_id) == user.platform_user_id,
                )
            )
            await session.exec(
                delete(GroupSettings).where(
                    col(GroupSettings.platform) == user.platform,
                    col(GroupSettings.chat_id).in_(chat_ids),
                )
            )
            await session.exec(
                delete(Chat).where(
                    col(Chat.platform) == user.platform,
                    col(Chat.platform_chat_id).in_(chat_ids),
                    col(Chat.kind) == "private",
                )
            )
            # Tables other features add hang off users with ON DELETE CASCADE.
            await session.exec(delete(User).where(col(User.id) == user.id))
            await session.commit()
        await self.db.checkpoint()
        return chat_ids
