"""Writing to the audit log, inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from hearth.actions.context import Caller
from hearth.store.tables import audit_log


def record(
    conn: Connection,
    caller: Caller,
    action: str,
    subject_type: str,
    subject_id: object,
    **details: Any,
) -> None:
    conn.execute(
        insert(audit_log).values(
            at=datetime.now(UTC),
            actor=caller.name,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            details=details,
        )
    )
