"""Staff pages: identity-link suggestions (merge, reject), NPS answers, API tokens, accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from hearth.actions.ingest import ingest
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.store.tables import accounts, identities, members, nps_responses
from tests.web.accounts import csrf_of, make_account, sign_in

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def seed_lookalikes(engine: Engine) -> None:
    """Two pairs of accounts that look like one person each (same e-mail)."""
    refs = [
        IdentityRef("github", "1", "alice", email="alice@example.org"),
        IdentityRef("discord", "11", "alice_d", email="alice@example.org"),
        IdentityRef("github", "2", "bob", email="bob@example.org"),
        IdentityRef("discourse", "22", "bobby", email="bob@example.org"),
    ]
    ingest(
        engine,
        [ActivityIn(r.platform, f"a{i}", "message.posted", T0, r) for i, r in enumerate(refs)],
    )


def test_review_suggestions_merge_and_reject(engine: Engine, live_server: str) -> None:
    seed_lookalikes(engine)
    make_account(engine, "sam", "staff")
    with sign_in(live_server, "sam") as client:
        page = client.get("/staff/identities")
        assert page.status_code == 200
        assert page.text.count("Merge B into A") == 2
        token = csrf_of(page.text)
        with engine.connect() as conn:
            ids = dict(conn.execute(select(identities.c.handle, identities.c.member_id)).all())
        merged = client.post(
            "/staff/identities/merge",
            data={"source": ids["alice_d"], "target": ids["alice"], "csrf_token": token},
        )
        assert merged.status_code == 303
        notice = client.get(merged.headers["location"])
        assert "was merged into member" in notice.text
        assert notice.text.count("Merge B into A") == 1
        rejected = client.post(
            "/staff/identities/reject",
            data={"member_a": ids["bob"], "member_b": ids["bobby"], "csrf_token": token},
        )
        assert rejected.status_code == 303
        after = client.get("/staff/identities")
        assert "No open suggestions." in after.text
        # Errors come back as pages, not tracebacks.
        again = client.post(
            "/staff/identities/merge",
            data={"source": ids["alice_d"], "target": ids["alice"], "csrf_token": token},
        )
        assert again.status_code == 409
    with engine.connect() as conn:
        merged_into = conn.scalar(
            select(members.c.merged_into).where(members.c.id == ids["alice_d"])
        )
    assert merged_into == ids["alice"]


def test_staff_record_nps_answers(engine: Engine, live_server: str) -> None:
    seed_lookalikes(engine)
    make_account(engine, "sam", "staff")
    with sign_in(live_server, "sam") as client:
        token = csrf_of(client.get("/staff/nps").text)
        ok = client.post(
            "/staff/nps",
            data={"score": "9", "member_id": "1", "comment": "Great", "csrf_token": token},
        )
        assert ok.status_code == 303
        assert "recorded" in client.get(ok.headers["location"]).text
        anonymous = client.post("/staff/nps", data={"score": "3", "csrf_token": token})
        assert anonymous.status_code == 303
        bad = client.post("/staff/nps", data={"score": "11", "csrf_token": token})
        assert bad.status_code == 400 and "from 0 to 10" in bad.text
    with engine.connect() as conn:
        rows = conn.execute(select(nps_responses.c.member_id, nps_responses.c.score)).all()
    assert sorted(rows, key=lambda r: r.score) == [(None, 3), (1, 9)]


def test_staff_make_and_revoke_api_tokens_admins_change_roles(
    engine: Engine, live_server: str
) -> None:
    make_account(engine, "ada", "admin")
    member = make_account(engine, "mem", "member")
    with sign_in(live_server, "ada") as client:
        page = client.get("/staff/tokens")
        made = client.post(
            "/staff/tokens", data={"name": "reports", "csrf_token": csrf_of(page.text)}
        )
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        token = made.text.split('<code id="new-token">')[1].split("<")[0]
        assert token.startswith("hth_")
        api = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=api).json()["role"] == "staff"
        revoked = client.post("/staff/tokens/1/revoke", data={"csrf_token": csrf_of(made.text)})
        assert revoked.status_code == 303
        assert client.get("/api/v1/members", headers=api).status_code == 401
        admin_page = client.get("/admin/accounts")
        changed = client.post(
            f"/admin/accounts/{member}/role",
            data={"role": "moderator", "csrf_token": csrf_of(admin_page.text)},
        )
        assert changed.status_code == 303
    with engine.connect() as conn:
        assert conn.scalar(select(accounts.c.role).where(accounts.c.id == member)) == "moderator"
