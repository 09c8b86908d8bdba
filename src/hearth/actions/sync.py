"""Cursors of resumable imports: where an interrupted import continues from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update

from hearth.store.db import dialect_insert
from hearth.store.tables import sync_cursors


def access_cursor(engine: Engine, source: str, key: str) -> dict[str, Any] | None:
    """The saved cursor of import ``source`` for ``key`` (e.g. "github", "owner/repo:issues")."""
    with engine.connect() as conn:
        value = conn.scalar(
            select(sync_cursors.c.cursor).where(
                sync_cursors.c.source == source, sync_cursors.c.key == key
            )
        )
    return dict(value) if value is not None else None


def do_save_cursor(engine: Engine, source: str, key: str, cursor: dict[str, Any]) -> None:
    """Save where import ``source`` got to for ``key`` (after its records are committed)."""
    now = datetime.now(UTC)
    stmt = dialect_insert(engine.dialect.name, sync_cursors).values(
        source=source, key=key, cursor=cursor, updated_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["source", "key"], set_={"cursor": cursor, "updated_at": now}
    )
    with engine.begin() as conn:
        conn.execute(stmt)


def do_clear_cursor(engine: Engine, source: str, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(sync_cursors)
            .where(sync_cursors.c.source == source, sync_cursors.c.key == key)
            .values(cursor={}, updated_at=datetime.now(UTC))
        )
