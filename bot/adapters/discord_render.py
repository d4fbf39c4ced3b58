"""A :class:`Reply` as Discord messages: embeds, attachments and rows of buttons.

Pure layout, no I/O: :func:`render` returns one :class:`Outgoing` per Discord message, each
within Discord's limits (description 4096, title 256, footer 2048, 6000 characters and 10 embeds
a message, 5 rows of 5 buttons, labels 80, custom_id 100). Text is escaped for Discord markdown
here, and cut with the shared :func:`bot.render.split_blocks`, so nothing is lost: a long answer
becomes several embeds, and several messages when one would pass 6000 characters.

Files and views are built fresh for every send (discord.py closes a file once it is sent).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.messages import Button, Reply
from bot.render import reply_blocks, split_blocks

log = logging.getLogger("careerbot.discord")

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FOOTER_LIMIT = 2048
FIELDS_LIMIT = 25
MESSAGE_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100

IMAGE_NAME = "image.png"
MORE_BUTTONS = "More options:"
COLOUR = discord.Colour(0x2B6CB0)


def escape(text: str) -> str:
    """Escape Discord markdown in text that came from content or people (links stay links)."""
    return discord.utils.escape_markdown(text, ignore_links=True)


def bold(text: str) -> str:
    return f"**{text}**"


@dataclass(slots=True)
class EmbedSpec:
    title: str | None = None
    description: str | None = None
    footer: str | None = None
    image: bool = False

    @property
    def size(self) -> int:
        """Characters that count toward Discord's 6000 a message."""
        return sum(len(part or "") for part in (self.title, self.description, self.footer))

    def build(self) -> discord.Embed:
        embed = discord.Embed(title=self.title, description=self.description, colour=COLOUR)
        if self.footer:
            embed.set_footer(text=self.footer)
        if self.image:
            embed.set_image(url=f"attachment://{IMAGE_NAME}")
        return embed


@dataclass(slots=True)
class FileSpec:
    filename: str
    data: bytes
    description: str | None = None

    def build(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), self.filename, description=self.description)


@dataclass(slots=True)
class Outgoing:
    """One Discord message, ready to be turned into send/edit keyword arguments."""

    content: str | None = None
    embeds: list[EmbedSpec] = field(default_factory=list)
    files: list[FileSpec] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(e.size for e in self.embeds)

    def kwargs(self, make_view: Callable[[list[list[Button]]], discord.ui.View]) -> dict[str, Any]:
        """Arguments shared by send_message, followup.send and channel.send."""
        values: dict[str, Any] = {
            "embeds": [e.build() for e in self.embeds],
            "allowed_mentions": discord.AllowedMentions.none(),
        }
        if self.content:
            values["content"] = self.content
        if self.files:
            values["files"] = [f.build() for f in self.files]
        if self.buttons:
            values["view"] = make_view(self.buttons)
        return values

    def edit_kwargs(
        self, make_view: Callable[[list[list[Button]]], discord.ui.View]
    ) -> dict[str, Any]:
        """Arguments for editing a message in place: replaces text, files and buttons."""
        return {
            "content": self.content,
            "embeds": [e.build() for e in self.embeds],
            "attachments": [f.build() for f in self.files],
            "view": make_view(self.buttons) if self.buttons else None,
            "allowed_mentions": discord.AllowedMentions.none(),
        }


def render(reply: Reply) -> list[Outgoing]:
    """Lay ``reply`` out as Discord messages; the buttons go on the last one."""
    title = escape(reply.title) if reply.title else None
    blocks = reply_blocks(reply, escape, bold, with_title=False, with_footer=False)
    if title and len(title) > TITLE_LIMIT:
        blocks.insert(0, bold(title))  # too long for an embed title: keep every word anyway
        title = None
    footer = reply.footer
    if footer and len(footer) > FOOTER_LIMIT:
        blocks.append(escape(footer))
        footer = None

    chunks = split_blocks(blocks, DESCRIPTION_LIMIT)
    embeds = [EmbedSpec(description=chunk) for chunk in chunks]
    if title:
        if embeds:
            embeds[0].title = title
        else:
            embeds.append(EmbedSpec(title=title))
    if footer:
        # Embed footers show plain text (no markdown), so the footer is not escaped.
        if embeds and embeds[-1].size + len(footer) <= MESSAGE_TOTAL_LIMIT:
            embeds[-1].footer = footer
        else:
            embeds.append(EmbedSpec(footer=footer))

    messages = _pack(embeds)
    last = messages[-1]
    if reply.image is not None:
        if not last.embeds:
            last.embeds.append(EmbedSpec())  # a picture on its own is still shown in an embed
        last.embeds[-1].image = True
        last.files.append(FileSpec(IMAGE_NAME, reply.image.png, reply.image.alt[:1024] or None))
    if reply.document is not None:
        doc = reply.document
        last.files.append(FileSpec(doc.filename, doc.data))

    rows = button_rows(reply.buttons)
    for index in range(0, len(rows), ROWS_PER_MESSAGE):
        page = rows[index : index + ROWS_PER_MESSAGE]
        if index == 0:
            last.buttons = page
        else:
            messages.append(Outgoing(content=MORE_BUTTONS, buttons=page))
    if not any(m.content or m.embeds or m.files or m.buttons for m in messages[:1]):
        messages[0].content = "\u200b"  # Discord refuses an empty message
    return messages


def _pack(embeds: list[EmbedSpec]) -> list[Outgoing]:
    """Group embeds into messages of at most 10 embeds and 6000 characters."""
    messages = [Outgoing()]
    for embed in embeds:
        current = messages[-1]
        if current.embeds and (
            len(current.embeds) >= EMBEDS_PER_MESSAGE
            or current.size + embed.size > MESSAGE_TOTAL_LIMIT
        ):
            current = Outgoing()
            messages.append(current)
        current.embeds.append(embed)
    return messages


def button_rows(rows: list[list[Button]]) -> list[list[Button]]:
    """Rows of at most 5 buttons, at most 5 rows while they fit (more go on further messages);
    repeated or over-long custom_ids are dropped."""
    seen: set[str] = set()
    result: list[list[Button]] = []
    for row in rows:
        kept = []
        for button in row:
            if len(button.action) > CUSTOM_ID_LIMIT or not button.action:
                log.warning("dropped a button whose action is not a valid custom_id")
                continue
            if button.action in seen:
                continue  # custom_ids must be unique within a message
            seen.add(button.action)
            kept.append(button)
        for index in range(0, len(kept), BUTTONS_PER_ROW):
            result.append(kept[index : index + BUTTONS_PER_ROW])
    if len(result) > ROWS_PER_MESSAGE:
        # Too many rows for one message: re-flow into wider rows, as evenly as fits.
        flat = [button for row in result for button in row]
        width = min(BUTTONS_PER_ROW, -(-len(flat) // ROWS_PER_MESSAGE))
        result = [flat[i : i + width] for i in range(0, len(flat), width)]
    return result


def label(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"
