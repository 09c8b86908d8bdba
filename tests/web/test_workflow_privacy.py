"""A member's tickets, transcripts and cases are seen by that member and staff only: every
web page and API route is walked as another member, and the private text never shows."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine, select

from hearth.actions.context import Caller
from hearth.actions.moderation import check_report, check_take_action
from hearth.actions.people import do_member_for
from hearth.actions.tickets import check_open_ticket, do_add_message
from hearth.domain.activity import IdentityRef
from hearth.playbooks.loader import load_playbook
from hearth.settings import Settings
from hearth.store.tables import mod_appeals, ticket_messages, tickets
from hearth.web.app import create_app
from tests.web.accounts import csrf_of, make_account, sign_in

SECRETS = ("SECRET-SUBJECT", "SECRET-BODY", "SECRET-ANSWER", "SECRET-REASON", "SECRET-REPORT")
SKIP = {"/logout", "/login"}


def private_data(engine: Engine) -> dict[str, int]:
    phoenix = load_playbook("phoenix")
    alice = do_member_for(engine, IdentityRef("discord", "1", handle="alice"))
    eve = do_member_for(engine, IdentityRef("discord", "2", handle="eve"))
    sam = do_member_for(engine, IdentityRef("discord", "3", handle="sam"))
    opened = check_open_ticket(
        engine, Caller("a", member_id=alice), phoenix, "question", "SECRET-SUBJECT", "SECRET-BODY"
    )
    do_add_message(engine, Caller("s", member_id=sam, is_staff=True), opened.id, "SECRET-ANSWER")
    case = check_take_action(
        engine,
        Caller("s", member_id=sam, role="moderator"),
        phoenix,
        alice,
        "warning",
        "SECRET-REASON",
    )
    report = check_report(engine, Caller("s", member_id=sam), alice, "SECRET-REPORT")
    make_account(engine, "alice", "member", alice)
    make_account(engine, "eve", "member", eve)
    make_account(engine, "sam", "staff", sam)
    return {"ticket": opened.id, "case": case.case_id, "report": report, "alice": alice}


def routes(tmp_path: Any) -> list[Any]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/r.db", environment="test"))
    found = [r for r in iter_route_contexts(app.routes) if getattr(r, "dependant", None)]
    app.state.engine.dispose()
    return found


def fill(path: str, ids: dict[str, int]) -> str:
    values = {
        "ticket_id": ids["ticket"],
        "case_id": ids["case"],
        "appeal_id": 1,
        "member_id": ids["alice"],
    }
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(values.get(m.group(1), 1)), path)


def test_another_member_sees_no_ticket_transcript_or_case(
    engine: Engine, live_server: str, tmp_path: Any
) -> None:
    ids = private_data(engine)
    walked = 0
    with sign_in(live_server, "eve") as eve:
        token = csrf_of(eve.get("/tickets").text)
        for route in routes(tmp_path):
            path = fill(route.path, ids)
            if route.path in SKIP or route.path.startswith("/hooks/"):
                continue
            for method in sorted(route.methods or ()):
                if method == "GET":
                    response = eve.get(path)
                elif method == "POST":
                    data = {
                        "csrf_token": token,
                        "body": "eve was here",
                        "text": "eve",
                        "rating": "1",
                        "reason": "",
                        "member_id": "",
                        "outcome": "accept",
                        "decision": "eve",
                        "case_id": str(ids["case"]),
                        "category": "question",
                        "subject": "eve's own",
                    }
                    response = eve.post(path, data=data)
                else:
                    continue
                walked += 1
                for secret in SECRETS:
                    assert secret not in response.text, f"{method} {path} shows {secret}"
                if any(k in route.path for k in ("{ticket_id}", "{case_id}", "{appeal_id}")):
                    assert response.status_code in (403, 404), f"{method} {path}"
        assert walked > 40
    # nothing of alice's changed: eve's posts were refused
    with engine.connect() as conn:
        ticket = conn.execute(select(tickets).where(tickets.c.id == ids["ticket"])).one()
        assert (ticket.state, ticket.rating, ticket.assignee_id) == ("open", None, None)
        bodies = conn.scalars(
            select(ticket_messages.c.body).where(ticket_messages.c.ticket_id == ids["ticket"])
        ).all()
        assert bodies == ["SECRET-BODY", "SECRET-ANSWER"]
        assert conn.scalars(select(mod_appeals.c.id)).all() == []
    # the member herself and staff do see them; the member never sees the report about her
    with sign_in(live_server, "alice") as alice:
        page = alice.get(f"/tickets/{ids['ticket']}").text
        assert "SECRET-BODY" in page and "SECRET-ANSWER" in page
        # her whole record, as a download: the ticket and the case, never the report
        data = alice.get("/account/data")
        assert data.status_code == 200 and "attachment" in data.headers["content-disposition"]
        assert data.headers["cache-control"] == "no-store"
        document = data.json()
        assert document["member"]["member_id"] == ids["alice"]
        assert "SECRET-BODY" in data.text and "SECRET-REASON" in data.text
        assert "SECRET-REPORT" not in data.text
        assert "/account/data" in alice.get("/account").text
        cases = alice.get("/cases").text
        assert "SECRET-REASON" in cases and "SECRET-REPORT" not in cases
        assert alice.get(f"/moderation/cases/{ids['report']}").status_code == 403
        assert alice.get("/staff/tickets").status_code == 403
    with sign_in(live_server, "sam") as sam:
        assert "SECRET-SUBJECT" in sam.get("/staff/tickets").text
        assert "SECRET-BODY" in sam.get(f"/tickets/{ids['ticket']}").text
        assert "SECRET-REPORT" in sam.get(f"/moderation/cases/{ids['report']}").text
    with httpx.Client(base_url=live_server) as anonymous:
        for path in (
            "/tickets",
            f"/tickets/{ids['ticket']}",
            "/cases",
            "/staff/tickets",
            "/account/data",
        ):
            response = anonymous.get(path)
            assert response.status_code == 303 and "SECRET" not in response.text


def test_an_account_without_a_member_has_no_member_data(engine: Engine, live_server: str) -> None:
    make_account(engine, "newcomer", "member")
    with sign_in(live_server, "newcomer") as newcomer:
        response = newcomer.get("/account/data")
        assert response.status_code == 404
        assert "not linked to a member" in response.text
        assert "/account/data" not in newcomer.get("/account").text
