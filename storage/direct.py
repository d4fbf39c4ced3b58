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
        self._fixed = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        """Values the statement carries itself (``active = true`` in an upsert's SET)."""
        selected = getattr(statement, "selected_columns", ())
        self._columns = [
            (column.name, column.type._cached_result_processor(_DIALECT, None))
            for column in selected
        ]

    def _parameters(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional values, as SQLAlchemy's ``construct_params`` would give them.

        Every caller passes each required value, so a plain lookup replaces the general
        routine, which cost as much as the statement itself on a first contact's writes. A
        caller's value wins over a bind's own, and a missing required value raises, as there.
        """
        fixed = self._fixed
        parameters = []
        for name, convert in self._binds:
            value = values[name] if name in values or name not in fixed else fixed[name]
            parameters.append(convert(value) if convert else value)
        return parameters

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
