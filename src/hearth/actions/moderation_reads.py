"""Reads of moderation cases and appeals, with their permission checks (``access_*``).

Moderators see every case, report and appeal, the reporter of a report, and a member's
history across platforms. A member sees their own cases (not reports about them, nor who
reported them) and their appeals; anyone else's case does not exist for them (NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select

from hearth.actions.context import Caller
from hearth.actions.moderation import is_moderator, require_moderator
from hearth.domain.moderation import Proposal, Strike, propose
from hearth.domain.playbook import Playbook
from hearth.errors import NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import activities, identities, members, mod_appeals, mod_cases


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    member_id: int
    member_name: str
    action: str
    reason: str
    severe: bool
    strike: bool
    voided: bool
    state: str
    created_at: datetime
    created_by: str
    ends_at: datetime | None
    lifted_at: datetime | None
    reporter_id: int | None
    evidence: str | None
    appeals: tuple[AppealView, ...] = ()


@dataclass(frozen=True, slots=True)
class AppealView:
    id: int
    case_id: int
    member_id: int
    text: str
    state: str
    created_at: datetime
    decided_by: str | None
    decision: str | None


def _case(row: Any, name: str, moderator: bool, appeals: tuple[AppealView, ...]) -> CaseView:
    return CaseView(
        id=int(row.id),
        member_id=int(row.member_id),
        member_name=name,
        action=row.action,
        reason=row.reason,
        severe=bool(row.severe),
        strike=bool(row.strike),
        voided=bool(row.voided),
        state=row.state,
        created_at=row.created_at,
        created_by=row.created_by if moderator else "",
        ends_at=row.ends_at,
        lifted_at=row.lifted_at,
        reporter_id=row.reporter_id if moderator else None,
        evidence=row.evidence if moderator else None,
        appeals=appeals,
    )


def _appeal(row: Any) -> AppealView:
    return AppealView(
        int(row.id),
        int(row.case_id),
        int(row.member_id),
        row.text,
        row.state,
        row.created_at,
        row.decided_by,
        row.decision,
    )


def _cases(engine: Engine, moderator: bool, *conditions: Any, limit: int = 500) -> list[CaseView]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(mod_cases, members.c.display_name)
            .select_from(mod_cases.join(members, members.c.id == mod_cases.c.member_id))
            .where(*conditions)
            .order_by(mod_cases.c.created_at.desc(), mod_cases.c.id.desc())
            .limit(limit)
        ).all()
        ids = [r.id for r in rows]
        appeals: dict[int, list[AppealView]] = {}
        if ids:
            for a in conn.execute(
                select(mod_appeals).where(mod_appeals.c.case_id.in_(ids)).order_by(mod_appeals.c.id)
            ):
                appeals.setdefault(int(a.case_id), []).append(_appeal(a))
    return [_case(r, r.display_name, moderator, tuple(appeals.get(r.id, []))) for r in rows]


def access_case(engine: Engine, caller: Caller, case_id: int) -> CaseView:
    """One case: for moderators, or for its member (not reports)."""
    found = _cases(engine, is_moderator(caller), mod_cases.c.id == case_id)
    if not found:
        raise NotFound(_("There is no case {id}.").format(id=case_id))
    case = found[0]
    if is_moderator(caller):
        return case
    if case.action == "report" or not _same_person(engine, caller.member_id, case.member_id):
        raise NotFound(_("There is no case {id}.").format(id=case_id))
    return case


def _same_person(engine: Engine, a: int | None, b: int | None) -> bool:
    if a is None or b is None:
        return False
    with engine.connect() as conn:
        return merges.same_person(conn, a, b)


def access_my_cases(engine: Engine, caller: Caller) -> list[CaseView]:
    """The calling member's own cases (reports about them are moderators' business)."""
    if caller.member_id is None:
        return []
    return access_member_cases(engine, caller, caller.member_id)


def access_member_cases(engine: Engine, caller: Caller, member_id: int) -> list[CaseView]:
    """The cases about member ``member_id`` (and the members merged into it) as the member
    sees them, reports left out: for moderators and for the member themselves."""
    if not is_moderator(caller) and not _same_person(engine, caller.member_id, member_id):
        raise PermissionDenied(_("Only moderators or the member themselves may see this."))
    return _cases(
        engine,
        False,
        mod_cases.c.member_id.in_(merges.person_ids(member_id)),
        mod_cases.c.action != "report",
    )


def access_cases(
    engine: Engine,
    caller: Caller,
    *,
    member_id: int | None = None,
    action: str | None = None,
    state: str | None = None,
    limit: int = 500,
) -> list[CaseView]:
    """Moderators: cases, newest first, optionally of one member, action or state."""
    require_moderator(caller)
    conditions: list[ColumnElement[bool]] = []
    if member_id is not None:
        conditions.append(mod_cases.c.member_id.in_(merges.person_ids(member_id)))
    if action:
        conditions.append(mod_cases.c.action == action)
    if state:
        conditions.append(mod_cases.c.state == state)
    return _cases(engine, True, *conditions, limit=limit)


def access_open_appeals(engine: Engine, caller: Caller) -> list[AppealView]:
    require_moderator(caller)
    with engine.connect() as conn:
        rows = conn.execute(
            select(mod_appeals).where(mod_appeals.c.state == "open").order_by(mod_appeals.c.id)
        ).all()
    return [_appeal(r) for r in rows]


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's record for moderators: strikes, the ladder's proposal, whether banned."""

    member_id: int
    active_strikes: int
    proposal: Proposal
    banned_until: datetime | None
    banned: bool


