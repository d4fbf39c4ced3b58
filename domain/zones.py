"""Time zones as people type them: "Berlin", "São Paulo", "Berlin, Germany", "Europe/Berlin",
"PST", "UTC+5:30".

An offset or an abbreviation names no place (and no daylight-saving rule): "EST" read as a fixed
UTC−5 makes a New York user an hour late all summer. So an abbreviation maps to its region's IANA
zone (or, when it is ambiguous, to suggestions), and an offset yields suggestions of real places
at that offset now, with the fixed Etc zone last and explained.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from domain.weekly import zone

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
    "mountain": "America/Denver",
    "alaska": "America/Anchorage",
    "indian": "Asia/Kolkata",
    "australian eastern": "Australia/Sydney",
    "korea": "Asia/Seoul",
    "korean": "Asia/Seoul",
    "philippine": "Asia/Manila",
    "philippines": "Asia/Manila",
    "pakistan": "Asia/Karachi",
    "gulf": "Asia/Dubai",
    "irish": "Europe/Dublin",
    "new zealand": "Pacific/Auckland",
    "hawaii": "Pacific/Honolulu",
    "atlantic": "America/Halifax",
    "arizona": "America/Phoenix",
    "british": "Europe/London",
    "central european": "Europe/Berlin",
    "eastern european": "Europe/Helsinki",
    "western european": "Europe/Lisbon",
    "la": "America/Los_Angeles",
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
    "z": "UTC",
}

ABBREVIATIONS = {
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "ct": "America/Chicago",
    "cdt": "America/Chicago",
    "mt": "America/Denver",
    "mdt": "America/Denver",
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "hst": "Pacific/Honolulu",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Helsinki",
    "eest": "Europe/Helsinki",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "bst": "Europe/London",
    "msk": "Europe/Moscow",
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "pkt": "Asia/Karachi",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "acst": "Australia/Adelaide",
    "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
    "brt": "America/Sao_Paulo",
}
"""Abbreviations that name one region: read as that region's zone, daylight saving included."""

AMBIGUOUS = {
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "cst": ("America/Chicago", "Asia/Shanghai", "America/Havana"),
    "mst": ("America/Denver", "America/Phoenix"),
    "ast": ("America/Halifax", "Asia/Riyadh"),
    "gst": ("Asia/Dubai", "Atlantic/South_Georgia"),
    "gmt": ("Europe/London", "UTC"),
}
"""Abbreviations several regions use: the person picks the place."""

_US = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
_AUSTRALIA = (
    "Australia/Sydney",
    "Australia/Brisbane",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Perth",
)
SEVERAL_ZONES = {
    "us": _US,
    "usa": _US,
    "united states": _US,
    "the us": _US,
    "u.s.": _US,
    "u.s": _US,
    "u.s.a.": _US,
    "u.s.a": _US,
    "the usa": _US,
    "america": _US,
    "canada": (
        "America/St_Johns",
        "America/Halifax",
        "America/Toronto",
        "America/Winnipeg",
        "America/Regina",
        "America/Edmonton",
        "America/Vancouver",
    ),
    "australia": _AUSTRALIA,
    "brazil": ("America/Sao_Paulo", "America/Manaus"),
    "russia": ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok"),
    "mexico": ("America/Mexico_City", "America/Tijuana", "America/Cancun"),
    "indonesia": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "kazakhstan": ("Asia/Almaty", "Asia/Aqtobe"),
}
"""Countries with several time zones: the person picks theirs."""

LEGACY = {
    "EST",
    "MST",
    "HST",
    "EST5EDT",
    "CST6CDT",
    "MST7MDT",
    "PST8PDT",
    "WET",
    "CET",
    "MET",
    "EET",
}
"""tzdata's old fixed or rule-only names, which are not places; their letters mean the regions
in ABBREVIATIONS and AMBIGUOUS instead."""

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
        if name in LEGACY:
            continue
        exact[name.lower()] = name
        if "/" in name and not name.startswith("Etc/"):
            city = _fold(name.rsplit("/", 1)[1].replace("_", " "))
            # Prefer the canonical continent zones over backward-compatible links.
            if city not in cities or name.startswith(("Europe/", "America/", "Asia/")):
                cities.setdefault(city, name)
    return exact, cities


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$")


