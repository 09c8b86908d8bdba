"""Paged reads of members and activities for the JSON API (staff only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hearth.actions.context import Caller, require_staff
from hearth.store import dashboard_queries as dq


def access_member_page(
    engine: Engine, caller: Caller, *, after: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """Live members with an id above ``after``, by id, at most ``limit``."""
    require_staff(caller)
    with engine.connect() as conn:
        return dq.member_page(conn, after=after, limit=limit)


def access_activity_page(
    engine: Engine,
    caller: Caller,
    *,
    after: int = 0,
    limit: int = 100,
    platform: str | None = None,
    kind: str | None = None,
    member_id: int | None = None,
) -> list[dict[str, Any]]:
    """Activities with an id above ``after``, by id, at most ``limit``."""
    require_staff(caller)
    with engine.connect() as conn:
        return dq.activity_page(
            conn, after=after, limit=limit, platform=platform, kind=kind, member_id=member_id
        )
