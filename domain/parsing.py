"""Reading what people type for a study goal: exam dates and "Tue 19:30".

Every failure is an :class:`InputError` whose message is shown to the person as it is.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from domain.weekly import WEEKDAYS, day_text


class InputError(ValueError):
    """Input a person typed that we cannot use; the message is shown to them as it is."""


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
MAX_EXAM_AHEAD = timedelta(days=731)


def _build_date(year: int, month: int, day: int) -> date:
    if not 1 <= year <= 9999:
        raise InputError(f"There is no year {year}. Write the date like 2027-03-15.")
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


def _slashed(first: int, second: int, year: int, today: date) -> date:
    """ "15/03/2027" and "03/15/2027" are clear; "03/04/2027" is 3 April in most of the world
    and March 4 in the US, so it is asked again, unless one reading is in the past."""
    if first > 12 or first == second:
        return _build_date(year, second, first)
    if second > 12:
        return _build_date(year, first, second)
    one, other = _build_date(year, second, first), _build_date(year, first, second)
    possible = [d for d in (one, other) if d > today]  # a past reading can't be meant
    if len(possible) == 1:
        return possible[0]
    if not possible:
        return one  # refused below, with the reason
    raise InputError(
        f"“{first:02d}/{second:02d}/{year}” could be {day_text(one)} or {day_text(other)}. "
        "Write the month as a word, e.g. 15 March 2027, or as 2027-03-15."
    )


def _relative(count: int, unit: str, today: date) -> date:
    """ "in 10 days", "in 6 weeks", "in 3 months": counted from today (months keep the day of
    the month, or take the month's last day when it is shorter)."""
    if unit.startswith("day"):
        return today + timedelta(days=count)
    if unit.startswith("week"):
        return today + timedelta(weeks=count)
    months = today.month - 1 + count
    year, month = today.year + months // 12, months % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_COUNT_WORDS = {word: n for n, word in enumerate((*_NUMBERS, "eleven", "twelve"), 1)}
_COUNT_WORDS.update({"a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3})
_COUNTS = "|".join(sorted(_COUNT_WORDS, key=len, reverse=True))


def _coming(weekday: int, said_next: bool, today: date) -> date:
    """ "Friday" is the coming one. "Next Friday" is the coming one to some people and the one
    a week later to others, so it is asked again, never guessed."""
    first = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if not said_next:
        return first
    later = first + timedelta(weeks=1)
    name = WEEKDAYS[weekday]
    raise InputError(
        f"“Next {name}” could be {day_text(first, weekday=True)} or "
        f"{day_text(later, weekday=True)}. Write the date you mean, e.g. {later.day} "
        f"{later:%B}."
    )


def _without_year(month: int, day: int, today: date) -> date:
    """ "15 March": the next 15 March after today (29 February: the next leap year's)."""
    for year in range(today.year, today.year + 5):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate > today:
            return candidate
    return _build_date(today.year, month, day)  # "31 April": says why there is none


def _month(word: str) -> int:
    if word not in _MONTHS:
        raise InputError(f"I don't know the month “{word[:20]}”.")
    return _MONTHS[word]


_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)\.?"
_YEAR = r"(?:\s+(\d{4}))?"


def _read_date(cleaned: str, today: date) -> date | None:
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", cleaned):
        return _build_date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", cleaned):
        return _build_date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", cleaned):
        return _slashed(int(m[1]), int(m[2]), int(m[3]), today)
    if m := re.fullmatch(rf"in (\d{{1,3}}|{_COUNTS}) (days?|weeks?|fortnights?|months?)", cleaned):
        count = int(m[1]) if m[1].isdigit() else _COUNT_WORDS[m[1]]
        if m[2].startswith("fortnight"):
            return _relative(2 * count, "weeks", today)
        return _relative(count, m[2], today)
    if cleaned in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if m := re.fullmatch(r"(?:(this|next|on) )?([a-z]+)\.?", cleaned):
        weekday = _weekday(m[2])
        if weekday is not None:
            if m[1] == "this" and weekday == today.weekday():
                return today  # "this Friday" on a Friday: today, refused below as not ahead
            return _coming(weekday, m[1] == "next", today)
        if m[1] == "next" and m[2] in ("week", "month", "year"):
            raise InputError(f"Which day next {m[2]}? Write the whole date, e.g. 15 March 2027.")
    if m := re.fullmatch(rf"{_DAY}\s+{_MONTH}{_YEAR}", cleaned):
        day, word, year = int(m[1]), m[2], m[3]
    elif m := re.fullmatch(rf"{_MONTH}\s+{_DAY}{_YEAR}", cleaned):
        day, word, year = int(m[2]), m[1], m[3]
    elif (m := re.fullmatch(rf"{_MONTH}\s+(\d{{4}})", cleaned)) and m[1] in _MONTHS:
        month, year = _MONTHS[m[1]], int(m[2])
        first = _build_date(year, month, 1)  # refuses a year 0
        last = first.replace(day=calendar.monthrange(year, month)[1])
        name = calendar.month_name[month]
        if last <= today:
            raise InputError(f"{name} {year} has passed. Give the date of an exam still to come.")
        if first > today + MAX_EXAM_AHEAD:
            raise InputError(f"{name} {year} is more than two years away. Choose a closer date.")
        raise InputError(
            f"Which day in {name} {year}? Write the whole date, e.g. 15 {name} {year}."
        )
    else:
        return None
    if word not in _MONTHS and not year:
        return None  # "week 12": not a date at all
    month = _month(word)
    return _build_date(int(year), month, day) if year else _without_year(month, day, today)


def parse_exam_date(text: str, today: date) -> date:
    """An exam date in the future and at most two years away: "2027-03-15", "15 March 2027",
    "15/03/2027", "15 March" (the next one), "in 8 weeks", "in two weeks", "tomorrow",
    "Friday" (the coming one)."""
    cleaned = " ".join(text.strip().lower().replace(",", " ").split()).rstrip(".!")
    parsed = _read_date(cleaned, today)
    if parsed is None:
        raise InputError(
            "I couldn't read that date. Write a day, month and year, e.g. 15 March 2027 or "
            "2027-03-15, or press “No date yet”."
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


def _weekday(word: str) -> int | None:
    """ "Tuesday", "tue", "Tues." and "tuesdays" (a weekly time is every Tuesday)."""
    key = word.strip().lower().rstrip(".")
    found = _WEEKDAY_WORDS.get(key)
    if found is None and key.endswith("s"):
        found = _WEEKDAY_WORDS.get(key[:-1])
    return found


def parse_weekday(word: str) -> int:
    """0 for Monday … 6 for Sunday; anything else is refused with the forms that work."""
    found = _weekday(word)
    if found is None:
        raise InputError(f"“{word[:20]}” is not a day of the week. Try Monday, Tue, …")
    return found


_NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
_LOOKS_LIKE_TIME = re.compile(r"[\d:.h ]+(?:[ap]\.?m\.?)?|(?:12 ?)?(?:noon|midday|midnight)")
"""A time on its own (the day came in an earlier answer); anything else is read as a day."""


def parse_clock(text: str) -> str:
    """ "19:30", "7:30pm", "7 pm", "0900", "18h30", "noon" → "HH:MM"; "25:00" gets a clear
    refusal."""
    cleaned = re.sub(r"([ap])\.m\.?", r"\1m", text.strip().lower()).replace(" ", "")
    cleaned = cleaned.removeprefix("12") if cleaned in ("12noon", "12midnight") else cleaned
    cleaned = cleaned.replace(".", ":")
    cleaned = _NAMED_TIMES.get(cleaned, cleaned)
    m = re.fullmatch(r"(\d{1,2})(?:[:h]?(\d{2})|h)?(am|pm)?", cleaned)
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


_PARTS_OF_DAY = {
    "morning": "am",
    "afternoon": "pm",
    "evening": "pm",
    "night": "pm",
    "tonight": "pm",
}
"""A part of the day gives an hour its am or pm; on its own it is too vague to nudge at, so the
time is asked for (nothing is guessed) and the part is kept for the answer: "saturday evening",
then "7", is 19:00."""
_FILLER = ("at", "on", "every", "in", "the", "each")
_BARE_HOUR = re.compile(r"(\d{1,2})(?:[:.h]?\d{2}|h)?")


def part_of_day(word: str) -> str | None:
    """ "evening", "Evenings" → "evening"; any other word → None."""
    word = word.lower()
    word = word[:-1] if word.endswith("s") and word[:-1] in _PARTS_OF_DAY else word
    return word if word in _PARTS_OF_DAY else None


def parse_when_parts(text: str, part: str | None = None) -> tuple[int | None, str | None]:
    """ "Tuesday 19:30" → (1, "19:30"); "tuesday" → (1, None); "19:30" → (None, "19:30").

    A conversation that asked "at what time on Tuesday?" keeps the day it has and takes the time
    from the next answer, so either part may be missing; what is there must be valid. ``part``
    is a part of the day said in an earlier answer ("saturday evening"): it gives a bare hour
    in this one its am or pm.
    """
    words = text.replace(",", " ").replace(" at ", " ").replace(" on ", " ").split()
    day_words = [w for w in words if _weekday(w) is not None]
    rest = [w for w in words if w not in day_words and w.lower() not in _FILLER]
    parts = {p for w in rest if (p := part_of_day(w))}
    rest = [w for w in rest if part_of_day(w) is None]
    example = "Write a day and a time, like “Tuesday 19:30”."
    if not day_words and not rest:
        if parts:
            raise InputError(
                f"On which day, and at what time in the {min(parts)}? Write e.g. “Tuesday 8:30”."
            )
        raise InputError("Tell me a day and a time, for example “Tuesday 19:30”.")
    weekday = parse_weekday(day_words[0]) if day_words else None
    if not rest:
        return weekday, None  # "saturday morning": which time in the morning is asked next
    hour = _BARE_HOUR.fullmatch("".join(rest))
    part = parts.pop() if len(parts) == 1 else (part if not parts else None)
    if part is not None and hour and 1 <= int(hour[1]) <= 12:
        # "7 in the evening" is 7pm, "12 at night" midnight
        twelve_at_night = int(hour[1]) == 12 and part in ("night", "tonight")
        rest = [hour[0].removesuffix("h"), "am" if twelve_at_night else _PARTS_OF_DAY[part]]
    if weekday is None and not _LOOKS_LIKE_TIME.fullmatch(" ".join(rest).lower()):
        parse_weekday(rest[0])  # raises a clear message about the first word
    try:
        clock = parse_clock(" ".join(rest))
    except InputError as exc:
        raise InputError(f"{exc} {example}") from None
    return weekday, clock


def part_of_day_in(text: str) -> str | None:
    """The one part of the day a text names ("saturday evening" → "evening"), else None."""
    found = {p for w in text.replace(",", " ").split() if (p := part_of_day(w))}
    return found.pop() if len(found) == 1 else None


def parse_when(text: str) -> tuple[int, str]:
    """ "Tuesday 19:30", "tue 7pm", "19:30 Tue" → (weekday, "HH:MM")."""
    weekday, clock = parse_when_parts(text)
    if weekday is None:
        raise InputError("On which day of the week? Write a day and a time, like “Tuesday 19:30”.")
    if clock is None:
        raise InputError(f"And at what time on {WEEKDAYS[weekday]}? e.g. 19:30.")
    return weekday, clock
