"""What to do with one due subscription: the catch-up policy, as pure functions.

Everything that depends on the weekly rule alone — the last occurrence, the missed ones, the
next due time, the local day — is one :func:`timeline`, cached by (weekday, local time, zone,
due, now): at a busy minute every subscriber with the same rule in the same zone shares it, so
the occurrence maths runs once per rule, not once per row. :func:`decide` adds only what is the
row's own (its snooze, skip and exam date) and is what every policy test calls.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from domain.weekly import latest_occurrence, next_occurrence, zone

CATCH_UP = timedelta(hours=24)
"""A missed occurrence younger than this is sent once, late; an older one is recorded as skipped."""
LEASE = timedelta(minutes=2)
"""A delivery left pending this long belongs to a worker that stopped."""
ABANDONED = "outcome unknown: the worker stopped mid-send; not resent"
"""The record of a send that had started when its worker stopped (see storage/outbox)."""
MAX_MISSED_ROWS = 60
"""Skipped rows written for one long outage; older missed weeks are summarised in the last one."""


@lru_cache(maxsize=4096)
def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%MZ}"


def occurrence_key(kind: str, sub_id: int, occurrence: datetime, snoozed: datetime | None) -> str:
    key = f"{kind}:{sub_id}:{_stamp(occurrence)}"
    return key + (f":z{_stamp(snoozed)}" if snoozed is not None else "")


class Claimed(NamedTuple):
    """One send to make: everything needed to compose it, without another query. (A tuple: a
    busy minute makes tens of thousands, and a tuple is built in a fifth of a dataclass's time.)
    """

    delivery_id: int
    key: str
    subscription_id: int
    kind: str
    platform: str
    chat_id: str
    role_id: str
    occurrence: datetime
    snoozed: bool
    weekday: int
    local_time: str
    timezone: str
    next_due: datetime
    goal_id: int | None = None
    cert_id: str | None = None
    exam_date: date | None = None
    goal_created: datetime | None = None
    """When the goal was set: read (on SQLite) only when ``plan_start`` is not stored."""
    plan_start: date | None = None
    """The plan's first day as stored with the goal (:attr:`storage.models.Goal.plan_start`)."""


Due = namedtuple(
    "Due",
    "id kind platform chat_id role_id weekday local_time timezone next_due_utc "
    "snoozed_until_utc skip_next goal_id cert_id exam_date created_utc plan_start",
)
"""A due subscription row joined with its goal, in the column order of the claim's SELECT."""

OutboxRow = namedtuple(
    "OutboxRow",
    "key subscription_id platform chat_id occurrence_utc status attempts last_error created_utc",
)
"""One ``deliveries`` row to write, in the column order of the INSERT."""


@dataclass(frozen=True, slots=True)
class Timeline:
    """A weekly rule seen from ``now`` by a row due at ``due``."""

    latest: datetime
    """The last occurrence at or before now: the one to send."""
    missed: tuple[datetime, ...]
    """Occurrences from ``due`` up to ``latest`` (excluded): recorded as skipped."""
    following: datetime
    """The occurrence after ``latest``: the new ``next_due_utc``."""
    latest_day: date
    """``latest``'s local date, for the exam-date check."""
    late: bool
    """``latest`` is older than the catch-up window."""
    stamp: str
    """``latest`` as it appears in an outbox key (:func:`occurrence_key`), made once per rule."""


@lru_cache(maxsize=4096)
def timeline(
    weekday: int, local_time: str, tz_name: str, due: datetime, now: datetime, catch_up: timedelta
) -> Timeline:
    rule = (weekday, local_time, tz_name)
    latest = latest_occurrence(*rule, now)
    missed = []
    moment = due
    while moment < latest and len(missed) < MAX_MISSED_ROWS:
        missed.append(moment)
        moment = next_occurrence(*rule, moment)
    return Timeline(
        latest,
        tuple(missed),
        next_occurrence(*rule, latest),
        latest.astimezone(zone(tz_name)).date(),
        now - latest > catch_up,
        _stamp(latest),
    )


class Decision(NamedTuple):
    """What one due row becomes. (A tuple, built without ``__new__`` on the usual path: a busy
    minute decides tens of thousands.)"""

    rows: list[OutboxRow]
    pending: OutboxRow | None
    """The row to send now, if any."""
    snoozed: bool
    next_due: datetime
    skip_next: bool
    status: str
    paused_reason: str | None = None
    goal_completed: bool = False

    @property
    def outcome(self) -> tuple[datetime, bool, str]:
        """What the subscription row becomes (``snoozed_until_utc`` is always cleared): rows with
        the same outcome are advanced by one UPDATE."""
        return self.next_due, self.skip_next, self.status


def _row(
    r: Due,
    occurrence: datetime,
    status: str,
    error: str | None,
    snooze: datetime | None,
    now: datetime,
) -> OutboxRow:
    key = occurrence_key(r.kind, r.id, occurrence, snooze)
    return _new(OutboxRow, (key, r.id, r.platform, r.chat_id, occurrence, status, 0, error, now))


_new = tuple.__new__
"""Builds a named tuple from a tuple without its generated ``__new__`` (a busy minute makes
tens of thousands of rows)."""


def decide(r: Due, now: datetime, catch_up: timedelta = CATCH_UP) -> Decision:
    """What to do with one due subscription row; pure, so every policy is tested directly."""
    due: datetime = r.next_due_utc
    rows: list[OutboxRow] = []
    skip = bool(r.skip_next)
    if r.snoozed_until_utc is not None and r.snoozed_until_utc == due:
        rule = (r.weekday, r.local_time, r.timezone)
        occurrence = latest_occurrence(*rule, due)
        following = next_occurrence(*rule, due)
        if following > now:
            late = now - due > catch_up
            status, error = (
                ("skipped", "snoozed reminder more than 24 h late") if late else ("pending", None)
            )
            rows.append(_row(r, occurrence, status, error, due, now))
            pending = None if late else rows[-1]
            return Decision(rows, pending, True, following, skip, "active")
        error = "snoozed reminder superseded by a newer week"
        rows.append(_row(r, occurrence, "skipped", error, due, now))
        due = following
    t = timeline(r.weekday, r.local_time, r.timezone, due, now, catch_up)
    for moment in t.missed:
        rows.append(_row(r, moment, "skipped", "missed while the bot was not running", None, now))
    if r.exam_date is not None and t.latest_day >= r.exam_date:
        return Decision(rows, None, False, t.following, skip, "stopped", "exam date reached", True)
    if skip:
        rows.append(_row(r, t.latest, "skipped", "skipped at the person's request", None, now))
        return Decision(rows, None, False, t.following, False, "active")
    if t.late:
        rows.append(_row(r, t.latest, "skipped", "more than 24 h late after downtime", None, now))
        return Decision(rows, None, False, t.following, skip, "active")
    # The usual outcome, built directly: the key from the rule's stamp, no lookups per row.
    row = _new(
        OutboxRow,
        (f"{r.kind}:{r.id}:{t.stamp}", r.id, r.platform, r.chat_id, t.latest, "pending", 0,
         None, now),
    )  # fmt: skip
    rows.append(row)
    return _new(Decision, (rows, row, False, t.following, skip, "active", None, False))


def claimed(r: Due, delivery_id: int, d: Decision) -> Claimed:
    """The send for a decision with a pending row (``d.pending`` is not None)."""
    pending = d.pending
    assert pending is not None
    return _new(
        Claimed,
        (
            delivery_id,
            pending.key,
            r.id,
            r.kind,
            r.platform,
            r.chat_id,
            r.role_id,
            pending.occurrence_utc,
            d.snoozed,
            r.weekday,
            r.local_time,
            r.timezone,
            d.next_due,
            r.goal_id,
            r.cert_id,
            r.exam_date,
            r.created_utc,
            r.plan_start,
        ),
    )
