"""Everything Hearth keeps about one member, as one document: the member's right of access.

:func:`access_member_data` gathers, for the member themselves or for staff, what every part of
Hearth stores about a person (docs/architecture.md, "Member data"): the member and the members
merged into it, their accounts on each platform with their activity counts, points by rule,
achievements and tier, the directory choice, NPS answers, FAQ feedback, suggestions and votes,
support tickets with their transcripts, moderation cases about them with their appeals (not
reports, which stay moderators' business), and their web accounts (never a password hash or a
token). ``hearth member data ID`` prints it; a signed-in member downloads theirs from
``/account/data``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.faq import access_faq_feedback
from hearth.actions.ideas import access_member_votes
from hearth.actions.members import live_member
from hearth.actions.moderation_reads import access_member_cases
from hearth.actions.profiles import directory_choice, profile_label
from hearth.actions.standing import access_member_standing
from hearth.actions.ticket_reads import access_member_tickets, access_transcript
from hearth.domain.playbook import Playbook
from hearth.errors import PermissionDenied
from hearth.i18n import _
from hearth.store import merges, queries
from hearth.store.tables import accounts, nps_responses

FORMAT = "hearth-member-data/1"


def access_member_data(
    engine: Engine,
    caller: Caller,
    member_id: int,
    playbook: Playbook,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The whole record of member ``member_id`` (live: not merged into another, not erased),
    JSON-ready: for staff and for the member themselves."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with engine.connect() as conn:
        if not caller.is_staff and not merges.same_person(conn, caller.member_id, member_id):
            raise PermissionDenied(_("Only staff or the member themselves may see this."))
        member = live_member(conn, member_id)
        person = merges.person_ids(member_id)
        summary = queries.member_summaries(conn, [member_id])[0]
        listed, hidden = directory_choice(conn, member_id)
        nps = conn.execute(
            select(nps_responses.c.score, nps_responses.c.comment, nps_responses.c.answered_at)
            .where(nps_responses.c.member_id.in_(person))
            .order_by(nps_responses.c.answered_at, nps_responses.c.id)
        ).all()
        web_accounts = conn.execute(
            select(
                accounts.c.username,
                accounts.c.role,
                accounts.c.created_at,
                accounts.c.last_login_at,
                accounts.c.disabled_at,
            )
            .where(accounts.c.member_id.in_(person))
            .order_by(accounts.c.id)
        ).all()
        merged = merges.absorbed(conn, member_id)
    standing = access_member_standing(engine, caller, member_id, playbook, now)
    tickets = access_member_tickets(engine, caller, playbook, member_id, now)
    document = {
        "format": FORMAT,
        "generated_at": now,
        "member": {
            "member_id": member_id,
            "display_name": member["display_name"],
            "is_bot": member["is_bot"],
            "is_staff": member["is_staff"],
            "created_at": member["created_at"],
            "merged_members": merged,
        },
        "identities": summary["identities"],
        "activity_counts": summary["activity_counts"],
        "received_counts": summary["received_counts"],
        "standing": {
            "points": standing.points,
            "by_rule": standing.breakdown,
            "achievements": standing.awards,
            "tier": standing.tier,
            "evaluated_at": standing.evaluated_at,
        },
        "profile": profile_label(listed, hidden),
        "nps_answers": [dict(row._mapping) for row in nps],
        "faq_feedback": [
            {k: v for k, v in row.items() if k != "member_id"}
            for row in access_faq_feedback(engine, caller, member_id)
        ],
        **access_member_votes(engine, caller, member_id),
        "tickets": [
            {**ticket.as_dict(), "transcript": access_transcript(engine, caller, ticket.id)}
            for ticket in tickets
        ],
        "moderation_cases": access_member_cases(engine, caller, member_id),
        "web_accounts": [dict(row._mapping) for row in web_accounts],
    }
    result: dict[str, Any] = plain(document)
    return result


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, tuples as lists and times in ISO 8601: JSON-ready."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