def access_proposal(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    *,
    severe: bool = False,
    now: datetime | None = None,
) -> Standing:
    """Moderators: the ladder's next step for a new violation by ``member_id``."""
    require_moderator(caller)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.connect() as conn:
        rows = conn.execute(
            select(mod_cases).where(
                mod_cases.c.member_id.in_(merges.person_ids(member_id)), mod_cases.c.strike
            )
        ).all()
    strikes = [Strike(r.created_at, bool(r.voided)) for r in rows]
    moderation = playbook.moderation
    from hearth.domain.moderation import active_strikes

    active = active_strikes(strikes, now, moderation.strike_lasts if moderation else None)
    bans = [
        r
        for r in rows
        if r.action in ("temporary_ban", "permanent_ban")
        and r.lifted_at is None
        and (r.ends_at is None or r.ends_at > now)
    ]
    until = max((r.ends_at for r in bans if r.ends_at is not None), default=None)
    permanent = any(r.ends_at is None for r in bans)
    return Standing(
        member_id=member_id,
        active_strikes=active,
        proposal=propose(moderation, strikes, now, severe=severe),
        banned_until=None if permanent else until,
        banned=bool(bans),
    )


def access_member_history(
    engine: Engine, caller: Caller, member_id: int, *, recent: int = 20
) -> dict[str, Any]:
    """Moderators: a member's accounts on every platform, their activity per platform and
    their latest activities (kinds, places and times; no message text is stored). A member
    merged into another is that one's history (the merge moved its accounts and activity)."""
    require_moderator(caller)
    with engine.connect() as conn:
        member_id = merges.survivor(conn, member_id)
        name = conn.scalar(select(members.c.display_name).where(members.c.id == member_id))
        if name is None:
            raise NotFound(_("There is no member {id}.").format(id=member_id))
        accounts = conn.execute(
            select(identities.c.platform, identities.c.handle, identities.c.external_id).where(
                identities.c.member_id == member_id
            )
        ).all()
        counts = conn.execute(
            select(activities.c.platform, func.count())
            .where(activities.c.actor_member_id == member_id)
            .group_by(activities.c.platform)
        ).all()
        latest = conn.execute(
            select(
                activities.c.platform,
                activities.c.kind,
                activities.c.occurred_at,
                activities.c.properties,
            )
            .where(activities.c.actor_member_id == member_id)
            .order_by(activities.c.occurred_at.desc())
            .limit(recent)
        ).all()
    return {
        "member_id": member_id,
        "name": name,
        "accounts": [
            {"platform": a.platform, "handle": a.handle or a.external_id} for a in accounts
        ],
        "activity": {platform: int(n) for platform, n in counts},
        "recent": [
            {
                "platform": r.platform,
                "kind": r.kind,
                "at": r.occurred_at,
                "channel": (r.properties or {}).get("channel"),
            }
            for r in latest
        ],
    }
