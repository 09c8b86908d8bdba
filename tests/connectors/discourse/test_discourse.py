"""The Discourse connector: the urho3d sample against its own counts, bad input, the webhook."""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import tarfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from hearth.actions.ingest import ingest
from hearth.cli import app
from hearth.connectors.discourse.archive import parse_archive
from hearth.connectors.discourse.topics import ArchiveStats, parse_topic
from hearth.connectors.discourse.webhook import (
    HANDLERS,
    IGNORED_EVENTS,
    map_event,
    verify_signature,
)
from hearth.domain.activity import ActivityIn, IdentityRef, validate_activity
from hearth.errors import InputError, RecordError
from hearth.store.tables import activities, identities

SAMPLE = Path("discourse") / "urho3d-sample" / "topics.tar.gz"


# -- helpers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> Path:
    return shared_data / SAMPLE


@cache
def raw_topics(tarball: Path) -> dict[int, tuple[str, dict[str, Any]]]:
    """The sample's topics as the forum wrote them, read here independently of the connector."""
    topics: dict[int, tuple[str, dict[str, Any]]] = {}
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is not None and member.name.endswith(".json"):
                data = json.load(stream)
                topics[data["id"]] = (Path(member.name).name, data)
    return topics


def topic(sample: Path, topic_id: int) -> dict[str, Any]:
    return copy.deepcopy(raw_topics(sample)[topic_id][1])


