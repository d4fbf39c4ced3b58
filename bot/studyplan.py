"""Study plans and weekly times: pure functions, no I/O, so they are cheap to test and to cache.

Three things live here because the goal flow, the scheduler and the calendar export all need
them and must agree to the minute:

- **Weekly times.** A weekly rule is (weekday, local time, IANA zone). Every occurrence is
  recomputed from that rule in local time with :mod:`zoneinfo` — never by adding 7×24 hours to a
  UTC instant — so a daylight-saving change moves nothing. Two edge cases are defined:
  a local time that does not exist that day (the clocks skip it, e.g. 02:30 on the spring-forward
  night in Berlin) fires at the moment the clocks skip to, i.e. shifted by the gap (03:30); a local
  time that happens twice (fall back) fires once, at its first occurrence (PEP 495 ``fold=0``).
- **The plan.** A plan week starts on the day of a weekly study session (the nudge), so plan
  weeks, nudges and calendar events are one and the same: one session per week from the first
  nudge, every session before the exam day. A credential's exam domains are spread over those
  weeks by weight (largest remainder, at least one week each when there is room), with the last
  week — the last two on plans of twelve weeks or more — for review and a timed practice exam.
- **Parsing** of what people type: exam dates, "Tue 19:30", time zones ("Berlin", "UTC+5:30").
- **The .ics export** (RFC 5545), with a VTIMEZONE built from zoneinfo's own transitions.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# ---------------------------------------------------------------------------------------------
# Weekly times

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


@lru_cache(maxsize=8192)
def next_occurrence(weekday: int, local_time: str, tz_name: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` that is ``weekday`` at ``local_time`` locally.

    Cached: at a busy minute thousands of subscribers share one rule and one instant.
    """
    tz, at = zone(tz_name), parse_hhmm(local_time)
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    moment = local_instant(day, at, tz)
    while moment <= after:
        day += timedelta(days=7)
        moment = local_instant(day, at, tz)
    return moment


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


# ---------------------------------------------------------------------------------------------
# Parsing what people type


class InputError(ValueError):
    """Input a person typed that we cannot use; the message is shown to them as it is."""


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
MAX_EXAM_AHEAD = timedelta(days=731)


def _build_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise InputError(f"There is no month {month}. Write the date like 2027-03-15.")
    try:
        return date(year, month, day)
    except ValueError:
        last = calendar.monthrange(year, month)[1]
        raise InputError(
            f"{calendar.month_name[month]} {year} has {last} days, so "
            f"{day} {calendar.month_name[month]} does not exist. Please check the date."
        ) from None


def parse_exam_date(text: str, today: date) -> date:
    """An exam date in the future and at most two years away; "2027-03-15" or "15 March 2027"."""
    cleaned = text.strip().lower().replace(",", " ")
    parsed: date | None = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", cleaned):
        parsed = _build_date(int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", cleaned):
        parsed = _build_date(int(m[3]), int(m[2]), int(m[1]))
    elif m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?\s+(\d{4})", cleaned):
        if m[2] not in _MONTHS:
            raise InputError(f"I don't know the month “{m[2][:20]}”.")
        parsed = _build_date(int(m[3]), _MONTHS[m[2]], int(m[1]))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})", cleaned):
        if m[1] not in _MONTHS:
            raise InputError(f"I don't know the month “{m[1][:20]}”.")
        parsed = _build_date(int(m[3]), _MONTHS[m[1]], int(m[2]))
    if parsed is None:
        raise InputError(
            "I couldn't read that date. Write it like 2027-03-15 or 15 March 2027 "
            "(or press “No date yet”)."
        )
    if parsed <= today:
        raise InputError(
            f"{day_text(parsed)} is not in the future. "
            "Give the date of an exam you have yet to take."
        )
    if parsed > today + MAX_EXAM_AHEAD:
        raise InputError(
            f"{day_text(parsed)} is more than two years away. Choose a date within two years "
            "(you can change it later)."
        )
    return parsed


_WEEKDAY_WORDS = {name.lower(): i for i, name in enumerate(WEEKDAYS)}
_WEEKDAY_WORDS.update({name.lower()[:3]: i for i, name in enumerate(WEEKDAYS)})
_WEEKDAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})


