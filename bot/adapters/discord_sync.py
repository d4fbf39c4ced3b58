"""Syncing the slash commands with Discord only when they changed.

Discord rate-limits command syncs hard, and a global sync takes up to an hour to reach every
client, so each start compares a digest of the commands with the last one synced (kept in the
data directory, per application and per guild or "global") and syncs only on a difference, or
when forced (``careerbot discord sync``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.adapters.discord_client import CareerClient

log = logging.getLogger("careerbot.discord")

SYNC_STATE_FILE = "discord-commands.json"


def command_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> str:
    commands = sorted(
        (c.to_dict(tree) for c in tree.get_commands(guild=guild)), key=lambda c: c["name"]
    )
    return json.dumps(commands, sort_keys=True, default=str)


async def sync_commands(
    client: CareerClient, data_dir: Path, guild_id: int | None, *, force: bool = False
) -> str | None:
    """Sync globally or to ``guild_id``, when forced or when the commands changed; returns
    where it synced, or None."""
    tree = client.tree
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    where = f"guild:{guild_id}" if guild else "global"
    key = f"{client.application_id}:{where}"
    digest = hashlib.sha256(command_payload(tree, guild).encode()).hexdigest()
    path = data_dir / SYNC_STATE_FILE
    state = _read_state(path)
    if not force and state.get(key) == digest:
        log.info("Discord commands unchanged since the last sync (%s); not syncing", where)
        client.last_sync = None
        return None
    try:
        synced = await tree.sync(guild=guild)
    except discord.HTTPException as exc:
        log.error("Discord command sync (%s) failed: %s %s", where, exc.status, exc.text)
        if force:
            raise
        return None
    state[key] = digest
    _write_state(path, state)
    client.last_sync = where
    log.info("Synced %d Discord commands (%s)", len(synced), where)
    return where


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)
