"""Recovery reads only pending rows: every tick begins with it, and the outbox keeps every
delivery ever written, so a plan that reads the whole table grows with the bot's history.
SQLite reads the rows above a stored floor, PostgreSQL a partial index of pending rows.

The plans are asked of the real databases: SQLite's ``EXPLAIN QUERY PLAN`` for the plain-SQL
statements, and PostgreSQL's ``EXPLAIN`` for the Core ones with sequential scans priced out
(a test table is too small for the planner to prefer any index on its own).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.app import CareerBot
from storage.db import Database
from storage.outbox import core
from storage.outbox.sqlite import ABANDON, OLDEST, STALE, sql

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def _sqlite_plan(path: Path, statement: str, params: tuple) -> str:
    conn = sqlite3.connect(path)
    try:
        return " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", params))
    finally:
        conn.close()


async def test_sqlite_recovery_reads_only_the_rows_above_the_floor(bot: CareerBot) -> None:
    """SQLite keeps no index of pending rows (each nudge would write it twice): recovery walks
    the table's own key from the floor up (tests/test_outbox_floor.py), never the whole table."""
    path = Path(bot.db.file)  # type: ignore[arg-type]
    when = "2026-11-24 18:00:00.000000"
    plans = [
        _sqlite_plan(path, sql(OLDEST, 1), (0, "test")),
        _sqlite_plan(path, sql(ABANDON, 1), ("lost", 5, when, "test")),
        _sqlite_plan(path, sql(STALE, 1), (5, when, "test")),
    ]
    for plan in plans:
        assert "USING INTEGER PRIMARY KEY (rowid>?)" in plan, plan
        assert "SCAN" not in plan, plan


async def test_postgres_recovery_can_use_the_pending_index(pg_url: str) -> None:
    db = Database(pg_url)
    await db.upgrade()
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params))

    try:
        async with db.engine.connect() as conn:
            event.listen(conn.sync_connection, "before_cursor_execute", capture)
            await core.recover(conn, NOW, ["test"])  # the statements a tick really sends
            event.remove(conn.sync_connection, "before_cursor_execute", capture)
            await conn.exec_driver_sql("SET enable_seqscan = off")
            assert len(sent) == 2
            for statement, params in sent:
                assert "'pending'" in statement, statement  # a literal the planner can match
                plan = await conn.exec_driver_sql("EXPLAIN " + statement, params)
                shown = " ".join(row[0] for row in plan)
                assert "ix_deliveries_pending" in shown, shown
            await conn.rollback()
    finally:
        await db.dispose()
