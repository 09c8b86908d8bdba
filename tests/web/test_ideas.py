"""Suggestions, the roadmap and polls on the web: voting with CSRF, staff-only status changes,
the roadmap showing votes and statuses, polls."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, update

from hearth.actions.context import Caller
from hearth.actions.ideas import access_suggestion, check_post_suggestion, resolve_member
from hearth.domain.activity import IdentityRef
from hearth.store.tables import polls
from tests.web.accounts import csrf_of, make_account, sign_in

OPERATOR = Caller.operator()


def member_account(engine: Engine, name: str) -> int:
    with engine.begin() as conn:
        member_id = resolve_member(conn, Caller(name="t"), IdentityRef("github", name, handle=name))
    assert member_id is not None
    make_account(engine, name, "member", member_id)
    return member_id


def post_form(client: httpx.Client, page: str, action: str, **fields: Any) -> httpx.Response:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields})


def roadmap_column(html: str, status: str) -> str:
    found = re.search(rf'<section class="column" id="{status}".*?</section>', html, re.S)
    assert found, status
    return found.group(0)


def test_vote_status_and_the_roadmap(engine: Engine, live_server: str) -> None:
    author = member_account(engine, "ann")
    member_account(engine, "mem")
    make_account(engine, "sam", "staff")
    idea = check_post_suggestion(engine, Caller(name="ann", member_id=author), "Dark mode")
    page = f"/ideas/{idea.id}"
    with httpx.Client(base_url=live_server) as anonymous:
        assert anonymous.get("/ideas").status_code == 200
        assert "Dark mode" in anonymous.get(page).text
        assert anonymous.get("/roadmap").status_code == 200
        # voting needs a member: sent to sign in (the CSRF cookie makes the form valid)
        refused = post_form(anonymous, "/login", f"{page}/vote", value="1")
        assert (
            refused.status_code == 303 or refused.status_code == 401 or refused.status_code == 403
        )
    with sign_in(live_server, "mem") as member:
        # without the CSRF token: refused
        assert member.post(f"{page}/vote", data={"value": "1"}).status_code == 403
        done = post_form(member, page, f"{page}/vote", value="1")
        assert done.status_code == 303
        assert access_suggestion(engine, OPERATOR, idea.id).score == 1
        shown = member.get(page).text
        assert 'id="score">1<' in shown and 'aria-pressed="true"' in shown
        # changing the vote
        post_form(member, page, f"{page}/vote", value="-1")
        assert access_suggestion(engine, OPERATOR, idea.id).score == -1
        post_form(member, page, f"{page}/vote", value="1")
        # a member cannot change the status (403), even with a valid token
        forbidden = post_form(member, page, f"{page}/status", status="planned")
        assert forbidden.status_code == 403
        assert access_suggestion(engine, OPERATOR, idea.id).status == "open"
        assert "status-form" not in member.get(page).text
        # members post suggestions
        made = post_form(member, "/ideas", "/ideas", title="Offline mode", body="Works on a plane")
        assert made.status_code == 303
    with sign_in(live_server, "sam") as staff:
        assert "status-form" in staff.get(page).text
        changed = post_form(staff, page, f"{page}/status", status="in_progress")
        assert changed.status_code == 303
    with httpx.Client(base_url=live_server) as anonymous:
        roadmap = anonymous.get("/roadmap").text
        column = roadmap_column(roadmap, "in_progress")
        assert "Dark mode" in column and "score 1" in column and "💬" in column
        assert "Offline mode" not in roadmap  # still open: not on the roadmap
    with sign_in(live_server, "sam") as staff:
        post_form(staff, page, f"{page}/status", status="done")
    with httpx.Client(base_url=live_server) as anonymous:
        roadmap = anonymous.get("/roadmap").text
        assert "Dark mode" in roadmap_column(roadmap, "done")
        assert "Dark mode" not in roadmap_column(roadmap, "in_progress")


def test_merge_and_decline_on_the_web(engine: Engine, live_server: str) -> None:
    a = member_account(engine, "ann")
    member_account(engine, "mem")
    make_account(engine, "sam", "staff")
    kept = check_post_suggestion(engine, Caller(name="a", member_id=a), "Dark mode")
    dup = check_post_suggestion(engine, Caller(name="a", member_id=a), "Night theme")
    with sign_in(live_server, "mem") as member:
        post_form(member, f"/ideas/{dup.id}", f"/ideas/{dup.id}/vote", value="1")
        assert (
            post_form(
                member, f"/ideas/{dup.id}", f"/ideas/{dup.id}/merge", into=str(kept.id)
            ).status_code
            == 403
        )
    with sign_in(live_server, "sam") as staff:
        merged = post_form(staff, f"/ideas/{dup.id}", f"/ideas/{dup.id}/merge", into=str(kept.id))
        assert merged.headers["location"].startswith(f"/ideas/{kept.id}?")
        assert access_suggestion(engine, OPERATOR, kept.id).score == 1
        no_reason = post_form(
            staff, f"/ideas/{kept.id}", f"/ideas/{kept.id}/status", status="declined"
        )
        assert no_reason.status_code == 400
        post_form(
            staff, f"/ideas/{kept.id}", f"/ideas/{kept.id}/status",
            status="declined", reason="Out of scope",
        )  # fmt: skip
        assert "Out of scope" in staff.get(f"/ideas/{kept.id}").text


def test_polls_on_the_web(engine: Engine, live_server: str) -> None:
    member_account(engine, "mem")
    make_account(engine, "sam", "staff")
    with sign_in(live_server, "mem") as member:
        assert post_form(member, "/polls", "/polls", question="Q", options="a;b").status_code == 403
    with sign_in(live_server, "sam") as staff:
        opened = post_form(
            staff, "/polls", "/polls", question="Next?", options="Plugins; Themes", duration="1h"
        )
        assert opened.status_code == 303
    with sign_in(live_server, "mem") as member:
        assert post_form(member, "/polls", "/polls/1/vote", option="1").status_code == 303
    with engine.begin() as conn:
        conn.execute(update(polls).values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
    from hearth.actions.polls import do_close_due_polls

    assert do_close_due_polls(engine) == [1]
    with httpx.Client(base_url=live_server) as anonymous:
        page = anonymous.get("/polls").text
        assert "🏆 Themes" in page and "1 voters" in page


@pytest.mark.parametrize("path", ["/ideas", "/roadmap", "/polls"])
def test_public_pages_in_the_nav(live_server: str, path: str, engine: Engine) -> None:
    with httpx.Client(base_url=live_server) as anonymous:
        assert f'href="{path}"' in anonymous.get("/").text
