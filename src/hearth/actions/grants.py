"""Staff decisions the rules engine folds: points, achievements, tiers and confirmations by hand.

Each decision is a ledger activity on the platform ``hearth`` (so a rebuild keeps it and the
member's history shows it), plus an audit-log entry naming who decided and why.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from hearth.actions import audit
from hearth.actions.context import Caller, require_staff
from hearth.actions.members import live_member
from hearth.domain.playbook import Playbook
from hearth.domain.playbook.schema import ManualRequirement
from hearth.errors import InputError, NotFound
from hearth.i18n import _
from hearth.store.tables import activities

PLATFORM = "hearth"


def _record(
    engine: Engine,
    caller: Caller,
    member_id: int,
    kind: str,
    properties: dict[str, Any],
    at: datetime | None,
) -> str:
    require_staff(caller)
    if not properties.get("reason"):
        raise InputError(_("Give a reason: it is shown to the member and kept in the audit log."))
    source_id = f"{kind}:{uuid.uuid4()}"
    with engine.begin() as conn:
        live_member(conn, member_id)
        conn.execute(
            insert(activities).values(
                platform=PLATFORM,
                source_id=source_id,
                kind=kind,
                occurred_at=at or datetime.now(UTC),
                actor_member_id=caller.member_id,
                target_type="member",
                target_id=str(member_id),
                target_owner_member_id=member_id,
                properties=properties,
            )
        )
        audit.record(conn, caller, kind, "member", member_id, source_id=source_id, **properties)
    return source_id


def do_grant_points(
    engine: Engine,
    caller: Caller,
    member_id: int,
    amount: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> str:
    """Give (or, negative, take) points by hand."""
    if amount == 0:
        raise InputError(_("The amount must not be zero."))
    return _record(
        engine, caller, member_id, "points.granted", {"amount": amount, "reason": reason}, at
    )


def do_award_achievement(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    achievement: str,
    reason: str,
    *,
    revoke: bool = False,
    at: datetime | None = None,
) -> str:
    """Award (or take back) an achievement of the playbook by hand."""
    if playbook.achievement(achievement) is None:
        known = ", ".join(a.key for a in playbook.achievements)
        raise NotFound(
            _("No achievement '{key}'; known: {known}.").format(key=achievement, known=known)
        )
    kind = "achievement.revoked" if revoke else "achievement.awarded"
    return _record(
        engine, caller, member_id, kind, {"achievement": achievement, "reason": reason}, at
    )


def do_grant_tier(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    tier: str,
    reason: str,
    *,
    revoke: bool = False,
    at: datetime | None = None,
) -> str:
    """Grant (or withdraw) a tier that staff give by hand (``manual: true``)."""
    found = playbook.tier(tier)
    if found is None or not found.manual:
        manual = ", ".join(t.key for t in playbook.tiers if t.manual) or _("none")
        raise InputError(
            _("'{key}' is not a tier granted by hand; those are: {manual}.").format(
                key=tier, manual=manual
            )
        )
    kind = "tier.revoked" if revoke else "tier.granted"
    return _record(engine, caller, member_id, kind, {"tier": tier, "reason": reason}, at)


def do_confirm_requirement(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    requirement: str,
    reason: str,
    *,
    confirmed: bool = True,
    at: datetime | None = None,
) -> str:
    """Confirm (or withdraw) a tier requirement staff vouch for (``type: manual``)."""
    keys = {r.key for t in playbook.tiers for r in t.requires if isinstance(r, ManualRequirement)}
    if requirement not in keys:
        raise InputError(
            _("'{key}' is not a requirement staff confirm; those are: {keys}.").format(
                key=requirement, keys=", ".join(sorted(keys)) or _("none")
            )
        )
    return _record(
        engine,
        caller,
        member_id,
        "requirement.confirmed",
        {"requirement": requirement, "confirmed": confirmed, "reason": reason},
        at,
    )
