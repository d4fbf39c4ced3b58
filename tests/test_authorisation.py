"""Moderation rights are asked in the chat an action concerns, and forged numbers are refused
before they reach the database (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import CareerBot
from bot.clock import ManualClock
from tests.conftest import Chat, RecordingPlatform, settings_for, text_of


class Admins(RecordingPlatform):
    """The core's Platform protocol with rights per chat, as Telegram and Discord keep them."""

    def __init__(self, admins: dict[str, set[str]]) -> None:
        super().__init__()
        self.admins = admins

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        return user_id in self.admins.get(chat_id, set())


async def test_a_demoted_admin_cannot_reach_the_old_groups_schedules(bot: CareerBot) -> None:
    platform = Admins({"group-a": {"ann"}, "group-b": {"ann"}})
    in_a = Chat(bot, platform, user_id="ann", chat_id="group-a", chat_kind="group")
    in_b = Chat(bot, platform, user_id="ann", chat_id="group-b", chat_kind="group")
    assert "Scheduled" in text_of(await in_a.say("/summary every monday 09:00 UTC"))
    await in_b.say("/help")  # group B is known to the bot, and so is A
    # Even while still an admin of A, A's schedule is not listed in B (nor A's chat id).
    listed = text_of(await in_b.say("/summary schedules"))
    assert "group-a" not in listed and "No scheduled summaries" in listed
    platform.admins["group-a"] = set()  # demoted in A
    assert "No scheduled summaries" in text_of(await in_b.say("/summary schedules"))
    assert "no scheduled summaries here" in text_of(await in_b.say("/summary cancel 1"))
    assert "administrators" in text_of(await in_a.say("/summary schedules"))
    [sub] = await bot.services.subscriptions.summaries_for("test", ["group-a"])
    assert sub.status == "active", "nothing was cancelled"


async def test_rights_on_a_linked_channel_are_asked_again(bot: CareerBot) -> None:
    platform = Admins({"group": {"ann", "bob"}, "@news": {"ann"}})
    ann = Chat(bot, platform, user_id="ann", chat_id="group", chat_kind="group")
    bob = Chat(bot, platform, user_id="bob", chat_id="group", chat_kind="group")
    assert "Linked" in text_of(await ann.say("/summary link @news"))
    assert "in @news" in text_of(await ann.say("/summary every friday 17:00 UTC to @news"))
    # Bob administers the group but not the channel: he sees and cancels nothing there.
    assert "No scheduled summaries" in text_of(await bob.say("/summary schedules"))
    assert "no scheduled summaries here" in text_of(await bob.say("/summary cancel 1"))
    assert "administrator of that channel" in text_of(await bob.say("/summary post"))
    assert platform.sent == []
    # Ann loses her rights in the channel: the same.
    platform.admins["@news"] = set()
    assert "No scheduled summaries" in text_of(await ann.say("/summary schedules"))
    assert "administrator of that channel" in text_of(await ann.say("/summary post"))
    platform.admins["@news"] = {"ann"}
    assert "1. " in text_of(await ann.say("/summary schedules"))
    assert "Cancelled scheduled summary 1" in text_of(await ann.say("/summary cancel 1"))


@pytest.mark.parametrize("number", ["፩", "²", "٣", "-1", "0", "1.0", "99999999999999999999"])
async def test_summary_cancel_with_an_odd_number(bot: CareerBot, number: str) -> None:
    platform = Admins({"g": {"ann"}})
    ann = Chat(bot, platform, user_id="ann", chat_id="g", chat_kind="group")
    await ann.say("/summary every monday 09:00 UTC")
    assert "Give the number from /summary schedules (1 to 1)" in text_of(
        await ann.say(f"/summary cancel {number}")
    )


async def test_a_channel_reference_too_long_to_be_one(bot: CareerBot) -> None:
    platform = Admins({"g": {"ann"}, "@" + "x" * 70: {"ann"}})
    ann = Chat(bot, platform, user_id="ann", chat_id="g", chat_kind="group")
    long = "@" + "x" * 70
    for text in (
        f"/summary link {long}",
        f"/summary post to {long}",
        f"/summary every monday 09:00 UTC to {long}",
    ):
        assert "doesn't look like a channel" in text_of(await ann.say(text)), text
    assert platform.sent == []


FORGED = [
    "v1:goal:show:9223372036854775808",
    "v1:goal:show:2147483648",
    "v1:goal:show:99999999999999999999999",
    "v1:nudge:snooze:2147483648:1",
    "v1:nudge:skip:9223372036854775808:1",
    "v1:nudge:stop:2147483648",
    "v1:nudge:done:1:99999999999999999999",
    "v1:nudge:done:2147483648:1",
]


async def forged_presses_expire(bot: CareerBot) -> None:
    chat = Chat(bot, RecordingPlatform())
    await chat.say("/start")
    for data in FORGED:
        assert "This menu has expired" in text_of(await chat.press(data)), data


async def test_ids_beyond_the_database_range_expire_on_sqlite(bot: CareerBot) -> None:
    await forged_presses_expire(bot)


async def test_ids_beyond_the_database_range_expire_on_postgres(
    pg_url: str,
    tmp_path: Path,
    clock: ManualClock,
) -> None:
    bot = CareerBot(settings_for(tmp_path, database_url=pg_url), clock=clock)
    await bot.db.upgrade()
    await bot.start()
    try:
        await forged_presses_expire(bot)
        platform = Admins({"g": {"ann"}})
        ann = Chat(bot, platform, user_id="ann", chat_id="g", chat_kind="group")
        assert "doesn't look like a channel" in text_of(await ann.say("/summary link @" + "y" * 80))
    finally:
        await bot.stop()


async def test_linking_and_posting_from_a_private_chat_say_they_belong_in_a_group(
    bot: CareerBot,
) -> None:
    platform = Admins({})
    alone = Chat(bot, platform, user_id="ann", chat_id="ann")  # the terminal chat is like this
    for text in ("/summary link @news", "/summary post", "/summary post mle to @news"):
        assert "belong in a group" in text_of(await alone.say(text)), text
    assert "Preview" in text_of(await alone.say("/summary mle"))
    assert platform.sent == []
