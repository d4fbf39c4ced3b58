"""Personal risk checks: one row per person, written through on every answer."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import select

from storage.db import Database
from storage.models import RiskCheck


def answers_of(check: RiskCheck) -> dict[str, int]:
    return {str(k): int(v) for k, v in json.loads(check.answers).items()}


class Checks:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self, user_id: int) -> RiskCheck | None:
        async with self.db.session() as session:
            return (
                await session.exec(select(RiskCheck).where(RiskCheck.user_id == user_id))
            ).first()

    async def start(self, user_id: int, subject: str, now: datetime) -> RiskCheck:
        """A fresh check (replacing any earlier one) against a role pack id or SOC code."""
        async with self.db.session() as session:
            await session.exec(delete(RiskCheck).where(RiskCheck.user_id == user_id))
            check = RiskCheck(
                user_id=user_id,
                subject=subject,
                take=secrets.token_hex(4),
                created_utc=now,
                updated_utc=now,
            )
            session.add(check)
            await session.commit()
            await session.refresh(check)
            return check

    async def answer(
        self,
        take: str,
        user_id: int,
        answers: dict[str, int],
        score: int | None,
        now: datetime,
    ) -> RiskCheck | None:
        """Store the answers so far (and the score once complete); None if the check is gone."""
        async with self.db.session() as session:
            check = (
                await session.exec(
                    select(RiskCheck).where(RiskCheck.user_id == user_id, RiskCheck.take == take)
                )
            ).first()
            if check is None:
                return None
            check.answers, check.score, check.updated_utc = json.dumps(answers), score, now
            session.add(check)
            await session.commit()
            await session.refresh(check)
            return check
