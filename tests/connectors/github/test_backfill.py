"""The GitHub history import against a loopback HTTP server replaying recorded API answers.

The server (``FakeGitHub``) serves ``../shared/data/github-api/perceval-github`` on
127.0.0.1: the recordings are single pages, so it splits listings into pages with ``Link``
headers the way GitHub does, honours ``since=`` on the listings that support it, and can be
told to fail (500), rate-limit (403 with ``X-RateLimit-Remaining: 0``, 429 with
``Retry-After``) or answer with something else, once or several times.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased
from typer.testing import CliRunner

from hearth.actions.ingest import ingest
from hearth.actions.sync import access_cursor
from hearth.cli import app, main
from hearth.connectors.github import api
from hearth.connectors.github.api import GitHubApiError, HttpxGitHubClient
from hearth.connectors.github.backfill import BackfillReport, backfill
from hearth.connectors.github.webhook import map_event
from hearth.errors import ConfigError, InputError, NotFound
from hearth.store.tables import activities, identities

REPO_ROOT = Path(__file__).resolve().parents[3]
RECORDED = REPO_ROOT.parent / "shared" / "data" / "github-api" / "perceval-github"
EXAMPLES = REPO_ROOT.parent / "shared" / "data" / "github-webhooks" / "api.github.com"
NOW = 1_700_000_000.0
TOKEN = "ghp_not-a-real-token-0123456789"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def example(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return payload


# -- the loopback server -------------------------------------------------------------------


@dataclass
class Answer:
    """A canned answer: a status, extra headers, and a body (None: the normal body)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None


class FakeGitHub:
    """GitHub's REST and GraphQL APIs for one repository, from recordings, on loopback."""

    def __init__(self, repo: str = "Owner/Repo", *, has_discussions: bool = False) -> None:
        self.repo = repo
        self.routes: dict[str, list[list[Any]] | Any] = {}
        self.since_filtered: set[str] = set()
        self.faults: dict[tuple[str, int], list[Answer]] = {}
        self.seen: list[Seen] = []
        self.graphql: Callable[[dict[str, Any]], Any] | None = None
        info = recorded("github_repo")
        owner, name = repo.split("/")
        info.update(full_name=repo, name=name, has_issues=True, has_discussions=has_discussions)
        info["owner"]["login"] = owner
        self.routes[f"/repos/{repo}".lower()] = info
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def listing(self, path: str, pages: list[list[Any]], *, since: bool = False) -> None:
        self.routes[path.lower()] = pages  # GitHub's paths are case-insensitive
        if since:
            self.since_filtered.add(path.lower())

    def fail(self, path: str, page: int, *answers: Answer) -> None:
        self.faults.setdefault((path.lower(), page), []).extend(answers)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        page = int(query.get("page", "1"))
        faults = self.faults.get((path.lower(), page))
        fault = faults.pop(0) if faults else None
        if fault is not None and fault.status != 200:
            return fault
        extra = fault.headers if fault else {}
        normal = self._normal(method, path, query, body, page)
        normal.headers = {**normal.headers, **extra}
        if fault is not None and fault.body is not None:
            normal.body = fault.body
        return normal

    def _normal(
        self, method: str, path: str, query: dict[str, str], body: Any, page: int
    ) -> Answer:
        headers = {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(int(NOW) + 3600)}
        if method == "POST" and path == "/graphql" and self.graphql is not None:
            return Answer(200, headers, self.graphql(body))
        route = self.routes.get(path.lower())
        if route is None:
            return Answer(404, headers, {"message": "Not Found"})
        if not isinstance(route, list):
            return Answer(200, headers, route)
        items = list(route[page - 1]) if page <= len(route) else []
        since = query.get("since")
        if since and path.lower() in self.since_filtered:
            items = [i for i in items if i.get("updated_at", "") >= since]
        if page < len(route):
            nxt = urlencode({**query, "page": str(page + 1)})
            last = urlencode({**query, "page": str(len(route))})
            headers["Link"] = (
                f'<{self.url}{path}?{nxt}>; rel="next", <{self.url}{path}?{last}>; rel="last"'
            )
        return Answer(200, headers, items)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.seen.append(Seen(method, parts.path, query, dict(self.headers), body))
                answer = fake._answer(method, parts.path, query, body)
                data = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def recorded_repository(fake: FakeGitHub) -> FakeGitHub:
    """The recorded issues, pull requests, comments and reviews, newest first, two pages each."""
    base = f"/repos/{fake.repo}"
    # issue #2 (updated 2016-05-15) is newer than pull request #1 (2016-02-01)
    fake.listing(
        f"{base}/issues", [recorded("github_issue_2"), recorded("github_request")], since=True
    )
    fake.listing(f"{base}/issues/1/comments", [recorded("github_issue_comments_1")], since=True)
    fake.listing(f"{base}/issues/2/comments", [recorded("github_issue_comments_2")], since=True)
    # pull request #2 (updated 2016-03-04) is newer than #1 (2016-01-04)
    fake.listing(
        f"{base}/pulls",
        [[recorded("github_request_pull_request_2")], [recorded("github_request_pull_request_1")]],
    )
    for n in (1, 2):
        fake.listing(
            f"{base}/pulls/{n}/reviews", [recorded(f"github_request_pull_request_{n}_reviews")]
        )
        fake.listing(
            f"{base}/pulls/{n}/comments",
            [recorded(f"github_request_pull_request_{n}_comments")],
            since=True,
        )
    return fake


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with recorded_repository(FakeGitHub()) as fake:
        yield fake


