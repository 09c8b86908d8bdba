"""The engine's transactions: SQLite writes begin IMMEDIATE, reads stay deferred."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, event, func, select

from hearth.actions.ingest import ingest
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.store.db import begin_write
from hearth.store.tables import activities, identities, members

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_sqlite_writes_begin_immediate_and_reads_deferred(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    seen: list[str] = []
    event.listen(
        engine, "connect", lambda dbapi_connection, _record: dbapi_connection.set_trace_callback(
            seen.append
        )
    )  # fmt: skip
    engine.dispose()  # new connections, traced
    with engine.begin() as conn:
        conn.execute(select(func.count()).select_from(members))
    with begin_write(engine) as conn:
        conn.execute(select(func.count()).select_from(members))
    with engine.connect() as conn:
        conn.execute(select(func.count()).select_from(members))
    begins = [s for s in seen if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE", "BEGIN"]


def test_two_writers_creating_the_same_identity_at_once(engine: Engine) -> None:
    """Both writers find the account missing and create it: one waits for the other and then
    finds it, instead of failing (SQLITE_BUSY, or a unique violation on PostgreSQL)."""
    rounds = 5
    errors: list[BaseException] = []
    for round_ in range(rounds):
        barrier = threading.Barrier(2)

        def write(n: int, round_: int = round_, barrier: threading.Barrier = barrier) -> None:
            activity = ActivityIn(
                "discord",
                f"r{round_}-m{n}",
                "message.posted",
                T0,
                IdentityRef("discord", f"newcomer{round_}", handle=f"name{n}"),
            )
            try:
                barrier.wait(timeout=10)
                report = ingest(engine, [activity])
                assert report.imported == 1
            except BaseException as exc:  # reported below, from the test's own thread
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(activities)) == 2 * rounds
        assert conn.scalar(select(func.count()).select_from(identities)) == rounds
        assert conn.scalar(select(func.count()).select_from(members)) == rounds
        names = conn.scalars(select(identities.c.names)).all()
    assert all(sorted(n) == ["name0", "name1"] for n in names)
