"""Button payloads: short, versioned strings parsed in exactly one place.

Telegram allows 64 bytes of callback data and Discord 100 characters of custom_id, so every
action is designed for 64 bytes. Anything that does not parse is answered with "this menu has
expired" by the router, never with an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64
MAX_ID = 2**31 - 1
"""The largest row id every supported database stores (PostgreSQL's INTEGER; SQLite allows more).
A number from a button or a message is refused above it, so a forged one can never reach the
database driver and overflow there."""
_PART = re.compile(r"^[A-Za-z0-9_.+-]{1,40}$")


class MalformedAction(ValueError):
    """Button data that is not a well-formed action of this version."""


class ActionTooLong(ValueError):
    """An action that would not fit in Telegram's 64-byte callback data."""


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        for part in (self.name, *self.args):
            if not _PART.match(part):
                raise MalformedAction(f"action part {part!r} is not a short slug")
        data = ":".join((VERSION, self.name, *self.args))
        if len(data.encode()) > MAX_BYTES:
            raise ActionTooLong(f"{data!r} is over {MAX_BYTES} bytes")
        return data

    def arg(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None

    def number(self, index: int, maximum: int = MAX_ID) -> int | None:
        """Argument ``index`` as a number from 1 to ``maximum`` (a row id by default), or None."""
        return parse_number(self.arg(index), maximum)


def parse_number(text: str | None, maximum: int = MAX_ID) -> int | None:
    """A whole number from 1 to ``maximum`` written in ASCII digits, else None.

    ``str.isdigit`` is not enough: it accepts "²", "①" and "፩", which ``int`` refuses, and
    ``int`` alone accepts "٣", " 7" and "1_000". Only plain digits count here.
    """
    text = (text or "").strip()
    if not text or len(text) > 12 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


def action(name: str, *args: str | int) -> str:
    """Build and encode an action in one call: ``action("faq", "mle", "automl")``."""
    return Action(name, tuple(str(a) for a in args)).encode()


def parse(data: str) -> Action:
    if len(data.encode("utf-8", "replace")) > MAX_BYTES:
        raise MalformedAction("too long")
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION:
        raise MalformedAction("unknown version")
    if not all(_PART.match(p) for p in parts[1:]):
        raise MalformedAction("bad characters")
    return Action(parts[1], tuple(parts[2:]))
