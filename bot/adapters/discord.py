"""The Discord adapter: slash commands, buttons and DMs in, embeds and buttons out.

It only translates. A slash command becomes the same text a person would type
(``/risk role:"ml eng"`` → ``/risk ml eng``), a button press becomes an action Inbound whose text
is the button's custom_id (our action string), a DM becomes text; the core's :class:`Reply`
comes back as embeds, attachments and buttons (:mod:`bot.adapters.discord_render`).
The client and its buttons live in :mod:`~bot.adapters.discord_client`, the slash commands in
:mod:`~bot.adapters.discord_commands`, channel look-ups and rights in
:mod:`~bot.adapters.discord_chats`; this module answers and sends.

- **Intents**: guilds and DM messages only, nothing privileged. Slash commands and buttons need
  no message content, and DMs to a bot carry their content anyway.
- **Commands** are built from the router's command list, so a command added to the core shows up
  here without touching this file. ``takes_role`` → an autocompleted ``role`` option,
  ``options`` → free-text options, ``personal`` → ephemeral answers, ``scope="private"`` → only
  in DMs with the bot, ``scope="moderator"`` → guild-only with ``default_permissions`` (a hint
  server admins can change; the core asks :meth:`DiscordAdapter.is_moderator` every time).
- **Buttons** are one :class:`discord.ui.DynamicItem` whose template matches every action
  string, registered at start-up: a button on a message sent before a restart still works.
- **Sync** happens at login only when the command payload differs from the last one synced
  (its hash lives under the data directory), or on demand (``careerbot discord sync``). Never on
  reconnects: ``setup_hook`` runs once per login.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord_chats import DiscordChats, current_interaction
from bot.adapters.discord_client import (
    ActionButton,
    CareerClient,
    SyncMode,
    install_log_redaction,
    make_view,
)
from bot.adapters.discord_render import Outgoing, render
from bot.adapters.discord_sync import sync_commands
from bot.charts.service import without_picture
from bot.errors import (
    DeliveryError,
    MissingPermission,
    RetryLater,
    StartFailed,
    TransientError,
    Unreachable,
)
from bot.messages import Inbound, Reply, Target
from bot.router import CommandInfo

if TYPE_CHECKING:
    from bot.app import CareerBot

log = logging.getLogger("careerbot.discord")

PLATFORM = "discord"
DEFER_AFTER = 1.5
"""Seconds to wait for the core before deferring; Discord wants an answer within 3 s."""

TOO_LARGE = 40005
"""Discord's code for "request entity too large" (an attachment over the upload limit)."""
POLITE_FAILURE = "Sorry, Discord didn't accept my answer. Please try again in a moment."
CLOSED_DMS = "Discord: the user does not accept direct messages from the bot (50007)"