class Sleeps:
    """An injected sleep: records what would have been slept."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(fake: FakeGitHub, sleeps: Sleeps | None = None, **kw: Any) -> HttpxGitHubClient:
    return HttpxGitHubClient(fake.url, TOKEN, sleep=sleeps or Sleeps(), clock=lambda: NOW, **kw)


def stored(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every stored activity by source id: kind, actor and target owner ids, properties."""
    actor = aliased(identities)
    owner = aliased(identities)
    query = (
        select(
            activities.c.source_id,
            activities.c.kind,
            activities.c.occurred_at,
            actor.c.external_id.label("actor"),
            owner.c.external_id.label("owner"),
            activities.c.properties,
        )
        .select_from(activities)
        .outerjoin(actor, actor.c.id == activities.c.actor_identity_id)
        .outerjoin(owner, owner.c.id == activities.c.target_owner_identity_id)
    )
    with engine.connect() as conn:
        return {row.source_id: dict(row._mapping) for row in conn.execute(query)}


EXPECTED = {
    # issues listing, page 1: issue #2 and its comment; page 2: pull request #1's comment
    "issue:owner/repo#2:opened": "issue.opened",
    "issue:owner/repo#2:closed:2016-03-15T15:09:29Z": "issue.closed",
    "comment:2": "issue.commented",
    "comment:1": "issue.commented",
    # pulls listing, page 1: #2; page 2: #1 (the recordings reuse review id 205729182)
    "pr:owner/repo#2:opened": "pr.opened",
    "pr:owner/repo#2:merged": "pr.merged",
    "review:205729182": "pr.reviewed",
    "review-comment:3": "issue.commented",
    "review-comment:4": "issue.commented",
    "review-comment:5": "issue.commented",
    "review-comment:6": "issue.commented",
    "pr:owner/repo#1:opened": "pr.opened",
    "pr:owner/repo#1:merged": "pr.merged",
    "review:205729156": "pr.reviewed",
    "review-comment:1": "issue.commented",
    "review-comment:2": "issue.commented",
}


# -- the import ----------------------------------------------------------------------------


