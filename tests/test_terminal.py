"""The terminal chat never exits on input, never loses what the person was doing, and Ctrl-C
leaves at once. Real subprocesses; the interactive ones run on a real pseudo-terminal."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.adapters.console import ConsolePlatform
from bot.messages import Document, Reply


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.pop("DATABASE_URL", None)
    env.update(CAREERBOT_DATA_DIR=str(data_dir), LC_ALL="C.UTF-8", LANG="en_US.UTF-8")
    return env


def piped(data_dir: Path, script: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=script,
        capture_output=True,
        env=environment(data_dir),
        cwd=data_dir.parent,
        timeout=90,
        check=False,
    )


def test_odd_lines_never_end_the_chat(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    lines = [b"/start", b"--1", b"---1", "²".encode(), "①".encode(), "-²".encode(), b"-1"]
    lines += [b"\xff\xfe broken \xc3", b"\xe2\x82", b"a" + "\u0301".encode() * 500_000]
    result = piped(data_dir, b"\n".join([*lines, b"/help", b""]))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert "There is no choice -1" in out
    assert "characters long" in out, "the million-character line is answered, not hung on"
    assert out.rstrip().endswith("/plan_ics") or "/risk" in out.split("> /help")[-1]


def test_a_file_that_cannot_be_saved_is_said_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = io.StringIO()
    platform = ConsolePlatform(out, blocker / "exports", chat_id="me")
    reply = Reply.text("Here is your data.")
    reply.document = Document("careerbot-mydata.json", b"{}", "application/json")
    platform.show(reply)
    shown = out.getvalue()
    assert "Here is your data." in shown
    assert "(file not saved: cannot write" in shown and "folder you can write to" in shown


class Terminal:
    """`careerbot chat` on a pseudo-terminal, as a person types into it."""

    def __init__(self, data_dir: Path) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "chat"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment(data_dir),
            cwd=data_dir.parent,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, text: str, within: float = 60.0) -> str:
        deadline = time.monotonic() + within
        while text not in self.seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {text!r}; got {self.seen[-600:]!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                self.seen += chunk.decode(errors="replace")
        assert text in self.seen, f"never saw {text!r}; got {self.seen[-600:]!r}"
        return self.seen

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def test_launching_keeps_the_saved_menu_and_a_half_finished_goal(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = piped(data_dir, b"/goal\n").stdout.decode()
    assert "[5] 4. Databricks" in first
    terminal = Terminal(data_dir)
    try:
        intro = terminal.read_until("> ")
        assert "Your last menu is still open" in intro
        assert "What would you like to look at?" not in intro, "no /start on launch"
        terminal.type("5")  # the goal flow's button, from the last run
        assert "When is your exam?" in terminal.read_until("When is your exam?")
    finally:
        terminal.close()


def test_ctrl_c_leaves_at_once_and_cleanly(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "data")
    try:
        terminal.read_until("> ")
        terminal.process.send_signal(signal.SIGINT)
        code = terminal.process.wait(timeout=20)  # without Enter
        assert code == 130
        with contextlib.suppress(AssertionError):
            terminal.read_until("\n", within=2)
        assert "Traceback" not in terminal.seen
    finally:
        terminal.close()
