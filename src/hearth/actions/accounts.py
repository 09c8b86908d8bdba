"""Web accounts: creation, roles, password sign-in with rate limiting. Every change is audited.

An account is a local login (admin, moderator, staff or member) linked to at most one member of
the ledger. Passwords are hashed with Argon2id (argon2-cffi); accounts made by a GitHub or
Discord sign-in have none. Failed password sign-ins are counted in ``login_failures`` per
username and per client address, so the limit holds across any number of web workers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from hearth.actions import audit
from hearth.actions.context import Caller, require_admin
from hearth.domain.roles import ACCOUNT_ROLES, Role, parse_role
from hearth.errors import Conflict, InputError, NotAuthenticated, NotFound, RateLimited
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import accounts, login_failures, members

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 30


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in account, as the interfaces see it."""

    id: int
    username: str
    role: Role
    member_id: int | None

    @property
    def caller(self) -> Caller:
        return Caller(
            name=f"account:{self.username}",
            member_id=self.member_id,
            is_staff=self.role.is_staff,
            role=self.role.value,
        )


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the username is unknown (same time as a real check)."""
    return _hasher().hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def account_from_row(conn: Connection, row: Any) -> Account:
    """The account of an ``accounts`` row. Its member is the one a merge left standing: after
    staff merge the account's member into another, the account acts as that one. A row that
    also carries the member's ``merged_into`` (:data:`WITH_MERGED_INTO`) saves the query that
    follows the merges when there are none: a session read on every signed-in request."""
    member_id = row.member_id
    if member_id is not None and getattr(row, "merged_into", True) is not None:
        member_id = merges.survivor(conn, int(member_id))
    return Account(
        id=int(row.id),
        username=str(row.username),
        role=Role(row.role),
        member_id=int(member_id) if member_id is not None else None,
    )


# An account's columns for account_from_row, with its member's merged_into: select from
# ``ACCOUNT_MEMBER`` (accounts, their member joined when they have one).
WITH_MERGED_INTO = (
    accounts.c.id,
    accounts.c.username,
    accounts.c.role,
    accounts.c.member_id,
    members.c.merged_into,
)
ACCOUNT_MEMBER = accounts.outerjoin(members, members.c.id == accounts.c.member_id)


def _valid_role(role: str) -> Role:
    parsed = parse_role(role)
    if parsed is None or parsed is Role.anonymous:
        raise InputError(
            _("Unknown role '{role}'; expected one of: {roles}.").format(
                role=role, roles=", ".join(ACCOUNT_ROLES)
            )
        )
    return parsed


def valid_username(username: str) -> str:
    name = username.strip()
    if not USERNAME.match(name):
        raise InputError(
            _(
                "A username is 1 to 64 letters, digits and the characters _ . : @ -, "
                "starting with a letter or digit."
            )
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(
            _("The password is too short: at least {n} characters.").format(n=MIN_PASSWORD)
        )
    if len(password) > MAX_PASSWORD:
        raise InputError(_("The password is too long."))
    return password


def check_create_account(
    engine: Engine,
    caller: Caller,
    username: str,
    password: str | None,
    role: str,
    member_id: int | None = None,
) -> int:
    """Validate a new account from untrusted input and create it (administrators only)."""
    require_admin(caller)
    name = valid_username(username)
    parsed = _valid_role(role)
    hashed = hash_password(check_password(password)) if password is not None else None
    return do_create_account(engine, caller, name, hashed, parsed, member_id)


def do_create_account(
    engine: Engine,
    caller: Caller,
    username: str,
    password_hash: str | None,
    role: Role,
    member_id: int | None = None,
) -> int:
    """Create an account; returns its id."""
    require_admin(caller)
    with engine.begin() as conn:
        return create_account(conn, caller, username, password_hash, role, member_id)


def create_account(
    conn: Connection,
    caller: Caller,
    username: str,
    password_hash: str | None,
    role: Role,
    member_id: int | None,
) -> int:
    """Create an account inside the caller's transaction (the caller checked the rights)."""
    taken = conn.scalar(
        select(accounts.c.id).where(func.lower(accounts.c.username) == username.lower())
    )
    if taken is not None:
        raise Conflict(_("The username '{name}' is taken.").format(name=username))
    if member_id is not None:
        member = conn.execute(
            select(members.c.merged_into, members.c.erased_at).where(members.c.id == member_id)
        ).first()
        if member is None:
            raise NotFound(_("There is no member {id}.").format(id=member_id))
        if member.merged_into is not None or member.erased_at is not None:
            raise Conflict(_("Member {id} was merged or erased.").format(id=member_id))
        if conn.scalar(select(accounts.c.id).where(accounts.c.member_id == member_id)):
            raise Conflict(_("Member {id} already has an account.").format(id=member_id))
    account_id = conn.execute(
        insert(accounts)
        .values(
            username=username,
            password_hash=password_hash,
            role=role.value,
            member_id=member_id,
            created_at=datetime.now(UTC),
        )
        .returning(accounts.c.id)
    ).scalar_one()
    audit.record(
        conn, caller, "account.created", "account", account_id, role=role.value, member=member_id
    )
    return int(account_id)


