"""The demo generator: deterministic, exact, valid, long-tailed, and loadable on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from hearth.actions.ingest import ingest
from hearth.cli import app
from hearth.connectors.demo.generator import DEFAULT_START, generate
from hearth.domain.activity import ActivityIn, validate_activity
from hearth.domain.kinds import get_kind
from hearth.store.db import create_engine
from hearth.store.tables import activities, identities, members

PLATFORMS = {"discord", "github", "git", "discourse", "stackexchange"}


@pytest.fixture(scope="module")
def sample() -> list[ActivityIn]:
    return list(generate(members=200, events=5000, seed=11))


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(table))
            for table in (activities, identities, members)
        )


def test_same_arguments_give_the_same_community(sample: list[ActivityIn]) -> None:
    assert list(generate(members=200, events=5000, seed=11)) == sample
    assert list(generate(members=200, events=5000, seed=12)) != sample


def test_yields_exactly_the_events_asked_for() -> None:
    for people, events in ((1, 0), (1, 1), (50, 10), (3, 400), (40, 1234)):
        assert sum(1 for _ in generate(members=people, events=events, seed=1)) == events


def test_is_streamed_not_built() -> None:
    stream = generate(members=1_000_000, events=10_000_000, seed=1)
    assert len(list(islice(stream, 100))) == 100


def test_source_ids_are_unique(sample: list[ActivityIn]) -> None:
    keys = {(a.platform, a.source_id) for a in sample}
    assert len(keys) == len(sample)


def test_every_activity_is_valid_and_of_a_registered_kind(sample: list[ActivityIn]) -> None:
    for activity in sample:
        assert get_kind(activity.kind) is not None, activity.kind
        assert validate_activity(activity) == [], activity
    assert {a.platform for a in sample} == PLATFORMS
    wanted = {
        "member.joined", "member.introduced", "member.role_picked", "message.posted",
        "reaction.added", "thread.started", "thread.replied", "thread.solved", "thanks.given",
        "question.asked", "answer.posted", "answer.accepted", "vote.cast", "comment.posted",
        "pr.opened", "pr.merged", "issue.opened", "issue.commented", "commit.authored",
        "content.published", "project.shared", "event.attended",
    }  # fmt: skip
    assert wanted <= {a.kind for a in sample}


def test_times_are_ordered_within_the_fixed_span(sample: list[ActivityIn]) -> None:
    times = [a.occurred_at for a in sample]
    assert times == sorted(times)
    assert times[0] == DEFAULT_START
    assert times[-1] <= DEFAULT_START + timedelta(days=480)
    assert all(t.utcoffset() == timedelta(0) for t in times)
    later = datetime(2030, 6, 1, 12, tzinfo=UTC)
    assert next(iter(generate(members=5, events=5, seed=1, start=later))).occurred_at == later


def test_members_join_before_they_do_anything(sample: list[ActivityIn]) -> None:
    seen: set[tuple[str, str]] = set()
    for activity in sample:
        for ref in (activity.actor, activity.target_owner):
            if ref is None or ref.is_bot or ref.platform == "git":
                continue
            key = (ref.platform, ref.external_id)
            if key not in seen:
                assert activity.kind == "member.joined" and ref is activity.actor, activity
                seen.add(key)
    first = sample[0]
    assert first.kind == "member.joined"


def test_a_few_members_do_most_of_the_work(sample: list[ActivityIn]) -> None:
    per_member = Counter(
        (a.actor.platform, a.actor.external_id)
        for a in sample
        if a.actor is not None and not a.actor.is_bot
    )
    ranked = sorted(per_member.values(), reverse=True)
    top = ranked[: len(ranked) // 10]
    assert sum(top) > 0.5 * sum(ranked)


def test_targets_belong_to_someone_else(sample: list[ActivityIn]) -> None:
    replies = [a for a in sample if a.kind in ("thread.replied", "answer.posted")]
    assert replies
    for activity in replies:
        assert activity.target_owner is not None and activity.target_id
        assert activity.target_owner != activity.actor
    accepted = [a for a in sample if a.kind == "answer.accepted"]
    assert accepted and all(a.target_owner is not None for a in accepted)


def test_realistic_people_channels_labels_and_bots(sample: list[ActivityIn]) -> None:
    channels = {a.properties.get("channel") for a in sample if a.kind == "message.posted"}
    assert {"general", "quick-help", "showcase"} <= channels
    labels = {label for a in sample if a.kind == "issue.opened" for label in a.properties["labels"]}
    assert {"severity:low", "severity:medium", "severity:high", "severity:critical"} <= labels
    bots = {a.actor.handle for a in sample if a.actor is not None and a.actor.is_bot}
    assert {"github-actions[bot]", "mee6"} <= bots
    git_refs = [a.actor for a in sample if a.platform == "git" and a.actor is not None]
    assert git_refs and all(ref.email and "@" in ref.email for ref in git_refs)
    # the same person on several platforms has related handles
    names: dict[str, set[str]] = {}
    for a in sample:
        if a.kind == "member.joined" and a.actor is not None and a.actor.display_name:
            names.setdefault(a.actor.display_name, set()).add(a.platform)
    assert any(len(platforms) > 1 for platforms in names.values())


def test_ingest_twice_stores_once(engine: Engine) -> None:
    first = ingest(engine, generate(members=200, events=5000, seed=5), batch_size=1000)
    assert (first.imported, first.duplicates, first.rejected) == (5000, 0, 0)
    stored = counts(engine)
    again = ingest(engine, generate(members=200, events=5000, seed=5), batch_size=1000)
    assert (again.imported, again.duplicates, again.rejected) == (0, 5000, 0)
    assert counts(engine) == stored
    assert stored[0] == 5000


def test_cli_generate_loads_the_database(db_url: str) -> None:
    args = ["--db", db_url, "generate", "--members", "50", "--events", "500", "--seed", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Imported 500" in result.output
    engine = create_engine(db_url)
    try:
        assert counts(engine)[0] == 500
    finally:
        engine.dispose()


def test_cli_generate_to_jsonl_then_import_gives_the_same_counts(
    db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = ["--db", db_url, "generate", "--members", "50", "--events", "500", "--seed", "3"]
    assert runner.invoke(app, args).exit_code == 0
    path = tmp_path / "demo.jsonl"
    to_file = ["generate", "--members", "50", "--events", "500", "--seed", "3", "-o", str(path)]
    result = runner.invoke(app, ["--db", db_url, *to_file])
    assert result.exit_code == 0, result.output
    assert len(path.read_text(encoding="utf-8").splitlines()) == 500
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert runner.invoke(app, ["--db", other, "init"]).exit_code == 0
    result = runner.invoke(app, ["--db", other, "import", "jsonl", str(path)])
    assert result.exit_code == 0, result.output
    first, second = create_engine(db_url), create_engine(other)
    try:
        assert counts(first) == counts(second)
    finally:
        first.dispose()
        second.dispose()
