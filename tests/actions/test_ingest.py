from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from hearth.actions.ingest import ingest
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import RecordError
from hearth.store.tables import activities, identities, members

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def message(n: int, user: str = "u1", platform: str = "discord") -> ActivityIn:
    return ActivityIn(
        platform=platform,
        source_id=f"m{n}",
        kind="message.posted",
        occurred_at=T0 + timedelta(minutes=n),
        actor=IdentityRef(platform, user, handle=user),
        properties={"channel": "general"},
    )


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_ingest_stores_each_source_id_once(engine: Engine) -> None:
    first = ingest(engine, [message(i, f"u{i % 3}") for i in range(10)], batch_size=4)
    assert (first.imported, first.duplicates, first.rejected) == (10, 0, 0)
    again = ingest(engine, [message(i, f"u{i % 3}") for i in range(12)], batch_size=5)
    assert (again.imported, again.duplicates, again.rejected) == (2, 10, 0)
    assert count(engine, activities) == 12
    assert count(engine, members) == 3
    assert count(engine, identities) == 3


def test_duplicates_within_one_batch_count_once(engine: Engine) -> None:
    report = ingest(engine, [message(1), message(1), message(2)], batch_size=10)
    assert (report.imported, report.duplicates) == (2, 1)


def test_same_source_id_on_two_platforms_is_two_activities(engine: Engine) -> None:
    report = ingest(engine, [message(1, platform="discord"), message(1, platform="discourse")])
    assert report.imported == 2


def test_bad_records_are_reported_and_good_ones_kept(engine: Engine) -> None:
    bad_kind = ActivityIn("discord", "x1", "no.such.kind", T0, IdentityRef("discord", "u1"))
    parse_error = RecordError("not valid JSON", source="f.jsonl", line=3)
    report = ingest(engine, [message(1), bad_kind, parse_error, message(2)], batch_size=2)
    assert (report.imported, report.rejected) == (2, 2)
    assert "no.such.kind" in str(report.errors[0])
    assert str(report.errors[1]) == "f.jsonl, line 3: not valid JSON"
    assert count(engine, activities) == 2


def test_occurred_at_round_trips_as_utc(engine: Engine) -> None:
    ingest(engine, [message(5)])
    with engine.connect() as conn:
        stored = conn.scalar(select(activities.c.occurred_at))
    assert stored == T0 + timedelta(minutes=5)
    assert stored.utcoffset() == timedelta(0)


def test_target_owner_resolves_to_a_member(engine: Engine) -> None:
    vote = ActivityIn(
        "stackexchange",
        "v1",
        "vote.cast",
        T0,
        None,
        "post",
        "10",
        IdentityRef("stackexchange", "7", display_name="Owner"),
        {"vote_type": "up"},
    )
    ingest(engine, [vote])
    with engine.connect() as conn:
        row = conn.execute(select(activities)).one()
        name = conn.scalar(
            select(members.c.display_name).where(members.c.id == row.target_owner_member_id)
        )
    assert row.actor_member_id is None
    assert name == "Owner"


def test_identity_names_accumulate(engine: Engine) -> None:
    a = message(1)
    b = ActivityIn("discord", "m2", "message.posted", T0, IdentityRef("discord", "u1", "alice2"))
    c = ActivityIn("discord", "m3", "message.posted", T0, IdentityRef("discord", "u1", "alice3"))
    ingest(engine, [a])
    ingest(engine, [b, c])
    with engine.connect() as conn:
        names = conn.scalar(select(identities.c.names))
    assert names == ["u1", "alice2", "alice3"]
