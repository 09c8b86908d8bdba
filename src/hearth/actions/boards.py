"""Leaderboards for the web pages, cached while nothing they depend on has changed.

Ranking a board sums a derived table over its window and ranks every member in it: over a
million activities, the all-time "most helpful" board takes a few hundred milliseconds
(``docs/benchmarks.md``). The places are cached under a key that changes whenever they can:

- the board, the window, and the **derivation version**: the derivation state row's
  generation, last folded activity id, folded count and stale flag (every catch-up or rebuild
  that writes derived rows moves one of them), and the largest audit-log id (merges, links,
  flags — staff and bots are left out of boards — and erasures are audited, and take effect
  on the boards before the next rebuild);
- a validity limit: the next UTC midnight (windows are whole days) or, if sooner, the end of
  the earliest ban running when the places were computed (a banned member is left out only
  while the ban lasts).

A cached answer is therefore served only while a fresh computation would give the same places;
checking costs two primary-key lookups per request. The cache is bounded, lives in each process
and nothing depends on it but speed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from hearth.actions.caching import ExpiringCache
from hearth.actions.context import Caller
from hearth.actions.standing import access_leaderboard
from hearth.domain.playbook import Playbook
from hearth.domain.rules import Place
from hearth.store.tables import audit_log, derivation_state, member_standing


def derivation_version(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever a leaderboard's places can change (apart from time; see the module)."""
    state = conn.execute(_STATE).first()
    audited = conn.scalar(_LAST_AUDIT) or 0
    return (tuple(state) if state is not None else None, int(audited))


# built once: every leaderboard and profile request reads them
_STATE = select(
    derivation_state.c.generation,
    derivation_state.c.folded_max_id,
    derivation_state.c.folded_count,
    derivation_state.c.stale,
).where(derivation_state.c.id == 1)
_LAST_AUDIT = select(func.max(audit_log.c.id))


def _valid_until(conn: Connection, now: datetime) -> datetime:
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    ban_ends = conn.scalar(
        select(func.min(member_standing.c.banned_until)).where(member_standing.c.banned_until > now)
    )
    if ban_ends is None:
        return midnight
    ends = datetime.fromisoformat(ban_ends) if isinstance(ban_ends, str) else ban_ends
    assert isinstance(ends, datetime)
    return min(midnight, ends if ends.tzinfo is not None else ends.replace(tzinfo=UTC))


class BoardCache(ExpiringCache[list[Place]]):
    """Leaderboard places, each list valid until midnight or the end of the earliest ban."""


def access_board(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    key: str,
    window: str,
    cache: BoardCache,
    *,
    now: datetime | None = None,
) -> list[Place]:
    """The places of leaderboard ``key`` in ``window`` (as :func:`access_leaderboard`),
    from ``cache`` while they cannot have changed."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        version = derivation_version(conn)
    cache_key = (id(playbook), key, window, version)

    def compute() -> tuple[datetime, list[Place]]:
        with engine.connect() as conn:
            until = _valid_until(conn, now)
        return until, access_leaderboard(engine, caller, playbook, key, window, now=now)

    return list(cache.get(cache_key, now, compute))
