"""Exporting member data (the members' own data and what the programs derive from it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, select

from hearth.actions.context import Caller, require_staff
from hearth.actions.profiles import profile_label
from hearth.actions.standing import standings_for_export
from hearth.domain.playbook import Playbook
from hearth.store import merges, queries
from hearth.store.tables import member_directory, nps_responses


def access_member_export(
    engine: Engine, caller: Caller, playbook: Playbook | None = None
) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per live member, streamed in id order.

    ``points``, ``achievements`` (with ``awarded_at``) and ``tier`` come from the rules engine's
    derived tables (``hearth rebuild``; kept current on every import) read with ``playbook``;
    without a playbook, or before any derivation, they are the starting balance, [] and None.
    """
    require_staff(caller)
    with engine.connect() as conn:
        points, earned, tiers = standings_for_export(conn, playbook)
        nps = _nps_answers(conn)
        directory = {
            row.member_id: profile_label(row.listed, row.hidden)
            for row in conn.execute(select(member_directory))
        }
        start = playbook.points.starting_balance if playbook is not None else 0
        for summary in queries.iter_member_summaries(conn):
            member_id = summary["member_id"]
            tier = tiers.get(member_id)
            yield {
                "member_id": summary["member_id"],
                "display_name": summary["display_name"],
                "is_bot": summary["is_bot"],
                "is_staff": summary["is_staff"],
                "identities": summary["identities"],
                "points": points.get(member_id, start),
                "achievements": earned.get(member_id, []),
                "tier": tier.key if tier is not None else None,
                "profile": directory.get(member_id, "public"),
                "activity_counts": summary["activity_counts"],
                "received_counts": summary["received_counts"],
                "nps_answers": nps.get(member_id, []),
            }


def _nps_answers(conn: Connection) -> dict[int, list[dict[str, Any]]]:
    """Each member's NPS survey answers (score, comment, time), oldest first; those given as a
    member since merged into another are that member's."""
    survivors = merges.survivors(conn)
    answers: dict[int, list[dict[str, Any]]] = {}
    n = nps_responses.c
    rows = conn.execute(
        select(n.member_id, n.score, n.comment, n.answered_at)
        .where(n.member_id.is_not(None))
        .order_by(n.answered_at, n.id)
    )
    for row in rows:
        answers.setdefault(survivors.get(row.member_id, row.member_id), []).append(
            {"score": row.score, "comment": row.comment, "answered_at": row.answered_at.isoformat()}
        )
    return answers
