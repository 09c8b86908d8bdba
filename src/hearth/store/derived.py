"""Reading the ledger in the fold's order, and writing what the fold derives.

The fold reads up to millions of activities, so this module uses the driver's cursor directly
(SQLAlchemy Core would add several microseconds per row) and writes derived rows in batches.
Every write is an upsert of absolute values or an insert that ignores rows already there, so
writing the same changes twice changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.schema import CreateIndex, DropIndex

from hearth.domain.rules.facts import Fact, FactKey, MemberFlags
from hearth.domain.rules.windows import day_date
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
WRITE = 20_000
_INFINITIES = (float("inf"), float("-inf"))

_COLUMNS = (
    "id, {time}, platform, source_id, kind, actor_member_id, target_type, target_id, "
    "target_owner_member_id, properties"
)
# SQLite keeps times as text ("2026-01-31 12:00:00.000000"): turning them into seconds in SQL
# is three times faster than parsing them in Python. The whole microseconds divided by a million
# in a double is the very float Python's ``micros / 1_000_000`` gives (both operands are exact
# doubles below 2**53), which is what ``datetime.timestamp()`` gives too. ``unixepoch`` (SQLite
# 3.38+) is cheaper than ``strftime('%s')``.
_SQLITE_WHOLE_SECONDS = (
    "unixepoch(substr(occurred_at, 1, 19))"
    if sqlite3.sqlite_version_info >= (3, 38, 0)
    else "CAST(strftime('%s', substr(occurred_at, 1, 19)) AS INTEGER)"
)
_SQLITE_SECONDS = (
    f"({_SQLITE_WHOLE_SECONDS} * 1000000 + CAST(substr(occurred_at, 21, 6) AS INTEGER)) / 1000000.0"
)
_ORDER = "ORDER BY occurred_at, platform, source_id"


def key_param(conn: Connection, seconds: float) -> Any:
    """``seconds`` as the database stores ``occurred_at`` (for comparisons in raw SQL)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    if conn.dialect.name == "sqlite":
        return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return moment


_WIDE = 2.0**63


def _wide_float_in(value: Any) -> bool:
    """Whether a float of magnitude 2**63 or more sits anywhere in ``value``: orjson reads a
    whole number beyond 64 bits as such a float, where the json module keeps it exact."""
    if isinstance(value, float):
        return not -_WIDE < value < _WIDE
    if not isinstance(value, dict | list):
        return False
    for item in value.values() if isinstance(value, dict) else value:
        kind = type(item)
        if kind is str or kind is int:  # the common values first: nothing to look into
            continue
        if kind is float:
            if not -_WIDE < item < _WIDE:
                return True
        elif (kind is dict or kind is list) and _wide_float_in(item):
            return True
    return False


