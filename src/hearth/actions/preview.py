"""Previewing a playbook change on the real ledger, without writing anything."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from hearth.actions.context import Caller, require_staff
from hearth.actions.derive import fold_in_memory
from hearth.domain.playbook import Playbook
from hearth.domain.rules import Derivation
from hearth.domain.rules.diff import PlaybookDiff, compare
from hearth.store import derived as store
from hearth.store.queries import member_names


def access_playbook_diff(
    engine: Engine,
    caller: Caller,
    old: Playbook,
    new: Playbook,
    *,
    now: datetime | None = None,
) -> PlaybookDiff:
    """Fold the ledger with ``old`` and with ``new`` in memory and compare the results."""
    require_staff(caller)
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        flags = store.member_flags(conn)
        before_fold, before = fold_in_memory(conn, old, dict(flags))
        after_fold, after = fold_in_memory(conn, new, dict(flags))
        diff = compare(Derivation(before_fold, now, before), Derivation(after_fold, now, after))
        involved = {c.member_id for c in diff.tiers} | {c.member_id for c in diff.points}
        for who in (*diff.gained.values(), *diff.lost.values()):
            involved.update(who)
        for move in diff.boards:
            involved.update(s for s in (*move.before, *move.after) if isinstance(s, int))
        diff.names = member_names(conn, involved)
    return diff