def parse_weekday(word: str) -> int:
    key = word.strip().lower().rstrip(".")
    if key not in _WEEKDAY_WORDS:
        raise InputError(f"“{word[:20]}” is not a day of the week. Try Monday, Tue, …")
    return _WEEKDAY_WORDS[key]


def parse_clock(text: str) -> str:
    """ "19:30", "7:30pm", "7 pm", "0900" → "HH:MM"; "25:00" gets a clear refusal."""
    cleaned = text.strip().lower().replace(" ", "").replace(".", ":")
    m = re.fullmatch(r"(\d{1,2})(?::?(\d{2}))?(am|pm)?", cleaned)
    if m is None:
        raise InputError(f"I couldn't read the time “{text[:20]}”. Write it like 19:30 or 7:30pm.")
    hours, minutes, half = int(m[1]), int(m[2] or 0), m[3]
    if half is not None:
        if not 1 <= hours <= 12:
            raise InputError(f"With am/pm the hour goes from 1 to 12, not {hours}.")
        hours = hours % 12 + (12 if half == "pm" else 0)
    if hours > 23:
        raise InputError(f"{hours:02d}:{minutes:02d} is not a time of day: hours go from 00 to 23.")
    if minutes > 59:
        raise InputError(f"{hours:02d}:{minutes:02d} is not a time: minutes go from 00 to 59.")
    return f"{hours:02d}:{minutes:02d}"


def parse_when(text: str) -> tuple[int, str]:
    """ "Tuesday 19:30", "tue 7pm", "19:30 Tue" → (weekday, "HH:MM")."""
    words = text.replace(",", " ").replace(" at ", " ").split()
    day_words = [w for w in words if w.lower().rstrip(".") in _WEEKDAY_WORDS]
    rest = [w for w in words if w not in day_words]
    example = "Write a day and a time, like “Tuesday 19:30”."
    if not day_words:
        if words and re.fullmatch(r"[\d:.]+\s*(?:am|pm)?", " ".join(words).lower()):
            # Only a time ("25:00", "19:30"): say what is wrong with it, and ask for the day.
            try:
                parse_clock(" ".join(words))
            except InputError as exc:
                raise InputError(f"{exc} {example}") from None
            raise InputError(f"On which day of the week? {example}")
        if words:
            parse_weekday(words[0])  # raises a clear message about the first word
        raise InputError("Tell me a day and a time, for example “Tuesday 19:30”.")
    if not rest:
        raise InputError(
            f"And at what time on {WEEKDAYS[parse_weekday(day_words[0])]}? e.g. 19:30."
        )
    try:
        clock = parse_clock(" ".join(rest))
    except InputError as exc:
        raise InputError(f"{exc} {example}") from None
    return parse_weekday(day_words[0]), clock


# Time zones --------------------------------------------------------------------------------

CITY_ALIASES = {
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "ist": "Asia/Kolkata",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "nyc": "America/New_York",
    "eastern": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "central": "America/Chicago",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "uk": "Europe/London",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "japan": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    "melbourne": "Australia/Melbourne",
    "canberra": "Australia/Sydney",
    "sao paulo": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "toronto": "America/Toronto",
    "vancouver": "America/Vancouver",
    "montreal": "America/Toronto",
    "tel aviv": "Asia/Jerusalem",
    "abu dhabi": "Asia/Dubai",
    "utc": "UTC",
    "gmt": "Etc/GMT",
}

