"""The terminal chat: no account, no token, the embedded database — try the bot in a minute.

Replies print as readable text and buttons as numbered choices: typing the number presses the
button. Standard input may be a pipe, so a whole session can be scripted; end of input ends the
session cleanly.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from bot.app import CareerBot
from bot.messages import Button, Inbound, Reply, Target
from bot.render import reply_blocks

PLATFORM = "console"
WIDTH = 88
QUIT_WORDS = {"quit", "exit", "/quit", "/exit"}


def render(reply: Reply) -> str:
    """Plain text with numbered buttons, wrapped for a terminal."""
    lines: list[str] = []
    for block in reply_blocks(reply, bold=lambda s: s.upper() if s == reply.title else s):
        for line in block.split("\n"):
            indent = "  " if line.startswith("•") else ""
            lines.append(
                textwrap.fill(line, WIDTH, subsequent_indent=indent) if line.strip() else ""
            )
        lines.append("")
    for number, button in enumerate(reply.all_buttons(), start=1):
        lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines).rstrip() + "\n"


class ConsolePlatform:
    """The terminal as a platform: one private chat whose only user owns it (so is moderator)."""

    name = PLATFORM

    def __init__(self, out: TextIO, export_dir: Path, chat_id: str) -> None:
        self.out = out
        self.export_dir = export_dir
        self.chat_id = chat_id
        self.buttons: list[Button] = []

    async def send(self, target: Target, reply: Reply) -> None:
        if target.chat_id != self.chat_id:
            self.out.write(f"(message for {target.platform}:{target.chat_id} not shown here)\n")
            return
        self.show(reply)

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return True

    async def missing_permission(self, chat_id: str) -> str | None:
        return None

    def show(self, reply: Reply) -> None:
        self.out.write("\n" + render(reply))
        if reply.buttons:
            self.buttons = reply.all_buttons()
        if reply.document is not None:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = self.export_dir / reply.document.filename
            path.write_bytes(reply.document.data)
            self.out.write(f"(file saved: {path})\n")
        if reply.image is not None:
            self.out.write(f"(image: {reply.image.alt})\n")
        self.out.flush()

    def inbound_for(self, line: str, user_id: str) -> Inbound:
        """A bare number presses the matching button of the last menu; anything else is text."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            return Inbound(PLATFORM, user_id, self.chat_id, kind="action", text=button.action)
        return Inbound(PLATFORM, user_id, self.chat_id, text=line, user_name=user_id)


async def _read_line(stream: TextIO) -> str:
    return await asyncio.to_thread(stream.readline)


async def run_console(
    bot: CareerBot,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    user_id: str | None = None,
) -> None:
    user_id = user_id or _local_user()
    platform = ConsolePlatform(out, bot.settings.data_dir / "exports", chat_id=user_id)
    interactive = stdin.isatty()
    if interactive:
        out.write(
            "careerbot — terminal chat. Type a question or a /command, a number to press a "
            "button, 'quit' to leave.\n"
        )
        reply = await bot.feed(platform.inbound_for("/start", user_id), platform)
        if reply:
            platform.show(reply)
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = await _read_line(stdin)
        if not line:
            break
        if line.strip().lower() in QUIT_WORDS:
            break
        if not interactive:
            out.write(f"> {line.rstrip()}\n")
        reply = await bot.feed(platform.inbound_for(line, user_id), platform)
        if reply is not None:
            platform.show(reply)
    if interactive:
        out.write("Bye!\n")


def _local_user() -> str:
    try:
        return getpass.getuser()[:64] or "local"
    except (KeyError, OSError):
        return "local"
