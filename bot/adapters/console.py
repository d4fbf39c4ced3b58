"""The terminal chat: no account, no token, the embedded database — try the bot in a minute.

Replies print as readable text and buttons as numbered choices: typing the number presses the
button. Standard input may be a pipe, so a whole session can be scripted; end of input ends the
session cleanly.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from bot.app import CareerBot
from bot.messages import Button, Inbound, Reply, Target
from bot.middlewares import clean_text
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
    """The terminal as a platform: one private chat whose only user owns it (so is moderator).

    Files a reply carries are saved to ``export_dir`` (the working directory: like a download,
    they are the person's, not data the bot keeps). The last menu is kept in ``menu_file`` so its
    numbers still work in the next run, e.g. for a nudge printed by ``careerbot nudges send-due``.
    """

    name = PLATFORM

    def __init__(
        self, out: TextIO, export_dir: Path, chat_id: str, menu_file: Path | None = None
    ) -> None:
        self.out = out
        self.export_dir = export_dir
        self.chat_id = chat_id
        self.menu_file = menu_file
        self.buttons: list[Button] = self._load_menu()

    def _load_menu(self) -> list[Button]:
        if self.menu_file is None or not self.menu_file.exists():
            return []
        try:
            saved = json.loads(self.menu_file.read_text(encoding="utf-8"))
            return [Button(str(b["label"]), str(b["action"])) for b in saved]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def _save_menu(self) -> None:
        if self.menu_file is None:
            return
        self.menu_file.parent.mkdir(parents=True, exist_ok=True)
        data = [{"label": b.label, "action": b.action} for b in self.buttons]
        self.menu_file.write_text(json.dumps(data), encoding="utf-8")

    async def send(self, target: Target, reply: Reply) -> None:
        if target.chat_id != self.chat_id:
            self.out.write(f"(message for {target.platform}:{target.chat_id} not shown here)\n")
            return
        self.show(reply)

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return True

    async def forget_user(self, user_id: str) -> None:
        """/forget: the saved menu is the person's data too."""
        self.buttons = []
        if self.menu_file is not None:
            self.menu_file.unlink(missing_ok=True)

    async def missing_permission(self, chat_id: str) -> str | None:
        return None

    def show(self, reply: Reply) -> None:
        self.out.write("\n" + render(reply))
        if reply.buttons:
            self.buttons = reply.all_buttons()
            self._save_menu()
        if reply.document is not None:
            path = self._save(reply.document.filename, reply.document.data)
            self.out.write(f"(file saved: {path})\n")
        if reply.image is not None:
            path = self._save(reply.image.filename, reply.image.png)
            self.out.write(f"(chart saved: {path} — {reply.image.alt})\n")
        self.out.flush()

    def _save(self, filename: str, data: bytes) -> Path:
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / filename
        path.write_bytes(data)
        return path

    def inbound_for(self, line: str, user_id: str) -> Inbound | Reply:
        """A bare number presses that button of the last menu; a number with no such button is
        answered here (it is a slip, not a question); anything else is text for the bot."""
        text = line.strip()
        if text.lstrip("-").isdigit() and len(text) <= 4:
            number = int(text)
            if 1 <= number <= len(self.buttons):
                button = self.buttons[number - 1]
                return Inbound(PLATFORM, user_id, self.chat_id, kind="action", text=button.action)
            if self.buttons:
                return Reply.text(
                    f"There is no choice {text}: type a number from 1 to {len(self.buttons)}."
                )
            return Reply.text("There is no menu to choose from yet. Send /start to see one.")
        return Inbound(PLATFORM, user_id, self.chat_id, text=line, user_name=user_id)


async def _read_line(stream: TextIO) -> str:
    return await asyncio.to_thread(stream.readline)


async def run_console(
    bot: CareerBot,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    user_id: str | None = None,
) -> None:
    # Looked up per call, not bound at import: the CLI (and its tests) may swap the streams.
    stdin, out = stdin or sys.stdin, out or sys.stdout
    user_id = user_id or _local_user()
    platform = console_platform(bot, out, user_id)
    bot.warm_charts()
    interactive = stdin.isatty()
    if interactive:
        out.write(
            "careerbot — terminal chat. Type a question or a /command, a number to press a "
            "button, 'quit' to leave.\n"
        )
        await _answer(bot, platform, "/start", user_id)
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
            out.write(f"> {clean_text(line)[:200]}\n")
        await _answer(bot, platform, line, user_id)
    if interactive:
        out.write("Bye!\n")


def console_platform(bot: CareerBot, out: TextIO, user_id: str | None = None) -> ConsolePlatform:
    """The terminal chat of the local user; the CLI's nudge tick prints through the same one."""
    user_id = user_id or _local_user()
    menu_file = bot.settings.data_dir / "console" / f"{user_id}-menu.json"
    return ConsolePlatform(out, Path.cwd(), chat_id=user_id, menu_file=menu_file)


async def _answer(bot: CareerBot, platform: ConsolePlatform, line: str, user_id: str) -> None:
    message = platform.inbound_for(line, user_id)
    reply = message if isinstance(message, Reply) else await bot.feed(message, platform)
    if reply is not None:
        platform.show(reply)
        picture = await bot.charts.follow_up(reply)
        if picture is not None:
            platform.show(picture)


def _local_user() -> str:
    try:
        return getpass.getuser()[:64] or "local"
    except (KeyError, OSError):
        return "local"
