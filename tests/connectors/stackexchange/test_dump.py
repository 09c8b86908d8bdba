"""The Stack Exchange data-dump connector: mapping, bad input, and real dumps on both backends."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from hearth.actions.context import Caller
from hearth.actions.export import access_member_export
from hearth.actions.ingest import ingest
from hearth.cli import app
from hearth.connectors.stackexchange.dump import parse_dump
from hearth.connectors.stackexchange.posts import parse_tags
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError, RecordError
from hearth.store.tables import activities, identities, members

TABLES = {
    "Users.xml": "users",
    "Posts.xml": "posts",
    "Votes.xml": "votes",
    "Comments.xml": "comments",
    "Badges.xml": "badges",
    "PostHistory.xml": "posthistory",
}


# -- helpers -------------------------------------------------------------------------------


def write_table(folder: Path, name: str, rows: Iterable[dict[str, Any]]) -> Path:
    """Write a dump file the way Stack Exchange does: BOM, CRLF, one ``<row/>`` per line."""
    lines = ['\ufeff<?xml version="1.0" encoding="utf-8"?>', f"<{TABLES[name]}>"]
    for attrs in rows:
        fields = " ".join(f"{key}={quoteattr(str(value))}" for key, value in attrs.items())
        lines.append(f"  <row {fields} />")
    lines.append(f"</{TABLES[name]}>")
    path = folder / name
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return path


def user(user_id: int, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": user_id,
        "Reputation": 101,
        "CreationDate": "2019-12-01T08:00:00.000",
        "DisplayName": name,
        "Views": 7,
        "UpVotes": 3,
        "DownVotes": 1,
        "AccountId": 1000 + user_id,
        **extra,
    }


def tiny_dump(folder: Path) -> Path:
    """A hand-written dump with one of each case the mapping has to decide."""
    folder.mkdir(parents=True, exist_ok=True)
    write_table(
        folder,
        "Users.xml",
        [
            user(-1, "Community", AboutMe="<p>a bot</p>", Location="on the server farm"),
            user(1, "Alice", AboutMe="<p>hi</p>", Location="Lyon", WebsiteUrl=""),
            user(2, "Bob", WebsiteUrl="https://bob.example"),
            user(3, "Carol"),
        ],
    )
    write_table(
        folder,
        "Posts.xml",
        [
            {
                "Id": 10,
                "PostTypeId": 1,
                "AcceptedAnswerId": 11,
                "CreationDate": "2020-01-01T09:00:00.000",
                "Score": 5,
                "ViewCount": 120,
                "OwnerUserId": 1,
                "Title": "Which brakes?",
                "Tags": "<bikes><brakes>",
                "AnswerCount": 2,
                "CommentCount": 1,
                "FavoriteCount": 3,
            },
            {
                "Id": 11,
                "PostTypeId": 2,
                "ParentId": 10,
                "CreationDate": "2020-01-01T10:00:00.000",
                "Score": 4,
                "OwnerUserId": 2,
                "CommentCount": 1,
            },
            {
                "Id": 12,
                "PostTypeId": 2,
                "ParentId": 10,
                "CreationDate": "2020-01-01T11:00:00.000",
                "Score": -1,
                "OwnerDisplayName": "user99",
                "CommentCount": 0,
            },
            {
                "Id": 20,
                "PostTypeId": 1,
                "AcceptedAnswerId": 21,
                "CreationDate": "2020-01-02T08:00:00.000",
                "Score": 2,
                "ViewCount": 30,
                "OwnerUserId": 3,
                "Title": "FAQ",
                "Tags": "|meta|faq|",
                "AnswerCount": 1,
                "CommentCount": 0,
                "CommunityOwnedDate": "2020-01-05T00:00:00.000",
                "ClosedDate": "2020-02-01T00:00:00.000",
            },
            {
                "Id": 21,
                "PostTypeId": 2,
                "ParentId": 20,
                "CreationDate": "2020-01-02T10:00:00.000",
                "Score": 1,
                "OwnerUserId": 3,
                "CommunityOwnedDate": "2020-01-05T00:00:00.000",
                "CommentCount": 0,
            },
            {
                "Id": 30,
                "PostTypeId": 5,
                "CreationDate": "2020-01-03T00:00:00.000",
                "Score": 0,
                "OwnerUserId": -1,
                "CommentCount": 1,
            },
        ],
    )
    write_table(
        folder,
        "Votes.xml",
        [
            {"Id": 100, "PostId": 11, "VoteTypeId": 1, "CreationDate": "2020-01-03T00:00:00.000"},
            {"Id": 101, "PostId": 21, "VoteTypeId": 1, "CreationDate": "2020-01-02T00:00:00.000"},
            {
                "Id": 102,
                "PostId": 20,
                "VoteTypeId": 8,
                "UserId": 2,
                "BountyAmount": 50,
                "CreationDate": "2020-01-04T00:00:00.000",
            },
            {"Id": 103, "PostId": 12, "VoteTypeId": 2, "CreationDate": "2020-01-04T00:00:00.000"},
            {"Id": 104, "PostId": 999, "VoteTypeId": 3, "CreationDate": "2020-01-04T00:00:00.000"},
            {
                "Id": 105,
                "PostId": 10,
                "VoteTypeId": 5,
                "UserId": 3,
                "CreationDate": "2020-01-04T00:00:00.000",
            },
            {"Id": 106, "PostId": 10, "VoteTypeId": 13, "CreationDate": "2020-01-04T00:00:00.000"},
        ],
    )
    write_table(
        folder,
        "Comments.xml",
        [
            {"Id": 200, "PostId": 10, "Score": 2, "UserId": 2, "CreationDate": "2020-01-01T09:30"},
            {
                "Id": 201,
                "PostId": 11,
                "Score": 0,
                "UserDisplayName": "user77",
                "CreationDate": "2020-01-01T10:30:00.000",
            },
            {"Id": 202, "PostId": 30, "Score": 0, "CreationDate": "2020-01-03T01:00:00.000"},
        ],
    )
    write_table(
        folder,
        "Badges.xml",
        [
            {
                "Id": 300,
                "UserId": 1,
                "Name": "Student",
                "Date": "2020-01-01T09:10:00.000",
                "Class": 3,
                "TagBased": "False",
            },
            {
                "Id": 301,
                "UserId": 2,
                "Name": "brakes",
                "Date": "2020-01-06T00:00:00.000",
                "Class": 1,
                "TagBased": "True",
            },
        ],
    )
    history = [
        (400, 2, 10, 1),
        (401, 5, 10, 2),
        (402, 8, 11, 1),
        (403, 10, 20, None),
        (404, 4, 12, None),
    ]
    write_table(
        folder,
        "PostHistory.xml",
        [
            {
                "Id": history_id,
                "PostHistoryTypeId": type_id,
                "PostId": post_id,
                "RevisionGUID": f"guid-{history_id}",
                "CreationDate": "2020-01-07T00:00:00.000",
                **({"UserId": user_id} if user_id is not None else {}),
                "Text": "…",
            }
            for history_id, type_id, post_id, user_id in history
        ],
    )
    return folder


def by_source(records: Iterable[ActivityIn | RecordError]) -> dict[str, ActivityIn]:
    out: dict[str, ActivityIn] = {}
    for record in records:
        assert isinstance(record, ActivityIn), str(record)
        assert record.source_id not in out
        out[record.source_id] = record
    return out


def errors_of(records: Iterable[ActivityIn | RecordError]) -> list[RecordError]:
    return [record for record in records if isinstance(record, RecordError)]


def xml_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a dump file read with ElementTree, independently of the connector."""
    return [dict(row.attrib) for row in ET.parse(path).getroot() if row.tag == "row"]