COMMON_ZONES = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/St_Johns",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Kabul",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Colombo",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """The outcome of reading a time zone: a zone, or suggestions and what to tell the person."""

    zone: str | None
    suggestions: tuple[str, ...] = ()
    message: str = ""


@lru_cache(maxsize=1)
def _zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """Case-insensitive IANA names, and their city part ("new york" → America/New_York)."""
    exact: dict[str, str] = {}
    cities: dict[str, str] = {}
    for name in available_timezones():
        if name.startswith(("SystemV/", "posix/", "right/")) or name in ("Factory", "localtime"):
            continue
        exact[name.lower()] = name
        if "/" in name and not name.startswith("Etc/"):
            city = name.rsplit("/", 1)[1].replace("_", " ").lower()
            # Prefer the canonical continent zones over backward-compatible links.
            if city not in cities or name.startswith(("Europe/", "America/", "Asia/")):
                cities.setdefault(city, name)
    return exact, cities


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$")


def resolve_timezone(text: str, now: datetime) -> ZoneChoice:
    """Read an IANA name, a city or an offset such as "UTC+5:30"; validated with zoneinfo."""
    raw = text.strip()
    key = re.sub(r"\s+", " ", raw.lower())
    exact, cities = _zone_index()
    if key in exact:
        return ZoneChoice(exact[key])
    if key.replace(" ", "_") in exact:
        return ZoneChoice(exact[key.replace(" ", "_")])
    if key in CITY_ALIASES:
        return ZoneChoice(CITY_ALIASES[key])
    if key in cities:
        return ZoneChoice(cities[key])
    if m := _OFFSET.match(key.replace("−", "-")):
        sign = -1 if m[1] in "-−" else 1
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours > 14 or minutes >= 60:
            return ZoneChoice(None, message=f"UTC{m[1]}{hours}:{minutes:02d} is not a real offset.")
        offset = sign * timedelta(hours=hours, minutes=minutes)
        matches = [z for z in COMMON_ZONES if now.astimezone(zone(z)).utcoffset() == offset]
        if minutes == 0 and hours:
            # POSIX-style names: Etc/GMT-5 is UTC+5, and it never changes for daylight saving.
            matches.append(f"Etc/GMT{'-' if sign > 0 else '+'}{hours}")
        elif offset == timedelta(0):
            matches.append("UTC")
        label = f"UTC{'+' if sign > 0 else '-'}{hours}:{minutes:02d}"
        if not matches:
            return ZoneChoice(
                None, message=f"No common time zone is at {label} right now. Type a city name."
            )
        return ZoneChoice(
            None,
            tuple(dict.fromkeys(matches))[:8],
            f"An offset changes with daylight saving, so I need a place. These are at {label} "
            "now — which is yours?",
        )
    partial = sorted(name for city, name in cities.items() if key and key in city)[:8]
    if partial and len(key) >= 3:
        return ZoneChoice(None, tuple(partial), f"I don't know “{raw[:40]}” exactly. Did you mean:")
    return ZoneChoice(
        None,
        message=(
            f"I don't know the time zone “{raw[:40]}”. Type a city (Berlin, New York, Mumbai), an "
            "IANA name (Europe/Berlin) or an offset (UTC+5:30)."
        ),
    )


def zone_to_slug(name: str) -> str:
    """IANA names contain "/", which button data may not; "." never occurs in them."""
    return name.replace("/", ".")


def slug_to_zone(slug: str) -> str | None:
    name = slug.replace(".", "/")
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


# ---------------------------------------------------------------------------------------------
# The plan

DEFAULT_WEEKS = 8
"""Plan length when no exam date is set (the 8-week example of domain-facts.md section 2)."""


@dataclass(frozen=True, slots=True)
class PlanWeek:
    number: int
    starts: date
    topic: str
    kind: str
    """study | review | exam"""
    part: int = 1
    parts: int = 1
    todo: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        if self.parts == 1:
            topic = self.topic
        else:
            topic = f"{self.topic} (week {self.part} of {self.parts} on this area)"
        return f"Week {self.number}: {topic}"


@dataclass(frozen=True, slots=True)
class Plan:
    start: date
    exam: date | None
    weeks: tuple[PlanWeek, ...]
    allocation: tuple[tuple[str, int], ...] = field(default=())

    def week_number(self, day: date) -> int:
        """The plan week ``day`` falls in; the days before the first session count as week 1."""
        return max(1, (day - self.start).days // 7 + 1)

    def week(self, number: int) -> PlanWeek:
        """The plan's week ``number``; past the last planned week, keep practising."""
        if 1 <= number <= len(self.weeks):
            return self.weeks[number - 1]
        starts = self.start + timedelta(weeks=number - 1)
        return PlanWeek(
            number,
            starts,
            "Keep practising",
            "review",
            todo=(
                "Book your exam date if you haven't, then add it in /goal → Change date or time.",
                "Take a timed practice exam and note your weakest area.",
                "Spend one session on that area.",
            ),
        )

    def weeks_left(self, day: date) -> int | None:
        if self.exam is None:
            return None
        return max(0, math.ceil((self.exam - day).days / 7))


