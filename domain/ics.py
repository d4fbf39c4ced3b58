"""The .ics export (RFC 5545), with a VTIMEZONE built from zoneinfo's own transitions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from domain.studyplan import Plan, PlanWeek
from domain.weekly import local_instant, next_occurrence, parse_hhmm, zone


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold at 75 octets, never inside a UTF-8 sequence (RFC 5545 section 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta(0)).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}{seconds % 3600 // 60:02d}"


def transitions(tz_name: str, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in [start, end) where the zone's offset or abbreviation changes."""
    tz = zone(tz_name)
    found: list[datetime] = []
    step = timedelta(hours=12)
    t = start
    while t < end:
        nxt = t + step
        a, b = t.astimezone(tz), nxt.astimezone(tz)
        if (a.utcoffset(), a.tzname()) != (b.utcoffset(), b.tzname()):
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                m = mid.astimezone(tz)
                if (m.utcoffset(), m.tzname()) == (a.utcoffset(), a.tzname()):
                    lo = mid
                else:
                    hi = mid
            found.append(hi.replace(second=0, microsecond=0))
        t = nxt
    return found


def vtimezone(tz_name: str, start: datetime, end: datetime) -> list[str]:
    """A VTIMEZONE that defines the offset at every instant from ``start`` to ``end``.

    An observance without RRULE is in force only from its own DTSTART, so a list of the changes
    *inside* the span would leave the time before the first change undefined (a plan from
    November to June in Berlin would get only the March DAYLIGHT part). The list therefore starts
    a year before ``start``: it includes the change that put ``start``'s offset in force and, for
    a zone with daylight saving, both a STANDARD and a DAYLIGHT part. A zone with no change in
    that time gets one STANDARD part with its fixed offset.
    """
    tz = zone(tz_name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz_name}"]
    changes = transitions(tz_name, start - timedelta(days=366), end)
    if not changes:
        fixed = start.astimezone(tz)
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{_offset(fixed.utcoffset())}",
            f"TZOFFSETTO:{_offset(fixed.utcoffset())}",
            f"TZNAME:{fixed.tzname()}",
            "END:STANDARD",
        ]
    for moment in changes:
        old = (moment - timedelta(minutes=1)).astimezone(tz)
        new = moment.astimezone(tz)
        kind = "DAYLIGHT" if new.dst() else "STANDARD"
        # DTSTART is the onset in local time as it was before the change (TZOFFSETFROM).
        onset = (moment + (old.utcoffset() or timedelta(0))).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{onset:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(old.utcoffset())}",
            f"TZOFFSETTO:{_offset(new.utcoffset())}",
            f"TZNAME:{new.tzname()}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def plan_sessions(
    plan: Plan, weekday: int, local_time: str, tz_name: str, first: datetime
) -> list[tuple[PlanWeek, datetime]]:
    """The weekly study sessions of ``plan``: (week, local start time without zone) from the
    session at ``first``, one per plan week, none on or after the exam day. The confirmation card
    and the calendar file both count these, so they always agree."""
    tz, at = zone(tz_name), parse_hhmm(local_time)
    sessions: list[tuple[PlanWeek, datetime]] = []
    moment = first
    for week in plan.weeks:
        local_day = moment.astimezone(tz).date()
        if plan.exam is not None and local_day >= plan.exam:
            break
        sessions.append((week, datetime.combine(local_day, at)))
        moment = next_occurrence(weekday, local_time, tz_name, moment)
    return sessions


def plan_ics(
    *,
    plan: Plan,
    title: str,
    weekday: int,
    local_time: str,
    tz_name: str,
    first: datetime,
    uid_prefix: str,
    now: datetime,
    session_minutes: int = 60,
    about: str | None = None,
) -> bytes:
    """One event per planned week at the nudge time, plus an all-day event for the exam."""
    tz, at = zone(tz_name), parse_hhmm(local_time)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    sessions = plan_sessions(plan, weekday, local_time, tz_name, first)
    span_end = max([first, *[local_instant(d.date(), at, tz) for _, d in sessions]])
    if plan.exam is not None:
        span_end = max(span_end, local_instant(plan.exam, time(0), tz))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//careerbot//study plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(title)}",
        *([f"X-WR-CALDESC:{_escape(about)}"] if about else []),
        *vtimezone(tz_name, first - timedelta(days=1), span_end + timedelta(days=8)),
    ]
    for week, local in sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid_prefix}-week-{week.number}@careerbot",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={tz_name}:{local:%Y%m%dT%H%M%S}",
            f"DURATION:PT{session_minutes}M",
            f"SUMMARY:{_escape(f'{title} — {week.heading}')}",
            f"DESCRIPTION:{_escape(chr(10).join(week.todo))}",
            "END:VEVENT",
        ]
    if plan.exam is not None:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid_prefix}-exam@careerbot",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{plan.exam:%Y%m%d}",
            f"DTEND;VALUE=DATE:{plan.exam + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'Exam: {title}')}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