def test_backfill_imports_the_recorded_history(engine: Engine, github: FakeGitHub) -> None:
    with client_for(github) as client:
        report = backfill(engine, client, "owner/repo")
    assert report.repository == "Owner/Repo"
    assert (report.ingest.imported, report.ingest.duplicates, report.ingest.rejected) == (16, 1, 0)
    assert report.pages == {"issues": 2, "pulls": 2}
    assert report.skipped == ["discussions"]
    rows = stored(engine)
    assert {k: r["kind"] for k, r in rows.items()} == EXPECTED

    for number in (1, 2):
        merged = rows[f"pr:owner/repo#{number}:merged"]
        assert merged["actor"] == merged["owner"] == "1"  # the author, zhquan_example
        assert merged["properties"]["merged_by"] == {"id": "1", "login": "zhquan_example"}
    assert rows["pr:owner/repo#1:merged"]["occurred_at"] == datetime(
        2016, 1, 4, 13, 51, 56, tzinfo=UTC
    )
    assert rows["comment:1"]["properties"]["is_pull_request"] is True
    assert rows["comment:2"]["properties"]["is_pull_request"] is False
    assert rows["issue:owner/repo#2:opened"]["properties"]["labels"] == ["bug", "v1.1.0"]
    # deleted accounts ({} or no user at all in the recordings) are GitHub's ghost
    assert rows["review:205729156"]["actor"] == "10137"
    assert rows["review-comment:6"]["actor"] == "10137"
    assert rows["review:205729182"]["owner"] == "1"

    assert all(s.headers.get("Authorization") == f"Bearer {TOKEN}" for s in github.seen)
    assert access_cursor(engine, "github", "owner/repo:issues") == {"since": "2016-05-15T15:09:29Z"}
    assert access_cursor(engine, "github", "owner/repo:pulls") == {"since": "2016-03-04T17:42:23Z"}


def test_a_second_run_asks_only_for_updates(engine: Engine, github: FakeGitHub) -> None:
    with client_for(github) as client:
        backfill(engine, client, "owner/repo")
    github.seen.clear()
    with client_for(github) as client:
        again = backfill(engine, client, "owner/repo")
    assert again.ingest.imported == 0
    issues = github.requests_to("/repos/Owner/Repo/issues")
    assert issues[0].query["since"] == "2016-05-15T15:09:29Z"
    # pulls has no since=: the listing stops at pull request #1, older than the last run
    assert github.requests_to("/repos/Owner/Repo/pulls/1/reviews") == []
    assert len(github.requests_to("/repos/Owner/Repo/pulls/2/reviews")) == 1
    assert github.requests_to("/repos/Owner/Repo/issues/2/comments")[0].query["since"] == (
        "2016-05-15T15:09:29Z"
    )


def test_rate_limits_wait_without_sleeping(engine: Engine, github: FakeGitHub) -> None:
    primary = Answer(
        403,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 2)},
        {"message": "API rate limit exceeded for 127.0.0.1."},
    )
    secondary = Answer(
        403, {"Retry-After": "30"}, {"message": "You have exceeded a secondary rate limit."}
    )
    too_many = Answer(429, {"Retry-After": "7"}, {"message": "Too Many Requests"})
    past_reset = Answer(
        403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) - 100)}
    )
    used_up = Answer(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 9)})
    github.fail("/repos/Owner/Repo/issues", 1, primary, secondary)
    github.fail("/repos/Owner/Repo/pulls", 1, too_many, past_reset)
    github.fail("/repos/Owner/Repo/pulls", 2, used_up)
    sleeps = Sleeps()
    waits: list[tuple[float, str]] = []
    with client_for(github, sleeps, on_wait=lambda s, why: waits.append((s, why))) as client:
        report = backfill(engine, client, "owner/repo")
    assert report.ingest.imported == 16
    # reset in 2 s (+1 s margin), Retry-After 30, Retry-After 7, reset already past (margin),
    # and a success that used up the limit: wait for its reset before the next request
    assert sleeps.calls == [3.0, 30.0, 7.0, 1.0, 10.0]
    assert [s for s, _ in waits] == sleeps.calls
    assert "403" in waits[0][1] and "429" in waits[2][1]


