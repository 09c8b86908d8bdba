"""The engine: created from settings, never at import time.

SQLite transactions are begun by SQLAlchemy, not by the driver (SQLAlchemy's documented pysqlite
recipe: the driver's ``isolation_level=None``, and a ``begin`` event that emits ``BEGIN``), so
reads and writes really are inside the transaction the code opened. A write transaction —
``engine.begin()``, or :func:`begin_write` — starts with ``BEGIN IMMEDIATE``: it takes SQLite's
write lock first, waiting for another writer (up to the busy timeout), instead of reading and
then failing at once with ``SQLITE_BUSY`` when it tries to write after another writer committed
(a deferred transaction that has read cannot wait for the lock). Reads through
``engine.connect()`` begin deferred, so readers never queue behind writers (WAL mode).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy import create_engine as _sa_create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import NoSuchModuleError as _NoSuchModule

from hearth.errors import ConfigError, StoreError


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys and a busy timeout."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise ConfigError(
            f"database URL '{url}' is not valid; expected for example sqlite:///./hearth.db "
            "or postgresql://user@host/dbname"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"database folder '{parent}' does not exist")
        kwargs.setdefault("connect_args", {"timeout": 30})
    try:
        engine = _sa_create_engine(parsed, **kwargs)
    except _NoSuchModule:
        raise ConfigError(f"database URL '{url}' names an unsupported database") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        engine.__class__ = _SQLiteEngine
    return engine


# Pages of WAL between automatic checkpoints: 10,000 pages (40 MB) rather than SQLite's 1,000,
# so a large import copies each index page back to the database file far less often
# (docs/benchmarks.md: +19% on a 300,000-activity import).
WAL_AUTOCHECKPOINT = 10_000
WRITE = "hearth_write"  # the execution option that makes a transaction BEGIN IMMEDIATE


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
    cursor.close()
    # the driver must not open (or silently commit) transactions of its own: SQLAlchemy's
    # ``begin`` event below does it, with the right kind of BEGIN
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE):
        # may wait for the lock and fail: through SQLAlchemy, so the error is its usual one
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # a deferred BEGIN touches nothing and cannot fail: straight to the driver, which
        # saves every read the tens of µs SQLAlchemy's execution costs
        conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A write transaction, committed at the end of the block (rolled back on an error).

    On SQLite it begins with ``BEGIN IMMEDIATE`` (see the module docstring), whatever kind of
    engine object ``engine`` is; elsewhere it is ``engine.begin()``.
    """
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


class _SQLiteEngine(Engine):
    """A SQLite engine whose ``begin()`` opens a write transaction (``BEGIN IMMEDIATE``).

    Every action writes through ``engine.begin()``, so this is where writes are told apart from
    reads; ``connect()`` is unchanged. (Engines derived with ``execution_options()`` are
    SQLAlchemy's own class: use :func:`begin_write` with them.)
    """

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with begin_write(self) as conn:
            yield conn


def check_ready(engine: Engine) -> None:
    """Raise StoreError unless the database answers and holds Hearth's tables."""
    try:
        with engine.connect() as conn:
            has_tables = inspect(conn).has_table("activities")
    except OperationalError as exc:
        raise StoreError(f"cannot reach the database: {exc.orig}") from None
    if not has_tables:
        raise StoreError("the database has no Hearth tables yet; run 'hearth init' first")


def dialect_insert(dialect_name: str, table: Table) -> Any:
    """An INSERT for ``table`` that supports ``on_conflict_do_nothing``/``do_update`` on the
    running database (SQLite and PostgreSQL share that syntax through SQLAlchemy)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise ConfigError(f"Hearth does not support the '{dialect_name}' database")


# -- straight to the SQLite driver -------------------------------------------------------------
# The write path's hottest statements skip SQLAlchemy's per-statement and per-row work on SQLite
# (about 80 µs a statement and several µs a row). These helpers give values the exact form
# SQLAlchemy's column types store on SQLite, so rows read back the same either way.


def sqlite_query(conn: Connection, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
    """The rows of ``sql`` straight from the SQLite driver, inside ``conn``'s transaction;
    nothing is converted (use it for text and integer columns)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, parameters)
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def sqlite_time(at: datetime) -> str:
    """``at`` as a ``UTCDateTime`` is stored on SQLite: naive UTC text with microseconds."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # without its "+00:00"


# What json.dumps(value) (SQLAlchemy's JSON serializer) does, minus the work it repeats on every
# call: building the C encoder.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE = (
    _C_ENCODER(
        None,  # markers: json.dumps checks for cycles; values parsed from input have none
        json.JSONEncoder().default,
        json.encoder.encode_basestring_ascii,
        None,  # indent
        ": ",
        ", ",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    if _C_ENCODER is not None
    else None
)


def sqlite_json(value: Any) -> str:
    """``value`` as a ``JSON`` column stores it on SQLite: ``json.dumps`` text."""
    if type(value) is dict and not value:
        return "{}"
    if _ENCODE is None or not isinstance(value, dict | list):
        return json.dumps(value)
    return "".join(_ENCODE(value, 0))
