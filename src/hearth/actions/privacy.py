"""Erasing a member's personal data on request.

Erasure deletes the member's own activities and identities and their web account (with its
sessions and API tokens), detaches them from activities where they were the target's owner
(and from their NPS answers, whose comments go), and keeps only a SHA-256 of each
``platform:external_id`` in ``erasures`` so that later imports and webhooks skip that account
instead of bringing the data back. The member row stays (ids in the audit log keep pointing
somewhere) with its name replaced.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select, update

from hearth.actions import audit
from hearth.actions import derive as derivation
from hearth.actions.context import Caller
from hearth.actions.ideas import drop_superseded_votes
from hearth.actions.ideas import forget_member as forget_votes
from hearth.actions.workflow_privacy import forget_workflows
from hearth.errors import Conflict, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.db import dialect_insert
from hearth.store.tables import accounts as web_accounts
from hearth.store.tables import (
    activities,
    api_tokens,
    erasures,
    faq_feedback,
    identities,
    identity_moves,
    member_directory,
    members,
    nps_responses,
    sessions,
)


def identity_hash(platform: str, external_id: str) -> str:
    return hashlib.sha256(f"{platform}:{external_id}".encode()).hexdigest()


def do_erase_member(engine: Engine, caller: Caller, member_id: int) -> dict[str, int]:
    """Erase member ``member_id`` (staff, or the member themselves); returns what was removed."""
    if not caller.is_staff and caller.member_id != member_id:
        raise PermissionDenied(_("Only staff or the member themselves may erase a member."))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(select(members).where(members.c.id == member_id)).first()
        if row is None:
            raise NotFound(_("There is no member {id}.").format(id=member_id))
        if row.erased_at is not None:
            raise Conflict(_("Member {id} was already erased.").format(id=member_id))
        if row.merged_into is not None:
            raise Conflict(
                _("Member {id} was merged into member {target}; erase that member.").format(
                    id=member_id, target=row.merged_into
                )
            )
        accounts = conn.execute(
            select(identities.c.id, identities.c.platform, identities.c.external_id).where(
                identities.c.member_id == member_id
            )
        ).all()
        identity_ids = [a.id for a in accounts]
        removed = conn.execute(
            delete(activities).where(activities.c.actor_identity_id.in_(identity_ids))
        ).rowcount
        detached = conn.execute(
            update(activities)
            .where(activities.c.target_owner_identity_id.in_(identity_ids))
            .values(target_owner_identity_id=None, target_owner_member_id=None)
        ).rowcount
        if accounts:
            conn.execute(
                dialect_insert(engine.dialect.name, erasures).on_conflict_do_nothing(),
                [
                    {
                        "platform": a.platform,
                        "identity_hash": identity_hash(a.platform, a.external_id),
                        "erased_at": now,
                    }
                    for a in accounts
                ],
            )
        # The members merged into this one are the same person: what is kept under their ids
        # (answers, votes, tickets, cases, accounts) goes too.
        person = [member_id, *merges.absorbed(conn, member_id)]
        # Earlier merges and links name these identities; their ids no longer mean anything.
        conn.execute(
            update(identity_moves)
            .where(
                identity_moves.c.from_member_id.in_(person)
                | identity_moves.c.to_member_id.in_(person)
            )
            .values(identity_ids=[], undone_at=now)
        )
        conn.execute(delete(identities).where(identities.c.member_id.in_(person)))
        # NPS answers stay counted in the score, naming nobody; their free text goes.
        nps_answers = conn.execute(
            update(nps_responses)
            .where(nps_responses.c.member_id.in_(person))
            .values(member_id=None, comment=None)
        ).rowcount
        # FAQ feedback clicks stay as anonymous counts.
        conn.execute(
            update(faq_feedback).where(faq_feedback.c.member_id.in_(person)).values(member_id=None)
        )
        # The member's web accounts go too, with their sessions and API tokens.
        account_ids = select(web_accounts.c.id).where(web_accounts.c.member_id.in_(person))
        conn.execute(delete(sessions).where(sessions.c.account_id.in_(account_ids)))
        conn.execute(delete(api_tokens).where(api_tokens.c.account_id.in_(account_ids)))
        removed_accounts = conn.execute(
            delete(web_accounts).where(web_accounts.c.member_id.in_(person))
        ).rowcount
        conn.execute(
            update(members)
            .where(members.c.id.in_(person))
            .values(display_name=_("Erased member"), erased_at=now)
        )
        # Their choice of directory listing goes too.
        conn.execute(delete(member_directory).where(member_directory.c.member_id.in_(person)))
        workflows: dict[str, int] = {}
        # One person, one vote: only the latest of their members' votes stays, anonymous.
        drop_superseded_votes(conn, person)
        for one in person:
            # Suggestion and poll votes stay counted but name nobody; suggestions lose their
            # author.
            forget_votes(conn, one)
            # Their tickets, transcripts and moderation cases (actions/workflow_privacy.py).
            for key, count in forget_workflows(conn, one).items():
                workflows[key] = workflows.get(key, 0) + count
            # Points, achievements, help and tiers derived from the member's activity go too.
            derivation.forget_member(conn, one)
        audit.record(
            conn,
            caller,
            "member.erased",
            "member",
            member_id,
            identities=len(accounts),
            activities_deleted=removed,
            activities_detached=detached,
            accounts=removed_accounts,
            nps_answers=nps_answers,
            merged_members=person[1:],
            **workflows,
        )
    return {"identities": len(accounts), "activities": removed, "detached": detached}
