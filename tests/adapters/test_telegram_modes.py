"""How the Telegram adapter runs: webhook with a secret token, 409 Conflict, membership changes,
and the outbound pacing — still the real PTB Application against the fake Bot API server."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.telegram import TelegramAdapter, api_urls
from bot.adapters.telegram_limits import RateLimits, SendLimiter
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.errors import StartFailed
from bot.runner import serve
from tests.adapters.fake_telegram import TOKEN, FakeTelegram, conflict, user
from tests.adapters.test_telegram import make_adapter, until
from tests.conftest import settings_for

SECRET = "webhook-secret_123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_accepts_only_requests_with_the_secret_token(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram
) -> None:
    port = free_port()
    settings = settings_for(
        tmp_path,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake.api_url,
        telegram_webhook_url="https://bot.example.org/telegram/hook",
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
    )
    bot = CareerBot(settings, clock=clock)
    await bot.start()
    telegram = make_adapter(bot)
    await telegram.start()
    try:
        [registered] = fake.calls_to("setWebhook")
        assert registered.params["url"] == "https://bot.example.org/telegram/hook"
        assert registered.params["secret_token"] == SECRET
        assert not fake.calls_to("getUpdates"), "a webhook worker never polls"

        url = f"http://127.0.0.1:{port}/telegram/hook"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                response = await http.post(url, json=fake.update_json("/help"), headers=headers)
                assert response.status == 403
            assert fake.sent() == [] and telegram.processor.done == 0

            good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            response = await http.post(url, json=fake.update_json("/help"), headers=good)
            assert response.status == 200
        await until(lambda: telegram.processor.done == 1)
        [reply] = fake.sent()
        assert reply.ok and "/risk" in reply.params["text"]
    finally:
        await telegram.stop()
        await bot.stop()


async def test_a_second_poller_ends_in_a_clear_message_and_a_clean_stop(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("getUpdates", conflict(), times=1000)
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=fake.api_url)
    bot = CareerBot(settings, clock=clock)
    telegram = make_adapter(bot)
    never = asyncio.Event()  # no signal comes: the adapter's own stop must end the run

    await asyncio.wait_for(serve(bot, [telegram], never), 10)

    conflicts = [r for r in caplog.records if "409 Conflict" in r.getMessage()]
    assert len(conflicts) == 1 and conflicts[0].levelno == logging.ERROR
    assert not telegram.application.running
    polls = len(fake.calls_to("getUpdates"))
    await asyncio.sleep(0.05)
    assert len(fake.calls_to("getUpdates")) == polls, "no retry loop after the stop"


async def test_being_blocked_or_removed_marks_the_chat_inactive(
    tg_bot_with_adapter: tuple[CareerBot, TelegramAdapter], fake: FakeTelegram
) -> None:
    bot, telegram = tg_bot_with_adapter
    now = bot.services.clock.now()
    await bot.services.chats.record("telegram", "777", "private", None, now)
    await bot.services.chats.record("telegram", "-100888", "group", "Study group", now)

    for chat_id in (777, -100888):
        fake.push(
            {
                "my_chat_member": {
                    "chat": fake.chat(chat_id),
                    "from": user(777),
                    "date": 1,
                    "old_chat_member": {"status": "member", "user": user(1)},
                    "new_chat_member": {"status": "kicked", "user": user(1), "until_date": 0},
                }
            }
        )
    await until(lambda: telegram.processor.done >= 2)

    private = await bot.services.chats.get("telegram", "777")
    group = await bot.services.chats.get("telegram", "-100888")
    assert private is not None and (private.active, private.inactive_reason) == (
        False,
        "user blocked the bot",
    )
    assert group is not None and group.inactive_reason == "bot was removed from the chat"


async def test_a_migration_notice_moves_the_groups_rows(
    tg_bot_with_adapter: tuple[CareerBot, TelegramAdapter], fake: FakeTelegram
) -> None:
    bot, telegram = tg_bot_with_adapter
    await bot.services.chats.record("telegram", "-31", "group", "Old", bot.services.clock.now())
    fake.message("", -31, 5, migrate_to_chat_id=-10031)
    await until(lambda: telegram.processor.done >= 1)
    assert await bot.services.chats.get("telegram", "-10031") is not None
    assert fake.sent() == []


@pytest.fixture
async def tg_bot_with_adapter(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram
) -> AsyncIterator[tuple[CareerBot, TelegramAdapter]]:
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=fake.api_url)
    bot = CareerBot(settings, clock=clock)
    await bot.start()
    telegram = make_adapter(bot)
    await telegram.start()
    yield bot, telegram
    await telegram.stop()
    await bot.stop()


async def test_a_wrong_token_stops_start_up_with_a_clear_message(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram
) -> None:
    settings = settings_for(
        tmp_path, telegram_bot_token="999:not-the-token", telegram_api_url=fake.api_url
    )
    telegram = make_adapter(CareerBot(settings, clock=clock))
    with pytest.raises(StartFailed, match="BotFather") as raised:
        await telegram.start()
    assert not raised.value.retry, "a rejected token is not worth retrying"
    # The whole traceback as Python would print it: PTB's InvalidToken names the token, so
    # it must not be chained in.
    printed = "".join(traceback.format_exception(raised.value))
    assert "not-the-token" not in printed and "InvalidToken" not in printed


def test_self_hosted_api_urls() -> None:
    assert api_urls("http://localhost:8081/bot") == (
        "http://localhost:8081/bot",
        "http://localhost:8081/file/bot",
    )
    assert api_urls("http://localhost:8081/") == (
        "http://localhost:8081/bot",
        "http://localhost:8081/file/bot",
    )


# --------------------------------------------------------------------------- pacing


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_one_message_a_second_per_chat_after_a_short_burst() -> None:
    time = FakeTime()
    limiter = SendLimiter(RateLimits(chat_burst=3), clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        await limiter.acquire("111")
    assert time.now == pytest.approx(2.0)  # three at once, then one a second


async def test_twenty_a_minute_per_group_and_thirty_a_second_overall() -> None:
    time = FakeTime()
    limiter = SendLimiter(RateLimits(group_burst=20), clock=time.clock, sleep=time.sleep)
    for _ in range(21):
        await limiter.acquire("-100123")
    assert time.now == pytest.approx(3.0)  # the 21st waits for 1/20 of a minute

    time = FakeTime()
    limiter = SendLimiter(RateLimits(chat_burst=1), clock=time.clock, sleep=time.sleep)
    for chat in range(60):
        await limiter.acquire(str(chat + 1))
    assert time.now == pytest.approx(1.0)  # 30 at once, then 30 a second


async def test_groups_and_channels_are_paced_as_groups() -> None:
    assert SendLimiter.is_group("@channel") and SendLimiter.is_group("-100123")
    assert not SendLimiter.is_group("42")
    time = FakeTime()
    limiter = SendLimiter(RateLimits.unlimited(), clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        await limiter.acquire("-100123")
    assert time.slept == []
