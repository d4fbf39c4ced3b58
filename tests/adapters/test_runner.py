"""One platform failing does not stop the others: the real Telegram adapter against the fake Bot
API server, and the real Discord adapter pointed at an address where nothing listens."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import discord.http
import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.errors import StartFailed
from bot.platform import Platform
from bot.runner import Backoff, serve
from tests.adapters.fake_telegram import TOKEN, FakeTelegram
from tests.adapters.test_telegram import make_adapter, until
from tests.conftest import settings_for

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def discord_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")


class Naps(list[float]):
    """Records each backoff and yields briefly, so a test sees many attempts in little time."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0.01)


async def test_discord_unreachable_telegram_keeps_serving(
    tmp_path: Path,
    clock: ManualClock,
    fake: FakeTelegram,
    discord_unreachable: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(
        tmp_path,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake.api_url,
        discord_bot_token="discord-token-for-tests",
    )
    bot = CareerBot(settings, clock=clock)
    telegram, discord_adapter = make_adapter(bot), DiscordAdapter(bot, sync="never")
    live: dict[str, Platform] = {}
    naps, stop = Naps(), asyncio.Event()
    caplog.set_level(logging.INFO, "careerbot")
    running = asyncio.ensure_future(
        serve(bot, [telegram, discord_adapter], stop, live=live, backoff=Backoff(), sleep=naps)
    )
    try:
        await until(lambda: "telegram" in live and len(naps) >= 3)
        assert list(live) == ["telegram"], "only the platform that is up sends"
        fake.push(fake.update_json("/help"))
        await until(lambda: bool(fake.sent()))
        assert "/risk" in fake.sent()[0].params["text"], "Telegram answers while Discord retries"
        assert naps[:3] == [2.0, 4.0, 8.0], "exponential backoff"
        attempts = [
            r.getMessage() for r in caplog.records if "Discord is unreachable" in r.getMessage()
        ]
        assert len(attempts) >= 3 and all("retrying in" in line for line in attempts)
        assert "attempt 1;" in attempts[0] and "attempt 2;" in attempts[1]
    finally:
        stop.set()
        await asyncio.wait_for(running, 20)
    assert not telegram.application.running


async def test_no_platform_can_start_is_one_clear_failure(
    tmp_path: Path, clock: ManualClock, discord_unreachable: None
) -> None:
    bot = CareerBot(settings_for(tmp_path, discord_bot_token="discord-token-x"), clock=clock)
    naps = Naps()
    with pytest.raises(StartFailed, match="Discord is unreachable") as raised:
        await asyncio.wait_for(
            serve(
                bot,
                [DiscordAdapter(bot, sync="never")],
                asyncio.Event(),
                backoff=Backoff(give_up_after=3),
                sleep=naps,
            ),
            20,
        )
    assert len(naps) >= 2 and "discord-token-x" not in str(raised.value)
