"""Laying a Reply out as Discord messages: limits respected, nothing lost (no network needed).

These check the layout step alone; test_discord.py sends the same layouts through real
discord.py to simcord's Discord, which rejects anything over Discord's limits.
"""

from __future__ import annotations

import logging

import pytest

from bot.adapters.discord_client import _RedactInteractionTokens
from bot.adapters.discord_render import (
    BUTTONS_PER_ROW,
    LABEL_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    MORE_BUTTONS,
    ROWS_PER_MESSAGE,
    Outgoing,
    label,
    render,
)
from bot.messages import Button, Document, Image, Reply, Section


def _all_buttons(messages: list[Outgoing]) -> list[Button]:
    return [b for m in messages for row in m.buttons for b in row]


def _check_limits(messages: list[Outgoing]) -> None:
    for message in messages:
        assert len(message.embeds) <= 10
        assert message.size <= MESSAGE_TOTAL_LIMIT
        assert len(message.buttons) <= ROWS_PER_MESSAGE
        assert all(len(row) <= BUTTONS_PER_ROW for row in message.buttons)
        for embed in message.embeds:
            assert len(embed.description or "") <= 4096
            assert len(embed.title or "") <= 256
            assert len(embed.footer or "") <= 2048


def test_many_single_button_rows_are_reflowed_into_five_rows() -> None:
    reply = Reply.text("Pick a role")
    reply.buttons = [[Button(f"Role {i}", f"v1:role:r{i}")] for i in range(9)]
    messages = render(reply)
    assert len(messages) == 1
    assert [len(row) for row in messages[0].buttons] == [2, 2, 2, 2, 1]
    assert [b.action for b in _all_buttons(messages)] == [f"v1:role:r{i}" for i in range(9)]


def test_more_than_25_buttons_continue_on_another_message() -> None:
    reply = Reply.text("Everything")
    reply.buttons = [[Button(f"B{i}", f"v1:b:{i}") for i in range(30)]]
    messages = render(reply)
    _check_limits(messages)
    assert len(_all_buttons(messages)) == 30
    assert messages[-1].content == MORE_BUTTONS


def test_repeated_and_overlong_actions_are_dropped_and_labels_cut() -> None:
    reply = Reply.text("x")
    reply.buttons = [
        [Button("A" * 100, "v1:a"), Button("again", "v1:a")],
        [Button("too long", "v1:" + "x" * 120)],
    ]
    [message] = render(reply)
    assert [b.action for b in _all_buttons([message])] == ["v1:a"]
    assert len(label("A" * 100)) == LABEL_LIMIT


def test_long_title_and_footer_move_into_the_text_rather_than_being_cut() -> None:
    reply = Reply(title="T" * 300, footer="F" * 2100)
    reply.add(Section(paragraphs=["body"]))
    messages = render(reply)
    _check_limits(messages)
    text = "".join((e.description or "") for m in messages for e in m.embeds)
    assert "T" * 300 in text and "F" * 2100 in text and "body" in text


def test_footer_that_would_overflow_the_last_embed_gets_its_own() -> None:
    reply = Reply(title="t", footer="f" * 2000)
    reply.add(Section(paragraphs=["y" * 4090]))
    messages = render(reply)
    _check_limits(messages)
    assert messages[-1].embeds[-1].footer == "f" * 2000


def test_markdown_in_content_is_escaped() -> None:
    reply = Reply(title="C++ *and* _Rust_")
    reply.add(Section(heading="~odd~", bullets=["a|b", "`code`"]))
    [message] = render(reply)
    embed = message.embeds[0]
    assert embed.title == r"C++ \*and\* \_Rust\_"
    assert r"**\~odd\~**" in (embed.description or "")
    assert r"• \`code\`" in (embed.description or "")


def test_image_and_document_are_attachments_on_the_last_message() -> None:
    reply = Reply.text("Chart")
    reply.image = Image(b"\x89PNG...", "Risk factors as bars")
    reply.document = Document("plan.ics", b"BEGIN:VCALENDAR", "text/calendar")
    [message] = render(reply)
    assert [(f.filename, f.description) for f in message.files] == [
        ("image.png", "Risk factors as bars"),
        ("plan.ics", None),
    ]
    assert message.embeds[-1].image


def test_an_empty_reply_is_still_a_valid_message() -> None:
    [message] = render(Reply())
    assert message.content


@pytest.mark.parametrize(
    "url",
    [
        "POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb246c2VjcmV0/callback",
        "PATCH https://discord.com/api/v10/webhooks/456/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original",
    ],
)
def test_interaction_tokens_never_reach_the_logs(url: str) -> None:
    record = logging.LogRecord(
        "discord.http", logging.DEBUG, "", 0, "%s returned %s", (url, 200), None
    )
    _RedactInteractionTokens().filter(record)
    assert "aW50ZXJhY3Rpb246c2VjcmV0" not in record.getMessage()
    assert "***" in record.getMessage()