def decode_properties(text: str | bytes) -> Any:
    """Properties JSON decoded exactly as ``json.loads`` would, about three times faster.

    orjson decodes; ``json`` takes over for what orjson rejects (NaN, lone surrogates, numbers
    beyond the range of a double) and for documents where orjson may have read a huge whole
    number as a float. Rebuilds decode hundreds of thousands of documents (the rules that look
    into Discord messages)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    return json.loads(text) if _wide_float_in(value) else value


class LedgerFact(Fact):
    """A :class:`Fact` read from the ledger, its properties decoded by
    :func:`decode_properties` (``domain/`` may import only the standard library)."""

    __slots__ = ()

    decode = staticmethod(decode_properties)


def stream_facts(conn: Connection, after: FactKey | None = None) -> Iterator[Fact]:
    """Every activity (after ``after``, in the fold's order) as a :class:`Fact`."""
    sqlite = conn.dialect.name == "sqlite"
    marker = "?" if sqlite else "%s"
    columns = _COLUMNS.format(time=_SQLITE_SECONDS if sqlite else "occurred_at")
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
            if sqlite:  # rows already hold the time in seconds, in the order Fact takes
                for row in rows:
                    yield LedgerFact(*row)
                continue
            for row in rows:
                yield LedgerFact(
                    row[0],
                    row[1].timestamp(),
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
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


Row = tuple[Any, ...]
"""A derived row: values in the order of the column names given with it, already encoded by
:class:`Encoders` for the connection's database."""


@dataclass(frozen=True, slots=True)
class Encoders:
    """Derived values as one database stores them.

    On SQLite the rows go straight to the driver (a rebuild writes hundreds of thousands of
    rows; SQLAlchemy's per-row parameter processing would double its time), so values are
    encoded here exactly as SQLAlchemy would store them; elsewhere they stay Python values for
    SQLAlchemy. Encoding while a row is built, rather than converting rows afterwards, saves a
    datetime per time and a pass over every row.
    """

    time: Callable[[float | None], Any]
    """POSIX seconds (None or infinite: NULL)."""
    moment: Callable[[datetime | None], Any]
    """A tz-aware datetime."""
    day: Callable[[int], Any]
    """A UTC day number (days since 1970-01-01)."""
    json: Callable[[Any], Any]
    """A JSON document."""


def encoders(conn: Connection) -> Encoders:
    """The :class:`Encoders` for ``conn``'s database."""
    if conn.dialect.name == "sqlite":
        return Encoders(_sqlite_seconds, _sqlite_time, _sqlite_days(), _sqlite_json)
    return Encoders(utc, _unchanged, day_date, _unchanged)


def _unchanged(value: Any) -> Any:
    return value


def _sqlite_time(v: datetime | None) -> str | None:
    """A datetime as SQLAlchemy stores it in SQLite: naive UTC with microseconds."""
    if v is None:
        return None
    if v.tzinfo is UTC:  # the common case (store.utc): "…+00:00" cut off, no conversion
        return v.isoformat(sep=" ", timespec="microseconds")[:26]
    return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _sqlite_seconds(seconds: float | None) -> str | None:
    """POSIX seconds as :func:`_sqlite_time` writes ``utc(seconds)``."""
    if seconds is None or seconds in _INFINITIES:
        return None
    # Positional arguments: a rebuild formats a quarter of a million times, and keyword
    # parsing is a fifth of the cost of each.
    return datetime.fromtimestamp(seconds, UTC).isoformat(" ", "microseconds")[:26]


def _sqlite_days() -> Callable[[int], str]:
    """Day numbers as SQLite's date text, each day formatted once (a rebuild writes a few
    hundred distinct days over a hundred thousand rows)."""
    known: dict[int, str] = {}

    def text(day: int) -> str:
        found = known.get(day)
        if found is None:
            found = known[day] = day_date(day).isoformat()
        return found

    return text


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _sqlite_json(value: Any) -> str:
    """A JSON document as SQLAlchemy's JSON type stores it in SQLite (``json.dumps`` with the
    same arguments, without building an encoder for every document)."""
    return _JSON_ENCODER.encode(value)


def _chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= WRITE:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    keys: list[str],
) -> None:
    """Insert ``rows``, replacing the non-key columns of rows already there."""
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows, keys=keys)
        return
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table)
        updates = {c: stmt.excluded[c] for c in columns if c not in keys}
        conn.execute(
            stmt.on_conflict_do_update(index_elements=keys, set_=updates),
            [dict(zip(columns, row, strict=True)) for row in batch],
        )


def insert_new(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Insert ``rows``, skipping those whose unique key is already there."""
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows, ignore=True)
        return
    for batch in _chunks(rows):
        stmt = dialect_insert(conn.dialect.name, table).on_conflict_do_nothing()
        conn.execute(stmt, [dict(zip(columns, row, strict=True)) for row in batch])


def insert_all(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Plain inserts into an emptied table (a rebuild)."""
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows)
        return
    for batch in _chunks(rows):
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in batch])


def _sqlite_insert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    keys: list[str] | None = None,
    ignore: bool = False,
) -> None:
    """INSERT (upserting on ``keys``, or skipping conflicts with ``ignore``) straight through
    the driver; the rows' values are already encoded (:class:`Encoders`)."""
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    if keys:
        updates = ", ".join(f"{n} = excluded.{n}" for n in columns if n not in keys)
        sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    elif ignore:
        sql += " ON CONFLICT DO NOTHING"
    for batch in _chunks(rows):
        conn.exec_driver_sql(sql, batch)


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
    if seconds is None or seconds in _INFINITIES:
        return None
    return datetime.fromtimestamp(seconds, UTC)
