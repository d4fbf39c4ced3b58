"""A :class:`Reply` as Telegram messages: escaped HTML, split at Telegram's limits, buttons.

Pure functions, no network: :func:`render` turns a reply into the list of :class:`Outgoing`
messages the adapter sends in order (a photo with its caption, text messages of at most 4096
characters, a document), with the inline keyboard on the last one. Keyboards are built and
serialised once per distinct set of buttons (:func:`keyboard`): most answers carry the same
few menus, and building PTB's button objects and their JSON for every answer cost more CPU
than anything else the adapter did.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.actions import MAX_BYTES
from bot.messages import Button, Document, Image, Reply
from bot.render import reply_blocks, split_blocks
from domain.lru import LruMap

log = logging.getLogger("careerbot.telegram")

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
PARSE_MODE = "HTML"
_TAG = re.compile(r"</?b>")


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    return f"<b>{text}</b>"


def to_plain(text: str) -> str:
    """The plain-text twin of a chunk we rendered (we only ever emit <b> and escapes)."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True, slots=True)
class Keyboard:
    """An inline keyboard and the JSON Telegram receives for it, made once and then shared.

    PTB's objects are immutable once built (setting an attribute raises), so one markup can
    serve every answer that shows the same buttons; ``json`` is PTB's own serialisation of it
    (:meth:`~telegram.TelegramObject.to_json`), sent as the ``reply_markup`` parameter."""

    markup: InlineKeyboardMarkup
    json: str


@dataclass(slots=True)
class Outgoing:
    kind: Literal["text", "photo", "document"]
    text: str = ""
    """HTML text of a message, or a caption."""
    keyboard: Keyboard | None = None
    image: Image | None = None
    document: Document | None = None


KeyboardKey = tuple[tuple[Button, ...], ...]
_KEYBOARDS: LruMap[KeyboardKey, Keyboard | None] = LruMap(4096)
"""Keyboards by their buttons (label and action), least recently used out first: menus repeat
for everyone, while per-person buttons (one goal, one question) fall out of the cache."""


def keyboard(reply: Reply) -> Keyboard | None:
    """The reply's buttons as Telegram's inline keyboard; None when it has none that fit."""
    if not reply.buttons:
        return None
    key = tuple(tuple(row) for row in reply.buttons)
    if key in _KEYBOARDS:
        return _KEYBOARDS.get(key)
    made = _build(key)
    _KEYBOARDS.put(key, made)
    return made


def _build(rows: KeyboardKey) -> Keyboard | None:
    markup_rows = []
    for row in rows:
        buttons = []
        for button in row:
            if not button.action or len(button.action.encode()) > MAX_BYTES:
                log.warning("dropping a button whose data is not 1-64 bytes: %r", button.label)
                continue
            buttons.append(InlineKeyboardButton(button.label[:64], callback_data=button.action))
        if buttons:
            markup_rows.append(buttons)
    if not markup_rows:
        return None
    markup = InlineKeyboardMarkup(markup_rows)
    return Keyboard(markup, markup.to_json())


def _caption(blocks: list[str]) -> tuple[str, list[str]]:
    """Leading whole blocks that fit a caption; the rest follow as text messages."""
    caption = ""
    for index, block in enumerate(blocks):
        joined = f"{caption}\n\n{block}" if caption else block
        if len(joined) > CAPTION_LIMIT:
            return caption, blocks[index:]
        caption = joined
    return caption, []


def render(reply: Reply) -> list[Outgoing]:
    blocks = reply_blocks(reply, escape, bold)
    messages: list[Outgoing] = []
    if reply.image is not None:
        caption, blocks = _caption(blocks)
        if not caption:
            caption = escape(reply.image.alt[:CAPTION_LIMIT])
        messages.append(Outgoing("photo", caption, image=reply.image))
    chunks = split_blocks(blocks, MESSAGE_LIMIT)
    messages.extend(Outgoing("text", chunk) for chunk in chunks if chunk.strip())
    if reply.document is not None:
        messages.append(Outgoing("document", document=reply.document))
    buttons = keyboard(reply)
    if buttons is not None:
        if not messages:
            # Telegram needs text to hang a keyboard on.
            messages.append(Outgoing("text", escape("Choose:")))
        messages[-1].keyboard = buttons
    return messages
