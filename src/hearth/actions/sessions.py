"""Server-side sessions and API tokens.

Both are random tokens handed to the client once; the database keeps only their SHA-256, so a
copy of the database does not sign anyone in. A session lives 14 days; signing out deletes it.
The role is read from the account on every request, so a role change or a disabled account
takes effect at once. API tokens act with their account's role, at most staff.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update

from hearth.actions import audit
from hearth.actions.accounts import ACCOUNT_MEMBER, WITH_MERGED_INTO, Account, account_from_row
from hearth.actions.context import Caller, require_staff
from hearth.domain.roles import Role
from hearth.errors import InputError, NotFound, PermissionDenied
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import accounts, api_tokens, sessions

SESSION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = "hth_"
TOKEN_TOUCH = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_start_session(engine: Engine, account: Account) -> str:
    """A new session for ``account``; returns the token for the cookie (shown only now)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(sessions).values(
                token_hash=token_hash(token),
                account_id=account.id,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
    return token


def access_session(engine: Engine, token: str) -> Account | None:
    """The account signed in with session ``token``, or None (unknown, expired, disabled)."""
    with engine.connect() as conn:
        row = conn.execute(
            _SESSION_ACCOUNT, {"token_hash": token_hash(token), "now": datetime.now(UTC)}
        ).first()
        return account_from_row(conn, row) if row is not None else None


# built once: it runs on every signed-in request
_SESSION_ACCOUNT = (
    select(*WITH_MERGED_INTO)
    .select_from(ACCOUNT_MEMBER.join(sessions, sessions.c.account_id == accounts.c.id))
    .where(
        sessions.c.token_hash == bindparam("token_hash"),
        sessions.c.expires_at > bindparam("now", type_=sessions.c.expires_at.type),
        accounts.c.disabled_at.is_(None),
    )
)


def do_end_session(engine: Engine, token: str) -> None:
    """Sign out: the session is deleted (the cookie means nothing any more)."""
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash(token)))


def do_end_account_sessions(engine: Engine, caller: Caller, account_id: int) -> int:
    """Sign an account out everywhere (the account itself or an administrator)."""
    if caller.role != "admin" and not caller.name.startswith("operator:"):
        with engine.connect() as conn:
            own = conn.scalar(select(accounts.c.member_id).where(accounts.c.id == account_id))
            mine = merges.same_person(conn, own, caller.member_id)
        if not mine:
            raise PermissionDenied(_("Only administrators may sign others out."))
    with engine.begin() as conn:
        count = conn.execute(delete(sessions).where(sessions.c.account_id == account_id)).rowcount
        audit.record(conn, caller, "account.signed_out", "account", account_id, sessions=count)
    return int(count or 0)


def check_create_api_token(engine: Engine, caller: Caller, account_id: int, name: str) -> str:
    """Validate and create an API token for a staff account; returns the token (shown once)."""
    text = name.strip()
    if not text or len(text) > 100:
        raise InputError(_("Give the token a name of 1 to 100 characters."))
    return do_create_api_token(engine, caller, account_id, text)


def do_create_api_token(engine: Engine, caller: Caller, account_id: int, name: str) -> str:
    require_staff(caller)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        role = conn.scalar(select(accounts.c.role).where(accounts.c.id == account_id))
        if role is None:
            raise NotFound(_("There is no account {id}.").format(id=account_id))
        if not Role(role).is_staff:
            raise PermissionDenied(_("API tokens are for staff accounts."))
        token_id = conn.execute(
            insert(api_tokens)
            .values(
                token_hash=token_hash(token),
                name=name,
                account_id=account_id,
                created_at=datetime.now(UTC),
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
        audit.record(conn, caller, "api_token.created", "api_token", token_id, name=name)
    return token


def do_revoke_api_token(engine: Engine, caller: Caller, token_id: int) -> None:
    require_staff(caller)
    with engine.begin() as conn:
        found = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        ).rowcount
        if not found:
            raise NotFound(_("There is no active API token {id}.").format(id=token_id))
        audit.record(conn, caller, "api_token.revoked", "api_token", token_id)


def access_api_tokens(engine: Engine, caller: Caller) -> list[dict[str, Any]]:
    require_staff(caller)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.name,
                accounts.c.username,
                api_tokens.c.created_at,
                api_tokens.c.last_used_at,
                api_tokens.c.revoked_at,
            )
            .join(accounts, accounts.c.id == api_tokens.c.account_id)
            .order_by(api_tokens.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def access_token_account(engine: Engine, token: str) -> Account | None:
    """The account behind API token ``token`` (capped at staff), or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = datetime.now(UTC)
    with engine.connect() as conn:
        row = conn.execute(
            select(*WITH_MERGED_INTO, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at)
            .select_from(ACCOUNT_MEMBER.join(api_tokens, api_tokens.c.account_id == accounts.c.id))
            .where(
                api_tokens.c.token_hash == token_hash(token),
                api_tokens.c.revoked_at.is_(None),
                accounts.c.disabled_at.is_(None),
            )
        ).first()
        if row is None:
            return None
        account = account_from_row(conn, row)
    if row.last_used_at is None or row.last_used_at < now - TOKEN_TOUCH:
        with engine.begin() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now)
            )
    if account.role is Role.admin:
        account = Account(account.id, account.username, Role.staff, account.member_id)
    return account
