"""The Telegram adapter end to end: the real python-telegram-bot Application, its real HTTP
requests, against the fake Bot API server in :mod:`tests.adapters.fake_telegram`."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram import RetryPolicy, TelegramAdapter
from bot.adapters.telegram_limits import RateLimits
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.errors import Unreachable
from bot.logsetup import RedactingFormatter, secrets_of
from bot.messages import Button, Document, Image, Reply, Section, Target
from tests.adapters.fake_telegram import (
    BOT_USERNAME,
    TOKEN,
    Call,
    FakeTelegram,
    bad_entities,
    blocked,
    migrated,
    too_many_requests,
    visible,
)
from tests.conftest import settings_for

GROUP = -1005001
ADMIN, MEMBER = 222, 333


@pytest.fixture
async def tg_bot(
    tmp_path: Path, clock: ManualClock, fake: FakeTelegram
) -> AsyncIterator[CareerBot]:
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=fake.api_url)
    app = CareerBot(settings, clock=clock)
    await app.start()
    yield app
    await app.stop()


class Sleeps(list[float]):
    """Stands in for asyncio.sleep: records the wait, waits for nothing."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


def make_adapter(bot: CareerBot) -> TelegramAdapter:
    return TelegramAdapter(
        bot,
        limits=RateLimits.unlimited(),
        retry=RetryPolicy(attempts=3, backoff=0.25),
        sleep=Sleeps(),
        poll_timeout=1.0,
    )


@pytest.fixture
async def adapter(tg_bot: CareerBot) -> AsyncIterator[TelegramAdapter]:
    telegram = make_adapter(tg_bot)
    await telegram.start()
    yield telegram
    await telegram.stop()


