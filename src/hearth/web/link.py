"""``/link github`` from chat: the page the bot's one-time address opens, and the end of the
GitHub sign-in it starts (``signin.py``'s OAuth callback hands over to
:func:`chat_link_finisher` when the flow carries a link token).

``GET /link/github?token=...`` says whether the token can still be used and, if so, offers a
button (a form with CSRF protection: a link preview fetching the address changes nothing)
that starts the usual GitHub OAuth flow with the token in its signed flow cookie. After
GitHub, :func:`hearth.actions.chat_link.do_link_with_token` links the account and spends the
token; the page says what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hearth.actions.chat_link import access_chat_handle, access_link_token, do_link_with_token
from hearth.actions.signin import ProviderProfile
from hearth.domain.roles import Role
from hearth.settings import Settings
from hearth.web import oauth
from hearth.web.auth import allow, cookie_secure
from hearth.web.pages import render

STATUS = {
    "ready": 200,
    "linked": 200,
    "already": 200,
    "invalid": 400,
    "taken": 409,
    "expired": 410,
    "used": 410,
}


def _page(templates: Jinja2Templates, request: Request, state: str, **values: Any) -> Response:
    return render(
        templates,
        request,
        "link_github.html",
        {"state": state, **values},
        status_code=STATUS.get(state, 400),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def chat_link_router(
    settings: Settings,
    engine: Engine,
    templates: Jinja2Templates,
    callback_url: Callable[[Request, str], str],
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    secret = settings.secret_key.get_secret_value()

    @router.get("/link/github", dependencies=[allow(Role.anonymous)])
    def link_page(request: Request, token: str | None = None) -> Response:
        state, found = access_link_token(engine, secret, token)
        handle = access_chat_handle(engine, found) if found is not None else None
        return _page(
            templates,
            request,
            state,
            token=token if state == "ready" else None,
            chat_handle=handle,
            ready=state == "ready" and "github" in oauth.providers(settings),
        )

    @router.post("/link/github", dependencies=[allow(Role.anonymous)])
    def link_start(request: Request, token: Annotated[str, Form(max_length=1000)] = "") -> Response:
        state, _found = access_link_token(engine, secret, token)
        if state != "ready":
            return _page(templates, request, state)
        url, flow = oauth.start(settings, "github", callback_url(request, "github"), "", link=token)
        response = RedirectResponse(url, 303)
        response.set_cookie(
            oauth.FLOW_COOKIE,
            flow,
            max_age=oauth.FLOW_LIFETIME,
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request, settings),
            path="/auth/",
        )
        return response

    return router


def chat_link_finisher(
    settings: Settings, engine: Engine, templates: Jinja2Templates
) -> Callable[[Request, ProviderProfile, dict[str, Any]], Awaitable[Response]]:
    """What the OAuth callback does for a flow started on the link page."""
    secret = settings.secret_key.get_secret_value()

    async def finish(request: Request, profile: ProviderProfile, flow: dict[str, Any]) -> Response:
        started = datetime.fromtimestamp(int(flow.get("t", 0)), UTC)
        outcome = await run_in_threadpool(
            do_link_with_token, engine, secret, str(flow["l"]), profile, started_at=started
        )
        return _page(templates, request, outcome, github=profile.handle)

    return finish
