"""The Discord adapter: slash commands, buttons and DMs in, embeds and buttons out.

It only translates. A slash command becomes the same text a person would type
(``/risk role:"ml eng"`` → ``/risk ml eng``), a button press becomes an action Inbound whose text
is the button's custom_id (our action string), a DM becomes text; the core's :class:`Reply`
comes back as embeds, attachments and buttons (:mod:`bot.adapters.discord_render`).

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
import contextvars
import hashlib
import inspect
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord_render import Outgoing, label, render
from bot.charts.service import without_picture
from bot.errors import (
    DeliveryError,
    MissingPermission,
    RetryLater,
    StartFailed,
    TransientError,
    Unreachable,
)
from bot.messages import Button, Inbound, Reply, Target
from bot.router import CommandInfo

if TYPE_CHECKING:
    from bot.app import CareerBot

log = logging.getLogger("careerbot.discord")

PLATFORM = "discord"
DEFER_AFTER = 1.5
"""Seconds to wait for the core before deferring; Discord wants an answer within 3 s."""
SYNC_STATE_FILE = "discord-commands.json"
MODERATOR_PERMISSIONS = discord.Permissions(manage_messages=True)
"""The default_permissions hint for moderator commands. Discord requires *all* bits of a hint,
so it names Manage Messages alone (Manage Server holders are let in by our own check, and admins
can widen the hint in Server Settings → Integrations)."""
ACTION_TEMPLATE = r"v[0-9]+:.{1,97}"
"""Every versioned action string (stale versions included, so the core can say "expired")."""
_ACTION = re.compile(ACTION_TEMPLATE)

TOO_LARGE = 40005
"""Discord's code for "request entity too large" (an attachment over the upload limit)."""
POLITE_FAILURE = "Sorry, Discord didn't accept my answer. Please try again in a moment."
CLOSED_DMS = "Discord: the user does not accept direct messages from the bot (50007)"

SyncMode = Literal["auto", "force", "never"]

# The member behind the interaction being handled, so is_moderator can use the permissions
# Discord sent with it instead of asking the API again.
_interaction: contextvars.ContextVar[discord.Interaction | None] = contextvars.ContextVar(
    "careerbot_discord_interaction", default=None
)

_SECRET_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+")


class _RedactInteractionTokens(logging.Filter):
    """discord.py logs request URLs at DEBUG; interaction and webhook URLs contain tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_URL.sub(r"\1***", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _install_log_redaction() -> None:
    for name in ("discord.http", "discord.webhook.async_", "discord.interactions"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactInteractionTokens) for f in logger.filters):
            logger.addFilter(_RedactInteractionTokens())


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ACTION_TEMPLATE):
    """A button whose custom_id is our action string; dispatched by pattern, so it survives
    restarts without any per-message state."""

    def __init__(self, text: str, action: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label(text), custom_id=action, style=discord.ButtonStyle.secondary
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Button[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        return cls(item.label or "", item.custom_id or match.group(0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        if isinstance(client, CareerClient):
            await client.adapter.on_button(interaction, self.item.custom_id or "")


def make_view(rows: list[list[Button]]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(rows):
        for button in row:
            item = ActionButton(button.label, button.action)
            item.row = number
            view.add_item(item)
    return view


class CareerClient(discord.Client):
    """discord.py's client with our command tree; built without connecting."""

    def __init__(self, adapter: DiscordAdapter, *, sync: SyncMode = "auto") -> None:
        # The bot never joins voice: don't warn at every start that voice libraries are missing.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        intents.dm_messages = True
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            # Roles, channels and the bot's own member come with GUILD_CREATE; other members
            # are fetched when needed, never cached in bulk.
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
        )
        self.adapter = adapter
        self.sync_mode: SyncMode = sync
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = adapter.on_tree_error  # type: ignore[method-assign]
        self.last_sync: str | None = None
        """Where the last sync went ("global" or "guild:<id>"), or None when none was needed."""
        build_commands(self.tree, adapter)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)
        if self.sync_mode != "never":
            await self.adapter.sync_commands(force=self.sync_mode == "force")

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A button whose custom_id is none of ours (an old release's, or forged) would be
        dropped and show "This interaction failed": the core answers it, "this menu has
        expired". Ours are dispatched to :class:`ActionButton` by discord.py itself."""
        if interaction.type != discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if _ACTION.fullmatch(custom_id) is None:
            await self.adapter.on_button(interaction, custom_id)


# --------------------------------------------------------------------------- command building


def build_commands(tree: app_commands.CommandTree[Any], adapter: DiscordAdapter) -> None:
    """One slash command per router command (``/summary`` gets its ``post`` subcommand)."""
    for info in adapter.bot.services.router_commands:
        if info.scope == "moderator" and info.name == "summary":
            tree.add_command(_summary_group(info, adapter))
        else:
            tree.add_command(_command(info, adapter))


def _description(text: str) -> str:
    return (text or "—")[:100]


def _command(info: CommandInfo, adapter: DiscordAdapter) -> app_commands.Command[Any, ..., Any]:
    names: list[str] = []
    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    descriptions: dict[str, str] = {}
    if info.takes_role:
        names.append("role")
        descriptions["role"] = "A role, e.g. machine learning engineer (default: your role)"
    for option in info.options:
        if option not in names:
            names.append(option)
            descriptions[option] = option.replace("_", " ")
    for name in names:
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None,
                annotation=str | None,
            )
        )

    async def callback(interaction: discord.Interaction, **values: str | None) -> None:
        words = [f"/{info.name}"]
        words.extend(v.strip() for n in names if (v := values.get(n)) and v.strip())
        await adapter.on_command(interaction, info, " ".join(words))

    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = f"slash_{info.name}"
    callback.__discord_app_commands_param_description__ = descriptions  # type: ignore[attr-defined]
    command = app_commands.Command(
        name=info.name,
        description=_description(info.description),
        callback=callback,
        allowed_contexts=_contexts(info),
    )
    if info.scope == "moderator":
        command.default_permissions = MODERATOR_PERMISSIONS
    if info.takes_role:
        command.autocomplete("role")(adapter.autocomplete_role)
    return command