def ref(external_id: str, **kw: Any) -> IdentityRef:
    return IdentityRef("stackexchange", external_id, **kw)


# -- mapping, on the hand-written dump -----------------------------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> dict[str, ActivityIn]:
    return by_source(parse_dump(tiny_dump(tmp_path / "tiny")))


def test_every_row_maps_to_one_kind(tiny: dict[str, ActivityIn]) -> None:
    kinds = Counter(activity.kind for activity in tiny.values())
    assert kinds == {
        "member.joined": 4,
        "question.asked": 2,
        "answer.posted": 3,
        "vote.cast": 7,
        "answer.accepted": 2,
        "comment.posted": 3,
        "badge.awarded": 2,
        "post.edited": 3,
    }
    assert all(activity.occurred_at.tzinfo is UTC for activity in tiny.values())


def test_users_join_with_their_profile_and_community_is_a_bot(
    tiny: dict[str, ActivityIn],
) -> None:
    alice = tiny["user:1"]
    assert alice.kind == "member.joined"
    assert alice.actor == ref("1", display_name="Alice")
    assert alice.occurred_at == datetime(2019, 12, 1, 8, tzinfo=UTC)
    assert alice.properties == {
        "about_me_set": True,
        "location_set": True,
        "website_set": False,
        "profile_views": 7,
        "reputation": 101,
        "up_votes": 3,
        "down_votes": 1,
        "account_id": 1001,
    }
    assert tiny["user:2"].properties["website_set"] is True
    assert tiny["user:-1"].actor == ref("-1", display_name="Community", is_bot=True)
    assert tiny["comment:202"].target_owner == ref("-1", is_bot=True)