def _fold(text: str) -> str:
    """Lower case without accents or extra spaces: "São  Paulo" → "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if "/" not in plain:
        plain = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", plain)  # "Baden-Baden", "Aix-en-Provence"
    return re.sub(r"\s+", " ", plain)


_SPOKEN = re.compile(r"\s+(?:(?:standard|daylight|summer)\s+)?(?:time(?:\s*zone)?|timezone)$")
"""What people add after a zone's name: "Eastern time", "pacific standard time", "IST timezone"."""


def _lookup(key: str) -> str | None:
    exact, cities = _zone_index()
    found = CITY_ALIASES.get(key) or ABBREVIATIONS.get(key)
    if found is not None:
        return found
    for candidate in (key, key.replace(" ", "_")):
        if candidate in exact:
            return exact[candidate]
    return cities.get(key)


def etc_label(name: str) -> str | None:
    """ "Etc/GMT-1" → "fixed UTC+1, no daylight saving": Etc signs read the wrong way round."""
    m = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if m is None:
        return None
    return f"fixed UTC{'-' if m[1] == '+' else '+'}{m[2]}, no daylight saving"


def zone_display(name: str) -> str:
    """How a zone is named in a reply: "Europe/Berlin", but "fixed UTC+1" for Etc/GMT-1."""
    m = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    return f"fixed UTC{'-' if m[1] == '+' else '+'}{m[2]}" if m else name


def resolve_timezone(text: str, now: datetime) -> ZoneChoice:
    """Read an IANA name, a city (accents and "city, country" welcome), an abbreviation or an
    offset such as "UTC+5:30"; validated with zoneinfo."""
    raw = text.strip()
    key = _SPOKEN.sub("", _fold(raw)) or _fold(raw)
    if key in AMBIGUOUS:
        return ZoneChoice(
            None,
            AMBIGUOUS[key],
            f"“{raw[:20]}” means different places. Which is yours? Or type your city.",
        )
    if key in SEVERAL_ZONES:
        return ZoneChoice(
            None,
            SEVERAL_ZONES[key],
            f"“{raw[:20]}” has several time zones. Which is yours? Or type your city.",
        )
    if (found := _lookup(key)) is not None:
        return ZoneChoice(found)
    if "," in key:
        # "Berlin, Germany", "Portland, Oregon, USA": the place is the first part.
        first = key.split(",", 1)[0].strip()
        if (found := _lookup(first)) is not None:
            return ZoneChoice(found)
        key = first
    if m := _OFFSET.match(key.replace("−", "-")):
        sign = -1 if m[1] in "-−" else 1
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours > 14 or minutes >= 60:
            return ZoneChoice(None, message=f"UTC{m[1]}{hours}:{minutes:02d} is not a real offset.")
        offset = sign * timedelta(hours=hours, minutes=minutes)
        places = [z for z in COMMON_ZONES if now.astimezone(zone(z)).utcoffset() == offset]
        places = [z for z in places if z != "UTC"][:7]
        fixed = None
        if minutes == 0 and hours:
            # POSIX-style names: Etc/GMT-5 is UTC+5, and it never changes for daylight saving.
            fixed = f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"
        elif offset == timedelta(0):
            fixed = "UTC"
        label = f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
        if not places and fixed is None:
            return ZoneChoice(
                None, message=f"No common time zone is at {label} right now. Type a city name."
            )
        message = (
            f"An offset alone does not say when clocks change for summer, so I need a place. "
            f"These are at {label} now: which is yours? Or type your city."
        )
        if fixed is not None:
            message += (
                f" The last choice keeps {label} all year with no daylight saving; "
                "use it only if your clocks never change."
            )
        return ZoneChoice(None, (*places, *([fixed] if fixed else [])), message)
    _, cities = _zone_index()
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
    """The zone a button names, or None: only real zone names (never a tzdata folder such as
    "America", which zoneinfo would try to open as a file)."""
    name = slug.replace(".", "/")
    exact, _ = _zone_index()
    if exact.get(name.lower()) != name:
        return None
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name
