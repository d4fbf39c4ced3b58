"""Where a Discord message goes and who may post there: channels resolved by id, the person's
DM channel, moderators and the rights the bot lacks. Mixed into the adapter, which provides
``client`` and ``bot``."""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.errors import DeliveryError, MissingPermission, TransientError, Unreachable

if TYPE_CHECKING:
    from bot.app import CareerBot

# The member behind the interaction being handled, so is_moderator can use the permissions
# Discord sent with it instead of asking the API again.
current_interaction: contextvars.ContextVar[discord.Interaction | None] = contextvars.ContextVar(
    "careerbot_discord_interaction", default=None
)


class DiscordChats:
    """The part of the adapter that knows Discord's channels and permissions; the core asks it
    (through the Platform protocol) before it posts anywhere on someone's behalf."""

    name: str
    client: discord.Client
    bot: CareerBot

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
                await self.bot.services.chats.deactivate(self.name, chat_id, reason)
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
        current = current_interaction.get()
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
