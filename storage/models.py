"""Tables. Identities are (platform, id) pairs: the same person on two platforms is two users.

Times are aware datetimes in UTC (``*_utc`` columns); SQLModel's UTCDateTime type stores them
the same way on SQLite, which has no timezone type, and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

PENDING = "status = 'pending'"
"""The outbox's pending rows, as the partial index and the recovery queries both write it."""


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=128)
    role_id: str | None = Field(default=None, max_length=24)
    timezone: str | None = Field(default=None, max_length=64)
    created_utc: datetime


class Chat(SQLModel, table=True):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "platform_chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    platform_chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    title: str | None = Field(default=None, max_length=256)
    active: bool = True
    inactive_reason: str | None = Field(default=None, max_length=256)
    created_utc: datetime


class ConversationState(SQLModel, table=True):
    """Where a multi-step flow stands, per (platform, chat, user), so it survives a restart."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    name: str = Field(max_length=64)
    data: str = Field(default="{}", description="JSON object")
    expires_utc: datetime
    updated_utc: datetime


class Goal(SQLModel, table=True):
    """A certification a person is studying for."""

    __tablename__ = "goals"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role_id: str = Field(max_length=24)
    cert_id: str = Field(max_length=24)
    exam_date: date | None = None
    status: str = Field(default="active", max_length=16)
    """active | paused | stopped | completed"""
    created_utc: datetime
    plan_start: date | None = None
    """The local day of the first weekly session after the goal was set: the plan's week 1.
    Decided when the goal is set and whenever its weekly time changes (storage.goals), so a
    nudge reads it instead of working it out; None only where no nudge rule was ever set."""


class WeekDone(SQLModel, table=True):
    """A study week a person marked as done; unique so pressing Done twice changes nothing."""

    __tablename__ = "weeks_done"
    __table_args__ = (UniqueConstraint("goal_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goals.id", index=True, ondelete="CASCADE")
    week: int
    done_utc: datetime


class Subscription(SQLModel, table=True):
    """A weekly send: a study nudge for a goal, or a role summary posted to a group or channel.

    The database is the scheduler of record: ``next_due_utc`` is indexed and claimed by the tick;
    weekday, local time and the IANA zone are kept so the next occurrence is recomputed in local
    time and daylight-saving changes move nothing.
    """

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_due", "status", "next_due_utc"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    """nudge | summary"""
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    goal_id: int | None = Field(default=None, foreign_key="goals.id", ondelete="CASCADE")
    role_id: str = Field(max_length=24)
    weekday: int = Field(ge=0, le=6)
    """Monday is 0, as in :meth:`datetime.date.weekday`."""
    local_time: str = Field(max_length=5)
    """HH:MM in ``timezone``."""
    timezone: str = Field(max_length=64)
    next_due_utc: datetime
    snoozed_until_utc: datetime | None = None
    skip_next: bool = False
    status: str = Field(default="active", max_length=16)
    """active | paused | stopped"""
    paused_reason: str | None = Field(default=None, max_length=256)
    created_utc: datetime


class Delivery(SQLModel, table=True):
    """The outbox: a row is written before a send, keyed so no occurrence goes out twice."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # Recovery looks for pending rows every tick; without help it reads the whole history
        # (a year of weekly nudges for 20k people: 170 ms a tick on SQLite). On PostgreSQL a
        # partial index holds the few pending rows (queries must say status = 'pending' as a
        # literal). SQLite reads only the rows above :class:`DeliveryFloor` instead: keeping
        # the index cost every nudge two writes to it (about 7 % of a busy tick there), where
        # its one writer at a time makes a floor safe (storage.outbox.sqlite).
        Index("ix_deliveries_pending", "created_utc", postgresql_where=text(PENDING)).ddl_if(
            dialect="postgresql"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=96, unique=True)
    subscription_id: int | None = Field(
        default=None, foreign_key="subscriptions.id", index=True, ondelete="CASCADE"
    )
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    occurrence_utc: datetime
    status: str = Field(default="pending", max_length=16)
    """pending | sent | failed | skipped"""
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=256)
    created_utc: datetime
    sent_utc: datetime | None = None


class DeliveryFloor(SQLModel, table=True):
    """SQLite's recovery floor, per platform: no delivery of ``platform`` with an id at or
    below ``settled_through`` is pending, so recovery reads only the rows above it.

    Moved up only by a recovery for that platform, under SQLite's write lock, to just below
    its oldest row still pending; a row never becomes pending again once it is not, and a claim
    gives new rows ids above every floor, so nothing pending is ever below one. Per platform,
    so a row left pending by a platform this bot no longer runs holds back only its own floor.
    Unused on PostgreSQL, whose ids come from a sequence and commit out of order (its recovery
    uses the partial index)."""

    __tablename__ = "delivery_floor"

    platform: str = Field(max_length=16, primary_key=True)
    settled_through: int = 0


class GroupSettings(SQLModel, table=True):
    """What a group's moderators chose: their default role and a linked channel to post into."""

    __tablename__ = "group_settings"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    role_id: str | None = Field(default=None, max_length=24)
    linked_channel_id: str | None = Field(default=None, max_length=64)
    updated_utc: datetime


class RiskCheck(SQLModel, table=True):
    """A person's own risk check: the role or occupation compared with, and the answers so far.

    One per person: retaking starts it again with a new ``take`` token (carried by the answer
    buttons, so those of an earlier take go stale), and the row is written on every answer so
    a restart loses nothing.
    """

    __tablename__ = "risk_checks"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    subject: str = Field(max_length=24)
    """A role pack id or a SOC 2018 code."""
    take: str = Field(max_length=16)
    """A random token per take of the check."""
    answers: str = Field(default="{}", description="JSON object: question id -> answer index")
    score: int | None = None
    """Set when every question is answered."""
    created_utc: datetime
    updated_utc: datetime