def _contexts(info: CommandInfo) -> app_commands.AppCommandContext:
    if info.scope == "private":
        # Conversations with the bot alone (study goals, nudges): only in its DMs.
        return app_commands.AppCommandContext(guild=False, dm_channel=True, private_channel=False)
    if info.scope == "moderator":
        return app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
    return app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)


def _summary_group(info: CommandInfo, adapter: DiscordAdapter) -> app_commands.Group:
    group = app_commands.Group(
        name=info.name,
        description=_description(info.description),
        default_permissions=MODERATOR_PERMISSIONS,
        allowed_contexts=_contexts(info),
    )

    @group.command(name="post", description="Post a role summary into a channel (default: here)")
    @app_commands.describe(
        role="The role to summarise (default: this server's role)",
        channel="Where to post it (default: this channel)",
    )
    async def post(
        interaction: discord.Interaction,
        role: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        target = channel.id if channel is not None else interaction.channel_id
        words = ["/summary", "post", (role or "").strip(), "to", str(target)]
        await adapter.on_command(interaction, info, " ".join(w for w in words if w))

    post.autocomplete("role")(adapter.autocomplete_role)

    async def send(interaction: discord.Interaction, *words: object) -> None:
        text = " ".join(str(w).strip() for w in ("/summary", *words) if w and str(w).strip())
        await adapter.on_command(interaction, info, text)

    @group.command(name="every", description="Post a role summary every week (default: here)")
    @app_commands.describe(
        weekday="The day of the week",
        time="The time of day, HH:MM",
        zone="A time zone such as Europe/Berlin (default: UTC)",
        role="The role to summarise (default: this server's role)",
        channel="Where to post it (default: this channel)",
    )
    async def every(
        interaction: discord.Interaction,
        weekday: WEEKDAYS,  # type: ignore[valid-type]
        time: str,
        zone: str | None = None,
        role: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        target = channel.id if channel is not None else interaction.channel_id
        await send(interaction, "every", weekday, time, zone, role, "to", target)

    every.autocomplete("role")(adapter.autocomplete_role)

    @group.command(name="schedules", description="List this channel's weekly summaries")
    async def schedules(interaction: discord.Interaction) -> None:
        await send(interaction, "schedules")

    @group.command(name="cancel", description="Cancel a weekly summary by its number")
    @app_commands.describe(number="The number shown by /summary schedules")
    async def cancel(
        interaction: discord.Interaction, number: app_commands.Range[int, 1, 999]
    ) -> None:
        await send(interaction, "cancel", number)

    return group


WEEKDAYS = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> str:
    commands = sorted(
        (c.to_dict(tree) for c in tree.get_commands(guild=guild)), key=lambda c: c["name"]
    )
    return json.dumps(commands, sort_keys=True, default=str)


# --------------------------------------------------------------------------- the adapter


class DiscordAdapter:
    """A runner component and the core's :class:`bot.platform.Platform` for Discord."""

    name = PLATFORM

    def __init__(
        self, bot: CareerBot, *, sync: SyncMode = "auto", defer_after: float = DEFER_AFTER
    ) -> None:
        self.bot = bot
        self.defer_after = defer_after
        self.client = CareerClient(self, sync=sync)
        self._task: asyncio.Task[None] | None = None
        _install_log_redaction()

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

    @property
    def _sync_state(self) -> Path:
        return self.bot.settings.data_dir / SYNC_STATE_FILE

    async def sync_commands(self, *, force: bool = False) -> str | None:
        """Sync globally or to DISCORD_GUILD_ID, when forced or when the commands changed."""
        tree = self.client.tree
        guild_id = self.bot.settings.discord_guild_id
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        where = f"guild:{guild_id}" if guild else "global"
        key = f"{self.client.application_id}:{where}"
        digest = hashlib.sha256(command_payload(tree, guild).encode()).hexdigest()
        state = self._read_sync_state()
        if not force and state.get(key) == digest:
            log.info("Discord commands unchanged since the last sync (%s); not syncing", where)
            self.client.last_sync = None
            return None
        try:
            synced = await tree.sync(guild=guild)
        except discord.HTTPException as exc:
            log.error("Discord command sync (%s) failed: %s %s", where, exc.status, exc.text)
            if force:
                raise
            return None
        state[key] = digest
        self._write_sync_state(state)
        self.client.last_sync = where
        log.info("Synced %d Discord commands (%s)", len(synced), where)
        return where

    def _read_sync_state(self) -> dict[str, str]:
        try:
            data = json.loads(self._sync_state.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_sync_state(self, state: dict[str, str]) -> None:
        path = self._sync_state
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        tmp.replace(path)

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

    async def autocomplete_role(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Role titles and aliases containing what was typed, then every occupation's titles,
        reported titles and aliases; typos via the role and occupation indexes."""
        typed = " ".join(current.lower().split())
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()

        def offer(name: str, value: str) -> None:
            if value not in seen and len(choices) < 25:
                seen.add(value)
                choices.append(app_commands.Choice(name=name[:100], value=value[:100]))

        services = self.bot.services
        for pack in services.library.packs:
            if typed in pack.title.lower() or typed in pack.id.lower():
                offer(pack.title, pack.title)
        for pack in services.library.packs:
            for alias in pack.aliases:
                if typed and typed in alias.lower():
                    offer(f"{alias} → {pack.title}", pack.title)
                    break
        if typed and not choices and (resolved := services.index.resolve_role(current)):
            offer(resolved.title, resolved.title)
        if typed:
            for label, value in services.occupation_index.complete(typed):
                offer(label, value)
        if typed and not choices:
            for pack in services.index.suggest_roles(current):
                offer(pack.title, pack.title)
        return choices

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
        _interaction.set(interaction)
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

    async def _channel(self, chat_id: str) -> discord.abc.Messageable:
        try:
            number = int(chat_id)
        except ValueError:
            raise Unreachable(f"not a Discord channel id: {chat_id[:40]!r}") from None
        channel = self.client.get_channel(number)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(number)
            except discord.NotFound as exc:
                reason = f"Discord: unknown channel ({exc.code})"
                await self.bot.services.chats.deactivate(PLATFORM, chat_id, reason)
                raise Unreachable(reason) from exc
            except discord.Forbidden as exc:
                raise MissingPermission("View Channel") from exc
            except discord.DiscordServerError as exc:
                raise TransientError(f"Discord server error {exc.status}") from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise TransientError(f"network error: {type(exc).__name__}") from exc
        if not isinstance(channel, discord.abc.Messageable):
            raise Unreachable("that Discord channel cannot hold messages")
        return channel

    async def _guild_channel(
        self, chat_id: str
    ) -> discord.abc.GuildChannel | discord.Thread | None:
        try:
            channel = await self._channel(chat_id)
        except DeliveryError:
            return None
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return channel
        return None

    async def private_chat_of(self, user_id: str) -> str | None:
        """The person's DM channel with the bot (for /forget from a server). Discord hands back
        the existing one; opening it sends nothing."""
        try:
            user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
            channel = user.dm_channel or await user.create_dm()
        except (ValueError, discord.HTTPException, aiohttp.ClientError, TimeoutError):
            return None
        return str(channel.id)

    async def is_moderator(self, chat_id: str, user_id: str) -> bool:
        """Manage Server or Manage Messages in that channel, from Discord's own permissions."""
        current = _interaction.get()
        if (
            current is not None
            and str(current.user.id) == user_id
            and str(current.channel_id) == chat_id
            and current.guild_id is not None
        ):
            perms = current.permissions  # resolved by Discord for this member in this channel
            return perms.manage_guild or perms.manage_messages
        channel = await self._guild_channel(chat_id)
        if channel is None:
            return False
        member: discord.Member | None = None
        if (
            current is not None
            and isinstance(current.user, discord.Member)
            and str(current.user.id) == user_id
            and current.user.guild.id == channel.guild.id
        ):
            member = current.user
        if member is None:
            member = channel.guild.get_member(int(user_id))
        if member is None:
            try:
                member = await channel.guild.fetch_member(int(user_id))
            except (discord.NotFound, discord.Forbidden, ValueError):
                return False
        perms = channel.permissions_for(member)
        return perms.manage_guild or perms.manage_messages

    async def missing_permission(self, chat_id: str) -> str | None:
        """The first right the bot lacks to post an embed there, named as Discord shows it."""
        try:
            channel = await self._channel(chat_id)
        except MissingPermission as exc:
            return exc.permission
        except Unreachable:
            return "View Channel"
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return None  # a DM: no permissions to lack
        me = channel.guild.me
        if me is None:
            return None
        perms = channel.permissions_for(me)
        needed: list[tuple[bool, str]] = [(perms.view_channel, "View Channel")]
        if isinstance(channel, discord.Thread):
            needed.append((perms.send_messages_in_threads, "Send Messages in Threads"))
        else:
            needed.append((perms.send_messages, "Send Messages"))
        needed.append((perms.embed_links, "Embed Links"))
        for allowed, name in needed:
            if not allowed:
                return name
        return None


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
