"""Accounts, sessions, API tokens and provider sign-ins, as actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from hearth.actions.accounts import (
    check_create_account,
    check_password_login,
    check_set_role,
)
from hearth.actions.context import Caller
from hearth.actions.ingest import ingest
from hearth.actions.privacy import do_erase_member
from hearth.actions.sessions import (
    access_session,
    access_token_account,
    check_create_api_token,
    do_revoke_api_token,
    do_start_session,
)
from hearth.actions.signin import ProviderProfile, do_provider_sign_in
from hearth.cli import app
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.domain.roles import Role
from hearth.errors import Conflict, InputError, NotAuthenticated, PermissionDenied
from hearth.store.tables import accounts, api_tokens, audit_log, identities, sessions

OP = Caller.operator()
PW = "a long enough password"


def test_accounts_are_created_by_admins_with_argon2_hashes(engine: Engine) -> None:
    account_id = check_create_account(engine, OP, "ada", PW, "admin")
    with engine.connect() as conn:
        stored = conn.scalar(select(accounts.c.password_hash).where(accounts.c.id == account_id))
        actions = list(conn.scalars(select(audit_log.c.action)))
    assert stored.startswith("$argon2id$") and PW not in stored
    assert "account.created" in actions
    with pytest.raises(Conflict):
        check_create_account(engine, OP, "ADA", PW, "staff")
    with pytest.raises(InputError):
        check_create_account(engine, OP, "bob", "short", "staff")
    with pytest.raises(InputError):
        check_create_account(engine, OP, "bob", PW, "emperor")
    staff = Caller(name="account:sam", is_staff=True, role="staff")
    with pytest.raises(PermissionDenied):
        check_create_account(engine, staff, "bob", PW, "member")
    admin = Caller(name="account:ada", is_staff=True, role="admin")
    assert check_create_account(engine, admin, "bob", PW, "member") > account_id


def test_password_sign_in_and_sessions(engine: Engine) -> None:
    account_id = check_create_account(engine, OP, "sam", PW, "staff")
    account = check_password_login(engine, " Sam ", PW, address="127.0.0.1")
    assert (account.id, account.role) == (account_id, Role.staff)
    assert account.caller.is_staff and account.caller.role == "staff"
    with pytest.raises(NotAuthenticated):
        check_password_login(engine, "sam", "wrong password")
    token = do_start_session(engine, account)
    assert access_session(engine, token) == account
    assert access_session(engine, token + "x") is None
    check_set_role(engine, OP, account_id, "member")
    assert access_session(engine, token).role is Role.member


def test_api_tokens_are_for_staff_and_can_be_revoked(engine: Engine) -> None:
    staff_id = check_create_account(engine, OP, "sam", PW, "admin")
    member_id = check_create_account(engine, OP, "mem", PW, "member")
    token = check_create_api_token(engine, OP, staff_id, "reporting")
    assert token.startswith("hth_")
    account = access_token_account(engine, token)
    assert account is not None and account.role is Role.staff  # capped at staff
    with pytest.raises(PermissionDenied):
        check_create_api_token(engine, OP, member_id, "nope")
    with engine.connect() as conn:
        (token_id,) = conn.scalars(select(api_tokens.c.id))
    do_revoke_api_token(engine, OP, token_id)
    assert access_token_account(engine, token) is None
    assert access_token_account(engine, "hth_unknown") is None


def test_provider_sign_in_creates_the_member_and_links_as_proof(engine: Engine) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    ingest(
        engine,
        [ActivityIn("github", "c1", "issue.opened", at, IdentityRef("github", "42", "octo"))],
    )
    profile = ProviderProfile("github", "42", handle="octo", display_name="Octo Cat")
    account, linked = do_provider_sign_in(engine, profile)
    assert not linked and account.role is Role.member and account.username == "github:octo"
    again, _ = do_provider_sign_in(engine, profile)
    assert again == account
    # Signed in, a Discord sign-in links that account to the same member.
    discord = ProviderProfile("discord", "99", handle="octo#1")
    same, linked = do_provider_sign_in(engine, discord, current=account)
    assert same == account and linked
    with engine.connect() as conn:
        owners = dict(conn.execute(select(identities.c.platform, identities.c.member_id)).all())
        audit = list(conn.scalars(select(audit_log.c.action)))
    assert owners == {"github": account.member_id, "discord": account.member_id}
    assert "identity.linked" in audit
    # Later, Discord alone signs in to the same account.
    assert do_provider_sign_in(engine, discord)[0] == account


def test_erasing_a_member_removes_their_account_and_sessions(engine: Engine) -> None:
    account, _ = do_provider_sign_in(engine, ProviderProfile("github", "7", handle="gone"))
    do_start_session(engine, account)
    assert account.member_id is not None
    do_erase_member(engine, OP, account.member_id)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(accounts)) == 0
        assert conn.scalar(select(func.count()).select_from(sessions)) == 0


def test_hearth_admin_create(db_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", db_url, "admin", "create", "root", "--generate-password"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    result = runner.invoke(
        app,
        ["--db", db_url, "admin", "create", "sam", "--role", "staff", "--password-stdin"],
        input=PW + "\n",
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["--db", db_url, "admin", "list"])
    assert "root" in listing.output and "staff" in listing.output
    token = runner.invoke(app, ["--db", db_url, "admin", "token", "2", "ci"])
    assert token.output.strip().startswith("hth_")
    bad = runner.invoke(app, ["--db", db_url, "admin", "create", "x", "--role", "king"])
    assert bad.exit_code != 0
    assert len(password) >= 16
