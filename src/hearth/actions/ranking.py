"""A member's rank: their place on the playbook's first points leaderboard, or, when it has
none, their place among all members by points.

The place among all members is counted in the database (members with more points, ties
sharing a place), so it costs one indexed count however large the community is. Staff, bots,
erased and merged members are left out, as on leaderboards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from hearth.actions.context import Caller
from hearth.actions.standing import access_leaderboard
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import PointsMeasure
from hearth.store.tables import member_standing, members

EVERYONE = 10**9


@dataclass(frozen=True, slots=True)
class Rank:
    """Where a member stands: ``position`` (None: not ranked, e.g. no points) of ``of``."""

    position: int | None
    of: int
    board: str | None = None  # the leaderboard's key; None: all members by points
    board_name: str | None = None
    window: str | None = None
    value: int | None = None  # the member's value on that board


def points_board(playbook: Playbook) -> tuple[str, str, str] | None:
    """``(key, name, first window)`` of the playbook's first points leaderboard."""
    for board in playbook.leaderboards:
        if isinstance(board.measure, PointsMeasure):
            return board.key, board.name, board.windows[0]
    return None


def access_rank(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    *,
    now: datetime | None = None,
) -> Rank:
    """``member_id``'s place (see the module docstring)."""
    now = now or datetime.now(UTC)
    board = points_board(playbook)
    if board is not None:
        key, name, window = board
        places = access_leaderboard(engine, caller, playbook, key, window, now=now, size=EVERYONE)
        mine = next((p for p in places if p.member_id == member_id), None)
        return Rank(
            mine.rank if mine else None,
            len(places),
            key,
            name,
            window,
            mine.value if mine else None,
        )
    ranked = (
        select(member_standing.c.points)
        .select_from(member_standing.join(members, members.c.id == member_standing.c.member_id))
        .where(
            members.c.is_bot.is_(False),
            members.c.is_staff.is_(False),
            members.c.erased_at.is_(None),
            members.c.merged_into.is_(None),
            member_standing.c.points > 0,
        )
    )
    with engine.connect() as conn:
        eligible = conn.execute(
            select(members.c.id).where(
                members.c.id == member_id,
                members.c.is_bot.is_(False),
                members.c.is_staff.is_(False),
            )
        ).first()
        points = conn.scalar(
            select(member_standing.c.points).where(member_standing.c.member_id == member_id)
        )
        of = conn.scalar(select(func.count()).select_from(ranked.subquery())) or 0
        if eligible is None or not points or points <= 0:
            return Rank(None, int(of), value=int(points or 0))
        above = conn.scalar(
            select(func.count()).select_from(
                ranked.where(member_standing.c.points > points).subquery()
            )
        )
    return Rank(int(above or 0) + 1, int(of), value=int(points))
