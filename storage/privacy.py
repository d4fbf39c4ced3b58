"""Everything stored about one person: shown by /mydata, erased by /forget."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import SQLModel, select

from storage.db import Database
from storage.models import (
    Chat,
    ConversationState,
    Delivery,
    Goal,
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

    async def export(self, user: User, chat_id: str) -> dict[str, Any]:
        """Every row that belongs to ``user``, in a form that can be shown or saved as JSON."""
        assert user.id is not None
        async with self.db.session() as session:
            goals = (await session.exec(select(Goal).where(Goal.user_id == user.id))).all()
            goal_ids = [g.id for g in goals]
            weeks = (
                await session.exec(select(WeekDone).where(WeekDone.goal_id.in_(goal_ids)))  # type: ignore[union-attr]
            ).all()
            subs = (
                await session.exec(select(Subscription).where(Subscription.user_id == user.id))
            ).all()
            deliveries = (
                await session.exec(
                    select(Delivery).where(
                        Delivery.subscription_id.in_([s.id for s in subs])  # type: ignore[union-attr]
                    )
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
            private_chat = (
                await session.exec(
                    select(Chat).where(
                        Chat.platform == user.platform,
                        Chat.platform_chat_id == chat_id,
                        Chat.kind == "private",
                    )
                )
            ).all()
        return {
            "profile": _public(user),
            "goals": [_public(g) for g in goals],
            "weeks_done": [_public(w) for w in weeks],
            "subscriptions": [_public(s) for s in subs],
            "deliveries": [_public(d) for d in deliveries],
            "conversation": [_public(s) for s in states],
            "risk_check": [_public(c) for c in checks],
            "private_chat": [_public(c) for c in private_chat],
        }

    async def forget(self, user: User, chat_id: str) -> None:
        """Delete the person and everything hanging off them, in one transaction."""
        assert user.id is not None
        async with self.db.session() as session:
            goal_ids = select(Goal.id).where(Goal.user_id == user.id)
            sub_ids = select(Subscription.id).where(
                or_(Subscription.user_id == user.id, Subscription.goal_id.in_(goal_ids))  # type: ignore[union-attr]
            )
            await session.exec(delete(Delivery).where(Delivery.subscription_id.in_(sub_ids)))  # type: ignore[union-attr]
            await session.exec(delete(Subscription).where(Subscription.id.in_(sub_ids)))  # type: ignore[union-attr]
            await session.exec(delete(WeekDone).where(WeekDone.goal_id.in_(goal_ids)))  # type: ignore[union-attr]
            await session.exec(delete(Goal).where(Goal.user_id == user.id))
            await session.exec(delete(RiskCheck).where(RiskCheck.user_id == user.id))
            await session.exec(
                delete(ConversationState).where(
                    ConversationState.platform == user.platform,
                    ConversationState.user_id == user.platform_user_id,
                )
            )
            await session.exec(
                delete(Chat).where(
                    Chat.platform == user.platform,
                    Chat.platform_chat_id == chat_id,
                    Chat.kind == "private",
                )
            )
            await session.exec(delete(User).where(User.id == user.id))
            await session.commit()
