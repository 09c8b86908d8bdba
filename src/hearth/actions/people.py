"""Which member a platform account is, for workflows started from chat (tickets, cases).

A member who opens a ticket or is warned on Discord may not be in the ledger yet: the account
is created on first sight, as ingest would, so the workflow row has a member to point to.
"""

from __future__ import annotations

from sqlalchemy import Engine

from hearth.actions.identities import IdentityResolver
from hearth.domain.activity import IdentityRef


def do_member_for(engine: Engine, ref: IdentityRef) -> int:
    """The member of the account ``ref``, created (with the member) when new."""
    resolver = IdentityResolver()
    with engine.begin() as conn:
        resolver.resolve(conn, [ref])
        return resolver.get(ref)[1]
