"""Fixtures the adapter tests share: the fake Telegram Bot API server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.fake_telegram import FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()
