"""Reading the ledger in the fold's order, and writing what the fold derives.

The fold reads up to millions of activities, so this module uses the driver's cursor directly
(SQLAlchemy Core would add several microseconds per row) and writes derived rows in batches.
Every write is an upsert of absolute values or an insert that ignores rows already there, so
writing the same changes twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from hearth.domain.rules.facts import Fact, FactKey, MemberFlags
from hearth.store.db import dialect_insert
from hearth.store.tables import (
    awards,
    board_tallies,
    derivation_state,
    helps,
    member_points_daily,
    member_standing,
    member_tiers,
    members,
)

DERIVED_TABLES: tuple[Table, ...] = (
    board_tallies,
    member_tiers,
    helps,
    awards,
    member_points_daily,
    member_standing,
)
FETCH = 20_000
WRITE = 5_000

_COLUMNS = (
    "id, occurred_at, platform, source_id, kind, actor_member_id, target_type, target_id, "
    "target_owner_member_id, properties"
)
_ORDER = "ORDER BY occurred_at, platform, source_id"


def _sqlite_time(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def key_param(conn: Connection, seconds: float) -> Any:
    """``seconds`` as the database stores ``occurred_at`` (for comparisons in raw SQL)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    if conn.dialect.name == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return moment


def stream_facts(conn: Connection, after: FactKey | None = None) -> Iterator[Fact]:
    """Every activity (after ``after``, in the fold's order) as a :class:`Fact`."""
    sqlite = conn.dialect.name == "sqlite"
    marker = "?" if sqlite else "%s"
    sql = f"SELECT {_COLUMNS} FROM activities "
    params: tuple[Any, ...] = ()
    if after is not None:
        sql += f"WHERE (occurred_at, platform, source_id) > ({marker}, {marker}, {marker}) "
        params = (key_param(conn, after[0]), after[1], after[2])
    sql += _ORDER
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(FETCH)
            if not rows:
                break
            for row in rows:
                at = row[1]
                seconds = _sqlite_time(at) if sqlite else at.timestamp()
                yield Fact(
                    row[0], seconds, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]
                )
    finally:
        cursor.close()


def member_flags(conn: Connection) -> dict[int, MemberFlags]:
    """Flags of every member who can hold points (not merged away, not erased)."""
    rows = conn.execute(
        select(members.c.id, members.c.is_bot, members.c.is_staff).where(
            members.c.merged_into.is_(None), members.c.erased_at.is_(None)
        )
    )
    return {row.id: MemberFlags(bool(row.is_bot), bool(row.is_staff)) for row in rows}


def clear_derived(conn: Connection) -> None:
    for table in DERIVED_TABLES:
        conn.execute(delete(table))


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= WRITE:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]], keys: list[str]) -> None:
    """Insert ``rows``, replacing the non-key columns of rows already there."""
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table)
        updates = {c: stmt.excluded[c] for c in batch[0] if c not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates), batch)


def insert_new(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping those whose unique key is already there."""
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table).on_conflict_do_nothing()
        conn.execute(stmt, batch)


def insert_all(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Plain inserts into an emptied table (a rebuild)."""
    for batch in _chunks(rows):
        conn.execute(table.insert(), batch)


def read_state(conn: Connection, *, lock: bool = False) -> Any:
    query = select(derivation_state).where(derivation_state.c.id == 1)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def as_json(value: Any) -> Any:
    """Plain JSON data (tuples become lists), for the JSON columns."""
    return json.loads(json.dumps(value))


def utc(seconds: float | None) -> datetime | None:
    if seconds is None or seconds in (float("inf"), float("-inf")):
        return None
    return datetime.fromtimestamp(seconds, UTC)


def day(number: int) -> date:
    return date.fromordinal(number + 719_163)
