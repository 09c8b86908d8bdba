"""Signing in with a platform account (GitHub, Discord): proof that the person owns it.

The provider vouches for the account, so the sign-in is *verified proof* of identity:

- the platform account becomes (or already is) an identity in the ledger, with a member;
- when someone already signed in adds a platform, that identity is linked to their member
  (a :func:`hearth.actions.members.do_link_identity`, audited, undoable like any link);
- otherwise the account of the identity's member signs in, and a member account is created the
  first time (no password: it signs in through the provider).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from hearth.actions import audit
from hearth.actions.accounts import Account, account_from_row, create_account
from hearth.actions.context import Caller
from hearth.actions.identities import IdentityResolver
from hearth.actions.members import do_link_identity
from hearth.domain.activity import IdentityRef
from hearth.domain.roles import Role
from hearth.errors import Conflict, InputError
from hearth.i18n import _
from hearth.store import merges
from hearth.store.tables import accounts

PROVIDERS = ("github", "discord")


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    """Who the provider says signed in."""

    provider: str
    external_id: str
    handle: str | None = None
    display_name: str | None = None
    email: str | None = None

    @property
    def ref(self) -> IdentityRef:
        return IdentityRef(
            self.provider,
            self.external_id,
            handle=self.handle,
            email=self.email,
            display_name=self.display_name,
        )


def do_provider_sign_in(
    engine: Engine, profile: ProviderProfile, current: Account | None = None
) -> tuple[Account, bool]:
    """The account that signs in with ``profile``; and whether an identity was linked.

    ``current`` is the account already signed in, if any: the provider's identity is then
    linked to its member (verified proof) and the same account stays signed in.
    """
    if profile.provider not in PROVIDERS or not profile.external_id:
        raise InputError(_("Unknown sign-in provider '{p}'.").format(p=profile.provider))
    system = Caller(name=f"signin:{profile.provider}", is_staff=True)
    with engine.begin() as conn:
        resolver = IdentityResolver()
        resolver.resolve(conn, [profile.ref])
        identity_id, member_id = resolver.get(profile.ref)
    if current is not None and current.member_id is None:
        raise Conflict(
            _("This account is not linked to a member, so no platform can be added to it.")
        )
    if current is not None and current.member_id is not None:
        linked = False
        if member_id != current.member_id:
            do_link_identity(
                engine,
                system,
                identity_id,
                current.member_id,
                reason=_("verified by a {p} sign-in").format(p=profile.provider),
            )
            linked = True
        return current, linked
    with engine.begin() as conn:
        row = _account_of_member(conn, member_id)
        if row is not None:
            return account_from_row(conn, row), False
        username = _free_username(
            conn, f"{profile.provider}:{profile.handle or profile.external_id}"
        )
        account_id = create_account(conn, system, username, None, Role.member, member_id)
        audit.record(conn, system, "account.signed_up", "account", account_id)
    return Account(account_id, username, Role.member, member_id), False


def _account_of_member(conn: Connection, member_id: int) -> object | None:
    """The account of ``member_id``, or of a member of the same person (merged into it)."""
    return conn.execute(
        select(accounts)
        .where(
            accounts.c.member_id.in_(merges.person_ids(member_id)),
            accounts.c.disabled_at.is_(None),
        )
        .order_by(accounts.c.id)
        .limit(1)
    ).first()


def _free_username(conn: Connection, wanted: str) -> str:
    base = "".join(c if c.isalnum() or c in "_.:@-" else "-" for c in wanted)[:56] or "member"
    name, n = base, 1
    while conn.scalar(select(accounts.c.id).where(accounts.c.username == name)) is not None:
        n += 1
        name = f"{base}-{n}"
    return name
