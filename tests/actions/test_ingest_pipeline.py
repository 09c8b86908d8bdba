"""A large SQLite import read by a second process (hearth.actions.ingest_pipeline): the same
ledger as one process makes, errors carried across, and no hang when the reader fails."""

import os
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from hearth.actions import identities as identities_module
from hearth.actions import ingest as ingest_module
from hearth.actions import ingest_staging as staging_module
from hearth.actions.context import Caller
from hearth.actions.ingest import ingest, restore_indexes
from hearth.actions.members import do_merge
from hearth.actions.privacy import do_erase_member, identity_hash
from hearth.cli.app import app
from hearth.connectors.demo.generator import generate
from hearth.connectors.jsonl.parser import dump_activity
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import HearthError, RecordError
from hearth.store.db import begin_write, create_engine
from hearth.store.tables import erasures

T0 = datetime(2024, 1, 1, tzinfo=UTC)
STAFF = Caller.operator("test")


@pytest.fixture
def sqlite_engines(sqlite_template: Path, tmp_path: Path) -> Iterator[list[Engine]]:
    """Two engines on fresh, migrated SQLite files (the pipeline is SQLite's)."""
    engines = []
    for name in ("one.db", "two.db"):
        shutil.copyfile(sqlite_template, tmp_path / name)
        engines.append(create_engine(f"sqlite:///{tmp_path / name}"))
    yield engines
    for engine in engines:
        engine.dispose()


def message(n: int, user: str = "u1", **properties: Any) -> ActivityIn:
    return ActivityIn(
        platform="discord",
        source_id=f"m{n}",
        kind="message.posted",
        occurred_at=T0 + timedelta(minutes=n),
        actor=IdentityRef("discord", user, handle=user),
        properties=properties,
    )


def community() -> list[ActivityIn | RecordError]:
    """A generated community with what an import meets: bad records (in the reader's batches
    too), activities repeated within a batch and across batches."""
    records: list[ActivityIn | RecordError] = list(generate(members=150, events=3000, seed=7))
    records.insert(100, RecordError("not valid JSON", source="f.jsonl", line=101))
    records.insert(2500, RecordError("missing 'kind'", source="f.jsonl", line=2501, field="kind"))
    records.insert(2600, ActivityIn("discord", "bad", "no.such.kind", T0, None))
    records.insert(2700, records[2699])  # repeated within a batch
    records.append(records[10])  # repeated in a later batch
    return records


def ledger(engine: Engine) -> list[tuple[Any, ...]]:
    """Everything an ingest writes, ids included."""
    with engine.connect() as conn:
        return [
            *conn.execute(text("SELECT * FROM activities ORDER BY id")).all(),
            *conn.execute(
                text("SELECT id, member_id, platform, external_id, handle, names FROM identities")
            ).all(),
            *conn.execute(text("SELECT id, display_name, is_bot FROM members")).all(),
        ]


def test_a_parallel_ingest_stores_what_one_process_stores(sqlite_engines: list[Engine]) -> None:
    alone, parallel = sqlite_engines
    expected = ingest(alone, community(), batch_size=200, bulk=True)
    report = ingest(parallel, community(), batch_size=200, bulk=True, parallel_after=600)
    assert report.as_dict() == expected.as_dict()
    assert (report.imported, report.duplicates, report.rejected) == (3000, 2, 3)
    assert [e.line for e in report.errors] == [101, 2501, None]
    assert report.errors[1].field == "kind"
    assert ledger(parallel) == ledger(alone)
    assert restore_indexes(parallel) == []  # bulk mode built its indexes again


def by_pid(n: int) -> Iterator[ActivityIn]:
    """``n`` activities, each recording the process that read it."""
    for i in range(n):
        yield message(i, f"u{i % 7}", pid=os.getpid())


def pids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                text("SELECT json_extract(properties, '$.pid') FROM activities ORDER BY id")
            )
        )


