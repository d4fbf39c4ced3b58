"""Telegram keyboards are built once per distinct set of buttons and then shared: what that
sharing rests on (PTB's objects are immutable, the cache is keyed by the buttons' content) and
that the JSON sent is PTB's own serialisation of the same keyboard."""

from __future__ import annotations

import json

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.telegram_render import keyboard, render
from bot.messages import Button, Reply


def _menu() -> Reply:
    reply = Reply.text("Pick one.")
    reply.buttons = [
        [Button("AI automation risk", "v1:risk:mle"), Button("FAQ", "v1:faqs:mle")],
        [Button("My data", "v1:mydata")],
    ]
    return reply


def test_equal_buttons_share_one_keyboard_whose_json_is_ptbs_own() -> None:
    first, second = keyboard(_menu()), keyboard(_menu())
    assert first is not None and first is second
    expected = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("AI automation risk", callback_data="v1:risk:mle"),
                InlineKeyboardButton("FAQ", callback_data="v1:faqs:mle"),
            ],
            [InlineKeyboardButton("My data", callback_data="v1:mydata")],
        ]
    )
    assert first.markup == expected
    assert json.loads(first.json) == expected.to_dict()


def test_a_shared_keyboard_cannot_be_changed_by_one_answer() -> None:
    shared = keyboard(_menu())
    assert shared is not None
    with pytest.raises(AttributeError):
        shared.markup.inline_keyboard = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        shared.markup.inline_keyboard[0][0].text = "changed"  # type: ignore[misc]
    assert isinstance(shared.markup.inline_keyboard, tuple)
    assert keyboard(_menu()) is shared


def test_changed_buttons_get_their_own_keyboard() -> None:
    reply = _menu()
    before = keyboard(reply)
    reply.buttons[1].append(Button("Salary", "v1:salary:mle"))
    after = keyboard(reply)
    assert before is not None and after is not None and after is not before
    labels = [b["text"] for row in json.loads(after.json)["inline_keyboard"] for b in row]
    assert labels == ["AI automation risk", "FAQ", "My data", "Salary"]
    assert keyboard(_menu()) is before


def test_buttons_that_cannot_be_sent_are_dropped_every_time() -> None:
    reply = Reply.text("x")
    reply.buttons = [[Button("Too long", "v1:" + "x" * 70)], [Button("Fine", "v1:ok")]]
    for _ in range(2):
        made = keyboard(reply)
        assert made is not None
        rows = json.loads(made.json)["inline_keyboard"]
        assert rows == [[{"text": "Fine", "callback_data": "v1:ok"}]]
    reply.buttons = [[Button("Empty", "")]]
    assert keyboard(reply) is None and keyboard(reply) is None


def test_the_keyboard_hangs_on_the_last_message_only() -> None:
    reply = _menu()
    reply.sections[0].paragraphs.append("y" * 5000)
    *before, last = render(reply)
    assert before and all(m.keyboard is None for m in before)
    assert last.keyboard is keyboard(_menu())