def check_set_role(engine: Engine, caller: Caller, account_id: int, role: str) -> None:
    do_set_role(engine, caller, account_id, _valid_role(role))


def do_set_role(engine: Engine, caller: Caller, account_id: int, role: Role) -> None:
    """Change an account's role; it applies to its sessions from the next request."""
    require_admin(caller)
    with engine.begin() as conn:
        old = conn.scalar(select(accounts.c.role).where(accounts.c.id == account_id))
        if old is None:
            raise NotFound(_("There is no account {id}.").format(id=account_id))
        conn.execute(update(accounts).where(accounts.c.id == account_id).values(role=role.value))
        audit.record(conn, caller, "account.role", "account", account_id, old=old, new=role.value)


def access_accounts(engine: Engine, caller: Caller) -> list[dict[str, Any]]:
    require_admin(caller)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                accounts.c.id,
                accounts.c.username,
                accounts.c.role,
                accounts.c.member_id,
                accounts.c.created_at,
                accounts.c.last_login_at,
            ).order_by(accounts.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def check_password_login(
    engine: Engine, username: str, password: str, *, address: str | None = None
) -> Account:
    """The account whose password this is; refused after too many recent failures.

    Raises :class:`NotAuthenticated` for a wrong username or password (the same message and
    about the same time for both) and :class:`RateLimited` when the username or the client
    address failed too often in the last 15 minutes.
    """
    now = datetime.now(UTC)
    keys = {"user:" + username.strip().lower()[:150]: MAX_FAILURES_PER_USER}
    if address:
        keys["addr:" + address[:150]] = MAX_FAILURES_PER_ADDRESS
    with engine.connect() as conn:
        for key, limit in keys.items():
            failures = conn.scalar(
                select(func.count())
                .select_from(login_failures)
                .where(login_failures.c.key == key, login_failures.c.at > now - FAILURE_WINDOW)
            )
            if (failures or 0) >= limit:
                raise RateLimited(_("Too many failed sign-ins. Wait 15 minutes and try again."))
        row = conn.execute(
            select(accounts).where(
                func.lower(accounts.c.username) == username.strip().lower(),
                accounts.c.disabled_at.is_(None),
            )
        ).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    # Verified against a dummy hash when there is no such account: same time, same answer.
    if not _verify(stored, password[:MAX_PASSWORD]) or len(password) > MAX_PASSWORD:
        _record_failure(engine, list(keys), now)
        raise NotAuthenticated(_("Wrong username or password."))
    assert row is not None and stored is not None
    with engine.begin() as conn:
        changes: dict[str, Any] = {"last_login_at": now}
        if _hasher().check_needs_rehash(stored):
            changes["password_hash"] = hash_password(password)
        conn.execute(update(accounts).where(accounts.c.id == row.id).values(**changes))
        conn.execute(delete(login_failures).where(login_failures.c.key == next(iter(keys))))
        return account_from_row(conn, row)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _record_failure(engine: Engine, keys: list[str], now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(login_failures), [{"key": key, "at": now} for key in keys])
        conn.execute(delete(login_failures).where(login_failures.c.at < now - FAILURE_WINDOW))


def access_account(engine: Engine, account_id: int) -> Account | None:
    """The account ``account_id`` when it exists and is not disabled."""
    with engine.connect() as conn:
        row = conn.execute(
            select(accounts).where(accounts.c.id == account_id, accounts.c.disabled_at.is_(None))
        ).first()
        return account_from_row(conn, row) if row is not None else None
