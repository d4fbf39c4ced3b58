"""The Discord adapter, driven through real discord.py against simcord's in-memory Discord.

simcord runs unmodified discord.py (parsers, cache, command tree, views) against a simulated
Discord that speaks the real payloads: slash commands, autocomplete, button presses, DMs and
server-side permission checks. Nothing here imitates a discord.py class.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import discord
import pytest

from bot.adapters.discord import (
    CLOSED_DMS,
    POLITE_FAILURE,
    DiscordAdapter,
    create_client,
)
from bot.adapters.discord_sync import SYNC_STATE_FILE
from bot.app import CareerBot
from bot.errors import MissingPermission, Unreachable
from bot.messages import Document, Image, Reply, Target
from handlers.moderation import REFUSAL

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def simcord_bot(bot: CareerBot) -> discord.Client:
    return create_client(bot)


def adapter_of(env: Any) -> DiscordAdapter:
    return env.bot.adapter


def text_of_message(message: Any) -> str:
    """Everything a person reads in a message: content, embed titles, descriptions, footers."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
    return "\n".join(p for p in parts if p)


def button_labels(message: discord.Message) -> list[str]:
    return [child.label or "" for row in message.components for child in row.children]  # type: ignore[attr-defined]


@dataclass
class World:
    """A server with one channel and one ordinary member, Alice."""

    env: Any
    guild: Any
    channel: Any
    alice: Any


@pytest.fixture
def world(simcord_env: Any) -> World:
    env = simcord_env
    guild = env.create_guild(name="Careers")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(env.create_user("alice", global_name="Alice"))
    return World(env, guild, channel, alice)


# --------------------------------------------------------------------------- commands


async def test_every_router_command_is_a_slash_command_that_answers(world: World) -> None:
    env, channel, alice = world.env, world.channel, world.alice
    commands = adapter_of(env).bot.services.router_commands
    visible = set(alice.available_commands(channel))
    for info in commands:
        if info.scope == "moderator":
            assert info.name not in visible, "moderator commands are hidden by default"
            continue
        if info.scope == "private":
            result = await env.create_user(f"dm-{info.name}").slash(info.name)
        else:
            assert info.name in visible
            result = await alice.slash(channel, info.name)
        assert result.acknowledged, info.name
        assert result.response is not None, info.name
        assert text_of_message(result.response), f"/{info.name} answered nothing"
        assert result.ephemeral == info.personal, f"/{info.name} ephemeral should be personal"


async def test_role_option_becomes_command_text(world: World) -> None:
    channel, alice = world.channel, world.alice
    result = await alice.slash(channel, "risk", role="ml eng")
    assert "Machine Learning Engineer" in result.response.embeds[0].title
    assert not result.ephemeral
    assert "Tasks at risk" in button_labels(result.response.message)

    unknown = await alice.slash(channel, "tasks", role="astronaut")
    assert "astronaut" in text_of_message(unknown.response)


async def test_personal_answers_are_ephemeral_and_carry_the_export(world: World) -> None:
    channel, alice = world.channel, world.alice
    result = await alice.slash(channel, "mydata")
    assert result.ephemeral
    files = result.response.attachments
    assert [f.filename for f in files] == ["careerbot-mydata.json"]

    forget = await alice.slash(channel, "forget")
    assert forget.ephemeral
    confirm = await alice.click(forget.response.message, label="No, keep it")
    assert confirm.response.id == forget.response.id and confirm.response.ephemeral
    assert "Nothing was deleted" in text_of_message(confirm.response)


async def test_role_autocomplete_offers_titles_aliases_and_fixes_typos(world: World) -> None:
    env, guild, channel, alice = world.env, world.guild, world.channel, world.alice
    everything = await alice.autocomplete(channel, "risk", "role", "")
    titles = {pack.title for pack in adapter_of(env).bot.services.library.packs}
    assert {c["name"] for c in everything} == titles

    alias = await alice.autocomplete(channel, "plan", "role", "llm")
    assert any(c["value"] == "LLM Engineer" for c in alias)
    assert all(len(c["name"]) <= 100 for c in alias)

    typo = await alice.autocomplete(channel, "tasks", "role", "machne lerning engneer")
    assert [c["value"] for c in typo][:1] == ["Machine Learning Engineer"]

    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    mod = guild.add_member(env.create_user("mod"), roles=[mods])
    summary = await mod.autocomplete(channel, "summary post", "role", "data")
    assert any(c["value"] == "AI Data Engineer" for c in summary)


