"""What one SQLite claim writes, worked out straight from the due rows as sqlite3 returns them.

At a busy minute almost every due row is the usual case — no snooze, no skip, nothing missed,
not late, no exam date reached — and for it :func:`storage.outbox.policy.decide` only ever
writes one pending outbox row under the rule's stamp and moves the subscription to the rule's
next occurrence. So a row of a rule whose :func:`~storage.outbox.policy.timeline` says "on time,
nothing missed" is handled here in one pass: its outbox row's parameters, its place in the
grouped UPDATE and its :class:`~storage.outbox.policy.Claimed`, without the intermediate
``Due``, ``Decision`` and ``OutboxRow`` tuples that cost more than SQLite's own work for the row.
Every other row — snoozed, skipped, late, missed weeks, exam reached — goes through ``decide``
exactly as before. tests/test_outbox_sqlite.py checks that both give the same rows, updates and
sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from storage.outbox.policy import Claimed, Due, Timeline, claimed, decide, timeline

Convert = Callable[[Any], Any]
_new = tuple.__new__

COLUMNS = (
    "id", "key", "subscription_id", "platform", "chat_id", "occurrence_utc", "status", "attempts",
    "last_error", "created_utc",
)  # fmt: skip
"""An outbox row's parameters, in order (:attr:`ClaimPlan.params`)."""
PENDING_COLUMNS = (
    "id", "key", "subscription_id", "platform", "chat_id", "occurrence_utc", "created_utc",
)  # fmt: skip
"""A usual row's parameters (:attr:`ClaimPlan.pending`): pending, attempts 0, no error."""


class ClaimPlan:
    """Everything one claim writes, in the order the rows came: outbox rows' parameters (ids
    given in order from ``last_id + 1``), subscriptions to advance grouped by outcome, paused
    reasons, completed goals, and the sends.

    The usual rows' parameters are seven each (:data:`PENDING_COLUMNS`: status, attempts and
    error are literals in their INSERT, three values a row SQLite need not bind), the others'
    ten (:data:`COLUMNS`)."""

    __slots__ = ("completed", "groups", "last_id", "params", "paused", "pending", "sends")

    def __init__(self, last_id: int) -> None:
        self.pending: list[Any] = []
        self.params: list[Any] = []
        self.last_id = last_id
        self.groups: dict[tuple[datetime, bool, str], list[int]] = {}
        self.paused: list[tuple[str, int]] = []
        self.completed: list[int] = []
        self.sends: list[Claimed] = []


def plan_claim(
    rows: list[tuple],
    now: datetime,
    catch_up: timedelta,
    last_id: int,
    write_time: Convert,
    read_time: Convert,
    read_day: Convert,
    read_utc: Convert,
) -> ClaimPlan:
    """The writes and sends for ``rows`` (the claim's SELECT, in its column order)."""
    plan = ClaimPlan(last_id)
    pending, params, groups, sends = plan.pending, plan.params, plan.groups, plan.sends
    made = write_time(now)
    did = last_id
    rules: dict[tuple, tuple[Timeline, Any, list[int]] | None] = {}
    for raw in rows:
        (
            sid, kind, platform, chat, role, weekday, at, tz, due, snoozed, skip, goal, cert,
            exam, goal_set, start,
        ) = raw  # fmt: skip
        if snoozed is None and not skip:
            rule_key = (weekday, at, tz, due)
            rule = rules.get(rule_key, False)
            if rule is False:
                rule = rules[rule_key] = _usual_rule(
                    weekday, at, tz, read_time(due), now, catch_up, write_time, groups
                )
            if rule is not None:
                t, occurrence, advance = rule
                exam_day = None if exam is None else read_day(exam)
                if exam_day is None or t.latest_day < exam_day:
                    did += 1
                    key = f"{kind}:{sid}:{t.stamp}"
                    pending += (did, key, sid, platform, chat, occurrence, made)
                    advance.append(sid)
                    sends.append(
                        _new(Claimed, (
                            did, key, sid, kind, platform, chat, role, t.latest, False, weekday,
                            at, tz, t.following, goal, cert, exam_day,
                            None if goal_set is None else read_utc(goal_set),
                            None if start is None else read_day(start),
                        ))
                    )  # fmt: skip
                    continue
        r = _new(Due, (
            sid, kind, platform, chat, role, weekday, at, tz, read_time(due),
            None if snoozed is None else read_time(snoozed), None if skip is None else bool(skip),
            goal, cert, None if exam is None else read_day(exam),
            None if goal_set is None else read_utc(goal_set),
            None if start is None else read_day(start),
        ))  # fmt: skip
        d = decide(r, now, catch_up)
        pending_id = None
        for row in d.rows:
            key, _, _, _, occurrence, status, attempts, error, _ = row
            did += 1
            if row is d.pending:
                pending_id = did
            params += (did, key, sid, platform, chat, write_time(occurrence), status, attempts)
            params += (error, made)
        groups.setdefault(d.outcome, []).append(sid)
        if d.paused_reason is not None:
            plan.paused.append((d.paused_reason, sid))
        if d.goal_completed and goal:
            plan.completed.append(goal)
        if pending_id is not None:
            sends.append(claimed(r, pending_id, d))
    plan.last_id = did
    return plan


def _usual_rule(
    weekday: int,
    at: str,
    tz: str,
    due: datetime,
    now: datetime,
    catch_up: timedelta,
    write_time: Convert,
    groups: dict[tuple[datetime, bool, str], list[int]],
) -> tuple[Timeline, Any, list[int]] | None:
    """For a rule whose latest occurrence is on time with nothing missed: its timeline, the
    occurrence as stored, and the group its subscriptions advance with (what ``decide`` gives
    such a row: next due the following occurrence, no skip, still active); else None."""
    t = timeline(weekday, at, tz, due, now, catch_up)
    if t.missed or t.late:
        return None
    return t, write_time(t.latest), groups.setdefault((t.following, False, "active"), [])
