"""Bad input gets a short, clear answer, never an exception, and loses nothing stored."""

from __future__ import annotations

import pytest

from bot.actions import action
from bot.dispatcher import Dispatcher
from bot.messages import Inbound
from bot.middlewares import FloodLimit
from tests.conftest import Chat, text_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/frobnicate", "I don't know the command /frobnicate"),
        ("/", "A command is a slash and a name, such as /risk"),
        ("", "Your message was empty"),
        ("   \n\t ", "Your message was empty"),
        ("\x00\x07\x1b\u200b", "Your message was empty"),
        ("x" * 10_000, "That message is 10,000 characters long"),
        ("/risk " + "y" * 5000, "characters long"),
        ("/risk <b>&amp;</b>", "don't know a role or occupation called “<b>&amp;</b>”"),
        ("*bold* `code` _x_ <i>", "outside what I know"),
    ],
)
async def test_bad_text_gets_a_short_clear_reply(chat: Chat, text: str, expected: str) -> None:
    reply = await chat.say(text)
    rendered = text_of(reply)
    assert expected in rendered
    assert len(rendered) < 3000


async def test_control_characters_are_stripped_before_matching(chat: Chat) -> None:
    text = text_of(await chat.say("will\x00 AI\u200b replace\x1b ML engineers?"))
    assert "REPLACE" in text.upper()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "v0:risk:mle",
        "v1:",
        "v1:risk:nosuchrole",
        "v1:faq:mle:nosuchfaq",
        "v1:cert:mle:nosuchcert",
        "v1:nosuchaction",
        "v1:risk:mle:" + "z" * 80,
        "v1:risk:ml\u00e9",
        "v1:risk:<script>",
    ],
)
async def test_malformed_or_stale_buttons_get_a_fresh_menu(chat: Chat, data: str) -> None:
    reply = await chat.press(data)
    text = text_of(reply)
    assert "This menu has expired" in text
    assert any(b.label == "AI automation risk" for b in reply.all_buttons())


async def test_bad_input_loses_nothing_already_stored(chat: Chat, bot) -> None:
    await chat.say("/roles ai engineer")
    for text in ("/nope", "x" * 10_000, "\x00", ""):
        await chat.say(text)
    await chat.press("v1:role:nosuchrole")
    user = await bot.services.users.get("test", "u1")
    assert user is not None and user.role_id == "ai-eng"


async def test_an_internal_error_becomes_a_reply_with_an_error_id(
    chat: Chat, bot, monkeypatch, caplog
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.services.privacy, "export", broken)
    reply = await chat.say("/mydata")
    text = text_of(reply)
    assert "Something went wrong" in text and "error id" in text
    error_id = text.split("error id ")[1].split()[0]
    assert any(error_id in record.getMessage() for record in caplog.records)
    # The next message is served normally: one bad update never stops the bot.
    assert "46/100" in text_of(await chat.say("/risk"))


async def test_flood_gets_one_warning_then_silence(bot, platform) -> None:
    dispatcher = Dispatcher(bot.router, bot.services, [FloodLimit(burst=2, per_second=0.0)])
    replies = [
        await dispatcher.feed(Inbound("test", "flood", "flood", text="/risk"), platform)
        for _ in range(5)
    ]
    assert "46/100" in text_of(replies[0]) and "46/100" in text_of(replies[1])
    assert "faster than I can answer" in text_of(replies[2])
    assert replies[3] is None and replies[4] is None
    # Someone else is not affected by the flood.
    other = await dispatcher.feed(Inbound("test", "calm", "calm", text="/risk"), platform)
    assert "46/100" in text_of(other)


def test_flood_bucket_refills_over_time() -> None:
    limiter = FloodLimit(burst=2, per_second=1.0)
    assert [limiter.allow("t", "u", 0.0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("t", "u", 1.0)


async def test_action_data_is_validated_when_built() -> None:
    from bot.actions import ActionTooLong, MalformedAction

    with pytest.raises(ActionTooLong):
        action("faq", "mle", "q" * 40, "r" * 20)
    with pytest.raises(MalformedAction):
        action("faq", "has:colon")