def test_server_errors_are_retried_with_backoff(engine: Engine, github: FakeGitHub) -> None:
    github.fail("/repos/Owner/Repo/pulls", 2, Answer(502), Answer(503))
    sleeps = Sleeps()
    with client_for(github, sleeps) as client:
        report = backfill(engine, client, "owner/repo")
    assert report.ingest.imported == 16
    assert sleeps.calls == [2.0, 4.0]


def test_an_interrupted_import_resumes_without_duplicates(
    engine: Engine, github: FakeGitHub
) -> None:
    github.fail("/repos/Owner/Repo/issues", 2, *[Answer(500, body={"message": "boom"})] * 4)
    sleeps = Sleeps()
    with client_for(github, sleeps) as client, pytest.raises(GitHubApiError) as raised:
        backfill(engine, client, "owner/repo")
    message = str(raised.value)
    assert "HTTP 500" in message and "page=2" in message and "4 tries" in message
    assert "boom" in message and TOKEN not in message
    assert sleeps.calls == [2.0, 4.0, 8.0]
    # page 1 is kept, and the cursor points at page 2
    assert set(stored(engine)) == {
        "issue:owner/repo#2:opened",
        "issue:owner/repo#2:closed:2016-03-15T15:09:29Z",
        "comment:2",
    }
    cursor = access_cursor(engine, "github", "owner/repo:issues")
    assert cursor is not None and "page=2" in cursor["next_url"]
    assert cursor["high_water"] == "2016-05-15T15:09:29Z"

    github.seen.clear()
    with client_for(github) as client:
        resumed = backfill(engine, client, "owner/repo")
    issue_pages = [s.query.get("page", "1") for s in github.requests_to("/repos/Owner/Repo/issues")]
    assert issue_pages == ["2"]  # continued from page 2, page 1 was not read again
    assert github.requests_to("/repos/Owner/Repo/issues/2/comments") == []
    # both runs together: exactly one clean import (its one duplicate is the recordings' own)
    assert (resumed.ingest.imported, resumed.ingest.duplicates) == (13, 1)
    assert {k: r["kind"] for k, r in stored(engine).items()} == EXPECTED
    assert access_cursor(engine, "github", "owner/repo:issues") == {"since": "2016-05-15T15:09:29Z"}


def test_webhook_and_backfill_give_the_same_source_ids(engine: Engine, github: FakeGitHub) -> None:
    with client_for(github) as client:
        backfill(engine, client, "owner/repo")
    before = stored(engine)
    pr = recorded("github_request_pull_request_1")
    repository = {"full_name": "Owner/Repo"}
    sender = {"id": 99, "login": "maintainer", "type": "User"}
    issue = recorded("github_issue_2")[0]
    deliveries = [
        ("pull_request", {"action": "closed", "pull_request": pr}),
        ("pull_request", {"action": "opened", "pull_request": pr}),
        ("issues", {"action": "opened", "issue": issue}),
        ("issues", {"action": "closed", "issue": issue}),
        (
            "issue_comment",
            {
                "action": "created",
                "issue": issue,
                "comment": recorded("github_issue_comments_2")[0],
            },
        ),
        (
            "pull_request_review",
            {
                "action": "submitted",
                "pull_request": pr,
                "review": recorded("github_request_pull_request_1_reviews")[0],
            },
        ),
        (
            "pull_request_review_comment",
            {
                "action": "created",
                "pull_request": pr,
                "comment": recorded("github_request_pull_request_1_comments")[0],
            },
        ),
    ]
    mapped = []
    for event, payload in deliveries:
        mapped += map_event(event, {**payload, "repository": repository, "sender": sender})
    assert {a.source_id for a in mapped} <= set(before)
    assert mapped[0].kind == "pr.merged"
    report = ingest(engine, mapped)
    assert (report.imported, report.duplicates) == (0, len(mapped))


# -- discussions (GraphQL) -----------------------------------------------------------------


def graphql_actor(user: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": user["type"], "login": user["login"], "databaseId": user["id"]}


def graphql_comment(comment: dict[str, Any], node_id: str) -> dict[str, Any]:
    return {
        "id": node_id,
        "databaseId": comment["id"],
        "url": comment["html_url"],
        "createdAt": comment["created_at"],
        "updatedAt": comment["updated_at"],
        "author": graphql_actor(comment["user"]),
        "replies": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []},
    }


