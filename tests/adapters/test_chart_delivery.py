"""Charts as each platform shows pictures, through the real libraries against the fakes:
Telegram photos (fake Bot API server) and Discord attachments shown as the embed's image
(simcord). A chart still being drawn follows the text; a drawn one goes with it; a chat that
refuses pictures gets the text and one note naming the missing right."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord import create_client
from bot.adapters.telegram import TelegramAdapter
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Reply, Target
from handlers.risk import risk_reply
from tests.adapters.fake_telegram import TOKEN, FakeTelegram
from tests.adapters.test_telegram import buttons, exchange, make_adapter, shown
from tests.conftest import settings_for

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

GROUP, MEMBER = -1005001, 333
CARD = "AI automation risk score: Machine Learning Engineer"


@pytest.fixture
async def bot(tmp_path: Path, clock: ManualClock) -> AsyncIterator[CareerBot]:
    app = CareerBot(settings_for(tmp_path, charts=True), clock=clock)
    await app.start()
    yield app
    await app.stop()


# --------------------------------------------------------------------------- Telegram


@pytest.fixture
async def adapter(tmp_path: Path, clock: ManualClock, fake: FakeTelegram) -> AsyncIterator[Any]:
    settings = settings_for(
        tmp_path, telegram_bot_token=TOKEN, telegram_api_url=fake.api_url, charts=True
    )
    app = CareerBot(settings, clock=clock)
    await app.start()
    telegram = make_adapter(app)
    await telegram.start()
    yield telegram
    await telegram.stop()
    await app.stop()


async def test_telegram_sends_the_chart_as_a_photo_with_the_card_as_caption(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    cold = await exchange(fake, adapter, lambda: fake.message("/risk mle"))
    assert [c.method for c in cold] == ["sendMessage", "sendPhoto"], "text first, then picture"
    assert all(c.ok for c in cold)
    assert shown(cold[0]).startswith(CARD) and buttons(cold[0])
    picture = cold[1]
    assert shown(picture).startswith("Bar chart. " + CARD), "alone, its caption is the alt text"
    assert picture.params["photo"]["size"] > 1000

    warm = await exchange(fake, adapter, lambda: fake.message("/risk mle"))
    assert warm[0].method == "sendPhoto" and all(c.ok for c in warm)
    assert shown(warm[0]).startswith(CARD) and len(shown(warm[0])) <= 1024
    assert "46/100: medium AI automation risk" in "\n".join(shown(c) for c in warm)
    assert buttons(warm[-1]) and adapter.bot.charts.renders == 1


async def test_telegram_group_without_media_rights_gets_the_text_and_one_note(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    await exchange(fake, adapter, lambda: fake.message("/risk mle"))  # draws the chart
    no_photos = (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: not enough rights to send photos to the chat",
        },
    )
    fake.fail("sendPhoto", no_photos)
    refused = await exchange(fake, adapter, lambda: fake.message("/risk mle", GROUP, MEMBER))
    assert refused[0].method == "sendPhoto" and not refused[0].ok
    delivered = [c for c in refused if c.ok]
    assert delivered and all(c.method == "sendMessage" for c in delivered)
    text = "\n".join(shown(c) for c in delivered)
    assert (
        "46/100: medium AI automation risk" in text
        and "“Send photos”" in text
        and "Moderators" in text
    )

    again = await exchange(fake, adapter, lambda: fake.message("/risk mle", GROUP, MEMBER))
    assert [c.method for c in again] == ["sendMessage"] * len(again) and all(c.ok for c in again)
    assert "Send photos" not in "\n".join(shown(c) for c in again), "named once, not every time"


# --------------------------------------------------------------------------- Discord


@pytest.fixture
def simcord_bot(bot: CareerBot) -> discord.Client:
    return create_client(bot)


def _image_urls(message: Any) -> list[str]:
    return [e.image.url for e in message.embeds if e.image and e.image.url]


async def test_discord_attaches_the_chart_as_the_embed_image(simcord_env: Any) -> None:
    env = simcord_env
    guild = env.create_guild(name="Careers")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(env.create_user("alice"))

    cold = await alice.slash(channel, "risk", role="mle")
    assert CARD in (cold.response.embeds[0].title or "")
    assert not cold.response.attachments
    [picture] = cold.followups
    assert [a.filename for a in picture.attachments] == ["image.png"]
    assert _image_urls(picture) == ["attachment://image.png"]
    assert (picture.attachments[0].description or "").startswith("Bar chart. " + CARD)

    warm = await alice.slash(channel, "risk", role="mle")
    assert [a.filename for a in warm.response.attachments] == ["image.png"]
    assert _image_urls(warm.response) == ["attachment://image.png"]
    assert "46/100" in (warm.response.embeds[0].description or "") and not warm.followups


async def test_discord_channel_without_attach_files_gets_the_text_and_one_note(
    simcord_env: Any, bot: CareerBot
) -> None:
    env = simcord_env
    guild = env.create_guild(name="Careers")
    locked = guild.create_text_channel(
        "no-files", overwrites={guild.me: discord.PermissionOverwrite(attach_files=False)}
    )
    adapter = env.bot.adapter
    card = risk_reply(bot.services.library.get("mle"))  # type: ignore[arg-type]
    assert card is not None and card.chart is not None
    card.image = await bot.charts.image(card.chart)
    assert card.image is not None
    await adapter.send(Target("discord", str(locked.id)), card)
    sent = locked.last_message
    assert not sent.attachments and not _image_urls(sent)
    text = "\n".join((e.description or "") for e in sent.embeds)
    assert "46/100" in text and "“Attach Files”" in text

    second = Reply(title="Again", image=card.image)
    await adapter.send(Target("discord", str(locked.id)), second)
    assert not locked.last_message.attachments
    assert "Attach Files" not in str([e.description for e in locked.last_message.embeds])