def test_questions_carry_their_figures_and_tags_in_either_format(
    tiny: dict[str, ActivityIn],
) -> None:
    question = tiny["post:10"]
    assert (question.kind, question.actor) == ("question.asked", ref("1"))
    assert (question.target_type, question.target_id, question.target_owner) == ("post", "10", None)
    assert question.properties == {
        "post_id": 10,
        "score": 5,
        "comment_count": 1,
        "views": 120,
        "answer_count": 2,
        "favorite_count": 3,
        "tags": ["bikes", "brakes"],
        "title": "Which brakes?",
        "community_wiki": False,
        "accepted_answer_id": 11,
        "closed": False,
    }
    wiki = tiny["post:20"].properties
    assert (wiki["tags"], wiki["community_wiki"], wiki["closed"]) == (["meta", "faq"], True, True)
    assert parse_tags("<c++><c#>") == ["c++", "c#"]
    assert parse_tags("|c++|c#|") == ["c++", "c#"]
    assert parse_tags("") == parse_tags(None) == []


def test_answers_target_the_question_and_its_asker(tiny: dict[str, ActivityIn]) -> None:
    answer = tiny["post:11"]
    assert (answer.kind, answer.actor) == ("answer.posted", ref("2"))
    assert (answer.target_id, answer.target_owner) == ("10", ref("1"))
    assert answer.properties == {
        "post_id": 11,
        "question_id": 10,
        "score": 4,
        "comment_count": 1,
        "community_wiki": False,
    }
    assert tiny["post:21"].properties["community_wiki"] is True


def test_deleted_authors_get_one_stand_in_per_shown_name(tiny: dict[str, ActivityIn]) -> None:
    assert tiny["post:12"].actor == ref("deleted:user99", display_name="user99")
    assert tiny["vote:103"].target_owner == ref("deleted:user99", display_name="user99")
    assert tiny["comment:201"].actor == ref("deleted:user77", display_name="user77")
    assert tiny["comment:202"].actor == ref("deleted")
    assert tiny["history:404"].actor == ref("deleted")
    assert tiny["history:404"].target_owner == ref("deleted:user99", display_name="user99")


def test_acceptances_name_asker_answerer_and_time(tiny: dict[str, ActivityIn]) -> None:
    accepted = tiny["accept:11"]
    assert (accepted.kind, accepted.actor, accepted.target_owner) == (
        "answer.accepted",
        ref("1"),
        ref("2"),
    )
    assert accepted.target_id == "11"
    assert accepted.properties == {"question_id": 10, "self_accept": False}
    assert accepted.occurred_at == datetime(2020, 1, 3, tzinfo=UTC)  # the accept vote's day
    self_accepted = tiny["accept:21"]
    assert self_accepted.properties == {"question_id": 20, "self_accept": True}
    # The vote's day (00:00) is before the answer was posted that day: the answer's time wins.
    assert self_accepted.occurred_at == datetime(2020, 1, 2, 10, tzinfo=UTC)


