"""Reading the ledger in the fold's order, and writing what the fold derives.

The fold reads up to millions of activities, so this module uses the driver's cursor directly
(SQLAlchemy Core would add several microseconds per row) and writes derived rows in batches.
Every write is an upsert of absolute values or an insert that ignores rows already there, so
writing the same changes twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table, delete, select
from sqlalchemy.schema import CreateIndex, DropIndex

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
from hearth.store.types import UTCDateTime

DERIVED_TABLES: tuple[Table, ...] = (
    board_tallies,
    member_tiers,
    helps,
    awards,
    member_points_daily,
    member_standing,
)
FETCH = 20_000
WRITE = 20_000

_COLUMNS = (
    "id, {time}, platform, source_id, kind, actor_member_id, target_type, target_id, "
    "target_owner_member_id, properties"
)
# SQLite keeps times as text ("2026-01-31 12:00:00.000000"): turning them into microseconds in
# SQL is three times faster than parsing them in Python.
_SQLITE_MICROS = (
    "CAST(strftime('%s', substr(occurred_at, 1, 19)) AS INTEGER) * 1000000 "
    "+ CAST(substr(occurred_at, 21, 6) AS INTEGER)"
)
_ORDER = "ORDER BY occurred_at, platform, source_id"


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
    columns = _COLUMNS.format(time=_SQLITE_MICROS if sqlite else "occurred_at")
    sql = f"SELECT {columns} FROM activities "
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
                # Integer microseconds divided once: the same float as datetime.timestamp().
                seconds = at / 1_000_000 if sqlite else at.timestamp()
                yield Fact(
                    row[0], seconds, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]
                )
    finally:
        cursor.close()


def member_flags(conn: Connection, *, after_id: int = 0) -> dict[int, MemberFlags]:
    """Flags of every member who can hold points (not merged away, not erased), or of those
    with an id above ``after_id``."""
    rows = conn.execute(
        select(members.c.id, members.c.is_bot, members.c.is_staff).where(
            members.c.merged_into.is_(None),
            members.c.erased_at.is_(None),
            members.c.id > after_id,
        )
    )
    return {row.id: MemberFlags(bool(row.is_bot), bool(row.is_staff)) for row in rows}


@contextmanager
def indexes_built_after(conn: Connection) -> Iterator[None]:
    """On SQLite, drop the derived tables' secondary indexes for the block (a rebuild's bulk
    inserts) and build them again after it: one sort per index instead of a B-tree update per
    row. Inside the caller's transaction, so a failure leaves the indexes as they were."""
    if conn.dialect.name != "sqlite":
        yield
        return
    dropped = [index for table in DERIVED_TABLES for index in table.indexes]
    for index in dropped:
        conn.execute(DropIndex(index, if_exists=True))
    yield
    for index in dropped:
        conn.execute(CreateIndex(index))


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
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, rows, keys=keys)
        return
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table)
        updates = {c: stmt.excluded[c] for c in batch[0] if c not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=updates), batch)


def insert_new(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping those whose unique key is already there."""
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, rows, ignore=True)
        return
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table).on_conflict_do_nothing()
        conn.execute(stmt, batch)


def _sqlite_time(v: datetime | None) -> str | None:
    """A datetime as SQLAlchemy stores it in SQLite: naive UTC with microseconds."""
    if v is None:
        return None
    if v.tzinfo is UTC:  # the common case (store.utc): "…+00:00" cut off, no conversion
        return v.isoformat(sep=" ", timespec="microseconds")[:26]
    return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _sqlite_value(column_type: Any) -> Any:
    """How SQLAlchemy would store a value of ``column_type`` in SQLite, as a plain function."""
    if isinstance(column_type, UTCDateTime):
        return _sqlite_time
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, JSON):
        return lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return None


def insert_all(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Plain inserts into an emptied table (a rebuild).

    On SQLite the rows go straight to the driver, converted as SQLAlchemy would store them
    (a rebuild writes hundreds of thousands of rows; SQLAlchemy's per-row parameter processing
    would double its time).
    """
    if conn.dialect.name != "sqlite":
        for batch in _chunks(rows):
            conn.execute(table.insert(), batch)
        return
    _sqlite_insert(conn, table, rows)


def _sqlite_insert(
    conn: Connection,
    table: Table,
    rows: Iterable[dict[str, Any]],
    *,
    keys: list[str] | None = None,
    ignore: bool = False,
) -> None:
    """INSERT (upserting on ``keys``, or skipping conflicts with ``ignore``) straight through
    the driver."""
    names: list[str] | None = None
    converters: list[Any] = []
    sql = ""
    for batch in _chunks(rows):
        if names is None:
            names = list(batch[0])
            converters = [_sqlite_value(table.c[name].type) for name in names]
            sql = (
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            if keys:
                updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys)
                sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
            elif ignore:
                sql += " ON CONFLICT DO NOTHING"
        pairs = list(zip(names, converters, strict=True))
        conn.exec_driver_sql(
            sql,
            [tuple(f(row[n]) if f else row[n] for n, f in pairs) for row in batch],
        )


def read_state(conn: Connection, *, lock: bool = False) -> Any:
    """The derivation's state row, without the checkpoint (see :func:`read_checkpoint`)."""
    columns = [c for c in derivation_state.c if c.name != "checkpoint"]
    query = select(*columns).where(derivation_state.c.id == 1)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def read_checkpoint(conn: Connection) -> bytes | None:
    """The saved fold (compressed), read only when the process has no current copy."""
    blob = conn.execute(
        select(derivation_state.c.checkpoint).where(derivation_state.c.id == 1)
    ).scalar()
    return bytes(blob) if blob is not None else None


def utc(seconds: float | None) -> datetime | None:
    if seconds is None or seconds in (float("inf"), float("-inf")):
        return None
    return datetime.fromtimestamp(seconds, UTC)
