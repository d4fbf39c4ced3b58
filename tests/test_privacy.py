"""/forget leaves nothing about the person in any table (every table SQLModel knows, so tables
added later are covered too), nor in SQLite's files; /mydata shows everything /forget deletes; a
group's weekly summary the person set stays with the group."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table registered on SQLModel.metadata)
from bot.app import CareerBot
from bot.clock import ManualClock
from bot.messages import Inbound
from storage.conversations import State, StateKey
from storage.models import GroupSettings
from tests.conftest import Chat, RecordingPlatform, text_of
from tests.test_scheduler import dispatcher

PERSON, DM, GROUP = "person-8812", "dm-4471", "group-3390"


class DiscordLike(RecordingPlatform):
    """Private chat ids differ from user ids, as on Discord; the platform can name the DM."""

    async def private_chat_of(self, user_id: str) -> str | None:
        return DM if user_id == PERSON else None


async def use_everything(bot: CareerBot, clock: ManualClock, platform: DiscordLike) -> int:
    dm = Chat(bot, platform, user_id=PERSON, chat_id=DM)
    group = Chat(bot, platform, user_id=PERSON, chat_id=GROUP, chat_kind="group")
    await dm.say("/roles mle")
    person = await bot.services.users.get("test", PERSON)
    assert person is not None and person.id is not None
    view = await bot.services.goals.create(
        user_id=person.id,
        role_id="mle",
        cert_id="aws-mla",
        exam_date=date(2027, 3, 1),
        platform="test",
        chat_id=DM,
        weekday=1,
        local_time="19:30",
        timezone="Europe/Berlin",
        now=clock.now(),
    )
    clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    assert (await dispatcher(bot, platform).tick()).sent == 1
    await bot.services.goals.mark_done(view.goal.id or 0, 1, clock.now())
    platform.moderators.add(PERSON)
    assert "Scheduled" in text_of(await group.say("/summary every monday 09:00 UTC"))
    async with bot.db.session() as session:  # a channel linked from the DM by an older release
        session.add(
            GroupSettings(
                platform="test", chat_id=DM, linked_channel_id="@x", updated_utc=clock.now()
            )
        )
        await session.commit()
    # A half-finished conversation in the DM.
    key = StateKey("test", DM, PERSON)
    await bot.services.conversations.set(key, State("goal", {"name": PERSON}), clock.now())
    return person.id


async def leftovers(bot: CareerBot, person_id: int) -> list[str]:
    """What is left of the person: table and column of every value that names them."""
    found: list[str] = []
    async with bot.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            user_fks = {
                column.name
                for column in table.columns
                for fk in column.foreign_keys
                if fk.column.table.name == "users"
            }
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    if value in (PERSON, DM) or (column in user_fks and value == person_id):
                        found.append(f"{table.name}.{column}")
                    if table.name == "users":
                        found.append(f"users row {dict(row)}")
    return found


async def test_forget_from_a_group_leaves_nothing_and_keeps_the_groups_schedule(
    bot: CareerBot, clock: ManualClock, tmp_path: Path
) -> None:
    platform = DiscordLike()
    person_id = await use_everything(bot, clock, platform)
    group = Chat(bot, platform, user_id=PERSON, chat_id=GROUP, chat_kind="group")

    shown = await group.say("/mydata")
    exported = json.loads(shown.document.data)
    assert exported["private_chat"] and exported["private_chat"][0]["platform_chat_id"] == DM
    assert exported["private_chat_settings"][0]["linked_channel_id"] == "@x"
    assert exported["conversation"] and exported["weeks_done"] and exported["deliveries"]
    assert exported["group_summaries_you_set"][0]["chat_id"] == GROUP
    assert "kept for the group" in text_of(shown)

    await group.say("/forget")
    assert "deleted" in text_of(await group.press("Yes, delete everything"))

    assert await leftovers(bot, person_id) == []
    [schedule] = await bot.services.subscriptions.summaries_for("test", [GROUP])
    assert schedule.status == "active" and schedule.user_id is None, "the group's, unlinked"
    # Nothing lingers in SQLite's files either (write-ahead log checkpointed, pages zeroed).
    for path in sorted(tmp_path.glob("careerbot.db*")):  # noqa: ASYNC240
        data = path.read_bytes()
        assert PERSON.encode() not in data and DM.encode() not in data, path.name


async def test_writing_again_right_after_forget_records_the_chat_again(
    bot: CareerBot, clock: ManualClock
) -> None:
    """The chat cache once skipped the deleted chat for five minutes, leaving it unrecorded."""
    platform = DiscordLike()
    dm = Chat(bot, platform, user_id=PERSON, chat_id=DM)
    await dm.say("/roles mle")
    assert await bot.services.chats.get("test", DM) is not None
    await dm.say("/forget")
    await dm.press("Yes, delete everything")
    assert await bot.services.chats.get("test", DM) is None

    await dm.say("hello")
    chat = await bot.services.chats.get("test", DM)
    assert chat is not None and chat.kind == "private" and chat.active


async def test_no_personal_data_in_logs_at_info_and_above(
    tmp_path: Path, clock: ManualClock
) -> None:
    """The production log set-up at INFO: no name, no message text, no SQL parameter."""
    import io
    import logging

    from bot.logsetup import configure_logging
    from tests.conftest import settings_for

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    settings = settings_for(tmp_path, log_level="INFO")
    configure_logging(settings)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    bot = CareerBot(settings, clock=clock)
    try:
        await bot.start()
        platform = RecordingPlatform()
        for text in ("/roles mle", "how do zebras learn calculus?", "/mydata", "/risk"):
            await bot.feed(
                Inbound("test", PERSON, DM, text=text, user_name="Zelda Quill"), platform
            )
        await bot.feed(Inbound("test", PERSON, DM, kind="action", text="v1:goal:show:1"), platform)
    finally:
        await bot.stop()
        root.handlers[:], root.level = saved
    logged = stream.getvalue()
    assert "Zelda" not in logged and "zebras" not in logged and PERSON not in logged
    assert "SELECT" not in logged and "INSERT" not in logged
