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
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Table, event, inspect
from sqlalchemy import create_engine as _sa_create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import NoSuchModuleError as _NoSuchModule

from hearth.errors import ConfigError, StoreError
from hearth.i18n import _


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
            _(
                "database URL '{url}' is not valid; expected for example sqlite:///./hearth.db "
                "or postgresql://user@host/dbname"
            ).format(url=url)
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            parent = Path(database).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(
                    _("database folder '{folder}' does not exist").format(folder=parent)
                )
        kwargs.setdefault("connect_args", {"timeout": 30})
    try:
        engine = _sa_create_engine(parsed, **kwargs)
    except _NoSuchModule:
        raise ConfigError(
            _("database URL '{url}' names an unsupported database").format(url=url)
        ) from None
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
def begin_write(engine: Engine, *, foreign_keys: bool = True) -> Iterator[Connection]:
    """A write transaction, committed at the end of the block (rolled back on an error).

    On SQLite it begins with ``BEGIN IMMEDIATE`` (see the module docstring), whatever kind of
    engine object ``engine`` is; elsewhere it is ``engine.begin()``.

    ``foreign_keys=False`` has SQLite skip checking foreign keys in this transaction: for a
    writer that knows every id it writes exists (a bulk import, whose identity cache is checked
    against the audit log in the same transaction), where the checks cost a tenth of the time
    and can find nothing. It changes nothing on PostgreSQL.
    """
    with engine.connect() as conn, write_transaction(conn, foreign_keys=foreign_keys):
        yield conn


@contextmanager
def write_transaction(conn: Connection, *, foreign_keys: bool = True) -> Iterator[None]:
    """:func:`begin_write` on a connection the caller holds (one kept for a whole import)."""
    conn.execution_options(**{WRITE: True})
    if foreign_keys or conn.dialect.name != "sqlite":
        with conn.begin():
            yield
        return
    with _sqlite_foreign_keys_off(conn), conn.begin():
        yield


# Helper threads SQLite may sort on (CREATE INDEX): one per core, at most 4.
SORT_THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@contextmanager
def sqlite_sort_threads(conn: Connection) -> Iterator[None]:
    """Indexes built inside the block sort on :data:`SORT_THREADS` helper threads on SQLite (a
    fifth to a quarter less time on 2 cores: docs/benchmarks.md); the setting is the
    connection's, so it is put back afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    sqlite_query(conn, f"PRAGMA threads={SORT_THREADS}")
    try:
        yield
    finally:
        sqlite_query(conn, "PRAGMA threads=0")


@contextmanager
def sqlite_attached(conn: Connection, path: str, alias: str) -> Iterator[None]:
    """The SQLite file ``path`` attached to ``conn`` as ``alias`` while the block runs (outside
    any transaction: SQLite attaches only there); a connection that could not detach it is
    discarded, never returned to the pool."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(f"ATTACH DATABASE ? AS {alias}", (path,))
    try:
        yield
    finally:
        try:
            driver.execute(f"DETACH DATABASE {alias}")
        except Exception:
            conn.invalidate()
            raise


@contextmanager
def _sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite's foreign-key checks off on ``conn`` while the block runs. The pragma can only
    change outside a transaction, so this goes around the ``begin()``; a connection whose
    checks could not be turned back on is discarded, never returned to the pool."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            driver.execute("PRAGMA foreign_keys=ON")
        except Exception:
            conn.invalidate()
            raise


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
        raise StoreError(_("cannot reach the database: {error}").format(error=exc.orig)) from None
    if not has_tables:
        raise StoreError(_("the database has no Hearth tables yet; run 'hearth init' first"))


def dialect_insert(dialect_name: str, table: Table) -> Any:
    """An INSERT for ``table`` that supports ``on_conflict_do_nothing``/``do_update`` on the
    running database (SQLite and PostgreSQL share that syntax through SQLAlchemy)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise ConfigError(_("Hearth does not support the '{name}' database").format(name=dialect_name))


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
    if at.tzinfo is not UTC:
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    # the date part from a cache (a bulk import's activities fall on a few thousand days), the
    # time part formatted: together a third cheaper than isoformat(), on every stored activity
    day = _DAYS.get(at.toordinal())
    if day is None:
        if len(_DAYS) > _DAYS_KEPT:
            _DAYS.clear()
        day = _DAYS[at.toordinal()] = f"{at.year:04}-{at.month:02}-{at.day:02} "
    # %-formatting: half the time of the f-string here
    return day + "%02d:%02d:%02d.%06d" % (at.hour, at.minute, at.second, at.microsecond)  # noqa: UP031


_DAYS: dict[int, str] = {}
_DAYS_KEPT = 100_000


# orjson encodes a property document about ten times faster than json.dumps
# (docs/decisions.md). What it would encode differently from SQLAlchemy's JSON serializer
# (json.dumps) is passed to json.dumps instead, so both databases accept and refuse the same
# values: datetimes, dataclasses and subclasses of str, int, dict and list (json.dumps refuses
# the first two and encodes the others as their base type), non-string keys and integers beyond
# 64 bits (orjson refuses those; json.dumps writes them). NaN and infinities, which are not JSON
# at all, become null.
_ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
_orjson_dumps = orjson.dumps


def sqlite_json(value: Any) -> str:
    """``value`` as a ``JSON`` column stores it on SQLite: JSON text (UTF-8, compact)."""
    if type(value) is dict and not value:
        return "{}"
    try:
        return _orjson_dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value)
