"""Small reads the chat interfaces need: which member an account is, members' names, and the
tiers each account's member holds (for the bot's tier roles).

Like :mod:`hearth.actions.standing`, these read what is public within the community (names,
tiers), so any caller may read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from hearth.actions.standing import tier_plans, tiers_at
from hearth.domain.playbook import Playbook
from hearth.store.queries import member_names
from hearth.store.tables import identities, member_tiers, members


def access_member_for_identity(engine: Engine, platform: str, external_id: str) -> int | None:
    """The member the account ``(platform, external_id)`` belongs to; None when the ledger has
    never seen it (or its member was erased)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(identities.c.member_id)
            .select_from(identities.join(members, members.c.id == identities.c.member_id))
            .where(
                identities.c.platform == platform,
                identities.c.external_id == external_id,
                members.c.erased_at.is_(None),
            )
        ).scalar()
    return int(found) if found is not None else None


def access_member_names(engine: Engine, member_ids: Iterable[int]) -> dict[int, str]:
    """Display names of ``member_ids`` (those that exist)."""
    with engine.connect() as conn:
        return member_names(conn, member_ids)


def access_platform_ids(engine: Engine, platform: str, member_ids: Iterable[int]) -> dict[int, str]:
    """Each member's account id on ``platform`` (the first one when a member has several)."""
    ids = sorted(set(member_ids))
    found: dict[int, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(identities.c.member_id, identities.c.external_id)
                .where(
                    identities.c.platform == platform,
                    identities.c.member_id.in_(ids[start : start + 500]),
                )
                .order_by(identities.c.id)
            )
            for row in rows:
                found.setdefault(int(row.member_id), row.external_id)
    return found


def access_identity_tiers(
    engine: Engine, playbook: Playbook, platform: str, now: datetime | None = None
) -> dict[str, set[str]]:
    """For every account on ``platform`` whose member holds a tier at ``now``: the tiers held
    (the highest automatic tier, plus each manual tier granted). Grace periods are applied."""
    now = now or datetime.now(UTC)
    plans = tier_plans(playbook)
    manual = {t.key for t in playbook.tiers if t.manual}
    with engine.connect() as conn:
        accounts = conn.execute(
            select(identities.c.external_id, identities.c.member_id)
            .select_from(identities.join(members, members.c.id == identities.c.member_id))
            .where(
                identities.c.platform == platform,
                members.c.erased_at.is_(None),
                members.c.id.in_(select(member_tiers.c.member_id)),
            )
        ).all()
        wanted = {int(a.member_id) for a in accounts}
        rows = [row for row in conn.execute(select(member_tiers)) if int(row.member_id) in wanted]
    held: dict[int, set[str]] = {}
    automatic = [p for p in plans if p.key not in manual]
    for member_id, tier in tiers_at(rows, automatic, now).items():
        held.setdefault(member_id, set()).add(tier.key)
    for plan in plans:
        if plan.key in manual:
            for member_id in tiers_at(rows, [plan], now):
                held.setdefault(member_id, set()).add(plan.key)
    return {a.external_id: held[int(a.member_id)] for a in accounts if int(a.member_id) in held}
