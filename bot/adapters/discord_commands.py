"""The slash commands, built from the router's command list so a command added to the core
appears on Discord without touching the adapter; and their role autocompletion."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot.router import CommandInfo

if TYPE_CHECKING:
    from bot.adapters.discord import DiscordAdapter
    from bot.app import CareerBot

RoleAutocomplete = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]

MODERATOR_PERMISSIONS = discord.Permissions(manage_messages=True)
"""The default_permissions hint for moderator commands. Discord requires *all* bits of a hint,
so it names Manage Messages alone (Manage Server holders are let in by our own check, and admins
can widen the hint in Server Settings → Integrations)."""


def build_commands(tree: app_commands.CommandTree[Any], adapter: DiscordAdapter) -> None:
    """One slash command per router command (``/summary`` gets its ``post`` subcommand)."""
    choices = role_autocomplete(adapter.bot)
    for info in adapter.bot.services.router_commands:
        if info.scope == "moderator" and info.name == "summary":
            tree.add_command(_summary_group(info, adapter, choices))
        else:
            tree.add_command(_command(info, adapter, choices))


def _description(text: str) -> str:
    return (text or "—")[:100]


def _command(
    info: CommandInfo, adapter: DiscordAdapter, choices: RoleAutocomplete
) -> app_commands.Command[Any, ..., Any]:
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
        command.autocomplete("role")(choices)
    return command


def _contexts(info: CommandInfo) -> app_commands.AppCommandContext:
    if info.scope == "private":
        # Conversations with the bot alone (study goals, nudges): only in its DMs.
        return app_commands.AppCommandContext(guild=False, dm_channel=True, private_channel=False)
    if info.scope == "moderator":
        return app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
    return app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)


def _summary_group(
    info: CommandInfo, adapter: DiscordAdapter, choices: RoleAutocomplete
) -> app_commands.Group:
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

    post.autocomplete("role")(choices)

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

    every.autocomplete("role")(choices)

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


def role_autocomplete(bot: CareerBot) -> RoleAutocomplete:
    """The ``role`` option's suggestions for ``bot``'s content."""

    async def suggest(
        interaction: discord.Interaction, current: str
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

        services = bot.services
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

    return suggest
