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
