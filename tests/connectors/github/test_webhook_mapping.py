"""GitHub webhooks: every captured example payload, signatures, bad payloads, and the ledger."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hearth.actions.ingest import ingest
from hearth.connectors.github.fields import GHOST
from hearth.connectors.github.webhook import (
    HANDLERS,
    IGNORED_EVENTS,
    delivery_description,
    map_event,
    verify_signature,
)
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError
from hearth.store.tables import activities

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = REPO_ROOT.parent / "shared" / "data" / "github-webhooks" / "api.github.com"
API = REPO_ROOT.parent / "shared" / "data" / "github-api" / "perceval-github"
RECEIVED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.json"))


def example(name: str) -> dict[str, Any]:
    """A copy of one example payload, by ``event/file`` name."""
    payload: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return payload


def user_json(user_id: int, login: str, kind: str = "User") -> dict[str, Any]:
    return {"id": user_id, "login": login, "type": kind}


def only(activities_: list[ActivityIn]) -> ActivityIn:
    assert len(activities_) == 1, activities_
    return activities_[0]


# -- every captured payload ----------------------------------------------------------------


def test_the_examples_are_there(shared_data: Path) -> None:
    assert (shared_data / "github-webhooks" / "api.github.com").resolve() == EXAMPLES.resolve()
    assert len(EXAMPLE_FILES) == 273


@pytest.mark.parametrize(
    "path", EXAMPLE_FILES, ids=[str(p.relative_to(EXAMPLES)) for p in EXAMPLE_FILES]
)
def test_every_example_payload_is_mapped_or_ignored(path: Path) -> None:
    event = path.parent.name
    payload = json.loads(path.read_text(encoding="utf-8"))
    mapped = map_event(event, payload, received_at=RECEIVED)
    if event in IGNORED_EVENTS:
        assert mapped == []
        return
    assert event in HANDLERS, f"event {event!r} is neither handled nor ignored"
    handler = HANDLERS[event]
    action = payload.get("action")
    if mapped:
        assert action in handler.actions or None in handler.actions
        for activity in mapped:
            assert activity.platform == "github"
            assert activity.actor is not None
            assert activity.occurred_at.tzinfo is not None
            assert activity.occurred_at.utcoffset().total_seconds() == 0
            assert activity.properties["repository"] == payload["repository"]["full_name"]
    else:
        assert action in handler.ignored, f"{event}.{action} gave nothing but is not ignored"


def test_figures_over_the_examples() -> None:
    outcome: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for path in EXAMPLE_FILES:
        event = path.parent.name
        mapped = map_event(
            event, json.loads(path.read_text(encoding="utf-8")), received_at=RECEIVED
        )
        if event in IGNORED_EVENTS:
            outcome["ignored event"] += 1
        elif mapped:
            outcome["mapped"] += 1
            kinds.update(a.kind for a in mapped)
        else:
            outcome["ignored action"] += 1
    assert outcome == {"mapped": 32, "ignored action": 75, "ignored event": 166}
    assert set(kinds) == {
        "pr.opened",
        "pr.closed",
        "pr.reopened",
        "pr.reviewed",
        "issue.opened",
        "issue.reopened",
        "issue.labeled",
        "issue.commented",
        "thread.started",
        "thread.replied",
        "thread.solved",
        "release.published",
        "repo.starred",
        "repo.forked",
        "repo.member_added",
    }


def test_handled_and_ignored_events_are_disjoint_and_cover_the_examples() -> None:
    assert not set(HANDLERS) & IGNORED_EVENTS
    assert {p.parent.name for p in EXAMPLE_FILES} <= set(HANDLERS) | IGNORED_EVENTS
    for handler in HANDLERS.values():
        assert not set(handler.actions) & handler.ignored


def test_source_ids_do_not_depend_on_the_delivery() -> None:
    plain = map_event("issues", example("issues/opened.payload.json"), received_at=RECEIVED)
    with_org = map_event("issues", example("issues/opened.with-organization.payload.json"))
    assert [a.source_id for a in plain] == [a.source_id for a in with_org]
    assert plain[0].source_id == "issue:codertocat/hello-world#1:opened"
    later = datetime(2030, 1, 1, tzinfo=UTC)
    added = example("member/added.payload.json")
    assert (
        only(map_event("member", added, received_at=RECEIVED)).source_id
        == only(map_event("member", added, received_at=later)).source_id
    )


# -- the mapping, activity by activity -----------------------------------------------------


def test_pull_request_opened() -> None:
    activity = only(map_event("pull_request", example("pull_request/opened.payload.json")))
    assert activity.kind == "pr.opened"
    assert activity.source_id == "pr:codertocat/hello-world#2:opened"
    assert activity.occurred_at == datetime(2019, 5, 15, 15, 20, 33, tzinfo=UTC)
    assert activity.actor == IdentityRef("github", "21031067", handle="Codertocat")
    assert activity.target_type == "pull_request"
    assert activity.target_id == "codertocat/hello-world#2"
    assert activity.properties["url"] == "https://github.com/Codertocat/Hello-World/pull/2"
    assert activity.properties["is_pull_request"] is True


def test_merged_pull_request_is_credited_to_its_author_not_to_the_merger() -> None:
    payload = example("pull_request/closed.payload.json")
    pr = payload["pull_request"]
    pr.update(merged=True, merged_at="2019-05-15T15:21:18Z")
    pr["merged_by"] = user_json(9, "maintainer")
    payload["sender"] = user_json(9, "maintainer")
    activity = only(map_event("pull_request", payload))
    assert activity.kind == "pr.merged"
    assert activity.source_id == "pr:codertocat/hello-world#2:merged"
    assert activity.actor is not None and activity.actor.external_id == "21031067"
    assert activity.target_owner == activity.actor
    assert activity.properties["merged_by"] == {"id": "9", "login": "maintainer"}
    assert activity.occurred_at == datetime(2019, 5, 15, 15, 21, 18, tzinfo=UTC)


def test_recorded_api_pull_request_wrapped_in_a_closed_event_becomes_pr_merged() -> None:
    pr = json.loads((API / "github_request_pull_request_1").read_text(encoding="utf-8"))
    payload = {
        "action": "closed",
        "number": pr["number"],
        "pull_request": pr,
        "repository": {"full_name": "zhquan_example/repo"},
        "sender": user_json(4242, "someone-else"),
    }
    activity = only(map_event("pull_request", payload))
    assert activity.kind == "pr.merged"
    assert activity.actor == IdentityRef("github", "1", handle="zhquan_example")
    assert activity.source_id == "pr:zhquan_example/repo#1:merged"
    # The recording says merged with merged_at null: the close time stands in for it.
    assert pr["merged_at"] is None
    assert activity.occurred_at == datetime(2016, 1, 4, 13, 51, 56, tzinfo=UTC)
    assert activity.properties["merged_by"] == {"id": "1", "login": "zhquan_example"}
    assert activity.properties["closed_by"] == {"id": "4242", "login": "someone-else"}
    assert activity.properties["labels"] == ["bug", "feature"]


def test_closed_unmerged_pull_request_repeats_with_its_close_time() -> None:
    payload = example("pull_request/closed.payload.json")
    first = only(map_event("pull_request", payload))
    assert first.kind == "pr.closed"
    assert first.source_id == "pr:codertocat/hello-world#2:closed:2019-05-15T15:21:18Z"
    payload["pull_request"]["closed_at"] = "2019-06-01T08:00:00Z"
    second = only(map_event("pull_request", payload))
    assert second.source_id != first.source_id


def test_review_submitted_targets_the_author() -> None:
    payload = example("pull_request_review/submitted.payload.json")
    payload["review"]["user"] = user_json(77, "reviewer")
    payload["review"]["state"] = "APPROVED"
    activity = only(map_event("pull_request_review", payload))
    assert activity.kind == "pr.reviewed"
    assert activity.source_id == "review:237895671"
    assert activity.actor == IdentityRef("github", "77", handle="reviewer")
    assert activity.target_owner is not None and activity.target_owner.external_id == "21031067"
    assert activity.properties["state"] == "approved"
    assert activity.properties["self_review"] is False


def test_issue_labeled_keeps_the_label_and_credits_the_labeler() -> None:
    payload = example("issues/labeled.payload.json")
    payload["sender"] = user_json(5, "triager")
    activity = only(map_event("issues", payload))
    assert activity.kind == "issue.labeled"
    assert activity.source_id == "issue:codertocat/hello-world#1:labeled:bug"
    assert activity.properties["label"] == "bug"
    assert activity.actor == IdentityRef("github", "5", handle="triager")
    assert activity.target_owner is not None and activity.target_owner.external_id == "21031067"


def test_issue_closed_from_a_reopened_example() -> None:
    payload = example("issues/reopened.payload.json")
    payload["action"] = "closed"
    payload["issue"].update(state="closed", state_reason="completed")
    payload["issue"]["labels"] = [{"name": "bug"}, {"name": "severity: High"}]
    activity = only(map_event("issues", payload))
    assert activity.kind == "issue.closed"
    assert activity.source_id == "issue:codertocat/hello-world#1:closed:2021-07-05T18:07:10Z"
    assert activity.properties["state_reason"] == "completed"
    assert activity.properties["severity"] == "high"
    assert activity.properties["labels"] == ["bug", "severity: High"]


def test_comment_on_a_pull_request_is_flagged() -> None:
    payload = example("issue_comment/created.payload.json")
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/x"}
    payload["comment"]["user"] = user_json(3, "helper")
    activity = only(map_event("issue_comment", payload))
    assert activity.kind == "issue.commented"
    assert activity.source_id == "comment:492700400"
    assert activity.target_type == "pull_request"
    assert activity.properties["is_pull_request"] is True
    assert activity.properties["self_comment"] is False
    assert activity.target_owner is not None and activity.target_owner.external_id == "21031067"


def test_discussion_answered_credits_the_answers_author_in_utc() -> None:
    activity = only(map_event("discussion", example("discussion/answered.payload.json")))
    assert activity.kind == "thread.solved"
    assert activity.target_type == "discussion"
    assert activity.target_owner == IdentityRef("github", "1253226", handle="dan2wik")
    assert activity.actor is not None and activity.actor.handle == "Codertocat"
    # answer_chosen_at is 2021-03-30T19:17:18.000-04:00 in the payload
    assert activity.occurred_at == datetime(2021, 3, 30, 23, 17, 18, tzinfo=UTC)
    assert activity.source_id == "discussion:codertocat/hello-world#4:answer:550561"


def test_bots_and_deleted_accounts() -> None:
    payload = example("issue_comment/created.payload.json")
    payload["comment"]["user"] = user_json(41898282, "github-actions[bot]", "Bot")
    payload["issue"]["user"] = None
    activity = only(map_event("issue_comment", payload))
    assert activity.actor is not None and activity.actor.is_bot
    assert activity.target_owner == GHOST


def test_star_and_fork_and_member() -> None:
    star = only(map_event("star", example("star/created.payload.json")))
    assert star.source_id == "star:codertocat/hello-world:21031067"
    assert star.occurred_at == datetime(2019, 5, 15, 15, 20, 40, tzinfo=UTC)
    assert map_event("star", example("star/deleted.payload.json")) == []
    fork = only(map_event("fork", example("fork/payload.json")))
    assert (fork.kind, fork.source_id) == ("repo.forked", "fork:186853261")
    member = only(map_event("member", example("member/added.payload.json"), received_at=RECEIVED))
    assert member.target_owner is not None and member.target_owner.handle == "hacktocat"
    assert member.occurred_at == RECEIVED


def test_unknown_actions_are_ignored() -> None:
    payload = example("issues/opened.payload.json")
    payload["action"] = "something_new"
    assert map_event("issues", payload) == []


def test_delivery_description() -> None:
    payload = example("issues/opened.payload.json")
    assert delivery_description("issues", payload) == "issues.opened Codertocat/Hello-World"
    assert delivery_description("ping", {}) == "ping"


# -- payloads Hearth cannot understand -----------------------------------------------------


def _broken(name: str, change: Any) -> dict[str, Any]:
    payload = example(name)
    change(payload)
    return payload


BROKEN = [
    ("pull_request", lambda p: p.pop("pull_request"), "pull_request: missing; expected"),
    (
        "pull_request",
        lambda p: p["pull_request"]["user"].update(id="21031067"),
        "pull_request.user.id: expected a whole number, got '21031067'",
    ),
    (
        "pull_request",
        lambda p: p["pull_request"].update(created_at="yesterday"),
        "pull_request.created_at: expected an ISO 8601 time",
    ),
    ("pull_request", lambda p: p.pop("action"), "action: missing"),
    ("pull_request", lambda p: p.pop("repository"), "repository: missing"),
    (
        "pull_request",
        lambda p: p["repository"].pop("full_name"),
        "repository.full_name: missing; expected a non-empty string",
    ),
    ("pull_request", lambda p: p["pull_request"].pop("number"), "pull_request.number: missing"),
]


@pytest.mark.parametrize(("event", "change", "message"), BROKEN)
def test_broken_payloads_say_which_field(event: str, change: Any, message: str) -> None:
    payload = _broken("pull_request/opened.payload.json", change)
    with pytest.raises(InputError) as raised:
        map_event(event, payload)
    assert message in str(raised.value)


def test_other_broken_payloads() -> None:
    labeled = example("issues/labeled.payload.json")
    labeled["label"] = {"color": "red"}
    with pytest.raises(InputError, match=r"label\.name: missing"):
        map_event("issues", labeled)
    merged = example("pull_request/closed.payload.json")
    merged["pull_request"].update(merged=True, merged_at=None, closed_at=None)
    with pytest.raises(InputError, match=r"pull_request\.merged_at: missing"):
        map_event("pull_request", merged)
    with pytest.raises(InputError, match="unknown GitHub event 'brand_new'"):
        map_event("brand_new", {"action": "created"})
    with pytest.raises(InputError, match="payload: expected a JSON object"):
        map_event("issues", ["not", "an", "object"])
    before = datetime.now(UTC)
    member = only(map_event("member", example("member/added.payload.json")))
    assert before <= member.occurred_at <= datetime.now(UTC)  # no own time: the time of receipt


# -- signatures ----------------------------------------------------------------------------

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
# GitHub's documented example: this secret and body give this signature.
GITHUB_EXAMPLE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_signature_matches_githubs_documented_example() -> None:
    assert sign(SECRET, BODY) == GITHUB_EXAMPLE
    assert verify_signature(SECRET, BODY, GITHUB_EXAMPLE)
    assert verify_signature(SECRET, BODY, GITHUB_EXAMPLE.upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (SECRET, BODY + b" ", GITHUB_EXAMPLE),  # tampered body
        (b"another secret", BODY, GITHUB_EXAMPLE),  # wrong secret
        (SECRET, BODY, None),  # missing header
        (SECRET, BODY, ""),  # empty header
        (SECRET, BODY, GITHUB_EXAMPLE.removeprefix("sha256=")),  # no algorithm
        (SECRET, BODY, "sha1=" + hashlib.sha1(BODY).hexdigest()),  # the old SHA-1 header
        (SECRET, BODY, "sha256=zz" + GITHUB_EXAMPLE[9:]),  # not hex
        (SECRET, BODY, GITHUB_EXAMPLE[:-2]),  # too short
        (b"", BODY, sign(b"", BODY)),  # no secret configured: never trusted
    ],
    ids=[
        "tampered",
        "wrong-secret",
        "missing",
        "empty",
        "no-prefix",
        "sha1",
        "not-hex",
        "short",
        "empty-secret",
    ],
)
def test_bad_signatures_are_refused(secret: bytes, body: bytes, header: str | None) -> None:
    assert verify_signature(secret, body, header) is False


# -- into the ledger -----------------------------------------------------------------------


def all_mapped() -> list[ActivityIn]:
    mapped: list[ActivityIn] = []
    for path in EXAMPLE_FILES:
        payload = json.loads(path.read_text(encoding="utf-8"))
        mapped.extend(map_event(path.parent.name, payload, received_at=RECEIVED))
    return mapped


def test_mapped_examples_ingest_once_and_then_are_duplicates(engine: Engine) -> None:
    mapped = all_mapped()
    distinct = {a.source_id for a in mapped}
    first = ingest(engine, copy.deepcopy(mapped))
    assert (first.imported, first.rejected) == (len(distinct), 0), first.as_dict()
    assert first.duplicates == len(mapped) - len(distinct)
    second = ingest(engine, mapped)
    assert (second.imported, second.duplicates, second.rejected) == (0, len(mapped), 0)
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(activities))
    assert stored == len(distinct)
