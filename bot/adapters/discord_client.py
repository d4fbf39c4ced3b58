"""discord.py's client as the adapter runs it: intents, our buttons, the command tree and the
redaction of the tokens discord.py would otherwise log."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot.adapters.discord_commands import build_commands
from bot.adapters.discord_render import label
from bot.messages import Button

if TYPE_CHECKING:
    from bot.adapters.discord import DiscordAdapter

ACTION_TEMPLATE = r"v[0-9]+:.{1,97}"
"""Every versioned action string (stale versions included, so the core can say "expired")."""
_ACTION = re.compile(ACTION_TEMPLATE)

SyncMode = Literal["auto", "force", "never"]

_SECRET_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+")


class _RedactInteractionTokens(logging.Filter):
    """discord.py logs request URLs at DEBUG; interaction and webhook URLs contain tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_URL.sub(r"\1***", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_redaction() -> None:
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
