"""The occupation card and the personal check on real platform libraries: Telegram through the
fake Bot API server (which refuses anything over Telegram's limits) and Discord through
simcord (which refuses anything over Discord's)."""

# ruff: noqa: F811 - the fixtures imported below are parameters of the tests that use them

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.telegram import TelegramAdapter
from content.occupations.check import QUESTIONS
from domain.risk import RISK_NAME
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.test_discord import (  # noqa: F401 - fixtures are found by name
    World,
    button_labels,
    simcord_bot,
    text_of_message,
    world,
)
from tests.adapters.test_telegram import (  # noqa: F401 - fixtures are found by name
    adapter,
    buttons,
    exchange,
    shown,
    tg_bot,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_telegram_renders_the_card_and_the_check_within_limits(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    sent = await exchange(fake, adapter, lambda: fake.message("/risk paralegal"))
    assert sent and all(c.ok for c in sent), "Telegram accepted every message"
    text = "\n".join(shown(c) for c in sent)
    assert "Paralegals and Legal Assistants" in text and "Frey & Osborne" in text
    assert all(len(c.params["text"]) <= 4096 for c in sent)
    card = sent[-1]
    check = next(b for b in buttons(card) if b["text"] == "Check my own risk")
    question = await exchange(
        fake, adapter, lambda: fake.press(check["callback_data"], card.result["message_id"])
    )
    for _ in QUESTIONS:
        assert all(c.ok for c in question)
        last = question[-1]
        answers = buttons(last)
        assert len(answers) == 4, shown(last)
        message_id = last.result["message_id"] if isinstance(last.result, dict) else None
        question = await exchange(
            fake,
            adapter,
            lambda data=answers[1]["callback_data"], mid=message_id: fake.press(
                data, mid or card.result["message_id"]
            ),
        )
    assert all(c.ok for c in question)
    assert f"Your own {RISK_NAME}:" in shown(question[-1])
    assert "Set a study goal" in [b["text"] for b in buttons(question[-1])]


async def test_discord_renders_the_card_and_the_check_within_limits(world: World) -> None:
    channel, alice = world.channel, world.alice
    card = await alice.slash(channel, "risk", role="acountant")
    text = text_of_message(card.response)
    assert "Accountants and Auditors" in text and "O*NET® is a trademark of USDOL/ETA" in text
    assert "Check my own risk" in button_labels(card.response.message)
    step: Any = await alice.click(card.response.message, label="Check my own risk")
    for _ in QUESTIONS:
        message = channel.last_message
        assert len(button_labels(message)) == 4, text_of_message(message)
        step = await alice.click(message, label=button_labels(message)[2])
        assert step.acknowledged
    assert f"Your own {RISK_NAME}:" in text_of_message(channel.last_message)


async def test_discord_role_option_autocompletes_every_occupation(world: World) -> None:
    channel, alice = world.channel, world.alice
    reported = await alice.autocomplete(channel, "risk", "role", "paraleg")
    assert any(c["value"] == "Paralegal" for c in reported)
    alias = await alice.autocomplete(channel, "check", "role", "hgv")
    assert any("Heavy and Tractor-Trailer Truck Drivers" in c["name"] for c in alias)
    typo = await alice.autocomplete(channel, "risk", "role", "acountant")
    assert [c["value"] for c in typo][:1] == ["Accountants and Auditors"]
    packs_first = await alice.autocomplete(channel, "risk", "role", "engineer")
    assert packs_first[0]["value"].endswith("Engineer") and len(packs_first) <= 25
    assert all(len(c["name"]) <= 100 for c in packs_first)