def test_acceptance_without_votes_file_uses_the_answer_time(tmp_path: Path) -> None:
    folder = tiny_dump(tmp_path / "tiny")
    (folder / "Votes.xml").unlink()
    records = by_source(parse_dump(folder))
    assert records["accept:11"].occurred_at == datetime(2020, 1, 1, 10, tzinfo=UTC)
    assert not any(source.startswith("vote:") for source in records)


def test_votes_name_type_owner_and_bounty(tiny: dict[str, ActivityIn]) -> None:
    bounty = tiny["vote:102"]
    assert (bounty.actor, bounty.target_id, bounty.target_owner) == (ref("2"), "20", ref("3"))
    assert bounty.properties == {
        "vote_type": "bounty_start",
        "vote_type_id": 8,
        "bounty_amount": 50,
        "post_type": "question",
        "community_wiki": True,
    }
    up = tiny["vote:100"]
    assert up.actor is None
    assert up.properties["vote_type"] == "accept"
    assert up.properties["post_type"] == "answer"
    assert tiny["vote:105"].properties["vote_type"] == "favorite"
    assert tiny["vote:106"].properties["vote_type"] == "other"
    missing = tiny["vote:104"]
    assert (missing.target_id, missing.target_owner) == ("999", None)
    assert missing.properties == {"vote_type": "down", "vote_type_id": 3}


def test_comments_badges_and_edits(tiny: dict[str, ActivityIn]) -> None:
    comment = tiny["comment:200"]
    assert (comment.actor, comment.target_id, comment.target_owner) == (ref("2"), "10", ref("1"))
    assert comment.properties == {"score": 2}
    assert comment.occurred_at == datetime(2020, 1, 1, 9, 30, tzinfo=UTC)
    gold = tiny["badge:301"]
    assert (gold.actor, gold.target_type, gold.target_id) == (ref("2"), "badge", "brakes")
    assert gold.properties == {"name": "brakes", "class": "gold", "tag_based": True}
    assert tiny["badge:300"].properties["class"] == "bronze"
    edit = tiny["history:401"]
    assert (edit.kind, edit.actor, edit.target_owner) == ("post.edited", ref("2"), ref("1"))
    assert edit.properties == {"history_type_id": 5, "edit": "body", "revision": "guid-401"}
    assert tiny["history:402"].properties["edit"] == "rollback_body"
    assert "history:400" not in tiny  # initial revision: already the question
    assert "history:403" not in tiny  # closure: not an edit


def test_site_prefix_keeps_two_sites_apart(tmp_path: Path) -> None:
    records = by_source(parse_dump(tiny_dump(tmp_path / "tiny"), site="bikes"))
    answer = records["bikes/post:11"]
    assert (answer.actor, answer.target_owner) == (ref("bikes/2"), ref("bikes/1"))
    assert records["bikes/user:-1"].actor == ref("bikes/-1", display_name="Community", is_bot=True)
    assert records["bikes/accept:11"].actor == ref("bikes/1")
    # targets too: the answer's question, a vote's post
    assert (answer.target_id, records["bikes/post:10"].target_id) == ("bikes/10", "bikes/10")
    post_targets = [r.target_id for r in records.values() if r.target_type == "post"]
    assert post_targets and all(target.startswith("bikes/") for target in post_targets)
    with pytest.raises(InputError):
        list(parse_dump(tmp_path / "tiny", site="a/b"))


# -- bad input -----------------------------------------------------------------------------


def test_missing_required_files_are_errors_and_optional_ones_are_not(tmp_path: Path) -> None:
    folder = tiny_dump(tmp_path / "tiny")
    for name in ("Votes.xml", "Comments.xml", "Badges.xml", "PostHistory.xml"):
        (folder / name).unlink()
    assert errors_of(parse_dump(folder)) == []
    (folder / "Posts.xml").unlink()
    records = list(parse_dump(folder))
    [error] = errors_of(records)
    assert error.source == str(folder / "Posts.xml")
    assert "missing" in error.problem
    assert sum(isinstance(r, ActivityIn) for r in records) == 4  # the users are still read