async def test_direct_messages_are_answered_in_the_dm(simcord_env: Any) -> None:
    env = simcord_env
    bob = env.create_user("bob")
    await bob.send_dm("/risk machine learning engineer")
    reply = bob.dm_channel.history()[-1]
    assert reply.author.bot
    assert "Machine Learning Engineer" in text_of_message(reply)

    await bob.send_dm("hello there")
    assert bob.dm_channel.last_message.author.bot
    chat = await adapter_of(env).bot.services.chats.get("discord", str(bob.dm_channel.id))
    assert chat is not None and chat.kind == "private"


# --------------------------------------------------------------------------- buttons


async def test_button_press_edits_the_message_in_place(world: World) -> None:
    channel, alice = world.channel, world.alice
    menu = await alice.slash(channel, "start")
    message = menu.response.message
    pressed = await alice.click(message, label="Tasks at risk")
    assert pressed.response.id == message.id, "the menu is edited, not answered anew"
    assert "Tasks at risk" in channel.last_message.embeds[0].title


async def test_buttons_keep_working_after_a_restart(world: World, bot: CareerBot) -> None:
    env, channel, alice = world.env, world.channel, world.alice
    first = await alice.slash(channel, "risk", role="machine learning engineer")
    old = first.response.message

    await env.restart_bot(create_client(bot))  # a new process: new client, same Discord

    pressed = await alice.click(old, label="Tasks at risk")
    assert pressed.acknowledged
    assert "Tasks at risk: Machine Learning Engineer" in channel.last_message.embeds[0].title
    stale = await alice.click(channel.last_message, label="Main menu")
    assert stale.acknowledged
    puts = [r for r in env.http_requests if r.method == "PUT" and "commands" in r.path]
    assert len(puts) == 1, "an unchanged command set is not synced again on restart"


async def test_a_stale_button_gets_a_fresh_menu(world: World) -> None:
    env, channel, alice = world.env, world.channel, world.alice
    menu = await alice.slash(channel, "start")
    adapter = adapter_of(env)
    # A message from an old release whose action no longer parses.
    old = await adapter.client.get_channel(channel.id).send(
        "old menu", view=_view([("Old button", "v1:nosuchthing:x")])
    )
    result = await alice.click(old, label="Old button")
    assert "expired" in text_of_message(result.response).lower()
    assert menu.response is not None


def _view(buttons: list[tuple[str, str]]) -> discord.ui.View:
    from bot.adapters.discord_client import make_view
    from bot.messages import Button

    return make_view([[Button(text, action) for text, action in buttons]])


# --------------------------------------------------------------------------- moderators


async def test_summary_refused_in_code_when_admins_widen_the_command(world: World) -> None:
    env, guild, channel, alice = world.env, world.guild, world.channel, world.alice
    news = guild.create_text_channel("news")
    commands = await adapter_of(env).client.tree.fetch_commands()
    summary = next(c for c in commands if c.name == "summary")
    assert summary.default_member_permissions == discord.Permissions(manage_messages=True)
    # A server admin lets everyone see the command: Discord no longer gates it, our code does.
    guild.set_command_permissions(summary.id, {alice: True})

    result = await alice.slash(channel, "summary post", role="mle", channel=news)
    assert result.ephemeral
    assert text_of_message(result.response) == REFUSAL
    assert news.last_message is None


async def test_summary_posted_by_a_member_with_manage_messages(world: World) -> None:
    env, guild, channel = world.env, world.guild, world.channel
    news = guild.create_text_channel("news")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    mod = guild.add_member(env.create_user("mod"), roles=[mods])

    result = await mod.slash(channel, "summary post", role="ml engineer", channel=news)
    assert result.ephemeral
    assert "Posted the Machine Learning Engineer summary" in text_of_message(result.response)
    posted = news.last_message
    assert posted is not None and posted.author.bot
    assert posted.embeds[0].title == "Role summary: Machine Learning Engineer"

    here = await mod.slash(channel, "summary post", role="LLM Engineer")
    assert here.ephemeral
    assert channel.last_message.embeds[0].title == "Role summary: LLM Engineer"


