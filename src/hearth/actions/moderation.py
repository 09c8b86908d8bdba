"""Moderation: warnings, timeouts, bans and unbans, reports, appeals — each a case.

Every action is one transaction that writes the case and a ledger activity on the platform
``hearth`` with the member as target owner (``member.warned``, ``member.timed_out``,
``member.banned`` with ``until`` and ``case_id``, ``member.unbanned``, ``case.reported``,
``case.appealed``, ``appeal.decided``) and, for moderators' acts, an audit-log entry. After a
ban or an unban the derivation catches up, so the rules engine stops (or resumes) points and
leaderboard presence at once.

Who may do what: moderators (web role ``moderator`` and above; in chat, members who may
moderate or ban) act, see every case, report and appeal; a member reports others (privately:
the reported member never sees who reported them, nor the report itself) and sees and appeals
their own cases. Reads are in :mod:`hearth.actions.moderation_reads`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller
from hearth.actions.derive import do_catch_up
from hearth.actions.members import live_member
from hearth.domain.moderation import ACTIONS
from hearth.domain.playbook import Playbook
from hearth.errors import Conflict, InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import activities, mod_appeals, mod_cases

PLATFORM = "hearth"
MAX_REASON = 1000
BAN_KINDS = ("temporary_ban", "permanent_ban")


def is_moderator(caller: Caller) -> bool:
    return caller.is_staff or caller.role == "moderator"


def require_moderator(caller: Caller) -> None:
    if not is_moderator(caller):
        raise PermissionDenied(_("Only moderators may do this."))


def _reason(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InputError(_("Give a reason: the member is told it and it is kept with the case."))
    return text[:MAX_REASON]


def _record(
    conn: Connection,
    kind: str,
    member_id: int,
    actor: int | None,
    at: datetime,
    properties: dict[str, Any],
    suffix: str,
) -> None:
    conn.execute(
        insert(activities).values(
            platform=PLATFORM,
            source_id=f"case:{suffix}",
            kind=kind,
            occurred_at=at,
            actor_member_id=actor,
            target_type="member",
            target_id=str(member_id),
            target_owner_member_id=member_id,
            properties=properties,
        )
    )


@dataclass(frozen=True, slots=True)
class Taken:
    """A moderation action taken: its case, and when it ends (timed actions)."""

    case_id: int
    action: str
    member_id: int
    ends_at: datetime | None


def check_take_action(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    action: str,
    reason: str,
    *,
    duration: timedelta | None = None,
    severe: bool = False,
    platform: str | None = None,
    evidence: str | None = None,
    at: datetime | None = None,
) -> Taken:
    """Warn, time out or ban a member (moderators). A temporary ban without ``duration``
    lasts as long as the playbook's ladder says; a timeout needs one."""
    require_moderator(caller)
    if action not in ACTIONS:
        raise InputError(_("The action is one of: {a}.").format(a=", ".join(ACTIONS)))
    reason = _reason(reason)
    if action == "temporary_ban" and duration is None and playbook.moderation is not None:
        step = next((s for s in playbook.moderation.ladder if s.action == action), None)
        duration = step.duration if step else None
    if action in ("timeout", "temporary_ban"):
        if duration is None or duration <= timedelta(0):
            raise InputError(_("Say how long it lasts (for example 10m, 1d, 7d)."))
    else:
        duration = None
    if action == "timeout" and duration is not None and duration > timedelta(days=28):
        raise InputError(_("A timeout lasts at most 28 days; ban for longer."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    ends = at + duration if duration is not None else None
    with engine.begin() as conn:
        if merges.same_person(conn, caller.member_id, member_id):
            raise InputError(_("Moderators do not act on themselves."))
        live_member(conn, member_id)
        if action in BAN_KINDS and _active_bans(conn, member_id, at):
            raise Conflict(_("Member {id} is already banned.").format(id=member_id))
        case_id = conn.execute(
            insert(mod_cases)
            .values(
                member_id=member_id,
                action=action,
                reason=reason,
                severe=severe,
                strike=True,
                voided=False,
                state="closed",
                created_at=at,
                created_by=caller.name,
                moderator_id=caller.member_id,
                platform=platform,
                evidence=evidence,
                ends_at=ends,
            )
            .returning(mod_cases.c.id)
        ).scalar_one()
        properties: dict[str, Any] = {"case_id": case_id}
        if action == "warning":
            kind = "member.warned"
            properties["severe"] = severe
        elif action == "timeout":
            kind = "member.timed_out"
            properties["until"] = ends.isoformat() if ends else None
        else:
            kind = "member.banned"
            if ends is not None:
                properties["until"] = ends.isoformat()
        _record(conn, kind, member_id, caller.member_id, at, properties, f"{case_id}:{action}")
        audit.record(conn, caller, f"moderation.{action}", "member", member_id, case_id=case_id)
    if action in BAN_KINDS:
        do_catch_up(engine, playbook)
    return Taken(int(case_id), action, member_id, ends)


def _active_bans(conn: Connection, member_id: int, now: datetime) -> list[Any]:
    rows = conn.execute(
        select(mod_cases).where(
            mod_cases.c.member_id.in_(merges.person_ids(member_id)),
            mod_cases.c.action.in_(BAN_KINDS),
            mod_cases.c.lifted_at.is_(None),
        )
    ).all()
    return [r for r in rows if r.ends_at is None or r.ends_at > now]


def _lift(conn: Connection, case: Any, actor: int | None, at: datetime, why: str) -> None:
    conn.execute(update(mod_cases).where(mod_cases.c.id == case.id).values(lifted_at=at))
    _record(
        conn,
        "member.unbanned",
        case.member_id,
        actor,
        at,
        {"case_id": case.id, "why": why},
        f"{case.id}:unbanned",
    )


def do_unban(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    member_id: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> list[int]:
    """Lift a member's ban before its time (moderators); returns the cases lifted."""
    require_moderator(caller)
    reason = _reason(reason)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        bans = _active_bans(conn, member_id, at)
        if not bans:
            raise NotFound(_("Member {id} is not banned.").format(id=member_id))
        for case in bans:
            _lift(conn, case, caller.member_id, at, "moderator")
            audit.record(
                conn,
                caller,
                "moderation.unban",
                "member",
                member_id,
                case_id=case.id,
                reason=reason,
            )
    do_catch_up(engine, playbook)
    return [int(case.id) for case in bans]


@dataclass(frozen=True, slots=True)
class Lifted:
    case_id: int
    member_id: int
    platform: str | None


def do_lift_expired_bans(
    engine: Engine, playbook: Playbook, now: datetime | None = None
) -> list[Lifted]:
    """The scheduled job: end every temporary ban whose time is up (``member.unbanned``)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    lifted: list[Lifted] = []
    with engine.begin() as conn:
        query = select(mod_cases).where(
            mod_cases.c.action == "temporary_ban",
            mod_cases.c.lifted_at.is_(None),
            mod_cases.c.ends_at <= now,
        )
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for case in conn.execute(query).all():
            _lift(conn, case, None, case.ends_at, "expired")
            lifted.append(Lifted(int(case.id), int(case.member_id), case.platform))
    if lifted:
        do_catch_up(engine, playbook)
    return lifted


def access_pending_lifts(engine: Engine, platform: str) -> list[Lifted]:
    """Bans lifted in Hearth but not yet on ``platform`` (the bot applies them, then marks)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(mod_cases.c.id, mod_cases.c.member_id, mod_cases.c.platform).where(
                mod_cases.c.action.in_(BAN_KINDS),
                mod_cases.c.lifted_at.is_not(None),
                mod_cases.c.lift_applied_at.is_(None),
                mod_cases.c.platform == platform,
            )
        ).all()
    return [Lifted(int(r.id), int(r.member_id), r.platform) for r in rows]


def do_mark_lift_applied(engine: Engine, case_id: int, at: datetime | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(mod_cases)
            .where(mod_cases.c.id == case_id)
            .values(lift_applied_at=at or datetime.now(UTC))
        )


def check_report(
    engine: Engine,
    caller: Caller,
    member_id: int,
    reason: str,
    *,
    evidence: str | None = None,
    platform: str | None = None,
    at: datetime | None = None,
) -> int:
    """A member reports another, privately: a case moderators see (the member reported does
    not, and the ledger does not name the reporter). Returns the case id."""
    if caller.member_id is None:
        raise PermissionDenied(_("Only members can report: link your account first."))
    reason = _reason(reason)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        if merges.same_person(conn, caller.member_id, member_id):
            raise InputError(_("You cannot report yourself."))
        live_member(conn, member_id)
        case_id = conn.execute(
            insert(mod_cases)
            .values(
                member_id=member_id,
                action="report",
                reason=reason,
                severe=False,
                strike=False,
                voided=False,
                state="open",
                created_at=at,
                created_by=caller.name,
                reporter_id=caller.member_id,
                platform=platform,
                evidence=(evidence or "")[:2000] or None,
            )
            .returning(mod_cases.c.id)
        ).scalar_one()
        _record(
            conn, "case.reported", member_id, None, at, {"case_id": case_id}, f"{case_id}:reported"
        )
    return int(case_id)


def do_resolve_report(engine: Engine, caller: Caller, case_id: int) -> None:
    """Moderators mark a report dealt with."""
    require_moderator(caller)
    with engine.begin() as conn:
        row = conn.execute(select(mod_cases).where(mod_cases.c.id == case_id)).first()
        if row is None or row.action != "report":
            raise NotFound(_("There is no report {id}.").format(id=case_id))
        if row.state == "closed":
            raise Conflict(_("Report {id} is already closed.").format(id=case_id))
        conn.execute(update(mod_cases).where(mod_cases.c.id == case_id).values(state="closed"))
        audit.record(conn, caller, "moderation.report_closed", "case", case_id)


def check_appeal(
    engine: Engine, caller: Caller, case_id: int, text: str, *, at: datetime | None = None
) -> int:
    """The member appeals one of their cases (once at a time). Returns the appeal id."""
    text = " ".join(text.split())[:MAX_REASON]
    if not text:
        raise InputError(_("Say why the decision should change."))
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with engine.begin() as conn:
        case = conn.execute(select(mod_cases).where(mod_cases.c.id == case_id)).first()
        if (
            case is None
            or case.action == "report"
            or not merges.same_person(conn, case.member_id, caller.member_id)
        ):
            raise NotFound(_("There is no case {id} of yours.").format(id=case_id))
        if case.voided:
            raise Conflict(_("This case was already set aside."))
        if conn.scalar(
            select(mod_appeals.c.id).where(
                mod_appeals.c.case_id == case_id, mod_appeals.c.state == "open"
            )
        ):
            raise Conflict(_("This case is already under appeal."))
        appeal_id = conn.execute(
            insert(mod_appeals)
            .values(
                case_id=case_id, member_id=case.member_id, text=text, state="open", created_at=at
            )
            .returning(mod_appeals.c.id)
        ).scalar_one()
        _record(
            conn,
            "case.appealed",
            case.member_id,
            None,
            at,
            {"case_id": case_id, "appeal_id": appeal_id},
            f"{case_id}:appeal:{appeal_id}",
        )
    return int(appeal_id)


def do_decide_appeal(
    engine: Engine,
    caller: Caller,
    playbook: Playbook,
    appeal_id: int,
    accept: bool,
    decision: str,
    *,
    at: datetime | None = None,
) -> None:
    """Moderators decide an appeal. Accepted: the case's strike no longer counts and a ban it
    imposed is lifted."""
    require_moderator(caller)
    decision = _reason(decision)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    lifted = False
    with engine.begin() as conn:
        appeal = conn.execute(select(mod_appeals).where(mod_appeals.c.id == appeal_id)).first()
        if appeal is None:
            raise NotFound(_("There is no appeal {id}.").format(id=appeal_id))
        if appeal.state != "open":
            raise Conflict(_("Appeal {id} was already decided.").format(id=appeal_id))
        if merges.same_person(conn, caller.member_id, appeal.member_id):
            raise PermissionDenied(_("Nobody decides their own appeal."))
        conn.execute(
            update(mod_appeals)
            .where(mod_appeals.c.id == appeal_id)
            .values(
                state="accepted" if accept else "rejected",
                decided_by=caller.name,
                decided_at=at,
                decision=decision,
            )
        )
        case = conn.execute(select(mod_cases).where(mod_cases.c.id == appeal.case_id)).one()
        if accept:
            conn.execute(update(mod_cases).where(mod_cases.c.id == case.id).values(voided=True))
            if (
                case.action in BAN_KINDS
                and case.lifted_at is None
                and (case.ends_at is None or case.ends_at > at)
            ):
                _lift(conn, case, caller.member_id, at, "appeal")
                lifted = True
        _record(
            conn,
            "appeal.decided",
            appeal.member_id,
            caller.member_id,
            at,
            {"case_id": case.id, "appeal_id": appeal_id, "accepted": accept},
            f"{case.id}:appeal:{appeal_id}:decided",
        )
        audit.record(
            conn, caller, "moderation.appeal", "case", case.id, appeal_id=appeal_id, accepted=accept
        )
    if lifted:
        do_catch_up(engine, playbook)