class DiscordAdapter(DiscordChats):
    """A runner component and the core's :class:`bot.platform.Platform` for Discord."""

    name = PLATFORM

    def __init__(
        self, bot: CareerBot, *, sync: SyncMode = "auto", defer_after: float = DEFER_AFTER
    ) -> None:
        self.bot = bot
        self.defer_after = defer_after
        self.client = CareerClient(self, sync=sync)
        self._task: asyncio.Task[None] | None = None
        install_log_redaction()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        token = self.bot.settings.discord_bot_token
        if token is None:
            raise RuntimeError("DISCORD_BOT_TOKEN is not set")
        if self.client.is_closed():
            # A retry after a failed start (the runner closed that client): start afresh.
            self.client = CareerClient(self, sync=self.client.sync_mode)
        try:
            await self.client.login(token.get_secret_value())
        except discord.LoginFailure:
            raise StartFailed(
                "Discord rejected DISCORD_BOT_TOKEN: reset it under Bot in the developer portal "
                "and set the new one.",
                retry=False,
            ) from None
        except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
            raise StartFailed(
                f"Discord is unreachable ({type(exc).__name__}): check the network.", retry=True
            ) from None
        self._task = asyncio.create_task(self.client.connect(reconnect=True), name="discord")
        self._task.add_done_callback(self._connection_ended)

    def _connection_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("Discord connection ended: %s: %s", type(error).__name__, error)

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, discord.HTTPException):
                await asyncio.wait_for(self._task, timeout=10)
            self._task = None

    # ----------------------------------------------------------------- command sync

    async def sync_commands(self, *, force: bool = False) -> str | None:
        """See :func:`bot.adapters.discord_sync.sync_commands`."""
        settings = self.bot.settings
        return await sync_commands(
            self.client, settings.data_dir, settings.discord_guild_id, force=force
        )

    # ----------------------------------------------------------------- inbound

    def inbound(self, interaction: discord.Interaction, kind: str, text: str) -> Inbound:
        user = interaction.user
        message = interaction.message if kind == "action" else None
        return Inbound(
            platform=PLATFORM,
            user_id=str(user.id),
            chat_id=str(interaction.channel_id),
            kind=kind,  # type: ignore[arg-type]
            text=text,
            chat_kind="private" if interaction.guild_id is None else "group",
            user_name=user.display_name,
            chat_title=_chat_title(interaction.channel),
            message_id=str(message.id) if message is not None else None,
            message_owner=_owner(message),
        )

    async def on_command(
        self, interaction: discord.Interaction, info: CommandInfo, text: str
    ) -> None:
        ephemeral = info.personal or info.scope == "moderator"
        await self._answer(interaction, self.inbound(interaction, "text", text), ephemeral)

    async def on_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        message = interaction.message
        ephemeral = bool(message is not None and message.flags.ephemeral)
        await self._answer(interaction, self.inbound(interaction, "action", custom_id), ephemeral)

    async def on_message(self, message: discord.Message) -> None:
        """Direct messages to the bot are chat text; guild messages are not for us."""
        if message.author.bot or not isinstance(message.channel, discord.DMChannel):
            return
        inbound = Inbound(
            platform=PLATFORM,
            user_id=str(message.author.id),
            chat_id=str(message.channel.id),
            text=message.content,
            chat_kind="private",
            user_name=message.author.display_name,
            message_id=str(message.id),
        )
        try:
            reply = await self.bot.feed(inbound, self)
            if reply is not None:
                await self._send_to(message.channel, reply)
                picture = await self.bot.charts.follow_up(reply)
                if picture is not None:
                    await self._send_to(message.channel, picture)
        except DeliveryError as exc:
            log.warning("could not answer DM %s: %s", message.id, exc)
        except Exception:
            log.exception("error answering DM %s", message.id)

    async def _answer(
        self, interaction: discord.Interaction, inbound: Inbound, ephemeral: bool
    ) -> None:
        """Feed the core; acknowledge in time (deferring when it is slow); render the reply."""
        component = inbound.kind == "action"
        current_interaction.set(interaction)
        work = asyncio.ensure_future(self.bot.feed(inbound, self))
        try:
            if self.defer_after > 0:
                await asyncio.wait({work}, timeout=self.defer_after)
            if not work.done():
                if component:
                    await interaction.response.defer()
                else:
                    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            reply = await work
            try:
                ephemeral = await self._deliver(interaction, reply, ephemeral, component)
            except discord.HTTPException as exc:
                if reply is None or reply.image is None or not _refused_file(exc):
                    raise
                note = self.bot.charts.refused(inbound.target, _file_right(exc))
                reply = without_picture(reply, note)
                ephemeral = await self._deliver(interaction, reply, ephemeral, component)
            picture = await self.bot.charts.follow_up(reply)
            if picture is not None:
                for message in render(picture):
                    await interaction.followup.send(
                        **message.kwargs(make_view), ephemeral=ephemeral
                    )
        except discord.HTTPException as exc:
            log.warning(
                "Discord refused the answer to interaction %s: %s %s (code %s)",
                interaction.id,
                exc.status,
                exc.text,
                exc.code,
            )
            await self._apologise(interaction)
        except Exception:
            log.exception("error answering interaction %s", interaction.id)
            await self._apologise(interaction)
        finally:
            if not work.done():
                work.cancel()

    async def _deliver(
        self,
        interaction: discord.Interaction,
        reply: Reply | None,
        ephemeral: bool,
        component: bool,
    ) -> bool:
        """Answer the interaction with ``reply``; returns whether the answer was ephemeral."""
        response = interaction.response
        if reply is None:  # the core chose silence (e.g. a flood): acknowledge, show nothing
            if not response.is_done():
                if component:
                    await response.defer()
                    return
                await response.defer(ephemeral=True, thinking=True)
            if not component:
                await interaction.delete_original_response()
            return ephemeral
        messages = render(reply)
        first, rest = messages[0], messages[1:]
        if component and reply.edit:
            if not response.is_done():
                await response.edit_message(**first.edit_kwargs(make_view))
            else:
                await interaction.edit_original_response(**first.edit_kwargs(make_view))
            ephemeral = ephemeral or reply.personal
        elif not response.is_done():
            ephemeral = ephemeral or reply.personal
            await response.send_message(**first.kwargs(make_view), ephemeral=ephemeral)
        elif component:
            ephemeral = reply.personal or ephemeral
            await interaction.followup.send(**first.kwargs(make_view), ephemeral=ephemeral)
        elif reply.personal and not ephemeral:
            # Deferred in public but the answer is personal: replace the placeholder.
            await interaction.delete_original_response()
            ephemeral = True
            await interaction.followup.send(**first.kwargs(make_view), ephemeral=True)
        else:
            await interaction.edit_original_response(**first.edit_kwargs(make_view))
        for message in rest:
            await interaction.followup.send(**message.kwargs(make_view), ephemeral=ephemeral)
        return ephemeral

    async def _apologise(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(POLITE_FAILURE, ephemeral=True)
            else:
                await interaction.response.send_message(POLITE_FAILURE, ephemeral=True)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not apologise for interaction %s: %s", interaction.id, exc)

    async def on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A command that failed before reaching the core (e.g. an unresolvable option)."""
        original = getattr(error, "original", error)
        log.warning(
            "interaction %s (/%s) failed: %s: %s",
            interaction.id,
            interaction.command.qualified_name if interaction.command else "?",
            type(original).__name__,
            original,
        )
        await self._apologise(interaction)

    # ----------------------------------------------------------------- Platform protocol

    async def send(self, target: Target, reply: Reply) -> None:
        channel = await self._channel(target.chat_id)
        await self._send_to(channel, reply)

    async def _send_to(self, channel: discord.abc.Messageable, reply: Reply) -> None:
        chat_id = str(getattr(channel, "id", ""))
        if reply.image is not None and _cannot_attach(channel):
            note = self.bot.charts.refused(Target(PLATFORM, chat_id), "Attach Files")
            reply = without_picture(reply, note)
        try:
            try:
                for message in render(reply):
                    await channel.send(**message.kwargs(make_view))
            except discord.HTTPException as exc:
                if reply.image is None or not _too_large(exc):
                    raise
                note = self.bot.charts.refused(Target(PLATFORM, chat_id), None)
                for message in render(without_picture(reply, note)):
                    await channel.send(**message.kwargs(make_view))
        except discord.Forbidden as exc:
            if isinstance(channel, discord.DMChannel | discord.User | discord.Member):
                reason = CLOSED_DMS if exc.code == 50007 else f"Discord: forbidden ({exc.code})"
                await self.bot.services.chats.deactivate(PLATFORM, chat_id, reason)
                raise Unreachable(reason) from exc
            missing = await self.missing_permission(chat_id)
            raise MissingPermission(missing or "Send Messages") from exc
        except discord.NotFound as exc:
            reason = f"Discord: unknown channel ({exc.code})"
            await self.bot.services.chats.deactivate(PLATFORM, chat_id, reason)
            raise Unreachable(reason) from exc
        except discord.RateLimited as exc:
            raise RetryLater(exc.retry_after) from exc
        except discord.DiscordServerError as exc:
            raise TransientError(f"Discord server error {exc.status}") from exc
        except discord.HTTPException as exc:
            raise DeliveryError(f"Discord refused the message: {exc.status} {exc.code}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"network error: {type(exc).__name__}") from exc


def _too_large(exc: discord.HTTPException) -> bool:
    return exc.code == TOO_LARGE or exc.status == 413


def _refused_file(exc: discord.HTTPException) -> bool:
    """Discord refused the message because of its attachment: too large, or no Attach Files."""
    return _too_large(exc) or isinstance(exc, discord.Forbidden)


def _file_right(exc: discord.HTTPException) -> str | None:
    return "Attach Files" if isinstance(exc, discord.Forbidden) else None


def _cannot_attach(channel: discord.abc.Messageable) -> bool:
    """The bot lacks Attach Files in this server channel (asked of the cached permissions, so a
    message is never sent just to be refused)."""
    if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return False
    me = channel.guild.me
    return me is not None and not channel.permissions_for(me).attach_files


def _owner(message: discord.Message | None) -> str | None:
    """Who the message answered: the user of the interaction it was the response to; None for
    a message the bot posted on its own (a summary)."""
    metadata = message.interaction_metadata if message is not None else None
    return str(metadata.user.id) if metadata is not None else None


def _chat_title(channel: object) -> str | None:
    name = getattr(channel, "name", None)
    guild = getattr(channel, "guild", None)
    if name and guild is not None:
        return f"{guild.name} #{name}"
    return name


def create_client(bot: CareerBot, **options: Any) -> CareerClient:
    """The discord.py client for ``bot``, built but not connected (what tests drive)."""
    return DiscordAdapter(bot, **options).client


async def sync_now(bot: CareerBot) -> str:
    """``careerbot discord sync``: log in, sync the commands, log out."""
    adapter = DiscordAdapter(bot, sync="never")
    token = bot.settings.discord_bot_token
    if token is None:
        raise RuntimeError("DISCORD_BOT_TOKEN is not set")
    try:
        await adapter.client.login(token.get_secret_value())
        where = await adapter.sync_commands(force=True)
    finally:
        await adapter.client.close()
    return where or "nothing"


__all__ = [
    "ActionButton",
    "CareerClient",
    "DiscordAdapter",
    "Outgoing",
    "create_client",
    "make_view",
    "sync_now",
]
