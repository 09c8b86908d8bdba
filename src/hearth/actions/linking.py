"""Suggestions of identities that may be one person (staff decide; nothing merges on a guess)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from hearth.actions.context import Caller, require_staff
from hearth.domain.matching import IdentityRecord, suggest
from hearth.store.tables import identities, members


def access_identity_suggestions(
    engine: Engine, caller: Caller, *, min_score: float = 0.5
) -> list[dict[str, Any]]:
    """Likely pairs of members with the evidence, strongest first, for staff to decide on."""
    require_staff(caller)
    with engine.connect() as conn:
        records = [
            IdentityRecord(
                identity_id=row.id,
                member_id=row.member_id,
                platform=row.platform,
                external_id=row.external_id,
                handle=row.handle,
                email=row.email,
                names=tuple(row.names or ()),
            )
            for row in conn.execute(
                select(
                    identities.c.id,
                    identities.c.member_id,
                    identities.c.platform,
                    identities.c.external_id,
                    identities.c.handle,
                    identities.c.email,
                    identities.c.names,
                ).order_by(identities.c.id)
            )
        ]
        found = suggest(records, min_score=min_score)
        wanted = {m for s in found for m in (s.member_a, s.member_b)}
        names: dict[int, str] = {}
        for start in range(0, len(wanted), 1000):
            chunk = sorted(wanted)[start : start + 1000]
            for member_id, name in conn.execute(
                select(members.c.id, members.c.display_name).where(members.c.id.in_(chunk))
            ):
                names[member_id] = name
    accounts: dict[int, list[str]] = {}
    for rec in records:
        if rec.member_id in wanted:
            accounts.setdefault(rec.member_id, []).append(
                f"{rec.platform}:{rec.handle or rec.external_id}"
            )
    return [
        {
            "member_a": s.member_a,
            "member_b": s.member_b,
            "name_a": names.get(s.member_a, ""),
            "name_b": names.get(s.member_b, ""),
            "accounts_a": accounts.get(s.member_a, []),
            "accounts_b": accounts.get(s.member_b, []),
            "score": round(s.score, 2),
            "evidence": [{"kind": kind, "detail": detail} for kind, detail in s.evidence],
        }
        for s in found
    ]
