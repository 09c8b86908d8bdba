"""In Chromium: a member votes on a suggestion but cannot change its status; staff can, and the
roadmap shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.ideas import access_suggestion, check_post_suggestion, resolve_member
from hearth.domain.activity import IdentityRef
from tests.web.accounts import browser_sign_in, make_account

FORGE_STATUS = """async ([path, token]) => {
  const body = new URLSearchParams({csrf_token: token, status: 'planned'});
  const response = await fetch(path, {method: 'POST', body});
  return response.status;
}"""


def test_a_member_cannot_change_a_status(engine: Engine, live_server: str, context: Any) -> None:
    with engine.begin() as conn:
        ann = resolve_member(conn, Caller(name="t"), IdentityRef("github", "ann", handle="ann"))
        mem = resolve_member(conn, Caller(name="t"), IdentityRef("github", "mem", handle="mem"))
    make_account(engine, "mem", "member", mem)
    make_account(engine, "sam", "staff")
    idea = check_post_suggestion(engine, Caller(name="ann", member_id=ann), "Dark mode")
    page = context.new_page()
    browser_sign_in(page, live_server, "mem")
    page.goto(f"{live_server}/ideas/{idea.id}")
    # the member votes with the button
    page.click("form.vote button[value='1']")
    page.wait_for_url(f"**/ideas/{idea.id}?notice=*")
    assert page.text_content("#score") == "1"
    # no status form is shown, and forging one is refused
    assert page.locator("#status-form").count() == 0
    token = page.get_attribute("form.vote input[name=csrf_token]", "value")
    status = page.evaluate(FORGE_STATUS, [f"/ideas/{idea.id}/status", token])
    assert status == 403
    assert access_suggestion(engine, Caller(name="t"), idea.id).status == "open"
    page.goto(f"{live_server}/ideas/{idea.id}")
    assert page.text_content("#status") == "open"
    page.context.clear_cookies()

    # staff change it in the same browser; the roadmap shows it with its votes
    browser_sign_in(page, live_server, "sam")
    page.goto(f"{live_server}/ideas/{idea.id}")
    page.select_option("#new-status", "planned")
    page.click("#status-form button[type=submit]")
    page.wait_for_url(f"**/ideas/{idea.id}?notice=*")
    assert page.text_content("#status") == "planned"
    page.goto(f"{live_server}/roadmap")
    item = page.locator("#planned li.item")
    assert item.count() == 1
    assert "Dark mode" in item.text_content() and "score 1" in item.text_content()
