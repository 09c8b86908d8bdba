"""Who is asking, what role every route needs, CSRF and the session cookie.

Every route declares its role with ``dependencies=[allow(Role.x)]`` (a test walks the app's
routes and fails on one that does not). :class:`RoleCheck` finds the viewer — a session cookie
or, under ``/api/``, an ``Authorization: Bearer`` API token — and raises
:class:`~hearth.errors.NotAuthenticated` (sign in first) or
:class:`~hearth.errors.PermissionDenied` (403), which the app's one error handler turns into a
redirect to the sign-in page, a 403 page or a JSON error.

CSRF: every unsafe request (POST...) authenticated by cookie must carry a token, as the form
field ``csrf_token`` or the ``X-CSRF-Token`` header (HTMX). The token is an HMAC, under the
secret key, of the session token (signed in) or of the random ``hearth_csrf`` cookie (not signed
in, e.g. the sign-in form), so a page on another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hearth.actions.accounts import Account
from hearth.actions.context import Caller
from hearth.actions.sessions import SESSION_LIFETIME, access_session, access_token_account
from hearth.domain.roles import Role
from hearth.errors import NotAuthenticated, PermissionDenied
from hearth.i18n import _
from hearth.settings import Settings

SESSION_COOKIE = "hearth_session"
CSRF_COOKIE = "hearth_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass
class Viewer:
    """The person behind a request: an account, or anonymous."""

    account: Account | None
    session_token: str | None = None
    csrf_seed: str = ""
    new_csrf_cookie: bool = False
    by_token: bool = False
    secret: bytes = field(default=b"", repr=False)

    @property
    def role(self) -> Role:
        return self.account.role if self.account else Role.anonymous

    @property
    def caller(self) -> Caller:
        if self.account is None:
            return Caller(name="anonymous", role=Role.anonymous.value)
        return self.account.caller

    def can(self, role: Role) -> bool:
        return self.role.at_least(role)

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.secret, b"csrf|" + self.csrf_seed.encode(), hashlib.sha256).hexdigest()


def _settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def _engine(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def viewer_of(request: Request) -> Viewer:
    """The viewer of ``request`` (looked up once per request)."""
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, Viewer):
        return cached
    settings = _settings(request)
    engine = _engine(request)
    secret = settings.secret_key.get_secret_value().encode()
    viewer = Viewer(account=None, secret=secret)
    authorization = request.headers.get("authorization", "")
    if request.url.path.startswith("/api/") and authorization.lower().startswith("bearer "):
        account = access_token_account(engine, authorization[7:].strip())
        if account is None:
            raise NotAuthenticated(_("The API token is unknown or was revoked."))
        viewer = Viewer(account=account, by_token=True, secret=secret)
    else:
        token = request.cookies.get(SESSION_COOKIE)
        account = access_session(engine, token) if token else None
        if account is not None and token:
            viewer = Viewer(account=account, session_token=token, csrf_seed=token, secret=secret)
        else:
            seed = request.cookies.get(CSRF_COOKIE) or ""
            fresh = len(seed) < 20
            viewer = Viewer(
                account=None,
                csrf_seed=secrets.token_urlsafe(24) if fresh else seed,
                new_csrf_cookie=fresh,
                secret=secret,
            )
    request.state.viewer = viewer
    return viewer


async def _check_csrf(request: Request, viewer: Viewer) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if viewer.new_csrf_cookie or not sent or not hmac.compare_digest(sent, viewer.csrf_token):
        raise PermissionDenied(
            _("The form expired or did not come from this site. Reload the page and try again.")
        )


class RoleCheck:
    """A route's role requirement (the dependency :func:`allow` declares)."""

    def __init__(self, role: Role, *, csrf: bool = True) -> None:
        self.role = role
        self.csrf = csrf

    async def __call__(self, request: Request) -> Viewer | None:
        if self.role is Role.anonymous and (not self.csrf or request.method not in UNSAFE):
            return None  # open to anyone: no need to look the viewer up
        # The session lookup is a database query: off the event loop.
        viewer = await run_in_threadpool(viewer_of, request)
        if not viewer.can(self.role):
            if viewer.account is None:
                raise NotAuthenticated(_("Sign in to see this page."))
            raise PermissionDenied(_("Your account may not open this page."))
        if self.csrf and request.method in UNSAFE and not viewer.by_token:
            await _check_csrf(request, viewer)
        return viewer

    def __repr__(self) -> str:
        return f"RoleCheck({self.role.value})"


def allow(role: Role, *, csrf: bool = True) -> Any:
    """``dependencies=[allow(Role.staff)]``: the least role that may use the route."""
    return Depends(RoleCheck(role, csrf=csrf))


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Cookies are Secure except in development and on a loopback address (plain HTTP)."""
    if settings.environment == "development":
        return False
    host = request.url.hostname or ""
    if host in LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, _settings(request)),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, _settings(request)),
    )


def set_csrf_cookie(request: Request, response: Response, viewer: Viewer) -> None:
    if viewer.new_csrf_cookie:
        response.set_cookie(
            CSRF_COOKIE,
            viewer.csrf_seed,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request, _settings(request)),
            path="/",
        )
