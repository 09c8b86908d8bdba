"""The staff grants page: staff only, CSRF, a reason every time, and the effect on the profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, select

from hearth.actions.ingest import ingest
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.store.tables import audit_log, identities
from tests.web.accounts import csrf_of, make_account, sign_in

NOW = datetime.now(UTC)


def seed_member(engine: Engine) -> int:
    ref = IdentityRef("discord", "d-1", "ada")
    ingest(engine, [ActivityIn("discord", "j1", "member.joined", NOW - timedelta(days=3), ref)])
    with engine.connect() as conn:
        return int(conn.execute(select(identities.c.member_id)).scalar_one())


def test_only_staff_may_open_the_grants_page(engine: Engine, live_server: str) -> None:
    member = seed_member(engine)
    make_account(engine, "mem", "member", member_id=member)
    path = f"/staff/members/{member}/grant"
    with httpx.Client(base_url=live_server) as anonymous:
        assert anonymous.get(path).status_code == 303
        assert anonymous.post(path + "/points", data={"amount": "5"}).status_code == 401
    with sign_in(live_server, "mem") as client:
        assert client.get(path).status_code == 403
        token = csrf_of(client.get("/account").text)
        refused = client.post(
            path + "/points", data={"amount": "5", "reason": "x", "csrf_token": token}
        )
        assert refused.status_code == 403


def test_staff_decisions_need_csrf_and_a_reason_and_show_on_the_profile(
    engine: Engine, live_server: str
) -> None:
    member = seed_member(engine)
    make_account(engine, "sam", "staff")
    path = f"/staff/members/{member}/grant"
    with sign_in(live_server, "sam") as client:
        page = client.get(path)
        assert page.status_code == 200
        assert "Give or take points" in page.text and "Phoenix Core Team" in page.text
        token = csrf_of(page.text)
        # no CSRF token: refused
        no_csrf = client.post(path + "/points", data={"amount": "50", "reason": "talk"})
        assert no_csrf.status_code == 403
        # no reason: the form again, with the error next to it, and nothing recorded
        no_reason = client.post(
            path + "/points", data={"amount": "50", "reason": "  ", "csrf_token": token}
        )
        assert no_reason.status_code == 400
        assert "Give a reason" in no_reason.text and 'value="50"' in no_reason.text
        bad_amount = client.post(
            path + "/points", data={"amount": "lots", "reason": "x", "csrf_token": token}
        )
        assert bad_amount.status_code == 400 and "whole number" in bad_amount.text
        zero = client.post(
            path + "/points", data={"amount": "0", "reason": "x", "csrf_token": token}
        )
        assert zero.status_code == 400 and "must not be zero" in zero.text
        unknown = client.post(
            path + "/achievement",
            data={"achievement": "nope", "reason": "x", "csrf_token": token},
        )
        assert unknown.status_code == 400 and "No achievement" in unknown.text
        # decisions with reasons
        for form, data in (
            ("points", {"amount": "+50", "reason": "Gave a talk at the meetup"}),
            ("achievement", {"achievement": "architect", "reason": "RFC 12 accepted"}),
            ("tier", {"tier": "core_team", "reason": "Invited by the team"}),
            ("requirement", {"requirement": "maintains_package", "reason": "phoenix-contrib"}),
        ):
            done = client.post(f"{path}/{form}", data={**data, "csrf_token": token})
            assert done.status_code == 303, (form, done.text)
            assert "notice=" in done.headers["location"]
        profile = client.get(f"/members/{member}").text
        assert "Granted by staff" in profile and ">50<" in profile
        assert "Architect" in profile and "by staff" in profile
        assert "Phoenix Core Team" in profile
        # take the achievement back and some points
        client.post(
            path + "/achievement",
            data={
                "achievement": "architect",
                "action": "revoke",
                "reason": "x",
                "csrf_token": token,
            },
        )
        client.post(path + "/points", data={"amount": "-20", "reason": "y", "csrf_token": token})
        profile = client.get(f"/members/{member}").text
        assert "Architect" not in profile and ">30<" in profile
    with engine.connect() as conn:
        actions = [row.action for row in conn.execute(select(audit_log.c.action))]
    assert actions.count("points.granted") == 2
    assert "tier.granted" in actions and "requirement.confirmed" in actions