def test_the_reader_takes_over_after_parallel_after_records(sqlite_engines: list[Engine]) -> None:
    engine = sqlite_engines[0]
    report = ingest(engine, by_pid(1000), batch_size=100, parallel_after=300)
    assert report.imported == 1000
    readers = pids(engine)
    assert set(readers[:300]) == {os.getpid()}
    assert len(set(readers[300:])) == 1 and readers[300] != os.getpid()


def test_a_small_import_stays_in_one_process(sqlite_engines: list[Engine]) -> None:
    engine = sqlite_engines[0]
    ingest(engine, by_pid(250), batch_size=100, parallel_after=300)
    assert set(pids(engine)) == {os.getpid()}


def failing(after: int, error: Exception) -> Iterator[ActivityIn]:
    yield from (message(i) for i in range(after))
    raise error


def test_an_error_raised_while_reading_reaches_the_caller(sqlite_engines: list[Engine]) -> None:
    engine = sqlite_engines[0]
    with pytest.raises(ValueError, match="the parser broke") as raised:
        ingest(engine, failing(1000, ValueError("the parser broke")), batch_size=200, bulk=True,
               parallel_after=0)  # fmt: skip
    assert any("failing" in note for note in raised.value.__notes__)  # the reader's traceback
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM activities")) == 1000
    assert restore_indexes(engine) == []


class Counted:
    """A reader state: what the reading counted, for a closing report."""

    def __init__(self) -> None:
        self.read = 0
        self.pids: set[int] = set()


def counting(state: Counted, total: int, error: Exception | None = None) -> Iterator[ActivityIn]:
    for i in range(total):
        state.read += 1
        state.pids.add(os.getpid())
        yield message(i)
    if error is not None:
        raise error


def test_the_reader_state_comes_back_from_the_reader(sqlite_engines: list[Engine]) -> None:
    engine, other = sqlite_engines
    state = Counted()
    ingest(engine, counting(state, 1000), batch_size=100, parallel_after=100, reader_state=state)
    assert state.read == 1000 and len(state.pids) == 2  # counted in both processes, all here
    # also when the reading fails: what was counted up to the error
    state = Counted()
    with pytest.raises(ValueError):
        ingest(other, counting(state, 700, ValueError("broke")), batch_size=100,
               parallel_after=100, reader_state=state)  # fmt: skip
    assert state.read == 700


class Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a} and {b}")

    def __reduce__(self) -> Any:
        raise TypeError("no")


def test_an_error_that_cannot_cross_is_named(sqlite_engines: list[Engine]) -> None:
    with pytest.raises(HearthError, match="Unpicklable: 1 and 2") as raised:
        ingest(sqlite_engines[0], failing(10, Unpicklable(1, 2)), parallel_after=0)
    assert any("failing" in note for note in raised.value.__notes__)


def dies(after: int) -> Iterator[ActivityIn]:
    parent = os.getpid()
    for i in range(after):
        yield message(i)
    if os.getpid() != parent:
        os._exit(3)  # the reading process dies: killed, out of memory...


def test_a_reader_that_dies_is_reported_not_waited_for(sqlite_engines: list[Engine]) -> None:
    engine = sqlite_engines[0]
    with pytest.raises(HearthError, match="exit code 3"):
        ingest(engine, dies(600), batch_size=200, parallel_after=200)
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM activities"))
    # whole batches only: those the reader had handed over (it may die holding some)
    assert stored in (200, 400, 600)
    again = ingest(engine, dies(600), batch_size=200)  # importing again adds the rest
    assert (again.imported, again.duplicates) == (600 - stored, stored)


def test_erased_accounts_stay_out_of_a_parallel_import(sqlite_engines: list[Engine]) -> None:
    engine = sqlite_engines[0]
    with begin_write(engine) as conn:
        conn.execute(
            erasures.insert().values(
                platform="discord", identity_hash=identity_hash("discord", "gone"), erased_at=T0
            )
        )
    records = [message(i, "gone" if i % 3 == 0 else "kept") for i in range(600)]
    report = ingest(engine, records, batch_size=100, parallel_after=0)
    assert (report.imported, report.erased) == (400, 200)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM identities WHERE external_id = 'gone'")) == 0