async def until(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Poll ``predicate`` (state inside PTB and the fake, which have no events to await)."""
    async with asyncio.timeout(within):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def exchange(
    fake: FakeTelegram, adapter: TelegramAdapter, push: Callable[[], Any]
) -> list[Call]:
    """Push one update, wait until the adapter has fully handled it, return what it sent."""
    before, done = len(fake.sent()), adapter.processor.done
    push()
    await until(lambda: adapter.processor.done > done)
    return fake.sent()[before:]


def delivered(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.ok]


def shown(call: Call) -> str:
    key = "caption" if call.method == "sendPhoto" else "text"
    return visible(str(call.params.get(key, "")), call.params.get("parse_mode"))


def buttons(call: Call) -> list[dict[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


# --------------------------------------------------------------------------- start-up


async def test_start_signs_in_registers_menus_and_never_logs_the_token(
    tg_bot: CareerBot, fake: FakeTelegram
) -> None:
    # The production log handler, at DEBUG, where PTB and httpx print URLs that hold the token.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s", secrets_of(tg_bot.settings)))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        telegram = make_adapter(tg_bot)
        await telegram.start()
        await telegram.stop()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    output = stream.getvalue()
    assert f"signed in as @{BOT_USERNAME}" in output
    assert "getMe" in output and TOKEN not in output
    menus = {
        c.params["scope"]["type"]: c.params["commands"] for c in fake.calls_to("setMyCommands")
    }
    names = {scope: {cmd["command"] for cmd in cmds} for scope, cmds in menus.items()}
    assert "summary" in names["all_group_chats"]
    assert "summary" not in names["all_private_chats"]
    assert {"start", "help", "risk"} <= names["all_private_chats"]
    assert fake.calls_to("deleteWebhook"), "polling starts by clearing any webhook"


# --------------------------------------------------------------------------- commands


async def test_every_command_answers_in_a_private_chat(
    adapter: TelegramAdapter, fake: FakeTelegram, tg_bot: CareerBot
) -> None:
    for info in tg_bot.services.router_commands:
        sent = await exchange(fake, adapter, lambda name=info.name: fake.message(f"/{name}"))
        assert delivered(sent), f"/{info.name} got no answer"
        assert all(c.ok for c in sent), f"/{info.name}: Telegram refused {sent}"
        texts = [c for c in sent if c.method == "sendMessage"]
        assert all(c.params["parse_mode"] == "HTML" for c in texts)
        assert all(str(c.params["chat_id"]) == "111" for c in sent)
    chat = await tg_bot.services.chats.get("telegram", "111")
    user = await tg_bot.services.users.get("telegram", "111")
    assert chat is not None and chat.kind == "private"
    assert user is not None and user.display_name == "Ann"


async def test_pressing_a_button_edits_the_menu_in_place(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    [menu] = await exchange(fake, adapter, lambda: fake.message("/start"))
    menu_id = menu.result["message_id"]
    risk = next(b for b in buttons(menu) if b["callback_data"].startswith("v1:risk:"))

    sent = await exchange(fake, adapter, lambda: fake.press(risk["callback_data"], menu_id))

    answered = fake.calls_to("answerCallbackQuery")
    assert len(answered) == 1, "the spinner is stopped"
    assert sent[0].method == "editMessageText"
    assert sent[0].params["message_id"] == str(menu_id)
    assert "risk" in shown(sent[0]).lower()
    assert not [c for c in sent if c.method == "sendMessage"], "no new message piles up"


async def test_a_forged_button_payload_gets_this_menu_has_expired(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    [menu] = await exchange(fake, adapter, lambda: fake.message("/start"))
    menu_id = menu.result["message_id"]
    for forged in ("v1:risk:../../etc/passwd", "v9:admin:grant", "x" * 64):
        sent = await exchange(fake, adapter, lambda data=forged: fake.press(data, menu_id))
        assert "this menu has expired" in shown(sent[0]).lower()
        assert sent[0].method == "editMessageText"
    assert len(fake.calls_to("answerCallbackQuery")) == 3


async def test_user_text_with_markup_characters_is_escaped(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    [reply] = await exchange(fake, adapter, lambda: fake.message("/risk <b>&"))
    assert reply.ok and reply.params["parse_mode"] == "HTML"
    assert "&lt;b&gt;&amp;" in reply.params["text"]
    assert "“<b>&”" in shown(reply)


async def test_edited_messages_do_not_get_a_second_answer(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    sent = await exchange(fake, adapter, lambda: fake.message("/help", kind="edited_message"))
    assert sent == []
    assert delivered(await exchange(fake, adapter, lambda: fake.message("/help")))


async def test_commands_for_another_bot_are_ignored_and_ours_answered(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    other = await exchange(fake, adapter, lambda: fake.message("/help@someotherbot", GROUP, 444))
    assert other == []
    ours = await exchange(fake, adapter, lambda: fake.message(f"/help@{BOT_USERNAME}", GROUP, 444))
    assert delivered(ours) and str(ours[0].params["chat_id"]) == str(GROUP)
    chatter = await exchange(fake, adapter, lambda: fake.message("nice weather", GROUP, 444))
    assert chatter == [], "a group's chatter is not for the bot"


async def test_a_long_reply_is_split_at_4096_without_losing_text(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    paragraphs = [f"Paragraph {i}: " + "<word> & " * 60 for i in range(40)]
    reply = Reply(title="Long", sections=[Section(paragraphs=paragraphs)])
    reply.buttons = [[Button("Main menu", "v1:menu")]]
    await adapter.send(Target("telegram", "111"), reply)

    sent = fake.sent("111")
    assert len(sent) > 1 and all(c.ok for c in sent)
    assert all(len(c.params["text"]) <= 4096 for c in sent)
    joined = "\n\n".join(shown(c) for c in sent)
    assert joined == "\n\n".join(["Long", *paragraphs])
    assert [bool(buttons(c)) for c in sent] == [False] * (len(sent) - 1) + [True]


async def test_a_reply_with_an_image_and_a_document(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    reply = Reply.text("x" * 900, "y" * 900, title="Chart")
    reply.image = Image(b"\x89PNG fake", alt="A chart")
    reply.document = Document("plan.ics", b"BEGIN:VCALENDAR", "text/calendar")
    reply.buttons = [[Button("Menu", "v1:menu")]]
    await adapter.send(Target("telegram", "111"), reply)

    photo, text, document = fake.sent("111")
    assert photo.method == "sendPhoto" and len(shown(photo)) <= 1024
    assert shown(photo).startswith("Chart") and "y" * 900 in shown(text)
    assert document.method == "sendDocument"
    assert document.params["document"]["filename"] == "plan.ics"
    assert buttons(document) and not buttons(photo) and not buttons(text)


# --------------------------------------------------------------------------- moderators


async def test_summary_in_a_group_only_for_its_administrators(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    fake.admins[str(GROUP)] = [ADMIN]
    refused = await exchange(fake, adapter, lambda: fake.message("/summary", GROUP, MEMBER))
    assert "only this chat's administrators" in shown(refused[0]).lower()

    posted = await exchange(fake, adapter, lambda: fake.message("/summary mle", GROUP, ADMIN))
    assert "machine learning engineer" in shown(posted[0]).lower()
    assert str(posted[0].params["chat_id"]) == str(GROUP)
    assert len(fake.calls_to("getChatAdministrators")) == 1, "administrators are cached"


async def test_an_anonymous_admin_may_post_a_summary(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    group_chat = fake.chat(GROUP)
    posted = await exchange(
        fake,
        adapter,
        lambda: fake.message("/summary mle", GROUP, 1087968824, sender_chat=group_chat),
    )
    assert "machine learning engineer" in shown(posted[0]).lower()


async def test_link_a_channel_and_post_the_summary_there(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    fake.admins[str(GROUP)] = [ADMIN]
    fake.admins["@careers"] = [ADMIN]
    fake.chats["@careers"] = {"id": -1007007, "type": "channel", "title": "Careers"}

    not_admin = await exchange(
        fake, adapter, lambda: fake.message("/summary link @careers", GROUP, ADMIN)
    )
    assert "“Post messages”" in shown(not_admin[0])

    fake.bot_is_channel_admin(-1007007)
    linked = await exchange(
        fake, adapter, lambda: fake.message("/summary link @careers", GROUP, ADMIN)
    )
    assert "linked" in shown(linked[0]).lower()

    sent = await exchange(fake, adapter, lambda: fake.message("/summary post mle", GROUP, ADMIN))
    in_channel = [c for c in sent if c.params["chat_id"] == "@careers"]
    assert in_channel and "machine learning engineer" in shown(in_channel[0]).lower()
    assert "posted" in shown(sent[-1]).lower()


async def test_a_channel_post_command_is_answered_in_the_channel(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    channel = {"id": -1008008, "type": "channel", "title": "Careers"}
    fake.chats[str(channel["id"])] = channel
    sent = await exchange(
        fake,
        adapter,
        lambda: fake.message(
            "/summary mle", -1008008, None, sender_chat=channel, kind="channel_post"
        ),
    )
    assert str(sent[0].params["chat_id"]) == "-1008008"
    assert "machine learning engineer" in shown(sent[0]).lower()


async def test_a_personal_answer_asked_in_a_group_goes_privately(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    sent = await exchange(fake, adapter, lambda: fake.message("/mydata", GROUP, MEMBER))
    private = [c for c in sent if str(c.params["chat_id"]) == str(MEMBER)]
    in_group = [c for c in sent if str(c.params["chat_id"]) == str(GROUP)]
    assert private and "what i store about you" in shown(private[0]).lower()
    assert len(in_group) == 1 and "private message" in shown(in_group[0])


# --------------------------------------------------------------------------- failures


async def test_429_waits_retry_after_and_delivers_once(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", too_many_requests(7))
    sent = await exchange(fake, adapter, lambda: fake.message("/help"))
    assert [c.status for c in sent] == [429, 200]
    assert 7 in adapter.sender.sleep  # type: ignore[operator]


async def test_a_user_who_blocked_the_bot_makes_the_chat_inactive(
    adapter: TelegramAdapter,
    fake: FakeTelegram,
    tg_bot: CareerBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail("sendMessage", blocked())
    update_id = fake.message("/start", 555, 555)
    await until(lambda: adapter.processor.done >= 1)

    chat = await tg_bot.services.chats.get("telegram", "555")
    assert chat is not None and not chat.active
    assert chat.inactive_reason == "Forbidden: bot was blocked by the user"
    assert f"update {update_id}" in caplog.text

    fake.fail("sendMessage", blocked())
    with pytest.raises(Unreachable):
        await adapter.send(Target("telegram", "555"), Reply.text("weekly nudge"))


async def test_formatting_refused_by_telegram_is_resent_as_plain_text(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    fake.fail("sendMessage", bad_entities(), when=lambda p: p.get("parse_mode") == "HTML")
    sent = await exchange(fake, adapter, lambda: fake.message("/help"))
    assert [c.status for c in sent] == [400, 200]
    assert "parse_mode" not in sent[1].params
    assert "<b>" not in sent[1].params["text"] and shown(sent[1]) == shown(sent[0])


async def test_network_errors_are_retried_with_backoff(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    gateway = (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    fake.fail("sendMessage", gateway, times=2)
    await adapter.send(Target("telegram", "111"), Reply.text("hello"))
    assert [c.status for c in fake.sent("111")] == [502, 502, 200]
    assert list(adapter.sender.sleep)[-2:] == [0.25, 0.5]  # type: ignore[call-overload]


async def test_a_group_that_became_a_supergroup_moves_and_gets_the_message(
    adapter: TelegramAdapter, fake: FakeTelegram, tg_bot: CareerBot, clock: ManualClock
) -> None:
    await tg_bot.services.chats.record("telegram", "-4242", "group", "Old group", clock.now())
    fake.fail("sendMessage", migrated(-1004242), when=lambda p: p["chat_id"] == "-4242")
    await adapter.send(Target("telegram", "-4242"), Reply.text("weekly summary"))

    assert [(c.params["chat_id"], c.status) for c in fake.sent()] == [
        ("-4242", 400),
        ("-1004242", 200),
    ]
    assert await tg_bot.services.chats.get("telegram", "-1004242") is not None
    assert await tg_bot.services.chats.get("telegram", "-4242") is None


async def test_in_a_group_only_the_asker_may_have_their_menu_edited(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    [menu] = await exchange(fake, adapter, lambda: fake.message("/start", GROUP, ADMIN))
    assert menu.params["reply_parameters"]["message_id"], "group answers reply to the asker"
    menu_id = menu.result["message_id"]
    risk = next(
        b["callback_data"] for b in buttons(menu) if b["callback_data"].startswith("v1:risk")
    )

    def press(user_id: int, owner: int | None, data: str = risk) -> Any:
        return lambda: fake.press(data, menu_id, GROUP, user_id, reply_to_user=owner)

    by_other = await exchange(fake, adapter, press(MEMBER, ADMIN))
    assert [c.method for c in by_other] == ["sendMessage"], "someone else's press: a new answer"
    by_owner = await exchange(fake, adapter, press(ADMIN, ADMIN))
    assert by_owner[0].method == "editMessageText", "the asker's press edits their menu"
    # A posted summary answered nobody: even forged data pressed by an admin never edits it.
    forged = await exchange(fake, adapter, press(ADMIN, None, "v1:menu:mle"))
    assert [c.method for c in forged] == ["sendMessage"]


async def test_a_channel_named_with_odd_digits_is_refused_not_crashed_on(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    fake.admins[str(GROUP)] = [ADMIN]
    for channel in ("-²", "²", "--1"):
        sent = await exchange(
            fake, adapter, lambda c=channel: fake.message(f"/summary link {c}", GROUP, ADMIN)
        )
        assert "error id" not in shown(sent[0]), channel


async def test_menus_carry_the_keyboard_and_no_link_preview_and_an_edit_can_drop_it(
    adapter: TelegramAdapter, fake: FakeTelegram
) -> None:
    [first] = await exchange(fake, adapter, lambda: fake.message("/start", 111, 111))
    [second] = await exchange(fake, adapter, lambda: fake.message("/start", 444, 444))
    assert first.params["reply_markup"] == second.params["reply_markup"]
    assert buttons(first) and all(b["callback_data"].startswith("v1:") for b in buttons(first))
    assert first.params["link_preview_options"] == {"is_disabled": True}

    await adapter.deliver("111", Reply.text("No buttons now."), edit=first.result["message_id"])
    [edit] = fake.calls_to("editMessageText")
    assert edit.params["link_preview_options"] == {"is_disabled": True}
    assert "reply_markup" not in edit.params, "the edited message loses its keyboard"
