"""A :class:`Reply` as Telegram messages: escaped HTML, split at Telegram's limits, buttons.

Pure functions, no network: :func:`render` turns a reply into the list of :class:`Outgoing`
messages the adapter sends in order (a photo with its caption, text messages of at most 4096
characters, a document), with the inline keyboard on the last one.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.actions import MAX_BYTES
from bot.messages import Document, Image, Reply
from bot.render import reply_blocks, split_blocks

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


@dataclass(slots=True)
class Outgoing:
    kind: Literal["text", "photo", "document"]
    text: str = ""
    """HTML text of a message, or a caption."""
    markup: InlineKeyboardMarkup | None = None
    image: Image | None = None
    document: Document | None = None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        buttons = []
        for button in row:
            if not button.action or len(button.action.encode()) > MAX_BYTES:
                log.warning("dropping a button whose data is not 1-64 bytes: %r", button.label)
                continue
            buttons.append(InlineKeyboardButton(button.label[:64], callback_data=button.action))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


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
    markup = keyboard(reply)
    if markup is not None:
        if not messages:
            # Telegram needs text to hang a keyboard on.
            messages.append(Outgoing("text", escape("Choose:")))
        messages[-1].markup = markup
    return messages