def allocate(weights: list[float], weeks: int) -> list[int]:
    """Weeks per domain proportional to weight, at least one each, summing to ``weeks``."""
    total = sum(weights)
    ideal = [weeks * w / total for w in weights]
    alloc = [max(1, math.floor(x)) for x in ideal]
    while sum(alloc) > weeks:
        candidates = [i for i, a in enumerate(alloc) if a > 1]
        i = max(candidates, key=lambda j: (alloc[j] - ideal[j], -j))
        alloc[i] -= 1
    while sum(alloc) < weeks:
        i = max(range(len(alloc)), key=lambda j: (ideal[j] - alloc[j], -j))
        alloc[i] += 1
    return alloc


def _study_todo(topic: str, part: int, parts: int) -> tuple[str, ...]:
    if parts == 1 or part == 1:
        first = f"Read the exam guide's objectives for {topic} and the provider's docs on them."
    else:
        first = f"Continue {topic}: pick the objectives you haven't covered yet."
    hands_on = "Do one hands-on lab or small exercise that uses what you read."
    closing = (
        "Finish with 10 practice questions on this area and note what you got wrong."
        if part == parts
        else "Write 5 flashcards from this week's reading."
    )
    return first, hands_on, closing


@lru_cache(maxsize=4096)
def build_plan(domains: tuple[tuple[str, float], ...], start: date, exam: date | None) -> Plan:
    """Spread ``domains`` (name, weight) over the weeks from ``start`` to ``exam``.

    ``start`` is the day of the first weekly session, so there is one week per session held before
    the exam day (sessions on ``start``, ``start`` + 7, … while earlier than ``exam``).
    """
    total = max(1, math.ceil((exam - start).days / 7)) if exam else DEFAULT_WEEKS
    review = 1 if total < 12 else 2
    study = total - review
    weeks: list[PlanWeek] = []
    allocation: list[tuple[str, int]] = []
    names = [n for n, _ in domains] or ["The exam guide's topics"]
    weights = [w for _, w in domains] or [1.0]
    if study >= len(names):
        counts = allocate(weights, study)
        for name, count in zip(names, counts, strict=True):
            allocation.append((name, count))
            for part in range(1, count + 1):
                weeks.append(
                    PlanWeek(0, start, name, "study", part, count, _study_todo(name, part, count))
                )
    elif study > 0:
        # Fewer weeks than domains: group neighbours, the heaviest groups first.
        size, extra = divmod(len(names), study)
        at = 0
        for i in range(study):
            group = names[at : at + size + (1 if i < extra else 0)]
            at += len(group)
            topic = " + ".join(group)
            allocation.extend((g, 1) for g in group)
            weeks.append(PlanWeek(0, start, topic, "study", todo=_study_todo(topic, 1, 1)))
    if review == 2:
        weeks.append(
            PlanWeek(
                0,
                start,
                "Review every area",
                "review",
                todo=(
                    "Take a full, timed practice exam.",
                    "Re-read the objectives of your two weakest areas.",
                    "Redo the practice questions you got wrong.",
                ),
            )
        )
    weeks.append(
        PlanWeek(
            0,
            start,
            "Final review and practice exam" if exam else "Review and practice exam",
            "exam",
            todo=(
                "Take a timed practice exam in exam conditions.",
                "Review only what you missed; no new topics now.",
                "Check the logistics: ID, booking, test centre or online set-up.",
            ),
        )
    )
    numbered = tuple(
        PlanWeek(
            i,
            start + timedelta(weeks=i - 1),
            w.topic,
            w.kind,
            w.part,
            w.parts,
            w.todo,
        )
        for i, w in enumerate(weeks, start=1)
    )
    return Plan(start, exam, numbered, tuple(allocation))


# ---------------------------------------------------------------------------------------------
# The calendar file (RFC 5545)


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
