"""Time zones as people type them: "Berlin", "Europe/Berlin", "UTC+5:30".

An offset alone names no place (and no daylight-saving rule), so it yields suggestions of real
zones that have that offset now rather than a fixed-offset zone.
"""

from __future__ import annotations

import re
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
