"""Signing in with GitHub and Discord, through the whole OAuth flow against a loopback provider."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, select

from hearth.store.tables import accounts, identities
from tests.web.accounts import make_account, sign_in
from tests.web.conftest import serve
from tests.web.oauth_provider import FakeProvider, running_provider

OCTO = {"id": 583231, "login": "octocat", "name": "The Octocat", "email": "octo@example.org"}
WUMPUS = {"id": "80351110224678912", "username": "wumpus", "global_name": "Wumpus"}


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def site(db_url: str, provider: FakeProvider) -> Iterator[str]:
    with serve(db_url, **provider.settings()) as url:
        yield url


def go_through(
    client: httpx.Client, site: str, provider: str, next_path: str = ""
) -> httpx.Response:
    """Start a sign-in and follow the redirects: Hearth, the provider, back to Hearth."""
    start = client.get(
        f"{site}/auth/{provider}/start" + (f"?next={next_path}" if next_path else "")
    )
    assert start.status_code == 303
    at_provider = client.get(start.headers["location"])
    assert at_provider.status_code == 302
    callback = at_provider.headers["location"]
    assert callback.startswith(f"{site}/auth/{provider}/callback?")
    return client.get(callback)


def test_github_sign_in_creates_member_identity_and_account(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    provider.user = OCTO
    with httpx.Client() as client:
        login = client.get(f"{site}/login")
        assert "Sign in with GitHub" in login.text and "Sign in with Discord" in login.text
        done = go_through(client, site, "github")
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/account"
        me = client.get(f"{site}/api/v1/me").json()
        assert me["username"] == "github:octocat" and me["role"] == "member"
        page = client.get(f"{site}/account")
        assert "github:octocat" in page.text
    with engine.connect() as conn:
        ident = conn.execute(select(identities).where(identities.c.platform == "github")).one()
        account = conn.execute(select(accounts)).one()
    assert (ident.external_id, ident.handle, ident.email) == (
        "583231",
        "octocat",
        "octo@example.org",
    )
    assert account.member_id == ident.member_id and account.password_hash is None


def test_signed_in_discord_sign_in_links_the_identity_as_proof(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    provider.user = OCTO
    with httpx.Client() as client:
        go_through(client, site, "github")
        provider.user = WUMPUS
        done = go_through(client, site, "discord")
        assert done.headers["location"] == "/account?linked=discord"
        assert "now linked" in client.get(f"{site}/account?linked=discord").text
    with engine.connect() as conn:
        owners = dict(conn.execute(select(identities.c.platform, identities.c.member_id)).all())
    assert owners["github"] == owners["discord"]
    # Discord alone now signs in to the same account.
    with httpx.Client() as client:
        go_through(client, site, "discord")
        assert client.get(f"{site}/api/v1/me").json()["username"] == "github:octocat"


def test_a_staff_account_can_add_its_github_account(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    from hearth.actions.signin import ProviderProfile, do_provider_sign_in

    # A staff member who is already in the ledger through Discord.
    member, _ = do_provider_sign_in(engine, ProviderProfile("discord", "1", handle="sam"))
    with engine.begin() as conn:
        conn.execute(accounts.delete())
    make_account(engine, "sam", "staff", member_id=member.member_id)
    provider.user = OCTO
    with sign_in(site, "sam") as client:
        start = client.get("/auth/github/start?next=/account")
        callback = client.get(start.headers["location"]).headers["location"]
        done = client.get(callback)
        assert done.headers["location"] == "/account?linked=github"
    with engine.connect() as conn:
        owner = conn.scalar(select(identities.c.member_id).where(identities.c.platform == "github"))
    assert owner == member.member_id


def test_refused_or_forged_callbacks_do_not_sign_in(
    engine: Engine, provider: FakeProvider, site: str
) -> None:
    provider.deny = True
    with httpx.Client() as client:
        refused = go_through(client, site, "github")
        assert refused.status_code == 400
        assert "access_denied" in refused.text
        assert "hearth_session" not in client.cookies
    provider.deny = False
    provider.user = OCTO
    with httpx.Client() as client:
        start = client.get(f"{site}/auth/github/start")
        callback = client.get(start.headers["location"]).headers["location"]
        forged = callback.replace("state=", "state=x")
        assert client.get(forged).status_code == 400
    with httpx.Client() as other:  # no flow cookie: someone else's callback
        assert other.get(callback).status_code == 400
    with engine.connect() as conn:
        assert conn.execute(select(accounts)).first() is None


def test_providers_not_set_up_are_not_offered(db_url: str) -> None:
    with serve(db_url) as url:
        assert "Sign in with GitHub" not in httpx.get(f"{url}/login").text
        assert httpx.get(f"{url}/auth/github/start").status_code == 404