@pytest.mark.parametrize(
    ("denied", "named"),
    [
        (discord.PermissionOverwrite(embed_links=False), "Embed Links"),
        (discord.PermissionOverwrite(send_messages=False), "Send Messages"),
    ],
)
async def test_summary_names_the_permission_the_bot_lacks(
    world: World, denied: discord.PermissionOverwrite, named: str
) -> None:
    env, guild, channel = world.env, world.guild, world.channel
    locked = guild.create_text_channel("locked", overwrites={guild.me: denied})
    # Manage Server alone passes our check; Discord's hint (Manage Messages) would hide the
    # command from this role, so the server admin has allowed it for the role explicitly.
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(env.create_user("owner"), roles=[admins])
    commands = await adapter_of(env).client.tree.fetch_commands()
    guild.set_command_permissions(next(c for c in commands if c.name == "summary"), {admins: True})

    result = await mod.slash(channel, "summary post", role="mle", channel=locked)
    assert result.ephemeral
    assert f"“{named}”" in text_of_message(result.response)
    assert locked.last_message is None
    assert await adapter_of(env).missing_permission(str(locked.id)) == named
    assert await adapter_of(env).missing_permission(str(channel.id)) is None


# --------------------------------------------------------------------------- limits, failures


def _long_reply(paragraphs: int = 40) -> Reply:
    from bot.messages import Section

    reply = Reply(title="A very long answer", footer="Sources: test · last reviewed today")
    for number in range(paragraphs):
        words = " ".join(f"w{number}_{i}" for i in range(60))
        reply.add(Section(heading=f"Part {number} *bold?*", paragraphs=[words]))
    return reply


async def test_an_answer_longer_than_embed_limits_is_split_without_loss(world: World) -> None:
    env, channel = world.env, world.channel
    reply = _long_reply()
    await adapter_of(env).send(Target("discord", str(channel.id)), reply)

    messages = [m for m in channel.history() if m.author.bot]
    assert len(messages) >= 2, "over 6000 characters needs more than one message"
    seen = []
    for message in messages:
        assert len(message.embeds) <= 10
        total = 0
        for embed in message.embeds:
            assert len(embed.description or "") <= 4096
            assert len(embed.fields) <= 25
            total += len(embed)
        assert total <= 6000
        seen.append(text_of_message(message))
    text = "\n".join(seen)
    assert "Part 0 \\*bold?\\*" in text, "headings are escaped for Discord markdown"
    text = text.replace("\\", "")
    for number in range(40):
        assert f"w{number}_59" in text and f"Part {number} *bold?*" in text
    assert messages[0].embeds[0].title == "A very long answer"
    assert messages[-1].embeds[-1].footer.text == "Sources: test · last reviewed today"


async def test_forbidden_dm_deactivates_the_chat(simcord_env: Any) -> None:
    env = simcord_env
    carol = env.create_user("carol")
    await carol.send_dm("/start")
    dm = str(carol.dm_channel.id)
    adapter = adapter_of(env)
    assert (await adapter.bot.services.chats.get("discord", dm)).active

    env.inject_error(
        "POST", f"/channels/{dm}/messages", status=403, code=50007,
        message="Cannot send messages to this user",
    )  # fmt: skip
    with pytest.raises(Unreachable):
        await adapter.send(Target("discord", dm), Reply.text("Your weekly nudge"))
    chat = await adapter.bot.services.chats.get("discord", dm)
    assert chat is not None and not chat.active
    assert chat.inactive_reason == CLOSED_DMS


async def test_send_errors_are_typed(world: World) -> None:
    env, guild = world.env, world.guild
    adapter = adapter_of(env)
    locked = guild.create_text_channel(
        "locked", overwrites={guild.me: discord.PermissionOverwrite(send_messages=False)}
    )
    with pytest.raises(MissingPermission) as missing:
        await adapter.send(Target("discord", str(locked.id)), Reply.text("hi"))
    assert missing.value.permission == "Send Messages"
    with pytest.raises(Unreachable):
        await adapter.send(Target("discord", "123456789012345678"), Reply.text("hi"))