def test_bad_rows_name_file_line_row_and_field(tmp_path: Path) -> None:
    folder = tiny_dump(tmp_path / "tiny")
    votes = folder / "Votes.xml"
    text = votes.read_text(encoding="utf-8")
    text = text.replace('Id="101" PostId="21"', 'Id="x1" PostId="21"')
    text = text.replace(
        'Id="103" PostId="12" VoteTypeId="2" CreationDate="2020-01-04T00:00:00.000"',
        'Id="103"\r\n PostId="12" VoteTypeId="2" CreationDate="yesterday"',
    )
    votes.write_bytes(text.encode("utf-8"))
    records = list(parse_dump(folder))
    bad_id, bad_date = errors_of(records)
    assert (bad_id.source, bad_id.line, bad_id.field) == (str(votes), 4, "Id")
    assert (
        str(bad_id)
        == f"{votes}, line 4, row Id=\"x1\", field 'Id': expected a whole number, not 'x1'"
    )
    assert (bad_date.line, bad_date.element, bad_date.field) == (6, 'row Id="103"', "CreationDate")
    assert "expected a date and time" in bad_date.problem and "'yesterday'" in bad_date.problem
    good = by_source(r for r in records if isinstance(r, ActivityIn))
    assert "vote:104" in good and "vote:105" in good  # the row after the bad one is kept
    assert good["vote:104"].properties["vote_type"] == "down"


def test_broken_xml_keeps_the_rows_before_the_break(tmp_path: Path) -> None:
    folder = tiny_dump(tmp_path / "tiny")
    comments = folder / "Comments.xml"
    data = comments.read_bytes()
    comments.write_bytes(data[: data.index(b'<row Id="201"') + 20])
    records = list(parse_dump(folder))
    [error] = errors_of(records)
    assert (error.source, error.line) == (str(comments), 4)
    assert "not well-formed" in error.problem
    good = by_source(r for r in records if isinstance(r, ActivityIn))
    assert "comment:200" in good and "comment:201" not in good
    assert "badge:300" in good and "history:401" in good  # later files are still read


# -- real dumps, stored on SQLite and PostgreSQL --------------------------------------------


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]
            for table in (activities, identities, members)
        }


@pytest.mark.slow
def test_reimporting_a_dump_changes_nothing(engine: Engine, shared_data: Path) -> None:
    folder = shared_data / "stackexchange" / "bicycles-meta-2023"
    first = ingest(engine, parse_dump(folder))
    assert (first.rejected, first.duplicates) == (0, 0)
    before = table_rows(engine)
    again = ingest(engine, parse_dump(folder))
    assert (again.imported, again.duplicates, again.rejected) == (0, first.imported, 0)
    assert table_rows(engine) == before
    assert first.imported == len(before["activities"]) == 20176


def expected_per_user(folder: Path) -> dict[str, Counter[str]]:
    """Per user id, the counts the export should show, computed from the XML with ElementTree."""
    posts = xml_rows(folder / "Posts.xml")
    owner = {post["Id"]: post.get("OwnerUserId") for post in posts}
    counts: dict[str, Counter[str]] = {
        row["Id"]: Counter() for row in xml_rows(folder / "Users.xml")
    }
    for post in posts:
        kind = {"1": "question.asked", "2": "answer.posted"}.get(post["PostTypeId"])
        if kind and post.get("OwnerUserId"):
            counts[post["OwnerUserId"]][kind] += 1
    for comment in xml_rows(folder / "Comments.xml"):
        if comment.get("UserId"):
            counts[comment["UserId"]]["comment.posted"] += 1
    for vote in xml_rows(folder / "Votes.xml"):
        post_owner = owner.get(vote["PostId"])
        if post_owner:
            counts[post_owner]["received vote.cast"] += 1
    return counts


