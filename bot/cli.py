"""The ``careerbot`` command."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.config import Settings
from bot.logsetup import configure_logging
from content.loader import DEFAULT_ROLES_DIR, ContentError, load_library
from content.occupations import load_occupations

app = typer.Typer(no_args_is_help=True, add_completion=False, help="careerbot: a career advisor.")
content_app = typer.Typer(no_args_is_help=True, help="Role packs.")
db_app = typer.Typer(no_args_is_help=True, help="The database.")
app.add_typer(content_app, name="content")
app.add_typer(db_app, name="db")
discord_app = typer.Typer(no_args_is_help=True, help="Discord: application commands.")
app.add_typer(discord_app, name="discord")
nudges_app = typer.Typer(no_args_is_help=True, help="Weekly nudges and scheduled summaries.")
app.add_typer(nudges_app, name="nudges")


def _bot(settings: Settings):
    from bot.app import CareerBot

    try:
        return CareerBot(settings)
    except ContentError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command()
def chat() -> None:
    """Chat in the terminal, on the embedded database. No account or token needed."""
    # One local person typing (or a script piping lines): no flood limit to trip over.
    settings = Settings().model_copy(update={"flood_burst": 0})
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))
    asyncio.run(_chat(settings))


async def _chat(settings: Settings) -> None:
    from bot.adapters.console import run_console

    bot = _bot(settings)
    await bot.start()
    try:
        await run_console(bot)
    finally:
        await bot.stop()


@app.command()
def run() -> None:
    """Start every platform whose token is set; with none set, the terminal chat."""
    settings = Settings()
    if settings.telegram_bot_token is None and settings.discord_bot_token is None:
        typer.echo(
            "No TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN set: starting the terminal chat.",
            err=True,
        )
        chat()
        return
    configure_logging(settings)
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    from bot.runner import platform_components, platforms_of, serve, stop_on_signals
    from bot.scheduler import SchedulerComponent

    bot = _bot(settings)
    stop = asyncio.Event()
    stop_on_signals(stop)
    components = platform_components(bot)
    # The tick starts after the adapters (and stops before them), so it never sends through
    # an adapter that is not running.
    components.append(SchedulerComponent(bot.services, platforms_of(components)))
    await serve(bot, components, stop)


@content_app.command("check")
def content_check(
    roles_dir: Annotated[Path, typer.Option("--dir", help="Folder of role packs.")] = (
        DEFAULT_ROLES_DIR
    ),
) -> None:
    """Validate every role pack; print file, field and problem for each error."""
    try:
        library = load_library(roles_dir)
        occupations = load_occupations(pack_ids={p.id for p in library.packs})
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) found.", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"OK: {len(library.packs)} role packs valid ({', '.join(library._by_id)}).")
    typer.echo(f"OK: {len(occupations.occupations)} occupations valid (published AI measures).")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (automatic on SQLite; run this for PostgreSQL)."""
    from storage.db import Database

    settings = Settings()

    async def upgrade() -> None:
        db = Database(settings.resolved_database_url)
        try:
            await db.upgrade()
            typer.echo(f"Database at revision {await db.current_revision()}.")
        finally:
            await db.dispose()

    asyncio.run(upgrade())


@discord_app.command("sync")
def discord_sync() -> None:
    """Register the slash commands now: to DISCORD_GUILD_ID when set, else globally."""
    settings = Settings()
    if settings.discord_bot_token is None:
        typer.echo("DISCORD_BOT_TOKEN is not set.", err=True)
        raise typer.Exit(2)
    configure_logging(settings)

    async def sync() -> str:
        from bot.adapters.discord import sync_now

        bot = _bot(settings)
        try:
            return await sync_now(bot)
        finally:
            await bot.stop()

    try:
        where = asyncio.run(sync())
    except Exception as exc:  # a bad token or a refused sync: say so without a traceback
        typer.echo(f"Sync failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Synced the slash commands ({where}).")


@nudges_app.command("due")
def nudges_due(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to list.")] = 20,
) -> None:
    """List the weekly sends that fall due next (overdue first), in UTC and local time."""
    from domain.weekly import describe_local

    settings = Settings()

    async def due() -> None:
        bot = _bot(settings)
        await bot.start()
        try:
            now = bot.services.clock.now()
            rows = await bot.services.outbox.due(now, limit)
            if not rows:
                typer.echo("Nothing scheduled.")
            for sub in rows:
                late = " (due now)" if sub.next_due_utc <= now else ""
                skip = " (will be skipped, as asked)" if sub.skip_next else ""
                typer.echo(
                    f"#{sub.id} {sub.kind} {sub.platform}:{sub.chat_id} "
                    f"{sub.next_due_utc:%Y-%m-%d %H:%M} UTC{late}{skip} — "
                    f"{describe_local(sub.next_due_utc, sub.timezone)} [{sub.timezone}]"
                )
        finally:
            await bot.stop()

    asyncio.run(due())


@nudges_app.command("send-due")
def nudges_send_due() -> None:
    """Run one scheduler tick by hand: terminal-chat nudges due now are printed here.

    Telegram and Discord sends are left for `careerbot run`, whose adapters deliver them.
    """
    settings = Settings()
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))

    async def tick() -> None:
        from bot.adapters.console import console_platform
        from bot.scheduler import Dispatcher

        bot = _bot(settings)
        await bot.start()
        try:
            console = console_platform(bot, sys.stdout)
            report = await Dispatcher(bot.services, {console.name: console}).tick()
            typer.echo(f"\nTick done: {report}.")
            if report.sent:
                typer.echo("Press its buttons by number in `careerbot chat`.")
        finally:
            await bot.stop()

    asyncio.run(tick())


def main() -> None:
    app(prog_name="careerbot")


if __name__ == "__main__":
    sys.exit(main())
