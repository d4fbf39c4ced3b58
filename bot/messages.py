"""Platform-neutral messages: what adapters hand the core and what the core hands back.

A :class:`Reply` is structure, not markup. Each adapter renders it the way its platform's users
expect and escapes every piece of text itself, so no handler ever has to think about HTML,
Markdown or message-length limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.charts.specs import ChartSpec

ChatKind = Literal["private", "group", "channel"]
InboundKind = Literal["text", "action"]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a chat on one platform (a user's private chat is a chat too)."""

    platform: str
    chat_id: str


_new_object = object.__new__
_set_platform = Target.platform.__set__  # type: ignore[attr-defined]
_set_chat = Target.chat_id.__set__  # type: ignore[attr-defined]


def quick_target(platform: str, chat_id: str) -> Target:
    """``Target(platform, chat_id)``, the same frozen Target, set through its slots without the
    frozen dataclass's ``__init__`` (which goes through ``object.__setattr__`` per field): a
    third of the time, for the scheduler, which makes one per nudge."""
    target = _new_object(Target)
    _set_platform(target, platform)
    _set_chat(target, chat_id)
    return target


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did: sent text (commands included) or pressed a button."""

    platform: str
    user_id: str
    chat_id: str
    kind: InboundKind = "text"
    text: str = ""
    chat_kind: ChatKind = "private"
    user_name: str | None = None
    chat_title: str | None = None
    message_id: str | None = None
    """The message a pressed button belongs to, so a menu can be edited in place."""
    message_owner: str | None = None
    """Whom the pressed message answered (a user id), when the platform can tell; None for a
    message that answered nobody, such as a posted summary. In groups only the owner's press
    may edit the message (:mod:`bot.presses`)."""

    @property
    def target(self) -> Target:
        return Target(self.platform, self.chat_id)


LABEL_LIMIT = 60
"""Characters a button label keeps: under Telegram's 64 and Discord's 80, so one cut serves both."""


def short_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """Shorten a label at a word, ending in "…": a cut mid-word ("engineer ca") reads as a typo.
    A closing "(code)" is kept, since it is what tells two long exam names apart."""
    if len(text) <= limit:
        return text
    head, bracket, code = text.rpartition(" (")
    if bracket and code.endswith(")") and len(code) + 2 <= limit // 3:
        suffix = bracket + code
        return _cut_at_word(head, limit - len(suffix)) + suffix
    return _cut_at_word(text, limit)


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–(") + "…"


class Button(tuple[str, str]):
    """A button: its label and its action, immutable and hashable.

    A tuple underneath, not a frozen dataclass: the scheduler builds five for every weekly
    nudge (a busy minute, tens of thousands), and the Telegram adapter hashes every button of
    every reply to look its keyboard up; a tuple is built and hashed in C, a frozen dataclass
    in Python (``__init__``, ``__post_init__``, ``__hash__``). Two buttons are equal when label
    and action are."""

    __slots__ = ()

    def __new__(cls, label: str, action: str) -> Button:
        # The label is shortened to LABEL_LIMIT characters at a word, so handlers pass whole
        # titles; the action is an encoded bot.actions.Action of at most 64 bytes.
        if len(label) > LABEL_LIMIT:
            label = short_label(label)
        return tuple.__new__(cls, (label, action))

    @property
    def label(self) -> str:
        """Shortened to :data:`LABEL_LIMIT` characters at a word."""
        return self[0]

    @property
    def action(self) -> str:
        """An encoded :class:`bot.actions.Action`; at most 64 bytes."""
        return self[1]

    def __repr__(self) -> str:
        return f"Button(label={self[0]!r}, action={self[1]!r})"

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """What pickle and copy pass to ``__new__``: label and action, not the one tuple."""
        return self[0], self[1]


_new_tuple = tuple.__new__


def fitted_button(label: str, action: str) -> Button:
    """``Button(label, action)`` for a ``label`` known to fit (a constant of the caller's): the
    same Button without the length check, for the scheduler, which makes five per nudge."""
    return _new_tuple(Button, (label, action))


@dataclass(slots=True)
class Section:
    heading: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    """Key/value pairs, e.g. ("Repetitiveness", "3/10 — ...")."""


@dataclass(frozen=True, slots=True)
class Image:
    png: bytes
    alt: str
    """What the picture shows, in words: screen readers, captions, and the terminal chat."""
    filename: str = "chart.png"


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(slots=True)
class Reply:
    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    """Rows of buttons; adapters may re-flow rows to fit their platform."""
    image: Image | None = None
    chart: ChartSpec | None = None
    """A picture to draw for this reply; the core turns it into ``image`` (bot.charts)."""
    document: Document | None = None
    footer: str | None = None
    personal: bool = False
    """Shown only to the asker where the platform can (Discord ephemeral replies)."""
    edit: bool = False
    """Replace the menu message the pressed button sits on instead of sending a new one."""
    awaits_text: bool = False
    """It asks something answered by typing (a date, a time, a job), so a bare number typed next
    is an answer ("7" for 7 o'clock) wherever the platform reads numbers as button presses."""

    @classmethod
    def text(cls, *paragraphs: str, title: str | None = None) -> Reply:
        return cls(title=title, sections=[Section(paragraphs=list(paragraphs))])

    def add(self, section: Section) -> Reply:
        self.sections.append(section)
        return self

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
