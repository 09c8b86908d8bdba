"""What to announce: achievements and tiers members earned since the last announcement.

The position is kept durably in a sync cursor (:mod:`hearth.actions.sync`, one per ``scope``:
the bot uses ``discord:<server id>``) so that a restart neither repeats nor misses anything:

- **Achievements** are recognised by what they are (member, achievement, item), not by row
  id: a rebuild of the derived tables writes every award again under new ids, with the same
  moment. The cursor keeps the awards announced within :data:`HORIZON`; an award is announced
  when its moment is within the horizon and it is not among them. Awards older than the
  horizon when they are derived (history imported later) are not news and are not announced.
- **Tiers** are held or not at a moment (time alone can promote, and grace periods end), so
  the cursor keeps the tier each member was last announced in; a member found in a higher
  tier is announced, a member who lost a tier is forgotten (and announced again on regaining
  it).

On the first call for a scope nothing is announced: what is already earned becomes the
starting point (:attr:`Pending.first`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from hearth.actions.lookup import access_platform_ids
from hearth.actions.standing import tier_plans, tiers_at
from hearth.actions.sync import access_cursor, do_save_cursor
from hearth.domain.playbook import Playbook
from hearth.store.queries import member_names
from hearth.store.tables import awards, member_tiers, members

SOURCE = "announcements"
HORIZON = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One thing to announce: a member earned an achievement or reached a tier."""

    kind: str  # "achievement" or "tier"
    key: str  # the achievement's or tier's key
    name: str
    icon: str | None
    member_id: int
    member_name: str
    at: datetime | None
    item: str = ""
    account: str | None = None  # the member's account id on the platform asked for

    @property
    def mark(self) -> str:
        return f"{self.member_id}:{self.key}:{self.item}"


@dataclass(slots=True)
class Pending:
    """What :func:`access_announcements` found; ``tiers`` is every member's tier now."""

    items: list[Announcement] = field(default_factory=list)
    tiers: dict[str, str] = field(default_factory=dict)
    first: bool = False


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _left_out(conn: Connection) -> set[int]:
    """Members never announced: bots, and the erased and merged."""
    query = select(members.c.id).where(
        members.c.is_bot.is_(True)
        | members.c.erased_at.is_not(None)
        | members.c.merged_into.is_not(None)
    )
    return {int(r.id) for r in conn.execute(query)}


def _current_tiers(engine: Engine, playbook: Playbook, now: datetime) -> dict[str, str]:
    with engine.connect() as conn:
        rows = list(conn.execute(select(member_tiers)))
        gone = _left_out(conn)
    held = tiers_at(rows, tier_plans(playbook), now)
    return {str(m): t.key for m, t in held.items() if m not in gone}


def access_announcements(
    engine: Engine,
    playbook: Playbook,
    scope: str,
    *,
    platform: str = "discord",
    now: datetime | None = None,
) -> Pending:
    """What ``scope`` has not announced yet, oldest first (see the module docstring)."""
    now = now or datetime.now(UTC)
    cursor = access_cursor(engine, SOURCE, scope)
    tiers_now = _current_tiers(engine, playbook, now)
    if not cursor:
        return Pending(tiers=tiers_now, first=True)
    announced: dict[str, str] = cursor.get("awards", {})
    since = max(_moment(cursor["since"]), now - HORIZON)
    keys = [a.key for a in playbook.achievements]
    with engine.connect() as conn:
        rows = conn.execute(
            select(awards.c.member_id, awards.c.achievement, awards.c.item, awards.c.awarded_at)
            .where(awards.c.achievement.in_(keys), awards.c.awarded_at >= since)
            .order_by(awards.c.awarded_at, awards.c.member_id, awards.c.achievement)
        ).all()
        gone = _left_out(conn) if rows else set()
    found = [
        (int(r.member_id), r.achievement, r.item, _moment(r.awarded_at))
        for r in rows
        if f"{r.member_id}:{r.achievement}:{r.item}" not in announced
        and int(r.member_id) not in gone
    ]
    tiers_before: dict[str, str] = cursor.get("tiers", {})
    order = {t.key: i for i, t in enumerate(playbook.tiers)}
    promoted = [
        (int(m), tier)
        for m, tier in tiers_now.items()
        if order.get(tier, -1) > order.get(tiers_before.get(m, ""), -1)
    ]
    ids = {m for m, *_ in found} | {m for m, _ in promoted}
    with engine.connect() as conn:
        names = member_names(conn, ids)
    accounts = access_platform_ids(engine, platform, ids)
    items: list[Announcement] = []
    for member_id, key, item, at in found:
        achievement = playbook.achievement(key)
        assert achievement is not None
        items.append(
            Announcement(
                "achievement",
                key,
                achievement.name,
                achievement.icon,
                member_id,
                names.get(member_id, str(member_id)),
                at,
                item,
                accounts.get(member_id),
            )
        )
    held = tiers_at(list(_tier_rows(engine, [m for m, _ in promoted])), tier_plans(playbook), now)
    for member_id, key in promoted:
        tier = playbook.tier(key)
        assert tier is not None
        since_at = held[member_id].since if member_id in held else None
        items.append(
            Announcement(
                "tier",
                key,
                tier.name,
                tier.icon,
                member_id,
                names.get(member_id, str(member_id)),
                since_at,
                account=accounts.get(member_id),
            )
        )
    return Pending(items=items, tiers=tiers_now)


def _tier_rows(engine: Engine, member_ids: list[int]) -> list[Any]:
    if not member_ids:
        return []
    with engine.connect() as conn:
        return list(
            conn.execute(select(member_tiers).where(member_tiers.c.member_id.in_(member_ids)))
        )


def do_mark_announced(
    engine: Engine,
    scope: str,
    items: list[Announcement],
    *,
    tiers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> None:
    """Remember ``items`` as announced in ``scope``; ``tiers`` (every member's tier now, from
    :class:`Pending`) replaces the tiers remembered, so members who lost one are forgotten.
    The first call for a scope starts it at ``now``."""
    now = now or datetime.now(UTC)
    cursor = access_cursor(engine, SOURCE, scope) or {"since": now.isoformat()}
    horizon = now - HORIZON
    announced = {
        mark: at for mark, at in dict(cursor.get("awards", {})).items() if _moment(at) >= horizon
    }
    remembered: dict[str, str] = dict(cursor.get("tiers", {}))
    if tiers is not None:
        remembered = dict(tiers)
    for item in items:
        if item.kind == "achievement":
            announced[item.mark] = (item.at or now).isoformat()
        else:
            remembered[str(item.member_id)] = item.key
    do_save_cursor(
        engine,
        SOURCE,
        scope,
        {"since": cursor["since"], "awards": announced, "tiers": remembered},
    )
