"""``/link github`` on the web: the one-time link the bot gives, through the whole GitHub OAuth
flow against a loopback provider, on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, select

from hearth.actions.chat_link import issue_link_token
from hearth.actions.context import Caller
from hearth.actions.ingest import ingest
from hearth.actions.members import do_link_identity
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.store.tables import activities, audit_log, identities, link_tokens
from tests.web.accounts import csrf_of, make_account
from tests.web.conftest import serve
from tests.web.oauth_provider import FakeProvider, running_provider

SECRET = "a-test-secret-of-some-length"
OCTO = {"id": 583231, "login": "octocat", "name": "The Octocat"}
ALICE = IdentityRef("discord", "1001", handle="alice")
BOB = IdentityRef("discord", "2002", handle="bob")
OCTO_REF = IdentityRef("github", "583231", handle="octocat")


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with running_provider() as running:
        running.user = OCTO
        yield running


@pytest.fixture
def site(db_url: str, provider: FakeProvider) -> Iterator[str]:
    with serve(db_url, secret_key=SECRET, **provider.settings()) as url:
        yield url


def said(who: IdentityRef, n: int = 1) -> list[ActivityIn]:
    kind, platform = (
        ("pr.merged", "github")
        if who.platform == "github"
        else (
            "message.posted",
            "discord",
        )
    )
    return [
        ActivityIn(platform, f"{who.external_id}:{i}", kind, datetime(2025, 1, 1, tzinfo=UTC), who)
        for i in range(n)
    ]


def owners(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(identities.c.platform, identities.c.external_id, identities.c.member_id)
        )
        return {(r.platform, r.external_id): r.member_id for r in rows}


def follow(client: httpx.Client, site: str, token: str) -> tuple[httpx.Response, httpx.Response]:
    """Open the link, press the button, go through GitHub; (the link page, the last page)."""
    page = client.get(f"{site}/link/github", params={"token": token})
    if page.status_code != 200:
        return page, page
    start = client.post(
        f"{site}/link/github", data={"token": token, "csrf_token": csrf_of(page.text)}
    )
    assert start.status_code == 303, start.text
    at_provider = client.get(start.headers["location"])
    assert at_provider.status_code == 302
    callback = at_provider.headers["location"]
    assert callback.startswith(f"{site}/auth/github/callback?")
    return page, client.get(callback)


def test_the_link_links_github_to_the_discord_member_once(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    ingest(engine, said(ALICE) + said(OCTO_REF, 2))  # octocat's PRs imported before
    before = owners(engine)
    assert before[("github", "583231")] != before[("discord", "1001")]
    token = issue_link_token(SECRET, "discord", "1001")
    with httpx.Client() as client:
        page, done = follow(client, site, token)
        assert "alice" in page.text and "Continue with GitHub" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert done.status_code == 200, done.text
        assert "octocat is now linked to your Discord account" in done.text
        assert "hearth_session" not in client.cookies  # linking is not signing in
    after = owners(engine)
    alice_member = after[("discord", "1001")]
    assert after[("github", "583231")] == alice_member
    with engine.connect() as conn:
        actors = set(
            conn.scalars(
                select(activities.c.actor_member_id).where(activities.c.kind == "pr.merged")
            )
        )
        audit = conn.execute(select(audit_log).where(audit_log.c.action == "identity.linked")).one()
        assert conn.scalar(select(link_tokens.c.id)) is not None
    assert actors == {alice_member}  # octocat's activity now counts for alice
    assert audit.actor == "link:discord" and audit.subject_id == str(alice_member)
    assert "verified by a github sign-in" in audit.details["reason"]

    # The same link again: refused, on the page and at the button.
    with httpx.Client() as client:
        again = client.get(f"{site}/link/github", params={"token": token})
        assert again.status_code == 410 and "already used" in again.text
        fresh = client.get(
            f"{site}/link/github", params={"token": issue_link_token(SECRET, "discord", "1001")}
        )
        replay = client.post(
            f"{site}/link/github", data={"token": token, "csrf_token": csrf_of(fresh.text)}
        )
        assert replay.status_code == 410 and "already used" in replay.text


def test_a_link_used_in_two_tabs_links_once(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    ingest(engine, said(ALICE))
    token = issue_link_token(SECRET, "discord", "1001")
    with httpx.Client() as first, httpx.Client() as second:
        page = second.get(f"{site}/link/github", params={"token": token})
        start = second.post(
            f"{site}/link/github", data={"token": token, "csrf_token": csrf_of(page.text)}
        )
        callback = second.get(start.headers["location"]).headers["location"]
        _, done = follow(first, site, token)
        assert done.status_code == 200
        late = second.get(callback)
        assert late.status_code == 410 and "already used" in late.text


def test_an_expired_or_forged_link_is_refused(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    old = issue_link_token(SECRET, "discord", "1001", now=datetime.now(UTC) - timedelta(hours=1))
    forged = issue_link_token("not the secret", "discord", "1001")
    with httpx.Client() as client:
        page = client.get(f"{site}/link/github", params={"token": old})
        assert page.status_code == 410 and "expired" in page.text
        assert "/link github" in page.text and "<form" not in page.text
        bad = client.get(f"{site}/link/github", params={"token": forged})
        assert bad.status_code == 400 and "not valid" in bad.text
        assert client.get(f"{site}/link/github").status_code == 400
        anon = client.get(f"{site}/login")
        refused = client.post(
            f"{site}/link/github", data={"token": old, "csrf_token": csrf_of(anon.text)}
        )
        assert refused.status_code == 410
        no_csrf = client.post(f"{site}/link/github", data={"token": old})
        assert no_csrf.status_code == 403
    assert ("github", "583231") not in owners(engine)


def test_a_github_account_of_another_member_is_not_moved(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    ingest(engine, said(ALICE) + said(BOB) + said(OCTO_REF))
    before = owners(engine)
    # bob linked octocat before (his Discord and GitHub are one member)
    do_link_identity(
        engine,
        Caller.operator(),
        identity_id=_identity_id(engine, "github", "583231"),
        member_id=before[("discord", "2002")],
    )
    token = issue_link_token(SECRET, "discord", "1001")
    with httpx.Client() as client:
        _, done = follow(client, site, token)
        assert done.status_code == 409
        assert "already belongs to another member" in done.text
        assert "contact the staff" in done.text
    after = owners(engine)
    assert after[("github", "583231")] == before[("discord", "2002")]
    assert after[("discord", "1001")] == before[("discord", "1001")]


def test_a_github_account_that_signed_in_on_the_web_is_not_moved(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    ingest(engine, said(ALICE) + said(OCTO_REF))
    make_account(engine, "octo", "member", member_id=owners(engine)[("github", "583231")])
    with httpx.Client() as client:
        _, done = follow(client, site, issue_link_token(SECRET, "discord", "1001"))
        assert done.status_code == 409


def test_already_linked_and_discord_accounts_the_ledger_never_saw(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    # A Discord account with no activity yet: its identity (and member) is made on the way.
    with httpx.Client() as client:
        _, done = follow(client, site, issue_link_token(SECRET, "discord", "3003"))
        assert done.status_code == 200 and "now linked" in done.text
        _, again = follow(client, site, issue_link_token(SECRET, "discord", "3003"))
        assert again.status_code == 200 and "already linked" in again.text
    found = owners(engine)
    assert found[("github", "583231")] == found[("discord", "3003")]


def test_links_without_github_sign_in_set_up(db_url: str) -> None:
    with serve(db_url, secret_key=SECRET) as url:
        page = httpx.get(
            f"{url}/link/github", params={"token": issue_link_token(SECRET, "discord", "1")}
        )
        assert page.status_code == 200 and "not set up" in page.text


def _identity_id(engine: Engine, platform: str, external_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(identities.c.id).where(
                    identities.c.platform == platform, identities.c.external_id == external_id
                )
            )
        )