@pytest.mark.slow
def test_counts_per_user_agree_with_the_xml(engine: Engine, shared_data: Path) -> None:
    folder = shared_data / "stackexchange" / "bicycles-meta-2023"
    report = ingest(engine, parse_dump(folder))
    assert report.rejected == 0
    expected = expected_per_user(folder)
    seen = {}
    for row in access_member_export(engine, Caller.operator()):
        [identity] = row["identities"]
        made, received = row["activity_counts"], row["received_counts"]
        seen[identity["external_id"]] = Counter(
            {
                "question.asked": made.get("question.asked", 0),
                "answer.posted": made.get("answer.posted", 0),
                "comment.posted": made.get("comment.posted", 0),
                "received vote.cast": received.get("vote.cast", 0),
            }
        )
        if identity["external_id"] == "-1":
            assert row["is_bot"]
    for user_id, counts in expected.items():
        assert +seen[user_id] == counts, f"user {user_id}"
    stand_ins = set(seen) - set(expected)
    assert stand_ins and all(s.startswith("deleted:") for s in stand_ins)
    with engine.connect() as conn:
        kinds = Counter(conn.scalars(select(activities.c.kind)))
    assert kinds["vote.cast"] == len(xml_rows(folder / "Votes.xml"))
    assert kinds["member.joined"] == len(expected)


def broken_conlang(shared_data: Path, tmp_path: Path) -> tuple[Path, int, int]:
    """A copy of conlang-meta-2020 with Comments.xml cut mid-row and one bad vote date.

    Returns the folder, the line Comments.xml breaks on and the line of the bad vote.
    """
    folder = tmp_path / "conlang-broken"
    shutil.copytree(shared_data / "stackexchange" / "conlang-meta-2020", folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    comments = folder / "Comments.xml"
    lines = comments.read_bytes().split(b"\r\n")
    cut = len(lines) // 2
    comments.write_bytes(b"\r\n".join([*lines[:cut], lines[cut][:60]]))
    votes = folder / "Votes.xml"
    lines = votes.read_bytes().split(b"\r\n")
    bad = 10
    assert b'CreationDate="2018-02-06T00:00:00.000"' in lines[bad]
    lines[bad] = lines[bad].replace(b"2018-02-06T00:00:00.000", b"yesterday")
    votes.write_bytes(b"\r\n".join(lines))
    return folder, cut + 1, bad + 1


def test_broken_dump_reports_the_problems_and_keeps_the_good_rows(
    engine: Engine, shared_data: Path, tmp_path: Path
) -> None:
    folder, comments_line, vote_line = broken_conlang(shared_data, tmp_path)
    report = ingest(engine, parse_dump(folder))
    assert report.rejected == 2
    vote_error, comments_error = report.errors
    assert str(vote_error).startswith(f"{folder / 'Votes.xml'}, line {vote_line}, row Id=")
    assert "field 'CreationDate': expected a date and time" in str(vote_error)
    assert str(comments_error).startswith(f"{folder / 'Comments.xml'}, line {comments_line}:")
    assert "not well-formed" in str(comments_error)
    with engine.connect() as conn:
        kinds = Counter(conn.scalars(select(activities.c.kind)))
    source = shared_data / "stackexchange" / "conlang-meta-2020"
    posts = xml_rows(source / "Posts.xml")
    assert kinds["member.joined"] == len(xml_rows(source / "Users.xml")) == 272
    assert kinds["question.asked"] == sum(p["PostTypeId"] == "1" for p in posts) == 54
    assert kinds["answer.posted"] == sum(p["PostTypeId"] == "2" for p in posts) == 115
    assert kinds["vote.cast"] == len(xml_rows(source / "Votes.xml")) - 1 == 1118
    assert kinds["comment.posted"] == comments_line - 3  # the rows before the cut one
    assert kinds["badge.awarded"] == 612
    assert kinds["answer.accepted"] == 11


def test_cli_imports_a_dump_and_fails_on_rejected_rows(
    db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    folder = shared_data / "stackexchange" / "conlang-meta-2020"
    result = runner.invoke(app, ["--db", db_url, "import", "stackexchange", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Imported 2,543, duplicates 0, rejected 0." in result.output
    broken, _comments_line, _vote_line = broken_conlang(shared_data, tmp_path)
    result = runner.invoke(app, ["--db", db_url, "import", "stackexchange", str(broken)])
    assert result.exit_code == 1, result.output
    assert "rejected 2." in result.output