async def test_http_error_is_logged_with_the_interaction_id_and_answered_politely(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    env, channel, alice = world.env, world.channel, world.alice
    env.inject_error("POST", "/interactions/*/callback", status=400, code=50035, times=1)
    with caplog.at_level(logging.WARNING, logger="careerbot.discord"):
        failed = await alice.slash(channel, "risk", role="mle")
    assert failed.ephemeral
    assert failed.response.content == POLITE_FAILURE
    logged = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert logged and any(str(failed._interaction.id) in line for line in logged)

    after = await alice.slash(channel, "tasks", role="mle")  # one failure affects no other
    assert "Tasks at risk" in after.response.embeds[0].title


async def test_slow_answers_are_deferred_then_delivered(simcord_env: Any, bot: CareerBot) -> None:
    env = simcord_env
    await env.restart_bot(create_client(bot, defer_after=0))  # always take the slow path
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    dave = guild.add_member(env.create_user("dave"))

    def acks() -> list[int]:
        return [r.json["type"] for r in env.http_requests if r.path.endswith("/callback")]

    result = await dave.slash(channel, "risk", role="mle")
    assert acks()[-1] == 5, "deferred: Discord shows 'thinking…'"
    assert "Machine Learning Engineer" in result.response.embeds[0].title
    pressed = await dave.click(result.response.message, label="Tasks at risk")
    assert acks()[-1] == 6, "deferred update of the pressed menu"
    assert pressed.response.id == result.response.id
    assert "Tasks at risk" in channel.last_message.embeds[0].title
    personal = await dave.slash(channel, "mydata")
    assert acks()[-1] == 5 and personal.ephemeral
    assert personal.response.attachments


async def test_commands_sync_only_when_they_change(simcord_env: Any, bot: CareerBot) -> None:
    env = simcord_env
    state = json.loads((bot.settings.data_dir / SYNC_STATE_FILE).read_text())
    assert len(state) == 1 and next(iter(state)).endswith(":global")

    def puts() -> int:
        return sum(1 for r in env.http_requests if r.method == "PUT" and "commands" in r.path)

    assert puts() == 1
    await env.restart_bot(create_client(bot))
    assert puts() == 1, "unchanged: no sync"

    from bot.router import CommandInfo

    async def echo(ctx: Any) -> Reply:
        return Reply.text(f"args: {ctx.args}")

    # A command added to the core later (private scope, a role and a free-text option):
    info = CommandInfo("echo_goal", "Study goal", echo, takes_role=True, scope="private",
                       options=("cert",))  # fmt: skip
    bot.router.commands[info.name] = info
    bot.services.router_commands.append(info)
    await env.restart_bot(create_client(bot))
    assert puts() == 2, "a new command: synced once"

    erin = env.create_user("erin")
    assert "echo_goal" in erin.available_commands()
    result = await erin.slash("echo_goal", role="mle", cert="AWS ML Specialty")
    assert result.response.embeds[0].description == "args: mle AWS ML Specialty"
    guild = env.create_guild()
    member = guild.add_member(erin)
    assert "echo_goal" not in member.available_commands(guild.create_text_channel("general")), (
        "private-scope commands only in DMs with the bot"
    )

    await adapter_of(env).sync_commands(force=True)  # what `careerbot discord sync` does
    assert puts() == 3


async def test_guild_sync_when_discord_guild_id_is_set(simcord_env: Any, bot: CareerBot) -> None:
    env = simcord_env
    guild = env.create_guild(name="Dev")
    bot.settings.discord_guild_id = guild.id
    await env.restart_bot(create_client(bot))
    puts = [r.path for r in env.http_requests if r.method == "PUT" and "commands" in r.path]
    assert puts[-1].endswith(f"/guilds/{guild.id}/commands")
    dev = guild.add_member(env.create_user("dev"))
    result = await dev.slash(guild.create_text_channel("test"), "about")
    assert result.response.embeds


async def test_attachments_and_dm_answers_of_the_platform(world: World) -> None:
    env, channel = world.env, world.channel
    adapter = adapter_of(env)
    reply = Reply.text("Your plan")
    reply.image = Image(_PNG, "A chart")
    reply.document = Document("plan.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    await adapter.send(Target("discord", str(channel.id)), reply)
    sent = channel.last_message
    assert sorted(a.filename for a in sent.attachments) == ["image.png", "plan.ics"]
    assert sent.embeds[0].image.url == "attachment://image.png"

    frank = env.create_user("frank")
    await frank.send_dm("/about")
    dm = str(frank.dm_channel.id)
    assert await adapter.missing_permission(dm) is None
    assert not await adapter.is_moderator(dm, str(frank.id))
    await adapter.send(Target("discord", dm), Reply.text("A weekly nudge"))
    assert frank.dm_channel.last_message.embeds[0].description == "A weekly nudge"


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


async def test_a_long_personal_answer_continues_in_ephemeral_followups(
    simcord_env: Any, bot: CareerBot
) -> None:
    from bot.router import CommandInfo

    async def long_answer(ctx: Any) -> Reply:
        reply = _long_reply()
        reply.personal = True
        return reply

    info = CommandInfo("longread", "A long personal answer", long_answer, personal=True)
    bot.router.commands[info.name] = info
    bot.services.router_commands.append(info)
    env = simcord_env
    await env.restart_bot(create_client(bot))
    guild = env.create_guild()
    grace = guild.add_member(env.create_user("grace"))
    result = await grace.slash(guild.create_text_channel("general"), "longread")

    assert result.ephemeral and result.followups
    assert all(f.ephemeral for f in result.followups)
    text = "\n".join(text_of_message(m) for m in [result.response, *result.followups])
    text = text.replace("\\", "")
    assert all(f"w{n}_59" in text for n in range(40))


async def test_summary_subcommands_become_the_core_grammar(world: World) -> None:
    env, guild, channel = world.env, world.guild, world.channel
    adapter = adapter_of(env)
    texts: list[str] = []
    feed = adapter.bot.feed

    async def recording_feed(inbound: Any, platform: Any) -> Reply | None:
        texts.append(inbound.text)
        return await feed(inbound, platform)

    adapter.bot.feed = recording_feed  # type: ignore[method-assign]
    news = guild.create_text_channel("news")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_messages=True))
    mod = guild.add_member(env.create_user("mod"), roles=[mods])

    await mod.slash(channel, "summary post", role="Machine Learning Engineer", channel=news)
    await mod.slash(channel, "summary every", weekday="monday", time="09:00", zone="Europe/Berlin")
    await mod.slash(channel, "summary schedules")
    result = await mod.slash(channel, "summary cancel", number=2)
    assert result.ephemeral
    assert texts == [
        f"/summary post Machine Learning Engineer to {news.id}",
        f"/summary every monday 09:00 Europe/Berlin to {channel.id}",
        "/summary schedules",
        "/summary cancel 2",
    ]


