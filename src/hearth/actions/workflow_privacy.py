"""Erasure of a member's support and moderation data, inside ``do_erase_member``'s transaction.

- Tickets the member opened are deleted with their transcripts, and so are the ledger
  activities about them (``ticket.*`` on those tickets).
- Messages they wrote on other members' tickets (as staff) stay for that member, under the
  name "Erased member" and without the member id; tickets they were assigned lose the
  assignee.
- Moderation cases about them are deleted with their appeals; reports they filed lose the
  reporter; cases they decided lose the moderator (the audit log keeps the account name).
- Workflow activities that name them only by member id (written by actions, not imported)
  lose that id, as imported ones lose their identity.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, delete, select, update

from hearth.i18n import _
from hearth.store.tables import activities, mod_appeals, mod_cases, ticket_messages, tickets


def forget_workflows(conn: Connection, member_id: int) -> dict[str, int]:
    own = select(tickets.c.id).where(tickets.c.member_id == member_id)
    own_ids = [str(i) for i in conn.scalars(own)]
    if own_ids:
        conn.execute(
            delete(activities).where(
                activities.c.platform == "hearth",
                activities.c.target_type == "ticket",
                activities.c.target_id.in_(own_ids),
            )
        )
    conn.execute(delete(ticket_messages).where(ticket_messages.c.ticket_id.in_(own)))
    removed_tickets = conn.execute(delete(tickets).where(tickets.c.member_id == member_id)).rowcount
    conn.execute(
        update(ticket_messages)
        .where(ticket_messages.c.author_id == member_id)
        .values(author_id=None, author_name=_("Erased member"))
    )
    conn.execute(update(tickets).where(tickets.c.assignee_id == member_id).values(assignee_id=None))
    cases = select(mod_cases.c.id).where(mod_cases.c.member_id == member_id)
    conn.execute(delete(mod_appeals).where(mod_appeals.c.case_id.in_(cases)))
    conn.execute(delete(mod_appeals).where(mod_appeals.c.member_id == member_id))
    removed_cases = conn.execute(
        delete(mod_cases).where(mod_cases.c.member_id == member_id)
    ).rowcount
    conn.execute(
        update(mod_cases).where(mod_cases.c.reporter_id == member_id).values(reporter_id=None)
    )
    conn.execute(
        update(mod_cases).where(mod_cases.c.moderator_id == member_id).values(moderator_id=None)
    )
    conn.execute(
        update(activities)
        .where(
            and_(
                activities.c.actor_member_id == member_id, activities.c.actor_identity_id.is_(None)
            )
        )
        .values(actor_member_id=None)
    )
    conn.execute(
        update(activities)
        .where(
            and_(
                activities.c.target_owner_member_id == member_id,
                activities.c.target_owner_identity_id.is_(None),
            )
        )
        .values(target_owner_member_id=None)
    )
    return {"tickets": removed_tickets, "cases": removed_cases}
