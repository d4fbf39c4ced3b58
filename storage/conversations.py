"""Conversation state: one row per (platform, chat, user), written on every transition.

Written through immediately (never flushed on a timer) so that several bot processes sharing one
database see the same step, and carrying ``expires_utc`` so a half-finished flow times out even
across a restart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import select

from storage.db import Database
from storage.models import ConversationState

DEFAULT_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class StateKey:
    platform: str
    chat_id: str
    user_id: str


@dataclass(slots=True)
class State:
    name: str
    data: dict[str, Any] = field(default_factory=dict)


def row_state(row: ConversationState | None, now: datetime) -> State | None:
    """A stored row as a State, or None when there is none or it has expired."""
    if row is None or row.expires_utc <= now:
        return None
    return State(row.name, json.loads(row.data))


class Conversations:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, key: StateKey, now: datetime) -> State | None:
        async with self.db.session() as session:
            return row_state((await session.exec(self._select(key))).first(), now)

    async def set(
        self, key: StateKey, state: State, now: datetime, ttl: timedelta = DEFAULT_TTL
    ) -> None:
        async with self.db.session() as session:
            row = (await session.exec(self._select(key))).first()
            if row is None:
                row = ConversationState(
                    platform=key.platform,
                    chat_id=key.chat_id,
                    user_id=key.user_id,
                    name=state.name,
                    expires_utc=now + ttl,
                    updated_utc=now,
                )
            row.name, row.data = state.name, json.dumps(state.data)
            row.expires_utc, row.updated_utc = now + ttl, now
            session.add(row)
            await session.commit()

    async def clear(self, key: StateKey) -> None:
        async with self.db.session() as session:
            await session.exec(
                delete(ConversationState).where(
                    ConversationState.platform == key.platform,
                    ConversationState.chat_id == key.chat_id,
                    ConversationState.user_id == key.user_id,
                )
            )
            await session.commit()

    @staticmethod
    def _select(key: StateKey) -> Any:
        return select(ConversationState).where(
            ConversationState.platform == key.platform,
            ConversationState.chat_id == key.chat_id,
            ConversationState.user_id == key.user_id,
        )
