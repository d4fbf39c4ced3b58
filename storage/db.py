"""The async engine, its sessions, and schema upgrades through Alembic.

:meth:`Database.prepare` is what start-up calls: it migrates (the embedded database, under a
file lock so two processes starting together on a fresh data dir take turns) or checks that the
schema is exactly the one this release expects, and turns every way a database can be unusable
(unreachable, missing, corrupt, unmigrated, migrated by a newer release, an unwritable folder)
into :class:`DatabaseUnusable`, whose message is one line for the operator, password hidden.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T", bound=SQLModel)
_PG_MIGRATION_LOCK = 7_303_522_671
"""Any fixed number: the advisory lock every ``careerbot db upgrade`` takes on PostgreSQL."""


class DatabaseUnusable(Exception):
    """The database cannot be used as it is; the message says why and what to do."""


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code, so no alembic.ini has to sit in the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the scheduler writes; the busy timeout turns a brief lock into
    # a short wait instead of "database is locked"; foreign keys make /forget cascade, and
    # secure_delete overwrites what it deletes, so a forgotten person is not left in free pages.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Owns the engine; every repository opens short sessions from here."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        if self.file is not None:
            try:
                self.file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnusable(
                    f"Cannot create the data folder {self.file.parent} ({exc.strerror or exc}): "
                    "set CAREERBOT_DATA_DIR to a folder you can write to."
                ) from None
        self.engine: AsyncEngine = create_async_engine(url, echo=echo)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._direct: sqlite3.Connection | None = None
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @cached_property
    def autocommit(self) -> AsyncEngine:
        """An engine on which every statement commits by itself, for the idempotent one-statement
        writes on the message path (a new person, a chat seen again).

        SQLite has one write lock; a transaction that holds it across several awaits (each
        statement is a hop to aiosqlite's thread) made dozens of simultaneous first contacts
        wait on one another until "database is locked". A statement that commits by itself
        holds it only inside the thread. Its own small pool, so no connection has to switch
        isolation level back and forth.
        """
        if self.is_sqlite and self.file is None:
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=2)
        if self.is_sqlite:
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine

    def direct(self) -> sqlite3.Connection | None:
        """A plain sqlite3 connection for one-statement work on the event loop's own thread
        (:mod:`storage.direct`): indexed reads, and idempotent writes that commit by themselves.

        WAL readers never wait for writers; a write waits at most a few milliseconds for the
        lock and then raises, and the caller takes the async path instead of stalling the loop.
        None for PostgreSQL and in-memory databases.
        """
        if self._direct is not None:
            return self._direct  # before ``file``: every message asks, and that builds a Path
        if self.file is None:
            return None
        connection = sqlite3.connect(self.file, timeout=0.005, isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        self._direct = connection
        return connection

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def file(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL and in-memory databases."""
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            return Path(self.url.database)
        return None

    @property
    def shown(self) -> str:
        """The URL as it may be printed: the password is hidden."""
        return self.url.render_as_string(hide_password=True)

    async def prepare(self, *, upgrade: bool) -> None:
        """Make sure the schema is the one this release expects, migrating first if asked."""
        try:
            if upgrade:
                await self.upgrade()
            await self._check_revision()
        except DatabaseUnusable:
            raise
        except (SQLAlchemyError, CommandError, OSError, sqlite3.Error) as exc:
            raise DatabaseUnusable(self._explain(exc)) from None

    async def _check_revision(self) -> None:
        current = await self.current_revision()
        head = head_revision()
        if current == head:
            return
        if current is None:
            raise DatabaseUnusable(
                f"The database {self.shown} has no tables yet: run `careerbot db upgrade` first."
            )
        if current not in known_revisions():
            raise DatabaseUnusable(
                f"The database {self.shown} was migrated by a newer careerbot (revision "
                f"{current}): run that release, or upgrade this one."
            )
        raise DatabaseUnusable(
            f"The database {self.shown} is at revision {current}, this release needs {head}: "
            "run `careerbot db upgrade`."
        )

    def _explain(self, exc: BaseException) -> str:
        """One line for an exception met while opening or migrating the database."""
        original = exc.orig if isinstance(exc, DBAPIError) else exc
        name = type(original).__name__
        detail = str(original).splitlines()[0][:160] if str(original) else name
        password = self.url.password
        if password:
            detail = detail.replace(str(password), "***")
        if self.is_sqlite:
            if isinstance(original, sqlite3.DatabaseError) and (
                "not a database" in detail or "malformed" in detail
            ):
                return (
                    f"The SQLite file {self.file} is damaged ({detail}): restore it from a "
                    "backup, or move it away to start with an empty database."
                )
            if isinstance(exc, CommandError) and "Can't locate revision" in detail:
                return (
                    f"The database {self.shown} was migrated by a newer careerbot: run that "
                    "release, or upgrade this one."
                )
            return f"Cannot use the SQLite file {self.file} ({detail}): check the data folder."
        if "does not exist" in detail and "database" in detail:
            return (
                f"The database {self.shown} does not exist: create it (createdb), then run "
                "`careerbot db upgrade`."
            )
        return (
            f"Cannot reach the database {self.shown} ({name}: {detail}): check DATABASE_URL "
            "and that the server is running."
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def update(self, model: type[T], row_id: int, **values: object) -> T | None:
        """Set ``values`` on one row by primary key; None when the row is gone."""
        async with self.session() as session:
            row = await session.get(model, row_id)
            if row is None:
                return None
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()
            return row

    async def upgrade(self, revision: str = "head") -> None:
        """Apply migrations on the engine's own connection (Alembic's asyncio recipe).

        Under a lock, so two processes starting at once never both create the tables: a file
        lock beside the SQLite file, an advisory lock on PostgreSQL.
        """

        def run(connection: Connection) -> None:
            command.upgrade(alembic_config(connection), revision)

        async with self._file_lock(), self.engine.begin() as connection:
            if self.is_postgres:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            await connection.run_sync(run)

    @asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[None]:
        if self.file is None:
            yield
            return
        descriptor = os.open(f"{self.file}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    async def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the main file and empty it, so deleted rows do
        not linger in ``-wal`` (after /forget). Nothing to do on PostgreSQL."""
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        def read(connection: Connection) -> str | None:
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.connect() as connection:
            return await connection.run_sync(read)

    async def dispose(self) -> None:
        if self._direct is not None:
            self._direct.close()
            self._direct = None
        await self.engine.dispose()
        if "autocommit" in self.__dict__:
            await self.autocommit.dispose()