def test_a_record_error_crosses_processes_whole() -> None:
    error = RecordError("expected a number", source="Posts.xml", line=7, element="row 3",
                        field="Score")  # fmt: skip
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problem, copy.source, copy.line, copy.element, copy.field) == (
        "expected a number",
        "Posts.xml",
        7,
        "row 3",
        "Score",
    )
    assert str(copy) == str(error)


def test_import_jsonl_reads_in_a_second_process(
    sqlite_engines: list[Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "PARALLEL_AFTER", 500)
    path = tmp_path / "a.jsonl"
    lines = [dump_activity(a) for a in generate(members=50, events=1500, seed=3)]
    lines.insert(700, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = str(sqlite_engines[0].url)
    result = CliRunner().invoke(app, ["--db", url, "import", "jsonl", str(path)])
    assert result.exit_code == 1, result.output  # one line rejected
    assert "line 701" in result.output
    assert "Imported 1,500, duplicates 0, rejected 1." in result.output


@pytest.mark.parametrize(
    ("module", "limit"),
    [
        # the writer's resolver forgets the accounts it knew (it reads them back by key)
        (identities_module, "CACHE_LIMIT"),
        # the reader numbers its accounts afresh (bounded memory)
        (staging_module, "_NUMBERS_REMEMBERED"),
    ],
)
def test_past_a_memory_limit_a_parallel_import_stores_the_same_ledger(
    sqlite_engines: list[Engine], monkeypatch: pytest.MonkeyPatch, module: Any, limit: str
) -> None:
    alone, parallel = sqlite_engines
    ingest(alone, community(), batch_size=200)
    monkeypatch.setattr(module, limit, 5)
    ingest(parallel, community(), batch_size=200, parallel_after=0)
    assert ledger(parallel) == ledger(alone)


def test_an_owner_named_first_beside_an_erased_actor_is_still_known(
    sqlite_engines: list[Engine],
) -> None:
    engine = sqlite_engines[0]
    with begin_write(engine) as conn:
        conn.execute(
            erasures.insert().values(
                platform="discord", identity_hash=identity_hash("discord", "gone"), erased_at=T0
            )
        )
    owner = IdentityRef("discord", "owner", handle="owner")
    first = replace(message(0, "gone"), target_type="message", target_id="x", target_owner=owner)
    erased = [message(i, "gone") for i in range(1, 100)]  # the first batch: nothing kept
    named = [replace(message(i), target_owner=owner) for i in range(100, 400)]
    report = ingest(engine, [first, *erased, *named], batch_size=100, parallel_after=0)
    assert (report.imported, report.erased) == (300, 100)
    with engine.connect() as conn:
        assert (
            conn.scalar(text("SELECT handle FROM identities WHERE external_id = 'owner'"))
            == "owner"
        )


# -- staged batches (hearth.actions.ingest_staging) ----------------------------------------------


def member_of(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        member: int = conn.scalar(
            text("SELECT member_id FROM identities WHERE external_id = :e"), {"e": external_id}
        )
    return member


def actors(engine: Engine) -> list[tuple[str, int | None, int | None]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT source_id, actor_member_id, target_owner_member_id FROM activities "
                    "ORDER BY id"
                )
            )
        ]


def test_a_merge_during_a_parallel_import_reaches_the_rest_of_it(
    sqlite_engines: list[Engine],
) -> None:
    """Staff merge two members while the import runs: what the absorbed member's account does
    afterwards is the kept member's, as a one-process import would store it."""
    engine = sqlite_engines[0]
    owner = IdentityRef("discord", "o", handle="o")
    records = [
        replace(message(i, "a" if i % 2 else "b"), target_type="message", target_id="t",
                target_owner=owner if i % 3 == 0 else IdentityRef("discord", "a"))
        for i in range(1000)
    ]  # fmt: skip
    merged: list[int] = []

    def merge_after_400(engine: Engine, keys: set[tuple[str, str]]) -> None:
        if not merged and any(int(source_id[1:]) >= 400 for _, source_id in keys):
            merged.append(do_merge(engine, STAFF, member_of(engine, "a"), member_of(engine, "o")))

    report = ingest(engine, records, batch_size=100, parallel_after=0, after_commit=merge_after_400)
    assert report.imported == 1000 and merged
    kept = member_of(engine, "o")
    assert member_of(engine, "a") == kept
    stored = actors(engine)
    # the merge moved the activities stored before it; those stored after it name the kept
    # member straight away
    assert {actor for source_id, actor, _ in stored if source_id[1:] in {"1", "999"}} == {kept}
    assert {owner for _, _, owner in stored} == {kept}


def test_an_erasure_during_a_parallel_import_keeps_the_rest_of_it_out(
    sqlite_engines: list[Engine],
) -> None:
    engine = sqlite_engines[0]
    records = [
        replace(message(i, "gone" if i % 2 else "kept"), target_type="message", target_id="t",
                target_owner=IdentityRef("discord", "gone" if i % 3 else "kept"))
        for i in range(1000)
    ]  # fmt: skip
    erased: list[dict[str, int]] = []

    def erase_after_400(engine: Engine, keys: set[tuple[str, str]]) -> None:
        if not erased and len(keys) and max(int(s[1:]) for _, s in keys) >= 399:
            erased.append(do_erase_member(engine, STAFF, member_of(engine, "gone")))

    report = ingest(engine, records, batch_size=100, parallel_after=0, after_commit=erase_after_400)
    assert erased
    # after the erasure: the erased account's activities are left out, and counted so
    assert (report.imported, report.erased) == (700, 300)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM identities WHERE external_id = 'gone'")) == 0
    kept = member_of(engine, "kept")
    stored = actors(engine)
    assert len(stored) == 500  # the 200 stored before the erasure went with it
    assert {actor for _, actor, _ in stored} == {kept}
    assert {owner for _, _, owner in stored} <= {kept, None}


def test_a_parallel_import_hands_after_commit_what_it_stored(
    sqlite_engines: list[Engine],
) -> None:
    engine = sqlite_engines[0]
    ingest(engine, community()[:1000], batch_size=250)
    with engine.connect() as conn:
        before = conn.scalar(text("SELECT max(id) FROM activities"))
    handed: list[set[tuple[str, str]]] = []

    def after_commit(_engine: Engine, keys: set[tuple[str, str]]) -> None:
        handed.append(keys)

    report = ingest(engine, community(), batch_size=250, parallel_after=0,
                    after_commit=after_commit)  # fmt: skip
    with engine.connect() as conn:
        stored = set(
            conn.execute(
                text("SELECT platform, source_id FROM activities WHERE id > :id"), {"id": before}
            ).all()
        )
    assert report.imported == len(stored) == sum(len(keys) for keys in handed) > 1000
    assert set().union(*handed) == stored
    handed.clear()
    again = ingest(engine, community(), batch_size=250, parallel_after=0,
                   after_commit=after_commit)  # fmt: skip
    assert again.imported == 0 and not handed


def test_the_staging_files_go_when_the_import_ends(
    sqlite_engines: list[Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    engine = sqlite_engines[0]
    ingest(engine, community(), batch_size=200, parallel_after=0)
    with pytest.raises(ValueError):
        ingest(engine, failing(1000, ValueError("broke")), batch_size=200, parallel_after=0)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_staging_file_that_cannot_be_written_stops_the_import_with_a_message(
    sqlite_engines: list[Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sqlite_engines[0]
    connect = sqlite3.connect

    def full_at_the_third_file(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(path).endswith("slot2.db"):
            raise sqlite3.OperationalError("database or disk is full")
        return connect(path, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", full_at_the_third_file)
    with pytest.raises(HearthError, match=r"staging file .*database or disk is full.*TMPDIR"):
        ingest(engine, (message(i) for i in range(1000)), batch_size=100, parallel_after=0)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM activities")) == 200


def test_without_a_second_process_the_import_goes_on_in_one(
    sqlite_engines: list[Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_folder(*_args: Any, **_kwargs: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    engine = sqlite_engines[0]
    report = ingest(engine, by_pid(500), batch_size=100, parallel_after=100)
    assert report.imported == 500
    assert set(pids(engine)) == {os.getpid()}
