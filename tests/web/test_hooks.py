"""Webhook deliveries through the real HTTP stack (uvicorn on loopback)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from hearth.connectors.github.webhook import IGNORED_EVENTS
from hearth.store.tables import activities, dead_letters, webhook_deliveries
from tests.web.conftest import serve

SECRET = "test-webhook-secret-0123456789"


@pytest.fixture
def hooks_server(db_url: str) -> Iterator[str]:
    with serve(db_url, github_webhook_secret=SECRET, discourse_webhook_secret=SECRET) as url:
        yield url


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    url: str, event: str, body: bytes, *, delivery: str | None = None, signature: str | None = None
) -> httpx.Response:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": signature if signature is not None else signed(body),
        "Content-Type": "application/json",
    }
    return httpx.post(url + "/hooks/github", content=body, headers=headers)


def examples(shared_data: Path) -> list[tuple[str, Path]]:
    root = shared_data / "github-webhooks"
    found = []
    for path in sorted(root.rglob("*.json")):
        event = path.parent.name
        found.append((event, path))
    return found


def count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_every_example_payload_is_accepted_or_ignored(
    engine: Engine, hooks_server: str, shared_data: Path
) -> None:
    found = examples(shared_data)
    assert len(found) > 200
    outcomes: dict[str, int] = {}
    for event, path in found:
        response = deliver(hooks_server, event, path.read_bytes())
        assert response.status_code == 200, (path, response.text)
        outcome = response.json()["outcome"]
        assert outcome in {"accepted", "ignored"}, (path, response.text)
        if outcome == "ignored":
            assert event in IGNORED_EVENTS, path
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes["accepted"] > 50
    assert count(engine, dead_letters) == 0
    assert count(engine, webhook_deliveries) == len(found)
    assert count(engine, activities) > 0


def test_merged_pull_request_is_credited_to_its_author(
    engine: Engine, hooks_server: str, shared_data: Path
) -> None:
    pr = json.loads(
        (shared_data / "github-api/perceval-github/github_request_pull_request_1").read_text()
    )
    pr.update(
        merged=True,
        state="closed",
        merged_at=pr.get("merged_at") or pr["updated_at"],
        closed_at=pr.get("closed_at") or pr["updated_at"],
    )
    payload = {
        "action": "closed",
        "number": pr["number"],
        "pull_request": pr,
        "repository": {
            "full_name": "octo/hearth",
            "id": 1,
            "name": "hearth",
            "owner": {"login": "octo", "id": 9, "type": "Organization"},
        },
        "sender": {"login": "maintainer", "id": 777, "type": "User"},
    }
    response = deliver(hooks_server, "pull_request", json.dumps(payload).encode())
    assert response.json() == {"outcome": "accepted", "activities": 1}
    with engine.connect() as conn:
        row = conn.execute(select(activities)).one()
        from hearth.store.tables import identities

        author = conn.scalar(
            select(identities.c.external_id).where(identities.c.id == row.actor_identity_id)
        )
    assert row.kind == "pr.merged"
    assert author == str(pr["user"]["id"])


def test_bad_signature_is_401_and_leaves_no_trace(
    engine: Engine, hooks_server: str, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    event, path = next(e for e in examples(shared_data) if e[0] == "issues")
    body = path.read_bytes()
    tampered = body.replace(b'"action"', b'"action" ', 1)
    assert tampered != body
    with caplog.at_level(logging.WARNING, logger="hearth.hooks"):
        for signature in (signed(body), "", "sha256=00", signed(body, "wrong-secret")):
            response = deliver(hooks_server, event, tampered, signature=signature)
            assert response.status_code == 401
    assert count(engine, webhook_deliveries) == 0
    assert count(engine, dead_letters) == 0
    assert count(engine, activities) == 0
    assert "bad or missing signature" in caplog.text
    assert SECRET not in caplog.text


def test_redelivery_adds_nothing(engine: Engine, hooks_server: str, shared_data: Path) -> None:
    event, path = next(e for e in examples(shared_data) if e[0] == "issue_comment")
    body = path.read_bytes()
    first = deliver(hooks_server, event, body, delivery="d-1")
    stored = count(engine, activities)
    again = deliver(hooks_server, event, body, delivery="d-1")
    assert first.json()["outcome"] == "accepted" and stored >= 1
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert count(engine, activities) == stored


def test_unparseable_payload_is_400_and_kept(engine: Engine, hooks_server: str) -> None:
    body = b'{"action": "opened", "issue": '
    response = deliver(hooks_server, "issues", body)
    assert response.status_code == 400
    with engine.connect() as conn:
        letter = conn.execute(select(dead_letters)).one()
    assert letter.platform == "github" and letter.payload == body.decode()
    malformed = deliver(hooks_server, "issues", b'{"action": "opened", "issue": {}}')
    assert malformed.status_code == 400
    assert "issue" in malformed.json()["error"]


def test_unconfigured_secret_is_503(db_url: str) -> None:
    with serve(db_url) as url:
        response = httpx.post(url + "/hooks/github", content=b"{}")
    assert response.status_code == 503
    assert "HEARTH_GITHUB_WEBHOOK_SECRET" in response.json()["error"]["message"]


def test_discourse_delivery_through_http(
    engine: Engine, hooks_server: str, shared_data: Path
) -> None:
    import tarfile

    with tarfile.open(shared_data / "discourse/urho3d-sample/topics.tar.gz") as tar:
        member = next(m for m in tar if m.name.endswith(".json"))
        raw = json.load(tar.extractfile(member))
    topic = {k: v for k, v in raw.items() if k not in {"post_stream", "details"}}
    topic["created_by"] = raw["details"]["created_by"]
    body = json.dumps({"topic": topic}).encode()
    headers = {
        "X-Discourse-Event": "topic_created",
        "X-Discourse-Event-Type": "topic",
        "X-Discourse-Event-Id": "41",
        "X-Discourse-Event-Signature": signed(body),
    }
    url = hooks_server + "/hooks/discourse"
    first = httpx.post(url, content=body, headers=headers)
    assert first.json() == {"outcome": "accepted", "activities": 1}
    assert httpx.post(url, content=body, headers=headers).json()["outcome"] == "duplicate"
    bad = httpx.post(url, content=body + b" ", headers=headers)
    assert bad.status_code == 401
    with engine.connect() as conn:
        assert conn.scalar(select(activities.c.kind)) == "thread.started"


def test_live_deliveries_are_derived_in_the_background(
    engine: Engine, hooks_server: str, shared_data: Path
) -> None:
    import time

    from hearth.store.tables import awards

    pr = json.loads(
        (shared_data / "github-api/perceval-github/github_request_pull_request_1").read_text()
    )
    pr.update(state="open", merged=False, merged_at=None, closed_at=None)
    payload = {
        "action": "opened",
        "number": pr["number"],
        "pull_request": pr,
        "repository": {
            "full_name": "octo/hearth",
            "id": 1,
            "name": "hearth",
            "owner": {"login": "octo", "id": 9, "type": "Organization"},
        },
        "sender": pr["user"],
    }
    response = deliver(hooks_server, "pull_request", json.dumps(payload).encode())
    assert response.json()["outcome"] == "accepted"
    deadline = time.monotonic() + 20
    earned: list[str] = []
    while time.monotonic() < deadline and not earned:
        with engine.connect() as conn:
            earned = list(conn.scalars(select(awards.c.achievement)))
        time.sleep(0.2)
    assert earned == ["first_pr"]  # the phoenix playbook's First PR, without any import
