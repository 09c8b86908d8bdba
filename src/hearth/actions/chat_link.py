"""Linking a GitHub account to a chat account: ``/link github`` in Discord, proved on the web.

The bot gives the member a one-time address (``/link/github?token=...``). The token is signed
with the secret key (HMAC-SHA256, standard library) and carries the chat platform, the
member's account id there, its expiry and a random id; nothing is stored when it is issued.
On the web the member signs in with GitHub (the usual OAuth flow), and
:func:`do_link_with_token` links the GitHub identity to the member behind the chat account,
as verified proof (:func:`hearth.actions.members.link_identity`, audited and undoable like
every link), and spends the token: its id goes into ``link_tokens`` (kept until it expires),
in the same transaction, so a token links once.

A GitHub account already claimed by another person is not moved: its member has an account
on the chat platform or a web account of its own. The member is told to ask staff (who can
merge members). A GitHub identity known only from imports (its own member, with at most git
and GitHub identities) is the member's to claim.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from hearth.actions.context import Caller
from hearth.actions.identities import IdentityResolver
from hearth.actions.members import link_identity
from hearth.actions.signin import ProviderProfile
from hearth.domain.activity import IdentityRef
from hearth.i18n import _
from hearth.store.tables import accounts, identities, link_tokens

LIFETIME = timedelta(minutes=15)
CHAT_PLATFORMS = ("discord",)
LINKED_PLATFORMS = ("github",)

TokenState = Literal["ready", "invalid", "expired", "used"]
LinkOutcome = Literal["linked", "already", "taken", "invalid", "expired", "used"]


class _Taken(Exception):
    """Rolls the link back: the GitHub account is someone else's."""


@dataclass(frozen=True, slots=True)
class LinkToken:
    """What a token says: link a ``target`` account to ``(platform, account_id)``."""

    token_id: str
    platform: str
    account_id: str
    target: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), b"link|" + payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def issue_link_token(
    secret: str,
    platform: str,
    account_id: str,
    *,
    target: str = "github",
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> str:
    """A signed one-time token linking a ``target`` account to ``(platform, account_id)``."""
    if platform not in CHAT_PLATFORMS or target not in LINKED_PLATFORMS:
        raise ValueError(f"cannot link {target} to {platform}")
    expires = int(((now or datetime.now(UTC)) + lifetime).timestamp())
    payload = _b64(f"{platform}|{account_id}|{target}|{expires}|{secrets.token_hex(16)}".encode())
    return f"{payload}.{_signature(secret, payload)}"


def read_link_token(secret: str, token: str | None) -> LinkToken | None:
    """The token's content when its signature holds (expired or not); None otherwise."""
    if not token or token.count(".") != 1 or len(token) > 400:
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        platform, account_id, target, expires, token_id = _unb64(payload).decode().split("|")
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except ValueError:
        return None
    return LinkToken(token_id, platform, account_id, target, expires_at)


def _is_used(engine: Engine, token_id: str) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(link_tokens.c.id).where(link_tokens.c.id == token_id)) is not None


def access_link_token(
    engine: Engine, secret: str, token: str | None, *, now: datetime | None = None
) -> tuple[TokenState, LinkToken | None]:
    """Whether ``token`` can still link an account: ``ready``, or why not. Anyone holding the
    token may ask (it is the proof of the chat side)."""
    found = read_link_token(secret, token)
    if found is None:
        return "invalid", None
    if _is_used(engine, found.token_id):
        return "used", found
    if (now or datetime.now(UTC)) > found.expires_at:
        return "expired", found
    return "ready", found


def do_link_with_token(
    engine: Engine,
    secret: str,
    token: str | None,
    profile: ProviderProfile,
    *,
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> LinkOutcome:
    """Link the account ``profile`` proves (a provider sign-in) to the chat account ``token``
    names, and spend the token. ``started_at``: when the member left for the provider (the
    token must have been valid then; the sign-in itself has its own time limit)."""
    now = now or datetime.now(UTC)
    state, found = access_link_token(engine, secret, token, now=started_at or now)
    if state == "invalid" or found is None:
        return "invalid"
    if state != "ready":
        return state
    if profile.provider != found.target or not profile.external_id:
        return "invalid"
    system = Caller(name=f"link:{found.platform}", is_staff=True)
    chat = IdentityRef(found.platform, found.account_id)
    try:
        with engine.begin() as conn:
            conn.execute(delete(link_tokens).where(link_tokens.c.expires_at < now - LIFETIME))
            conn.execute(
                insert(link_tokens).values(
                    id=found.token_id, used_at=now, expires_at=found.expires_at
                )
            )
            resolver = IdentityResolver()
            resolver.resolve(conn, [chat, profile.ref])
            member_id = resolver.get(chat)[1]
            identity_id, owner_id = resolver.get(profile.ref)
            if owner_id == member_id:
                return "already"
            if _claimed(conn, owner_id, found.platform):
                raise _Taken  # nothing is kept: once staff merged them, the token works
            link_identity(
                conn,
                system,
                identity_id,
                member_id,
                reason=_("verified by a {p} sign-in from {chat}").format(
                    p=profile.provider, chat=found.platform
                ),
            )
    except _Taken:
        return "taken"
    except IntegrityError:  # the same token spent at the same moment elsewhere
        return "used"
    return "linked"


def _claimed(conn: Connection, member_id: int, chat_platform: str) -> bool:
    """Whether a person has claimed ``member_id``: it has an account on the chat platform or
    a web account."""
    chat = conn.scalar(
        select(func.count())
        .select_from(identities)
        .where(identities.c.member_id == member_id, identities.c.platform == chat_platform)
    )
    web = conn.scalar(
        select(func.count())
        .select_from(accounts)
        .where(accounts.c.member_id == member_id, accounts.c.disabled_at.is_(None))
    )
    return bool(chat or web)


def access_chat_handle(engine: Engine, link: LinkToken) -> str | None:
    """The chat account's name as the ledger knows it (shown on the link page), if known."""
    with engine.connect() as conn:
        handle = conn.scalar(
            select(identities.c.handle).where(
                identities.c.platform == link.platform,
                identities.c.external_id == link.account_id,
            )
        )
    return str(handle).split("#")[0] if handle else None
