"""Start-up faults end in one clear line and a non-zero exit; no secret reaches any output.

The CLI is driven in-process through Typer's runner (the real commands, real settings parsing,
a real SQLite file) and, where the whole process matters (a traceback printed by Python itself),
as a real subprocess.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings, load_settings
from storage.db import Database, DatabaseUnusable, head_revision
from tests.adapters.fake_telegram import TOKEN, FakeTelegram

VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "DISCORD_BOT_TOKEN",
    "DATABASE_URL",
    "CAREERBOT_DATA_DIR",
    "CAREERBOT_LOG_LEVEL",
    "TELEGRAM_WEBHOOK_PORT",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_API_URL",
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A clean environment with the data dir in tmp_path; the root logger is restored after."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)  # no stray .env from the repository
    values = {"CAREERBOT_DATA_DIR": str(tmp_path / "data")}
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield values
    root.handlers[:], root.level = handlers, level


def invoke(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    output = result.output  # stdout and stderr, as a terminal shows them
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, output


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {output!r}"
    assert "Traceback" not in output
    return lines[0]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("variable", "value", "phrase"),
    [
        ("CAREERBOT_LOG_LEVEL", "LOUD", "not a log level"),
        ("TELEGRAM_WEBHOOK_PORT", "99999", "65535"),
        ("TELEGRAM_WEBHOOK_PORT", "0", "greater than or equal to 1"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces & ümlauts", "A-Z, a-z, 0-9"),
        ("DATABASE_URL", "postgresql://bot:pw123456@db/careerbot", "postgresql+asyncpg"),
        ("DATABASE_URL", "sqlite:///", "sqlite+aiosqlite"),
        ("DATABASE_URL", "sqlite+aiosqlite:///", "names no file"),
        ("DATABASE_URL", "not a url", "not a database URL"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    env: dict[str, str], variable: str, value: str, phrase: str
) -> None:
    code, output = invoke({**env, variable: value, "TELEGRAM_BOT_TOKEN": "1:abcdefgh"}, "run")
    line = one_line(output)
    assert code == 2 and variable in line and phrase in line
    assert "pw123456" not in output and "ümlauts" not in output, "secrets are never echoed"


def test_settings_a_command_does_not_use_do_not_stop_it(env: dict[str, str]) -> None:
    bad = {"CAREERBOT_LOG_LEVEL": "LOUD", "TELEGRAM_WEBHOOK_PORT": "99999"}
    code, output = invoke({**env, **bad}, "nudges", "due")
    assert code == 0 and "Nothing scheduled" in output
    code, output = invoke({**env, **bad}, "chat", stdin="/help\n")
    assert code == 0 and "/risk" in output
    assert invoke({**env, "DATABASE_URL": "sqlite:///"}, "content", "check")[0] == 0
    code, output = invoke({**env, **bad}, "run", stdin="/help\n")  # no token: the chat
    assert code == 0 and "/risk" in output


def test_an_empty_variable_counts_as_unset(env: dict[str, str], tmp_path: Path) -> None:
    empty = {"DISCORD_BOT_TOKEN": "", "TELEGRAM_BOT_TOKEN": "", "CAREERBOT_DATA_DIR": ""}
    settings = load_settings(**{})  # the fixture's environment, no overrides
    assert settings.discord_bot_token is None
    code, output = invoke(empty, "run", stdin="/help\n")
    assert code == 0 and "starting the terminal chat" in output and "/risk" in output
    assert (tmp_path / "xdg" / "careerbot" / "careerbot.db").exists(), "the default data dir"


def test_version_and_plain_help(env: dict[str, str]) -> None:
    code, output = invoke(env, "--version")
    assert code == 0 and output.startswith("careerbot ")
    for args in (["--help"], ["nudges", "due", "--help"], ["content", "check", "--help"]):
        code, output = invoke(env, *args)
        assert code == 0 and "<bool>" not in output and "--help" in output


# --------------------------------------------------------------------------- the database


def test_an_impossible_data_dir(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    code, output = invoke({**env, "CAREERBOT_DATA_DIR": str(tmp_path / "a-file" / "d")}, "chat")
    line = one_line(output)
    assert code == 1 and "CAREERBOT_DATA_DIR" in line


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_sqlite_file(env: dict[str, str], tmp_path: Path, damage: str) -> None:
    assert invoke(env, "nudges", "due")[0] == 0
    path = tmp_path / "data" / "careerbot.db"
    data = path.read_bytes()
    path.write_bytes(b"this is no database" * 100 if damage == "garbage" else data[:1500])
    for name in ("careerbot.db-wal", "careerbot.db-shm"):
        (tmp_path / "data" / name).unlink(missing_ok=True)
    code, output = invoke(env, "nudges", "due")
    line = one_line(output)
    assert code == 1 and str(path) in line and ("damaged" in line or "Cannot use" in line)


def test_a_database_from_a_newer_release(env: dict[str, str], tmp_path: Path) -> None:
    assert invoke(env, "nudges", "due")[0] == 0
    with sqlite3.connect(tmp_path / "data" / "careerbot.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    code, output = invoke(env, "chat")
    assert code == 1 and "newer careerbot" in one_line(output)


async def test_postgres_unmigrated_or_missing(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        with pytest.raises(DatabaseUnusable, match="careerbot db upgrade"):
            await db.prepare(upgrade=False)
        await db.prepare(upgrade=True)
        assert await db.current_revision() == head_revision()
        await db.prepare(upgrade=False)  # now it starts
    finally:
        await db.dispose()
    engine = create_async_engine(pg_url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed9999'"))
    await engine.dispose()
    db = Database(pg_url)
    try:
        with pytest.raises(DatabaseUnusable, match="newer careerbot"):
            await db.prepare(upgrade=False)
    finally:
        await db.dispose()
    missing = Database(pg_url.rsplit("/", 1)[0] + "/careerbot_no_such_database")
    try:
        with pytest.raises(DatabaseUnusable, match="does not exist"):
            await missing.prepare(upgrade=False)
    finally:
        await missing.dispose()


async def test_two_processes_migrating_a_fresh_data_dir_take_turns(tmp_path: Path) -> None:
    for attempt in range(8):
        url = f"sqlite+aiosqlite:///{tmp_path / str(attempt) / 'careerbot.db'}"
        dbs = [Database(url), Database(url)]
        try:
            await asyncio.gather(*(db.prepare(upgrade=True) for db in dbs))
            assert await dbs[1].current_revision() == head_revision()
        finally:
            for db in dbs:
                await db.dispose()


# --------------------------------------------------------------------------- secrets


async def test_a_rejected_token_never_reaches_any_output(tmp_path: Path) -> None:
    """The whole process, at DEBUG: PTB's InvalidToken carries the token in its text."""
    fake = FakeTelegram()
    await fake.start()
    wrong = "987654:AAWrongTokenThatMustNotLeak"
    environ = {
        **{k: v for k, v in os.environ.items() if k not in VARIABLES},
        "TELEGRAM_BOT_TOKEN": wrong,
        "TELEGRAM_API_URL": fake.api_url,
        "CAREERBOT_DATA_DIR": str(tmp_path),
        "CAREERBOT_LOG_LEVEL": "DEBUG",
    }
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "run",
            env=environ,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await fake.stop()
    output = (out + err).decode()
    assert process.returncode == 1
    assert wrong not in output and "AAWrongToken" not in output
    assert "Traceback" not in output
    assert output.strip().splitlines()[-1].startswith("Telegram rejected TELEGRAM_BOT_TOKEN")
    assert wrong != TOKEN


def test_secret_settings_never_print(env: dict[str, str]) -> None:
    settings = Settings(telegram_bot_token="123456:AAsecretsecret")  # type: ignore[arg-type]
    assert "AAsecret" not in repr(settings) and "AAsecret" not in str(settings)


def test_the_first_make_run_says_what_it_is_doing(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    (tmp_path / "pyproject.toml").write_text((root / "pyproject.toml").read_text())
    planned = subprocess.run(
        ["make", "-n", "-f", str(root / "Makefile"), "run"],
        cwd=tmp_path,  # no .venv here: the install step is planned
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in planned.stdout.splitlines() if not line.startswith("make")]
    assert lines[0].startswith("echo") and "installing careerbot" in lines[0], planned.stdout