def write_topics(folder: Path, sample: Path, ids: list[int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for topic_id in ids:
        name, data = raw_topics(sample)[topic_id]
        path = folder / name
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths


def by_source(records: list[ActivityIn | RecordError]) -> dict[str, ActivityIn]:
    out = {r.source_id: r for r in records if isinstance(r, ActivityIn)}
    assert len(out) == len([r for r in records if isinstance(r, ActivityIn)])
    return out


def ledger_rows(engine: Engine) -> list[dict[str, Any]]:
    """The Discourse activities in the ledger, with their actors' and owners' platform ids."""
    actor, owner = identities.alias("actor"), identities.alias("owner")
    query = (
        select(
            activities.c.source_id,
            activities.c.kind,
            activities.c.occurred_at,
            activities.c.target_type,
            activities.c.target_id,
            activities.c.properties,
            actor.c.external_id.label("actor"),
            owner.c.external_id.label("owner"),
        )
        .select_from(activities)
        .join(actor, activities.c.actor_identity_id == actor.c.id, isouter=True)
        .join(owner, activities.c.target_owner_identity_id == owner.c.id, isouter=True)
        .where(activities.c.platform == "discourse")
        .order_by(activities.c.source_id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def rate(label: str, matched: int, total: int) -> str:
    return f"{label}: {matched}/{total} topics match ({100 * matched / total:.1f}%)"


# -- the real sample against the topics' own counts ----------------------------------------


def test_sample_ledger_matches_each_topics_own_counts(engine: Engine, sample: Path) -> None:
    stats = ArchiveStats()
    report = ingest(engine, parse_archive(sample, stats))
    assert (report.imported, report.duplicates, report.rejected) == (7582, 0, 0)
    assert (stats.files, stats.topics, stats.complete, stats.incomplete) == (997, 997, 997, [])

    # From the ledger: per thread, its posts (start + replies), likes received and posters.
    posts: dict[int, int] = defaultdict(int)
    likes: dict[int, int] = defaultdict(int)
    posters: dict[int, set[str]] = defaultdict(set)
    small_actions: dict[int, int] = defaultdict(int)
    solved: dict[int, dict[str, Any]] = {}
    replies: dict[int, dict[str, Any]] = {}
    for row in ledger_rows(engine):
        topic_id = int(row["target_id"])
        assert row["target_type"] == "thread"
        if row["kind"] == "thread.solved":
            solved[topic_id] = row
            continue
        posts[topic_id] += 1
        likes[topic_id] += row["properties"]["like_count"]
        posters[topic_id].add(row["actor"])
        if row["kind"] == "thread.started":
            small_actions[topic_id] = row["properties"].get("small_action_posts", 0)
        else:
            replies[row["properties"]["post_id"]] = row

    raw = {topic_id: data for topic_id, (_name, data) in raw_topics(sample).items()}
    assert set(posts) == set(raw)
    post_match = [t for t in raw if posts[t] == raw[t]["posts_count"]]
    like_match = [t for t in raw if likes[t] == raw[t]["like_count"]]
    people_match = [t for t in raw if len(posters[t]) == raw[t]["participant_count"]]
    print()
    print(rate("posts (posts_count)", len(post_match), len(raw)))
    print(rate("likes (like_count)", len(like_match), len(raw)))
    print(rate("participants (participant_count)", len(people_match), len(raw)))
    assert (len(post_match), len(like_match), len(people_match)) == (981, 997, 997)
    # Every post-count disagreement is the topic's small-action posts ("closed", "split"...),
    # which Discourse counts in posts_count and the ledger does not record as replies.
    for topic_id in set(raw) - set(post_match):
        assert small_actions[topic_id] > 0
        assert posts[topic_id] + small_actions[topic_id] == raw[topic_id]["posts_count"]
    assert sum(small_actions.values()) == 20

    # Accepted answers: one thread.solved per topic the Solved plugin marks, crediting the
    # author of the accepted post; trust levels and staff flags as the posts say.
    accepted = {t: d["accepted_answer"] for t, d in raw.items() if d.get("accepted_answer")}
    assert set(solved) == set(accepted) and len(solved) == 131
    for topic_id, summary in accepted.items():
        post = next(
            p for p in raw[topic_id]["post_stream"]["posts"] if p["accepted_answer"] is True
        )
        assert post["post_number"] == summary["post_number"]
        row = solved[topic_id]
        assert row["owner"] == str(post["user_id"])
        assert row["actor"] == str(raw[topic_id]["post_stream"]["posts"][0]["user_id"])
        assert row["properties"]["post_number"] == post["post_number"]
    for data in raw.values():
        for post in data["post_stream"]["posts"]:
            reply = replies.get(post["id"])
            if reply is None:
                assert post["post_number"] == 1 or post["post_type"] == 3
                continue
            props = reply["properties"]
            assert props["trust_level"] == post["trust_level"]
            assert (props["staff"], props["admin"], props["moderator"]) == (
                post["staff"],
                post["admin"],
                post["moderator"],
            )
            assert props["accepted_answer"] == post["accepted_answer"]

    again = ingest(engine, parse_archive(sample))
    assert (again.imported, again.duplicates, again.rejected) == (0, 7582, 0)


# -- mapping of one topic ------------------------------------------------------------------


def test_one_topic_maps_to_started_replied_and_solved(sample: Path) -> None:
    records = list(parse_topic(topic(sample, 3205), source="t/3205.json"))
    assert all(isinstance(r, ActivityIn) and not validate_activity(r) for r in records)
    acts = by_source(records)
    assert len(acts) == 1 + 20 + 1
    slapin = IdentityRef("discourse", "554", handle="slapin")
    george = IdentityRef("discourse", "627", handle="George1")

    started = acts["topic:3205"]
    assert started.kind == "thread.started"
    assert started.actor == slapin
    assert (started.target_type, started.target_id, started.target_owner) == (
        "thread",
        "3205",
        None,
    )
    assert started.occurred_at == datetime(2017, 6, 4, 5, 35, 23, 242000, tzinfo=UTC)
    assert started.properties["title"] == "Bind pose (rotation) for a bone"
    assert started.properties["posts_count"] == 21
    assert started.properties["topic_like_count"] == 1
    assert started.properties["like_count"] == 0  # the opening post's own likes
    assert started.properties["trust_level"] == 2
    assert "posts_missing" not in started.properties

    reply = acts["post:18433"]
    assert reply.kind == "thread.replied"
    assert (reply.actor, reply.target_id, reply.target_owner) == (slapin, "3205", slapin)
    assert reply.properties["post_number"] == 3
    assert reply.properties["reply_to_post_number"] == 2
    assert reply.properties["reply_to_user"] == "George1"
    assert reply.properties["reply_to_user_id"] == "627"
    assert acts["post:18432"].actor == george
    # Discourse omits reply_to_user when replying to the post just above; the ledger still
    # names the user replied to, from the topic's own posts.
    assert acts["post:18434"].properties["reply_to_user"] == "slapin"

    answer = acts["post:18478"]
    assert answer.properties["accepted_answer"] is True
    assert answer.properties["like_count"] == 1
    solved = acts["solved:3205"]
    assert solved.kind == "thread.solved"
    assert (solved.actor, solved.target_owner) == (slapin, slapin)
    assert solved.occurred_at == answer.occurred_at
    assert solved.properties == {"post_number": 21, "post_id": 18478, "self_accepted": True}


def test_staff_small_actions_and_hidden_posts(sample: Path) -> None:
    acts = by_source(list(parse_topic(topic(sample, 5265), source="t/5265.json")))
    started = acts["topic:5265"]
    assert started.properties["small_action_posts"] == 2
    # posts 7 and 9 are small actions (closed, reopened); number 8 is not in the topic any more
    numbers = {a.properties.get("post_number") for a in acts.values()}
    assert numbers == set(range(1, 22)) - {7, 8, 9}
    moderator_post = next(a for a in acts.values() if a.properties.get("post_number") == 3)
    assert moderator_post.properties["moderator_action"] is True
    assert moderator_post.properties["staff"] is True
    assert moderator_post.properties["like_count"] == 4

    hidden = by_source(list(parse_topic(topic(sample, 7160), source="t/7160.json")))
    flagged = [a for a in hidden.values() if a.properties.get("hidden")]
    assert sorted(a.properties["post_number"] for a in flagged) == [7, 10, 11]


def test_a_truncated_post_stream_is_imported_and_reported(sample: Path) -> None:
    data = topic(sample, 5000)  # 41 posts; the accepted answer is post 44, beyond the chunk
    data["post_stream"]["posts"] = data["post_stream"]["posts"][:20]
    stats = ArchiveStats()
    acts = by_source(list(parse_topic(data, source="t/5000.json", stats=stats)))
    assert len([a for a in acts.values() if a.kind == "thread.replied"]) == 19
    assert acts["topic:5000"].properties["posts_missing"] == 21
    assert stats.topics == 1 and stats.complete == 0
    (incomplete,) = stats.incomplete
    assert (incomplete.topic_id, incomplete.posts_in_file, incomplete.posts_in_stream) == (
        5000,
        20,
        41,
    )
    solved = acts["solved:5000"]  # credited through details.participants
    assert solved.target_owner == IdentityRef("discourse", "901", handle="lheller")
    assert solved.occurred_at == datetime(2021, 1, 17, 18, 4, 45, 768000, tzinfo=UTC)
    assert solved.properties == {"post_number": 44, "self_accepted": True}


# -- bad input -----------------------------------------------------------------------------


def test_bad_files_are_reported_and_the_good_ones_kept(
    engine: Engine, sample: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "t"
    first, last = write_topics(folder, sample, [1855, 6640])
    (folder / "1855.5-broken.json").write_text('{"id": 5,\n  "title": oops}\n', encoding="utf-8")
    (folder / "1855.6-array.json").write_text("[1, 2]", encoding="utf-8")
    no_date = topic(sample, 3205)
    del no_date["created_at"]
    (folder / "1855.7-nodate.json").write_text(json.dumps(no_date), encoding="utf-8")
    bad_post = topic(sample, 5265)
    bad_post["post_stream"]["posts"][4]["created_at"] = "last tuesday"
    bad_post["post_stream"]["posts"][10]["user_id"] = "31218"
    (folder / "1855.8-badpost.json").write_text(json.dumps(bad_post), encoding="utf-8")
    (folder / "SOURCE.txt").write_text("not a topic", encoding="utf-8")

    report = ingest(engine, parse_archive(folder))
    errors = [str(e) for e in report.errors]
    assert errors == [
        f"{folder}/1855.5-broken.json, line 2: not valid JSON (Expecting value at column 12)",
        f"{folder}/1855.6-array.json: expected a JSON object (a Discourse topic)",
        f"{folder}/1855.7-nodate.json, topic 3205, field 'created_at': "
        "this field is required (a text)",
        f"{folder}/1855.8-badpost.json, topic 5265, post 30486, "
        "field 'post_stream.posts[4].created_at': "
        "expected an ISO 8601 date and time, not 'last tuesday'",
        f"{folder}/1855.8-badpost.json, topic 5265, post 31218, "
        "field 'post_stream.posts[10].user_id': expected a whole number, not '31218'",
    ]
    stored = {row["source_id"] for row in ledger_rows(engine)}
    assert {"topic:1855", "topic:6640", "topic:5265"} <= stored
    assert "post:30486" not in stored and "post:31218" not in stored
    assert "topic:3205" not in stored
    # 1855: 5 posts; 6640: 3 posts; 5265: 20 posts, 2 of them small actions and 2 rejected
    assert report.imported == 5 + 3 + (20 - 2 - 2) and report.rejected == 5
    assert first.exists() and last.exists()


def test_damaged_tarball_keeps_what_was_read(engine: Engine, sample: Path, tmp_path: Path) -> None:
    whole = tmp_path / "topics.tar.gz"
    write_tarball(whole, sample, [1855, 6640, 3205])
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    records = list(parse_archive(damaged))
    errors = [r for r in records if isinstance(r, RecordError)]
    assert len(errors) == 1 and errors[0].source == str(damaged)
    assert "the tarball is damaged" in str(errors[0])
    assert "topic:1855" in by_source(records)


# -- tarball and folder --------------------------------------------------------------------


def write_tarball(path: Path, sample: Path, ids: list[int]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for topic_id in ids:
            name, data = raw_topics(sample)[topic_id]
            content = json.dumps(data).encode()
            info = tarfile.TarInfo(f"t/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))


def test_tarball_import_equals_folder_import(engine: Engine, sample: Path, tmp_path: Path) -> None:
    ids = sorted(raw_topics(sample))[:120]
    folder = tmp_path / "folder"
    write_topics(folder, sample, ids)
    tarball = tmp_path / "topics.tar.gz"
    write_tarball(tarball, sample, list(reversed(ids)))

    from_tar = by_source(list(parse_archive(tarball)))
    from_folder = by_source(list(parse_archive(folder)))
    assert from_tar == from_folder and len(from_tar) > 120

    first = ingest(engine, parse_archive(tarball))
    assert (first.imported, first.rejected) == (len(from_tar), 0)
    second = ingest(engine, parse_archive(folder))
    assert (second.imported, second.duplicates, second.rejected) == (0, len(from_tar), 0)


def test_one_file_and_unsupported_paths(sample: Path, tmp_path: Path) -> None:
    (path,) = write_topics(tmp_path, sample, [6640])
    stats = ArchiveStats()
    records = list(parse_archive(path, stats))
    assert by_source(records) == by_source(list(parse_topic(topic(sample, 6640), source="x")))
    assert (stats.files, stats.topics) == (1, 1)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    for wrong in (notes, tmp_path / "missing"):
        with pytest.raises(InputError, match="Expected a folder, a tarball"):
            parse_archive(wrong)


# -- webhook -------------------------------------------------------------------------------


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_webhook_signature() -> None:
    secret, body = b"s3cret", b'{"post": {"id": 1}}'
    good = sign(secret, body)
    assert verify_signature(secret, body, good)
    assert not verify_signature(secret, body + b" ", good)  # tampered body
    assert not verify_signature(secret, body, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not verify_signature(b"other", body, good)
    assert not verify_signature(secret, body, None)
    assert not verify_signature(secret, body, "")
    assert not verify_signature(secret, body, good.removeprefix("sha256="))
    assert not verify_signature(secret, body, "sha1=" + good.removeprefix("sha256="))
    assert not verify_signature(secret, body, "sha256=é")
    assert not verify_signature(b"", body, sign(b"", body))


def webhook_topic(raw: dict[str, Any]) -> dict[str, Any]:
    """A ``topic_created`` payload: the topic view without its post stream, with ``created_by``."""
    data = {k: v for k, v in raw.items() if k not in {"post_stream", "details", "timeline_lookup"}}
    data["created_by"] = raw["details"]["created_by"]
    return {"topic": data}


def webhook_post(raw_topic: dict[str, Any], number: int) -> dict[str, Any]:
    """A ``post_created`` payload: the post without ``actions_summary``, with topic fields."""
    post = next(p for p in raw_topic["post_stream"]["posts"] if p["post_number"] == number)
    data = {k: v for k, v in post.items() if k != "actions_summary"}
    data.update(
        topic_title=raw_topic["title"],
        topic_archetype=raw_topic["archetype"],
        category_id=raw_topic["category_id"],
        topic_posts_count=raw_topic["posts_count"],
    )
    return {"post": data}


def test_webhook_events_map_like_the_importer(engine: Engine, sample: Path) -> None:
    raw = topic(sample, 3205)
    imported = by_source(list(parse_topic(topic(sample, 3205), source="t/3205.json")))

    (started,) = HANDLERS["topic_created"](webhook_topic(raw))
    assert started.source_id == "topic:3205" and started.actor == imported["topic:3205"].actor
    assert started.occurred_at == imported["topic:3205"].occurred_at
    assert started.properties["title"] == raw["title"] and "like_count" not in started.properties
    (first,) = HANDLERS["post_created"](webhook_post(raw, 1))
    assert (first.source_id, first.kind, first.actor) == (
        "topic:3205",
        "thread.started",
        started.actor,
    )
    assert first.properties["title"] == raw["title"]

    (reply,) = HANDLERS["post_created"](webhook_post(raw, 3))
    expected = imported["post:18433"]
    assert (reply.source_id, reply.kind, reply.actor) == (
        expected.source_id,
        expected.kind,
        expected.actor,
    )
    assert (reply.target_type, reply.target_id, reply.target_owner) == ("thread", "3205", None)
    assert reply.properties["reply_to_user"] == "George1"
    assert "like_count" not in reply.properties  # webhook posts carry no actions_summary

    liker = {"id": 627, "username": "George1", "name": "", "avatar_template": ""}
    before = datetime.now(UTC)
    (like,) = HANDLERS["post_liked"](
        {"like": {"post": webhook_post(raw, 21)["post"], "user": liker}}
    )
    assert like.kind == "reaction.added" and like.source_id == "like:18478:627"
    assert like.actor == IdentityRef("discourse", "627", handle="George1")
    assert like.target_owner == IdentityRef("discourse", "554", handle="slapin")
    assert (like.target_type, like.target_id) == ("post", "18478")
    assert before <= like.occurred_at <= datetime.now(UTC) + timedelta(seconds=1)

    (solution,) = HANDLERS["accepted_solution"](webhook_post(raw, 21))
    assert solution.source_id == "solved:3205" and solution.kind == "thread.solved"
    assert solution.actor is None  # the post payload does not name the topic's creator
    assert solution.target_owner == imported["solved:3205"].target_owner

    # What the webhook stored is not stored again by a later archive import.
    live = [started, reply, like]
    assert ingest(engine, live).imported == 3
    later = ingest(engine, imported.values())
    assert (later.imported, later.duplicates) == (len(imported) - 2, 2)


def test_webhook_ignores_what_is_not_member_activity(sample: Path) -> None:
    raw = topic(sample, 5265)
    small_action = webhook_post(raw, 7)
    assert small_action["post"]["post_type"] == 3
    assert map_event("post_created", small_action) == []
    private = webhook_post(raw, 2)
    private["post"]["topic_archetype"] = "private_message"
    assert map_event("post_created", private) == []
    private_topic = webhook_topic(raw)
    private_topic["topic"]["archetype"] = "private_message"
    assert map_event("topic_created", private_topic) == []
    assert map_event("post_edited", webhook_post(raw, 2)) == []
    assert map_event("ping", {"ping": "OK"}) == []
    with pytest.raises(InputError, match="unknown Discourse event 'chat_message_created'"):
        map_event("chat_message_created", {})
    assert not set(HANDLERS) & IGNORED_EVENTS
    with pytest.raises(RecordError) as caught:
        map_event("post_created", {"topic": {}})
    assert str(caught.value) == (
        "discourse webhook, post_created, field 'post': expected a JSON object under 'post'"
    )
    broken = webhook_post(raw, 2)
    del broken["post"]["topic_id"]
    with pytest.raises(RecordError, match=r"field 'post\.topic_id'"):
        map_event("post_created", broken)


# -- command line --------------------------------------------------------------------------


def test_cli_imports_a_folder_and_reports(db_url: str, sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "forum"
    write_topics(folder, sample, [1855, 6640])
    (folder / "broken.json").write_text("{", encoding="utf-8")
    truncated = topic(sample, 5000)
    truncated["post_stream"]["posts"] = truncated["post_stream"]["posts"][:20]
    (folder / "sphere.5000.json").write_text(json.dumps(truncated), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "import", "discourse", str(folder)])
    assert result.exit_code == 1, result.output
    assert "Imported 29, duplicates 0, rejected 1." in result.output
    assert f"{folder}/broken.json, line 1: not valid JSON" in result.output
    assert "Topics: 3 from 4 files; 2 complete." in result.output
    assert "1 topic is incomplete" in result.output
    assert "topic 5000: 20 of 41 posts" in result.output

    (folder / "broken.json").unlink()
    again = runner.invoke(app, ["--db", db_url, "import", "discourse", str(folder)])
    assert again.exit_code == 0, again.output
    assert "Imported 0, duplicates 29, rejected 0." in again.output


def test_a_large_archive_read_in_a_second_process_reports_the_same(
    sqlite_template: Path, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hearth.actions import ingest as ingest_module

    # batches of 100, a reader process after the first 50 records: it reads nearly all of it,
    # and the archive's counts (topics, files, incomplete ones) come back from it
    monkeypatch.setattr(ingest_module, "PARALLEL_AFTER", 50)
    monkeypatch.setenv("HEARTH_INGEST_BATCH_SIZE", "100")
    outputs = []
    for parallel in ("true", "false"):
        monkeypatch.setenv("HEARTH_INGEST_PARALLEL", parallel)
        db = tmp_path / f"{parallel}.db"
        db.write_bytes(sqlite_template.read_bytes())
        result = CliRunner().invoke(
            app, ["--db", f"sqlite:///{db}", "import", "discourse", str(sample)]
        )
        assert result.exit_code == 0, result.output
        # the report, not the progress bars (their frames and widths vary)
        report = ("Imported", "Topics:", "Skipped", "private message", "incomplete", "topic ")
        outputs.append(
            [
                ln.strip()
                for ln in result.output.splitlines()
                if ln.strip().startswith(report) or "incomplete" in ln
            ]
        )
    in_two, in_one = outputs
    assert any(line.startswith("Topics: ") for line in in_one)
    assert any(line.startswith("Imported ") for line in in_one)
    assert in_two == in_one
