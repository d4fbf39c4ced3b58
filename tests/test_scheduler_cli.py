"""`careerbot nudges due` and `careerbot nudges send-due`: the manual tick, in the terminal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.adapters.console import _local_user
from bot.app import CareerBot
from bot.cli import app
from bot.clock import ManualClock
from tests.conftest import settings_for
from tests.test_scheduler import make_goal


def test_due_and_send_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREERBOT_DATA_DIR", str(tmp_path))
    for name in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    me = _local_user()
    # A goal set two weeks ago at this very time of day, so its first nudge was a week ago and
    # its second is due a few minutes ago (the CLI uses the real clock).
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = now - timedelta(minutes=5)

    async def setup() -> None:
        clock = ManualClock(due - timedelta(days=14))
        bot = CareerBot(settings_for(tmp_path), clock=clock)
        await bot.start()
        local = due.astimezone(ZoneInfo("Europe/Berlin"))
        await make_goal(
            bot,
            user=me,
            platform="console",
            weekday=local.weekday(),
            at=local.strftime("%H:%M"),
        )
        await make_goal(bot, user="someone", platform="telegram", weekday=0, at="08:00")
        await bot.stop()

    asyncio.run(setup())
    runner = CliRunner()
    listed = runner.invoke(app, ["nudges", "due"])
    assert listed.exit_code == 0, listed.output
    assert f"nudge console:{me}" in listed.output and "(due now)" in listed.output
    assert "nudge telegram:someone" in listed.output

    sent = runner.invoke(app, ["nudges", "send-due"])
    assert sent.exit_code == 0, sent.output
    assert "Week 2" in sent.output and "[1] Done this week" in sent.output
    assert "Tick done: sent 1" in sent.output

    again = runner.invoke(app, ["nudges", "send-due"])
    assert "Tick done: sent 0" in again.output, "the same occurrence is never sent twice"
