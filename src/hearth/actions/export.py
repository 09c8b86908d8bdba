"""Exporting member data (the members' own data and what the programs derive from it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from hearth.actions.context import Caller, require_staff
from hearth.store import queries


def access_member_export(engine: Engine, caller: Caller) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per live member, streamed in id order.

    ``points``, ``achievements`` and ``tier`` are filled by the rules engine once a playbook is
    derived; until then they are 0, [] and None.
    """
    require_staff(caller)
    with engine.connect() as conn:
        for summary in queries.iter_member_summaries(conn):
            yield {
                "member_id": summary["member_id"],
                "display_name": summary["display_name"],
                "is_bot": summary["is_bot"],
                "is_staff": summary["is_staff"],
                "identities": summary["identities"],
                "points": 0,
                "achievements": [],
                "tier": None,
                "activity_counts": summary["activity_counts"],
                "received_counts": summary["received_counts"],
            }
