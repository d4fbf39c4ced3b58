"""Bot API requests without files go as a JSON body (:mod:`bot.adapters.telegram_request`):
Telegram gets the same parameters, files still go as multipart, and transport failures are
still PTB's TimedOut and NetworkError, which the adapter retries or reports."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_limits import RateLimits
from bot.adapters.telegram_request import JsonBodyRequest
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.errors import StartFailed
from bot.messages import Button, Image, Reply, Target
from tests.adapters.fake_telegram import TOKEN, FakeTelegram
from tests.conftest import settings_for


@pytest.fixture
async def adapter(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram
) -> AsyncIterator[TelegramAdapter]:
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=fake.api_url)
    bot = CareerBot(settings, clock=clock)
    await bot.start()
    telegram = TelegramAdapter(bot, limits=RateLimits.unlimited(), poll_timeout=1.0)
    await telegram.start()
    yield telegram
    await telegram.stop()
    await bot.stop()


async def test_text_goes_as_json_and_files_as_multipart_with_the_same_parameters(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    reply = Reply.text("A <chart> & a menu")
    reply.image = Image(b"\x89PNG fake", alt="A chart")
    reply.buttons = [[Button("Menu", "v1:menu")]]
    await adapter.send(Target("telegram", "111"), Reply.text("Plain & <simple>"))
    await adapter.send(Target("telegram", "-1005001"), reply)

    text, photo = fake.sent("111")[0], fake.sent("-1005001")[0]
    assert text.content_type == "application/json"
    assert text.params["chat_id"] == "111" and text.params["parse_mode"] == "HTML"
    assert text.params["text"] == "Plain &amp; &lt;simple&gt;"
    assert text.params["link_preview_options"] == {"is_disabled": True}
    assert photo.content_type == "multipart/form-data"
    assert photo.params["photo"]["size"] == len(b"\x89PNG fake")
    assert photo.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Menu", "callback_data": "v1:menu"}]]
    }
    assert fake.calls_to("getMe")[0].content_type == "application/json"


async def test_a_server_that_never_answers_is_a_time_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        await asyncio.sleep(1)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = JsonBodyRequest(read_timeout=0.05)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/x", "POST", RequestData())
    finally:
        await request.shutdown()
        server.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_refused_connection_is_a_network_error() -> None:
    request = JsonBodyRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="ConnectError"):
            await request.do_request(f"http://127.0.0.1:{_closed_port()}/x", "POST", RequestData())
    finally:
        await request.shutdown()


async def test_telegram_unreachable_at_start_up_is_said_plainly(
    tmp_path: Path, clock: ManualClock
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot"
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=url)
    bot = CareerBot(settings, clock=clock)
    await bot.start()
    try:
        with pytest.raises(StartFailed, match="Telegram is unreachable"):
            await TelegramAdapter(bot).start()
    finally:
        await bot.stop()
