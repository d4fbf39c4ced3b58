"""SQLAlchemy statements run on a plain sqlite3 connection, on the event loop's own thread.

Through aiosqlite every statement is several hops to a worker thread and back; with many
updates at once each hop waits for the GIL, and the identify read alone made five of them per
message. One indexed read, or one idempotent write that commits by itself, costs tens of
microseconds when run directly (see :meth:`storage.db.Database.direct`). The statements are
compiled once by SQLAlchemy for SQLite, and values go through the same bind and result
processors SQLAlchemy applies, so rows are stored and read exactly as on the async path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.sqlite import aiosqlite
from sqlalchemy.sql import ClauseElement

_DIALECT = aiosqlite.dialect()


class DirectStatement:
    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        compiled = statement.compile(
            dialect=_DIALECT, column_keys=list(column_keys) if column_keys else None
        )
        self.sql = compiled.string
        self._compiled = compiled
        self._binds = [
            (name, compiled.binds[name].type._cached_bind_processor(_DIALECT))
            for name in compiled.positiontup or ()
        ]
        selected = getattr(statement, "selected_columns", ())
        self._columns = [
            (column.name, column.type._cached_result_processor(_DIALECT, None))
            for column in selected
        ]

    def _parameters(self, values: Mapping[str, Any]) -> list[Any]:
        full = self._compiled.construct_params(dict(values))
        return [convert(full[name]) if convert else full[name] for name, convert in self._binds]

    def execute(self, connection: sqlite3.Connection, values: Mapping[str, Any]) -> sqlite3.Cursor:
        return connection.execute(self.sql, self._parameters(values))

    def first(
        self, connection: sqlite3.Connection, values: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The first row as column label → value, converted as SQLAlchemy would."""
        raw = self.execute(connection, values).fetchone()
        if raw is None:
            return None
        return {
            name: convert(value) if convert else value
            for (name, convert), value in zip(self._columns, raw, strict=True)
        }
