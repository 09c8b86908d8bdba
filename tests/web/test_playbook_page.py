"""The playbook in force, for staff only."""

from __future__ import annotations

import httpx

from tests.web.accounts import make_account, sign_in


def test_staff_read_the_playbook_in_force_and_members_cannot(engine, live_server: str) -> None:
    make_account(engine, "sam", "staff")
    make_account(engine, "mem", "member")
    with sign_in(live_server, "sam") as staff:
        page = staff.get("/staff/playbook")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Phoenix Community",
        "Answer a question",
        "Helpful Hand",
        "Contributor",
        "Monthly contributors",
        "Response Time",
        "phoenix.yaml",
    ):
        assert expected in text, expected
    with sign_in(live_server, "mem") as member:
        assert member.get("/staff/playbook").status_code == 403
    anonymous = httpx.get(live_server + "/staff/playbook", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