def graphql_discussions() -> Callable[[dict[str, Any]], Any]:
    """GraphQL answers in GitHub's documented shape, built from the webhook examples."""
    answered = example("discussion/answered.payload.json")
    reply = example("discussion_comment/created.payload.json")["comment"]
    discussion, answer = answered["discussion"], answered["answer"]
    node = {
        "id": "D_kwDOA",
        "number": discussion["number"],
        "title": discussion["title"],
        "url": discussion["html_url"],
        "createdAt": discussion["created_at"],
        "updatedAt": discussion["updated_at"],
        "author": graphql_actor(discussion["user"]),
        "category": {"name": "Q&A", "isAnswerable": True},
        "labels": {"nodes": [{"name": "question"}]},
        "answerChosenAt": "2021-03-30T23:17:18Z",
        "answerChosenBy": graphql_actor(discussion["answer_chosen_by"]),
        "answer": graphql_comment(answer, "DC_answer"),
        "comments": {
            "pageInfo": {"hasNextPage": True, "endCursor": "c1"},
            "nodes": [graphql_comment(reply, "DC_reply")],
        },
    }
    more = {
        "pageInfo": {"hasNextPage": False, "endCursor": "c2"},
        "nodes": [graphql_comment(answer, "DC_answer")],
    }

    def answer_query(body: dict[str, Any]) -> Any:
        if "discussions(" in body["query"]:
            assert body["variables"]["owner"] == "Codertocat"
            page = {"pageInfo": {"hasNextPage": False, "endCursor": "d1"}, "nodes": [node]}
            return {"data": {"repository": {"discussions": page}}}
        assert body["variables"] == {"id": "D_kwDOA", "after": "c1"}
        return {"data": {"node": {"comments": more}}}

    return answer_query


def test_discussions_through_graphql_match_the_webhooks(engine: Engine) -> None:
    with FakeGitHub("Codertocat/Hello-World", has_discussions=True) as fake:
        fake.graphql = graphql_discussions()
        with client_for(fake) as client:
            report = backfill(engine, client, "codertocat/hello-world", listings=("discussions",))
        posts = [s for s in fake.seen if s.path == "/graphql"]
    assert len(posts) == 2 and all(s.method == "POST" for s in posts)
    rows = stored(engine)
    assert {k: r["kind"] for k, r in rows.items()} == {
        "discussion:codertocat/hello-world#4:started": "thread.started",
        "discussion-comment:550062": "thread.replied",
        "discussion-comment:550561": "thread.replied",
        "discussion:codertocat/hello-world#4:answer:550561": "thread.solved",
    }
    assert report.ingest.imported == 4
    assert rows["discussion:codertocat/hello-world#4:answer:550561"]["owner"] == "1253226"
    assert access_cursor(engine, "github", "codertocat/hello-world:discussions") == {
        "since": "2021-03-30T23:17:18Z"
    }
    live = []
    for event, name in [
        ("discussion", "discussion/created.payload.json"),
        ("discussion", "discussion/answered.payload.json"),
        ("discussion_comment", "discussion_comment/created.payload.json"),
    ]:
        live += map_event(event, example(name))
    again = ingest(engine, live)
    assert (again.imported, again.duplicates) == (0, 3)


# -- errors --------------------------------------------------------------------------------


def test_unknown_repository_and_bad_token(engine: Engine, github: FakeGitHub) -> None:
    with client_for(github) as client, pytest.raises(NotFound, match="HTTP 404"):
        backfill(engine, client, "owner/missing")
    github.fail("/repos/Owner/Repo", 1, Answer(401, body={"message": "Bad credentials"}))
    with client_for(github) as client, pytest.raises(ConfigError) as raised:
        backfill(engine, client, "owner/repo")
    assert "HEARTH_GITHUB_TOKEN" in str(raised.value) and TOKEN not in str(raised.value)
    with client_for(github) as client, pytest.raises(InputError, match="OWNER/REPO"):
        backfill(engine, client, "not a repository")


