"""Staff review of identity-link suggestions: the open ones, and rejecting one.

Merging a suggested pair is :func:`hearth.actions.members.do_merge`. A rejection is kept in
``link_rejections`` (the pair, ordered) so the pair is not suggested again; it is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.linking import access_identity_suggestions
from hearth.errors import Conflict, NotFound
from hearth.i18n import _
from hearth.store.db import dialect_insert
from hearth.store.tables import link_rejections, members


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def access_open_suggestions(
    engine: Engine, caller: Caller, *, min_score: float = 0.5, limit: int = 100
) -> list[dict[str, Any]]:
    """Suggestions staff have not rejected, strongest first."""
    found = access_identity_suggestions(engine, caller, min_score=min_score)
    with engine.connect() as conn:
        rejected = {
            (row.member_a, row.member_b)
            for row in conn.execute(select(link_rejections.c.member_a, link_rejections.c.member_b))
        }
    open_ = [s for s in found if _pair(s["member_a"], s["member_b"]) not in rejected]
    return open_[:limit]


def do_reject_suggestion(engine: Engine, caller: Caller, member_a: int, member_b: int) -> None:
    """Record that ``member_a`` and ``member_b`` are not one person."""
    require_staff(caller)
    if member_a == member_b:
        raise Conflict(_("A member cannot be compared with itself."))
    a, b = _pair(member_a, member_b)
    with engine.begin() as conn:
        found = set(conn.scalars(select(members.c.id).where(members.c.id.in_([a, b]))))
        if found != {a, b}:
            raise NotFound(_("There is no member {id}.").format(id=min({a, b} - found)))
        conn.execute(
            dialect_insert(engine.dialect.name, link_rejections).on_conflict_do_nothing(),
            {
                "member_a": a,
                "member_b": b,
                "decided_by": caller.name,
                "decided_at": datetime.now(UTC),
            },
        )
        audit.record(conn, caller, "suggestion.rejected", "member", a, other=b)
