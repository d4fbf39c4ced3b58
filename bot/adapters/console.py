"""The terminal chat: no account, no token, the embedded database — try the bot in a minute.

Replies print as readable text and buttons as numbered choices: typing the number presses the
button. Standard input may be a pipe, so a whole session can be scripted; end of input ends the
session cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import io
import json
import logging
import re
import sys
import textwrap
import threading
from pathlib import Path
from typing import TextIO

from bot.app import CareerBot
from bot.messages import Button, Inbound, Reply, Target
from bot.middlewares import MAX_TEXT, clean_text
from bot.render import reply_blocks

PLATFORM = "console"
WIDTH = 88
MAX_LINE = 4 * MAX_TEXT
"""Characters of a line read at all: more than the bot answers, so a long question still gets
"too long", but bounded, so nothing (Unicode normalisation is slow on long runs of combining
marks) ever works on a 240 KB line."""
_CHOICE = re.compile(r"-?[0-9]{1,4}")
"""A button number: ASCII digits only ("²", "①" and "--1" are text, not choices)."""
log = logging.getLogger("careerbot.console")
QUIT_WORDS = {"quit", "exit", "/quit", "/exit"}


def _underlined(title: str) -> str:
    return f"{title}\n{'─' * min(len(title), WIDTH)}"


def render(reply: Reply) -> str:
    """Plain text with numbered buttons, wrapped for a terminal."""
    lines: list[str] = []
    # The title is underlined rather than put in capitals: capitals read as shouting (STYLE.md).
    for block in reply_blocks(reply, bold=lambda s: _underlined(s) if s == reply.title else s):
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
        self.buttons: list[Button] = []
        self.awaits_text = False
        """The last question is answered by typing: a number past the buttons is text."""
        self._load_menu()

    def _load_menu(self) -> None:
        if self.menu_file is None or not self.menu_file.exists():
            return
        try:
            saved = json.loads(self.menu_file.read_text(encoding="utf-8"))
            if isinstance(saved, list):  # written before awaits_text was kept
                saved = {"buttons": saved}
            self.buttons = [Button(str(b["label"]), str(b["action"])) for b in saved["buttons"]]
            self.awaits_text = bool(saved.get("awaits_text", False))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.buttons, self.awaits_text = [], False

    def _save_menu(self) -> None:
        if self.menu_file is None:
            return
        self.menu_file.parent.mkdir(parents=True, exist_ok=True)
        buttons = [{"label": b.label, "action": b.action} for b in self.buttons]
        data = {"buttons": buttons, "awaits_text": self.awaits_text}
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
        if reply.buttons or reply.awaits_text:
            self.buttons = reply.all_buttons() or self.buttons
            self.awaits_text = reply.awaits_text
            self._save_menu()
        if reply.document is not None:
            self._save("file", reply.document.filename, reply.document.data, "")
        if reply.image is not None:
            self._save("chart", reply.image.filename, reply.image.png, f" — {reply.image.alt}")
        self.out.flush()

    def _save(self, what: str, filename: str, data: bytes, note: str) -> None:
        """Save a file the reply carries and say where; when the folder is not writable, say
        that instead (the answer itself is already on screen)."""
        path = self.export_dir / filename
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            self.out.write(
                f"({what} not saved: cannot write {path} ({exc.strerror or exc}); run the chat "
                "from a folder you can write to)\n"
            )
            return
        self.out.write(f"({what} saved: {path}{note})\n")

    def inbound_for(self, line: str, user_id: str) -> Inbound | Reply:
        """A bare number presses that button of the last menu; a number with no such button is
        text for the bot when its last question is answered by typing ("7" for the time), else
        answered here (it is a slip, not a question); anything else is text for the bot."""
        text = line.strip()
        if _CHOICE.fullmatch(text):
            number = int(text)
            if 1 <= number <= len(self.buttons):
                button = self.buttons[number - 1]
                return Inbound(PLATFORM, user_id, self.chat_id, kind="action", text=button.action)
            if self.awaits_text:
                return Inbound(PLATFORM, user_id, self.chat_id, text=line, user_name=user_id)
            if self.buttons:
                count = len(self.buttons)
                choices = "type 1" if count == 1 else f"type a number from 1 to {count}"
                return Reply.text(f"There is no choice {text}: {choices}.")
            return Reply.text("There is no menu to choose from yet. Send /start to see one.")
        return Inbound(PLATFORM, user_id, self.chat_id, text=line, user_name=user_id)


async def _read_line(stream: TextIO) -> str:
    """One line, read in a daemon thread: Ctrl-C then ends the chat at once, instead of the
    process waiting for a blocked ``readline`` (as asyncio's own thread pool would) until Enter.
    The line is cut before anything else looks at it (see :data:`MAX_LINE`)."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if result.done():
            return
        if error is not None:
            result.set_exception(error)
        else:
            result.set_result(line or "")

    def read() -> None:
        try:
            line, error = stream.readline(MAX_LINE), None
            rest = line
            while rest and not rest.endswith("\n"):  # drop the rest of an over-long line
                rest = stream.readline(MAX_LINE)
        except Exception as exc:
            line, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (Ctrl-C)
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return await result


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
    if isinstance(stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 (a pasted Latin-1 line) become "�", not a crash.
        stdin.reconfigure(errors="replace")
    if interactive:
        # No /start here: it would replace the saved menu (a nudge's buttons) and end a
        # half-finished conversation such as /goal. What the person was doing carries on.
        resume = (
            "Your last menu is still open: type one of its numbers, or /start for the main menu."
            if platform.buttons
            else "Send /start for the main menu."
        )
        out.write(
            "careerbot — terminal chat. Type a question or a /command, a number to press a "
            f"button, 'quit' (or Ctrl-C) to leave. {resume}\n"
        )
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
            out.write(f"> {clean_text(line[:200])[:200]}\n")
        try:
            await _answer(bot, platform, line, user_id)
        except Exception:  # the chat never ends on input: say so, keep reading
            log.debug("terminal chat: could not answer a line", exc_info=True)
            out.write("\nSorry, that went wrong on my side; nothing was lost. Try again.\n")
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