def test_next_links_to_another_origin_are_refused(engine: Engine, github: FakeGitHub) -> None:
    link = '<http://203.0.113.9/repos/Owner/Repo/issues?page=2>; rel="next"'
    github.fail("/repos/Owner/Repo/issues", 1, Answer(200, {"Link": link}))
    with client_for(github) as client, pytest.raises(GitHubApiError, match="refusing to follow"):
        backfill(engine, client, "owner/repo")
    assert all(s.path.startswith("/repos/") for s in github.seen)


def test_bad_items_are_rejected_and_the_others_kept(engine: Engine, github: FakeGitHub) -> None:
    broken = recorded("github_issue_2")
    broken[0]["created_at"] = "not a time"
    github.fail("/repos/Owner/Repo/issues", 1, Answer(200, body=broken))
    with client_for(github) as client:
        report = backfill(engine, client, "owner/repo")
    assert report.ingest.rejected == 1
    error = str(report.ingest.errors[0])
    assert "issue #2" in error and "created_at: expected an ISO 8601 time" in error
    assert "issue:owner/repo#2:closed:2016-03-15T15:09:29Z" in stored(engine)


def test_a_listing_that_is_not_a_list_is_an_error(engine: Engine, github: FakeGitHub) -> None:
    github.fail("/repos/Owner/Repo/pulls", 1, Answer(200, body={"message": "surprise"}))
    with client_for(github) as client, pytest.raises(GitHubApiError, match="other than a list"):
        backfill(engine, client, "owner/repo", listings=("pulls",))


# -- the command ---------------------------------------------------------------------------


def test_cli_imports_a_repository(
    db_url: str, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEARTH_GITHUB_TOKEN", raising=False)
    args = ["--db", db_url, "import", "github", "owner/repo"]
    result = CliRunner().invoke(app, [*args, "--api-url", github.url])
    assert result.exit_code == 0, result.output
    assert "Imported 16, duplicates 1, rejected 0." in result.output
    assert "No GitHub token" in result.output
    assert not any("Authorization" in s.headers for s in github.seen)

    github.seen.clear()
    monkeypatch.setenv("HEARTH_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("HEARTH_GITHUB_API_URL", github.url)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Imported 0," in again.output
    assert TOKEN not in again.output and "No GitHub token" not in again.output
    assert github.seen and all(
        s.headers.get("Authorization") == f"Bearer {TOKEN}" for s in github.seen
    )


def test_cli_interrupted_then_resumed(
    db_url: str,
    github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sleeps = Sleeps()
    monkeypatch.setattr(api, "default_sleep", sleeps)
    monkeypatch.delenv("HEARTH_GITHUB_TOKEN", raising=False)
    github.fail("/repos/Owner/Repo/pulls", 2, *[Answer(500)] * 4)
    args = ["hearth", "--db", db_url, "import", "github", "owner/repo", "--api-url", github.url]
    monkeypatch.setattr(sys, "argv", args)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Error:" in err and "HTTP 500" in err and "/repos/Owner/Repo/pulls" in err
    assert "run the same command again" in err
    assert sleeps.calls == [2.0, 4.0, 8.0]

    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0, result.output
    # issues: asked again since the last run (2 duplicates); pulls: from page 2, where pull
    # request #1 has 5 new activities and the recordings' reused review id
    assert "Imported 5, duplicates 3, rejected 0." in result.output
    assert [s.query.get("page", "1") for s in github.requests_to("/repos/Owner/Repo/pulls")] == [
        "1",
        "2",
        "2",
        "2",
        "2",
        "2",
    ]


def test_cli_refuses_a_bad_repository_name(db_url: str) -> None:
    result = CliRunner().invoke(app, ["--db", db_url, "import", "github", "just-a-name"])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "OWNER/REPO" in str(result.exception)


def test_report_counts_pages() -> None:
    report = BackfillReport()
    assert report.pages == {} and report.ingest.seen == 0
