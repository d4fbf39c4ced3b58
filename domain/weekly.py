"""Weekly times: a weekly rule is (weekday, local time, IANA zone).

Every occurrence is recomputed from that rule in local time with :mod:`zoneinfo` — never by
adding 7×24 hours to a UTC instant — so a daylight-saving change moves nothing. Two edge cases
are defined: a local time that does not exist that day (the clocks skip it, e.g. 02:30 on the
spring-forward night in Berlin) fires at the moment the clocks skip to, i.e. shifted by the gap
(03:30); a local time that happens twice (fall back) fires once, at its first occurrence
(PEP 495 ``fold=0``). The goal flow, the scheduler and the calendar export all use these, so
they agree to the minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``tz`` as an aware UTC instant; gap and fold rules as documented."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def occurrence_after(weekday: int, local_time: str, tz_name: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` that is ``weekday`` at ``local_time`` locally.

    Not cached itself, since ``after`` is often one goal's own instant (when it was set); the
    candidate instants it compares with are (:func:`_instant`), and those are shared by every
    goal on the same rule set in the same week.
    """
    local = after.astimezone(zone(tz_name))
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    moment = _instant(day, local_time, tz_name)
    while moment <= after:
        day += _WEEK
        moment = _instant(day, local_time, tz_name)
    return moment


_WEEK = timedelta(days=7)


@lru_cache(maxsize=8192)
def _instant(day: date, local_time: str, tz_name: str) -> datetime:
    """``day`` at ``local_time`` in ``tz_name`` as a UTC instant (:func:`local_instant`)."""
    return local_instant(day, parse_hhmm(local_time), zone(tz_name))


next_occurrence = lru_cache(maxsize=8192)(occurrence_after)
""":func:`occurrence_after`, cached: at a busy minute thousands of subscribers share one rule
and one instant."""


def first_session_day(goal_set: datetime, weekday: int, local_time: str, tz_name: str) -> date:
    """The local day of the first weekly session after a goal was set: a study plan's first
    day, so that every plan week holds exactly one nudge (and one calendar event)."""
    first = occurrence_after(weekday, local_time, tz_name, goal_set)
    return first.astimezone(zone(tz_name)).date()


@lru_cache(maxsize=8192)
def latest_occurrence(
    weekday: int, local_time: str, tz_name: str, at_or_before: datetime
) -> datetime:
    """The last occurrence at or before ``at_or_before`` (used to collapse a backlog)."""
    tz, at = zone(tz_name), parse_hhmm(local_time)
    local = at_or_before.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = local_instant(day, at, tz)
    while moment > at_or_before:
        day -= timedelta(days=7)
        moment = local_instant(day, at, tz)
    return moment


def day_text(day: date, weekday: bool = False) -> str:
    """ "1 May 2030" (no leading zero), or "Wednesday 1 May 2030"."""
    text = f"{day.day} {day:%B %Y}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def describe_local(moment: datetime, tz_name: str) -> str:
    """ "Tuesday 1 December 2026, 19:30 (CET, UTC+01:00)" — what the person will see on a clock."""
    local = moment.astimezone(zone(tz_name))
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}"
    abbreviation = local.tzname() or ""
    if abbreviation.startswith(("+", "-")):
        label = offset
    elif abbreviation == "UTC":
        label = "UTC"  # not "UTC, UTC+00:00"
    else:
        label = f"{abbreviation}, {offset}"
    return f"{WEEKDAYS[local.weekday()]} {local.day} {local:%B %Y}, {local:%H:%M} ({label})"
