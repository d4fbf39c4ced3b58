"""The async engine, its sessions, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T", bound=SQLModel)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code, so no alembic.ini has to sit in the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the scheduler writes; the busy timeout turns a brief lock into
    # a short wait instead of "database is locked"; foreign keys make /forget cascade.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Owns the engine; every repository opens short sessions from here."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(url, echo=echo)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

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
        """Apply migrations on the engine's own connection (Alembic's asyncio recipe)."""

        def run(connection: Connection) -> None:
            command.upgrade(alembic_config(connection), revision)

        async with self.engine.begin() as connection:
            await connection.run_sync(run)

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        def read(connection: Connection) -> str | None:
            return MigrationContext.configure(connection).get_current_revision()

        async with self.engine.connect() as connection:
            return await connection.run_sync(read)

    async def dispose(self) -> None:
        await self.engine.dispose()
