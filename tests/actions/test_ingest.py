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


# -- bulk mode ---------------------------------------------------------------------------------


def secondary_indexes(engine: Engine) -> set[str]:
    from sqlalchemy import inspect

    with engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("activities") if not ix["unique"]}


EXPECTED_INDEXES = {str(ix.name) for ix in activities.indexes if not ix.unique}


def stored_rows(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(activities).order_by(activities.c.id)).all()
    return [tuple(row) for row in rows]


def test_bulk_mode_drops_the_indexes_while_loading_and_builds_them_after(engine: Engine) -> None:
    during: list[set[str]] = []
    records = [message(i, f"u{i % 7}") for i in range(50)] + [message(3)]
    report = ingest(
        engine, records, batch_size=10, bulk=True,
        on_batch=lambda _r: during.append(secondary_indexes(engine)),
    )  # fmt: skip
    assert (report.imported, report.duplicates) == (50, 1)
    assert secondary_indexes(engine) == EXPECTED_INDEXES
    if engine.dialect.name == "sqlite":
        assert all(indexes == set() for indexes in during)
    else:  # PostgreSQL has no bulk mode: its indexes stay
        assert all(indexes == EXPECTED_INDEXES for indexes in during)


def test_bulk_and_normal_ingest_store_the_same_rows(engine: Engine) -> None:
    records = [message(i, f"u{i % 7}") for i in range(40)] + [message(5)]
    first = ingest(engine, records, batch_size=7, bulk=False)
    expected = stored_rows(engine)
    with engine.begin() as conn:
        for table in (activities, identities, members):
            conn.execute(table.delete())
    again = ingest(engine, records, batch_size=7, bulk=True)
    assert first.as_dict() == again.as_dict()
    # the same rows but for the ids (new ones: the first rows were deleted)
    assert [row[1:4] + row[7:9] + row[11:] for row in stored_rows(engine)] == [
        row[1:4] + row[7:9] + row[11:] for row in expected
    ]


def test_bulk_mode_starts_by_itself_on_a_large_import(engine: Engine, monkeypatch) -> None:
    from hearth.actions import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "BULK_AFTER", 10)
    during: list[set[str]] = []
    ingest(
        engine, [message(i) for i in range(40)], batch_size=5,
        on_batch=lambda _r: during.append(secondary_indexes(engine)),
    )  # fmt: skip
    if engine.dialect.name == "sqlite":  # from the batch that reaches BULK_AFTER records
        assert [len(indexes) for indexes in during] == [3] + [0] * 7
    assert secondary_indexes(engine) == EXPECTED_INDEXES
    # 15 more: never as many as half the 40 stored, so no bulk mode
    during.clear()
    ingest(
        engine, [message(i) for i in range(40, 55)], batch_size=5,
        on_batch=lambda _r: during.append(secondary_indexes(engine)),
    )  # fmt: skip
    assert during == [EXPECTED_INDEXES] * 3


def test_an_import_that_fails_still_gets_its_indexes_back(engine: Engine) -> None:
    def records():
        yield from (message(i) for i in range(25))
        raise OSError("the file went away")

    try:
        ingest(engine, records(), batch_size=10, bulk=True)
    except OSError:
        pass
    else:
        raise AssertionError("the error was swallowed")
    assert secondary_indexes(engine) == EXPECTED_INDEXES
    assert count(engine, activities) == 20


def test_missing_indexes_are_built_by_the_next_ingest(engine: Engine) -> None:
    from hearth.actions.ingest import restore_indexes

    name = min(EXPECTED_INDEXES)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    assert name not in secondary_indexes(engine)
    if engine.dialect.name == "sqlite":
        ingest(engine, [message(1)])
    else:
        restore_indexes(engine)
    assert secondary_indexes(engine) == EXPECTED_INDEXES


def test_after_commit_gets_each_batch_s_new_keys(engine: Engine) -> None:
    batches: list[set[tuple[str, str]]] = []

    def after_commit(eng: Engine, keys: set[tuple[str, str]]) -> None:
        assert count(eng, activities) >= sum(len(b) for b in batches) + len(keys)  # committed
        batches.append(keys)

    ingest(engine, [message(1), message(2), message(1), message(3)], batch_size=2,
           after_commit=after_commit)  # fmt: skip
    assert batches == [{("discord", "m1"), ("discord", "m2")}, {("discord", "m3")}]


def test_a_resolver_notices_a_merge_made_between_its_batches(engine: Engine) -> None:
    """The identity cache lives across batches; a merge committed meanwhile (audited, as every
    change of who an account belongs to is) must reach the next batch's activities."""
    from hearth.actions.context import Caller
    from hearth.actions.identities import IdentityResolver
    from hearth.actions.members import do_merge

    resolver = IdentityResolver()
    ingest(engine, [message(1, "alice"), message(2, "bob")], resolver=resolver)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(identities.c.external_id, identities.c.member_id)).all())
    do_merge(engine, Caller.operator("test"), ids["bob"], ids["alice"])
    ingest(engine, [message(3, "bob")], resolver=resolver)
    with engine.connect() as conn:
        member = conn.scalar(
            select(activities.c.actor_member_id).where(activities.c.source_id == "m3")
        )
    assert member == ids["alice"]


def test_bulk_mode_gives_back_foreign_keys_and_collector_settings(engine: Engine) -> None:
    import gc

    thresholds = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    ingest(engine, [message(i, f"u{i % 3}") for i in range(30)], batch_size=10, bulk=True,
           on_batch=lambda _r: seen.append(gc.get_threshold()))  # fmt: skip
    assert gc.get_threshold() == thresholds
    if engine.dialect.name != "sqlite":
        return
    assert all(during[0] > thresholds[0] for during in seen)
    # every pooled connection checks foreign keys again
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with engine.begin() as conn, __import__("pytest").raises(Exception, match="FOREIGN KEY"):
        conn.execute(
            activities.insert().values(
                platform="discord", source_id="x", kind="message.posted",
                occurred_at=T0, actor_member_id=999_999, properties={},
            )
        )  # fmt: skip


def test_activities_stored_before_are_told_from_new_ones_in_a_mixed_batch(engine: Engine) -> None:
    """Every activity goes to the INSERT; those already stored must still be counted as
    duplicates and left out of the keys handed on, in and out of bulk mode."""
    ingest(engine, [message(i) for i in range(0, 40, 2)])
    for start, bulk in ((0, False), (20, True)):
        keys: list[set[tuple[str, str]]] = []
        report = ingest(
            engine, [message(i) for i in range(start, start + 20)], batch_size=7, bulk=bulk,
            after_commit=lambda _e, k, keys=keys: keys.append(k),
        )  # fmt: skip
        assert (report.imported, report.duplicates) == (10, 10)
        assert set().union(*keys) == {("discord", f"m{i}") for i in range(start + 1, start + 20, 2)}
