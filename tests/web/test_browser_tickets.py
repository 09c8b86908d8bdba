"""In Chromium: a member sees only their own tickets and transcripts; staff see the queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.people import do_member_for
from hearth.actions.tickets import check_open_ticket, do_add_message
from hearth.domain.activity import IdentityRef
from hearth.playbooks.loader import load_playbook
from tests.web.accounts import browser_sign_in, make_account


def test_members_see_their_own_tickets_and_staff_the_queue(
    engine: Engine, live_server: str, context: Any
) -> None:
    phoenix = load_playbook("phoenix")
    alice = do_member_for(engine, IdentityRef("discord", "1", handle="alice"))
    bob = do_member_for(engine, IdentityRef("discord", "2", handle="bob"))
    sam = do_member_for(engine, IdentityRef("discord", "3", handle="sam"))
    mine = check_open_ticket(
        engine, Caller("a", member_id=alice), phoenix, "bug", "Alice crash", "alice private words"
    )
    theirs = check_open_ticket(
        engine, Caller("b", member_id=bob), phoenix, "question", "Bob question", "bob private words"
    )
    do_add_message(engine, Caller("s", member_id=sam, is_staff=True), theirs.id, "staff answer")
    make_account(engine, "alice", "member", alice)
    make_account(engine, "sam", "staff", sam)

    page = context.new_page()
    browser_sign_in(page, live_server, "alice")
    page.wait_for_load_state()
    page.goto(live_server + "/tickets")
    rows = page.locator("table.tickets tbody tr")
    assert rows.count() == 1 and "Alice crash" in rows.first.inner_text()
    assert "Bob question" not in page.content()
    page.click("text=Alice crash")
    page.wait_for_url(f"**/tickets/{mine.id}")
    assert "alice private words" in page.locator("ol.transcript").inner_text()
    # a reply from the web, then the other member's ticket: not found
    page.fill("#body", "more detail from alice")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**/tickets/{mine.id}?notice=*")
    assert "more detail from alice" in page.locator("ol.transcript").inner_text()
    response = page.goto(live_server + f"/tickets/{theirs.id}")
    assert response.status == 404
    assert "bob private words" not in page.content()
    assert page.goto(live_server + "/staff/tickets").status == 403
    # opening a ticket from the web
    page.goto(live_server + "/tickets")
    page.select_option("#category", "question")
    page.fill("#subject", "Web ticket")
    page.click("text=Open the ticket")
    page.wait_for_url("**/tickets/*?notice=*")
    assert page.locator("h1").inner_text().endswith("Web ticket")

    staff = context.browser.new_context()
    staff_page = staff.new_page()
    browser_sign_in(staff_page, live_server, "sam")
    staff_page.wait_for_load_state()
    staff_page.goto(live_server + "/staff/tickets")
    queue = staff_page.locator("table.tickets tbody").inner_text()
    assert "Alice crash" in queue and "Bob question" in queue and "Web ticket" in queue
    staff_page.select_option("#category", "question")
    staff_page.click("text=Filter")
    staff_page.wait_for_url("**/staff/tickets?*")
    queue = staff_page.locator("table.tickets tbody").inner_text()
    assert "Alice crash" not in queue and "Bob question" in queue
    staff_page.goto(live_server + f"/tickets/{mine.id}")
    assert "more detail from alice" in staff_page.locator("ol.transcript").inner_text()
    staff.close()
