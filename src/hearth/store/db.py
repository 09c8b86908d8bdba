"""The engine: created from settings, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy import create_engine as _sa_create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
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
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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