async def test_a_button_that_is_none_of_ours_is_answered(world: World) -> None:
    env, channel, alice = world.env, world.channel, world.alice
    adapter = adapter_of(env)
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Legacy", custom_id="menu-from-another-bot"))
    old = await adapter.client.get_channel(channel.id).send("old menu", view=view)
    result = await alice.click(old, label="Legacy")
    assert result.acknowledged, "never 'This interaction failed'"
    assert "expired" in text_of_message(result.response).lower()


async def test_a_press_on_someone_elses_menu_gets_its_own_answer(world: World) -> None:
    env, guild, channel, alice = world.env, world.guild, world.channel, world.alice
    bob = guild.add_member(env.create_user("bob", global_name="Bob"))
    menu = await alice.slash(channel, "start")
    message = menu.response.message
    before = text_of_message(message)
    pressed = await bob.click(message, label="Tasks at risk")
    assert pressed.acknowledged and pressed.response.id != message.id, "a new answer for Bob"
    [now] = [m for m in channel.history() if m.id == message.id]
    assert text_of_message(now) == before, "Alice's menu is unchanged"
    mine = await alice.click(message, label="Tasks at risk")
    assert mine.response.id == message.id, "Alice's own press still edits in place"


async def test_forget_from_a_server_also_deletes_the_dm_chat(world: World) -> None:
    env, channel = world.env, world.channel
    user = env.create_user("carol", global_name="Carol")
    carol = world.guild.add_member(user)
    await user.send_dm("/roles mle")
    services = adapter_of(env).bot.services
    dm_id = str(user.dm_channel.id)
    assert await services.chats.get("discord", dm_id) is not None
    asked = await carol.slash(channel, "forget")
    done = await carol.click(asked.response.message, label="Yes, delete everything")
    assert "deleted" in text_of_message(done.response)
    assert await services.chats.get("discord", dm_id) is None, "the DM chat row is gone too"
    assert await services.users.get("discord", str(user.id)) is None
