"""The ``careerbot`` command.

Every start-up fault (a bad setting, an unusable database, a platform that refuses us, broken
content) ends in one line that says what is wrong and what to do, and a non-zero exit: never a
traceback, and never a secret (the standard streams are masked once settings are read). Each
command reads only the settings it uses, so a bad value elsewhere does not stop it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from bot.config import ConfigError, Settings, load_settings
from bot.errors import StartFailed
from bot.logsetup import configure_logging, guard_streams
from content.loader import DEFAULT_ROLES_DIR, ContentError, load_library
from content.occupations import load_occupations
from storage.db import DatabaseUnusable

T = TypeVar("T")

# Plain help (no rich panels): rich printed "<bool>" as the metavar of every flag.
_PLAIN: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(add_completion=False, help="careerbot: a career advisor.", **_PLAIN)
content_app = typer.Typer(help="Role packs.", **_PLAIN)
db_app = typer.Typer(help="The database.", **_PLAIN)
app.add_typer(content_app, name="content")
app.add_typer(db_app, name="db")
discord_app = typer.Typer(help="Discord: application commands.", **_PLAIN)
app.add_typer(discord_app, name="discord")
nudges_app = typer.Typer(help="Weekly nudges and scheduled summaries.", **_PLAIN)
app.add_typer(nudges_app, name="nudges")

STORAGE = ("database_url", "data_dir")
"""The settings every command that opens the database reads."""


def package_version() -> str:
    try:
        return version("careerbot")
    except PackageNotFoundError:
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"careerbot {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """careerbot: a career advisor."""


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _settings(*uses: str, **overrides: Any) -> Settings:
    try:
        settings = load_settings(*uses, **overrides)
    except ConfigError as exc:
        _fail(f"Configuration: {exc}", 2)
    guard_streams(settings)
    return settings


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; a start-up fault becomes its one line, Ctrl-C a quiet exit."""
    try:
        return asyncio.run(work)
    except (DatabaseUnusable, StartFailed) as exc:
        _fail(str(exc))
    except ContentError as exc:
        _fail(
            f"The role packs are invalid ({len(exc.problems)} problem(s), the first: "
            f"{exc.problems[0]}); run `careerbot content check` for all of them.",
            2,
        )
    except KeyboardInterrupt:
        typer.echo("", err=True)  # end the line the ^C was echoed on
        raise typer.Exit(130) from None


def _bot(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.app import CareerBot

    return CareerBot(settings)


@app.command()
def chat() -> None:
    """Chat in the terminal, on the embedded database. No account or token needed."""
    # One local person typing (or a script piping lines): no flood limit to trip over.
    settings = _settings(*STORAGE, flood_burst=0)
    configure_logging(settings, "WARNING")
    _run(_chat(settings))


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
    tokens = _settings(*STORAGE, "telegram_bot_token", "discord_bot_token")
    if tokens.telegram_bot_token is None and tokens.discord_bot_token is None:
        typer.echo(
            "No TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN set: starting the terminal chat.",
            err=True,
        )
        chat()  # which reads only the settings it uses
        return
    settings = _settings()
    configure_logging(settings)
    _run(_serve(settings))


async def _serve(settings: Settings) -> None:
    from bot.platform import Platform
    from bot.runner import platform_components, serve, stop_on_signals
    from bot.scheduler import SchedulerComponent

    bot = _bot(settings)
    bot.services.index.prepare()  # the pool and the transformer's unit vectors: read or built
    stop = asyncio.Event()
    stop_on_signals(stop)
    live: dict[str, Platform] = {}
    # The tick starts after the first adapter (and stops before them) and sends only through
    # the platforms that are up, so it never sends through an adapter that is not running.
    scheduler = SchedulerComponent(bot.services, live)
    await serve(bot, platform_components(bot), stop, live=live, after=[scheduler])


@content_app.command("check")
def content_check(
    roles_dir: Annotated[Path, typer.Option("--dir", help="Folder of role packs.")] = (
        DEFAULT_ROLES_DIR
    ),
) -> None:
    """Validate every role pack; print file, field and problem for each error."""
    try:
        library = load_library(roles_dir)
        # The shipped packs must have every pack the shipped aliases name (else it is a typo);
        # a folder of one's own need not.
        occupations = load_occupations(
            pack_ids={p.id for p in library.packs},
            strict_packs=roles_dir.resolve() == DEFAULT_ROLES_DIR.resolve(),
        )
    except ContentError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) found.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"OK: {len(library.packs)} role packs valid ({', '.join(library._by_id)}).")
    typer.echo(f"OK: {len(occupations.occupations)} occupations valid (published AI measures).")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (automatic on SQLite; run this for PostgreSQL)."""
    from storage.db import Database

    settings = _settings(*STORAGE)

    async def upgrade() -> None:
        db = Database(settings.resolved_database_url)
        try:
            await db.prepare(upgrade=True)
            typer.echo(f"Database at revision {await db.current_revision()}.")
        finally:
            await db.dispose()

    _run(upgrade())


@discord_app.command("sync")
def discord_sync() -> None:
    """Register the slash commands now: to DISCORD_GUILD_ID when set, else globally."""
    settings = _settings(*STORAGE, "discord_bot_token", "discord_guild_id", "log_level")
    if settings.discord_bot_token is None:
        _fail("DISCORD_BOT_TOKEN is not set.", 2)
    configure_logging(settings)

    async def sync() -> str:
        from bot.adapters.discord import sync_now

        bot = _bot(settings)
        try:
            return await sync_now(bot)
        finally:
            await bot.stop()

    try:
        where = _run(sync())
    except typer.Exit:
        raise
    except Exception as exc:  # a refused sync: say so without a traceback
        _fail(f"Sync failed: {type(exc).__name__}.")
    typer.echo(f"Synced the slash commands ({where}).")


@nudges_app.command("due")
def nudges_due(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to list.")] = 20,
) -> None:
    """List the weekly sends that fall due next (overdue first), in UTC and local time."""
    from domain.weekly import describe_local

    settings = _settings(*STORAGE)

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

    _run(due())


@nudges_app.command("send-due")
def nudges_send_due() -> None:
    """Run one scheduler tick by hand: terminal-chat nudges due now are printed here.

    Telegram and Discord sends are left for `careerbot run`, whose adapters deliver them.
    """
    settings = _settings(*STORAGE)
    configure_logging(settings, "WARNING")

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

    _run(tick())


def main() -> None:
    app(prog_name="careerbot")


if __name__ == "__main__":
    sys.exit(main())
