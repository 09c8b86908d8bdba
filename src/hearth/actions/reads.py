"""Reads with a permission check, for the interfaces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.store import queries


def access_top_members(engine: Engine, caller: Caller, *, limit: int = 100) -> list[dict[str, Any]]:
    """The most active members (public information: names and activity totals)."""
    del caller  # public
    with engine.connect() as conn:
        return queries.member_activity_totals(conn, limit=limit)


def access_ledger_counts(engine: Engine, caller: Caller) -> dict[str, int]:
    del caller  # public
    with engine.connect() as conn:
        return queries.ledger_counts(conn)
