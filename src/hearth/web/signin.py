"""Signing in and out: the password form, GitHub and Discord, the account page."""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from hearth.actions.accounts import check_password_login
from hearth.actions.member_data import access_member_data
from hearth.actions.sessions import do_end_session, do_start_session
from hearth.actions.signin import do_provider_sign_in
from hearth.domain.playbook import Playbook
from hearth.domain.roles import Role
from hearth.errors import NotAuthenticated, NotFound, RateLimited
from hearth.i18n import _
from hearth.playbooks.loader import load_playbook
from hearth.settings import Settings
from hearth.web import oauth
from hearth.web.auth import (
    SESSION_COOKIE,
    allow,
    clear_session_cookie,
    cookie_secure,
    set_session_cookie,
    viewer_of,
)
from hearth.web.link import chat_link_finisher, chat_link_router
from hearth.web.pages import render

HOME = {Role.admin: "/staff/dashboard", Role.staff: "/staff/dashboard"}


def safe_next(path: str | None, fallback: str = "/") -> str:
    """A local path to go to after signing in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return fallback
    return path


def signin_router(settings: Settings, engine: Engine, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    finish_chat_link = chat_link_finisher(settings, engine, templates)  # /link github (link.py)

    def login_page(
        request: Request, next_path: str, error: str | None = None, status: int = 200
    ) -> Response:
        return render(
            templates,
            request,
            "login.html",
            {
                "next": next_path,
                "error": error,
                "providers": list(oauth.providers(settings).values()),
            },
            status_code=status,
        )

    @router.get("/login", dependencies=[allow(Role.anonymous)])
    def login_form(request: Request, next: str | None = None) -> Response:
        viewer = viewer_of(request)
        if viewer.account is not None:
            return RedirectResponse(safe_next(next, HOME.get(viewer.role, "/account")), 303)
        return login_page(request, safe_next(next, ""))

    @router.post("/login", dependencies=[allow(Role.anonymous)])
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=2000)],
        next: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        address = request.client.host if request.client else None
        try:
            account = check_password_login(engine, username, password, address=address)
        except NotAuthenticated as exc:
            return login_page(request, safe_next(next, ""), exc.message, 401)
        except RateLimited as exc:
            return login_page(request, safe_next(next, ""), exc.message, 429)
        response = RedirectResponse(safe_next(next, HOME.get(account.role, "/account")), 303)
        set_session_cookie(request, response, do_start_session(engine, account))
        return response

    @router.post("/logout", dependencies=[allow(Role.member)])
    def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            do_end_session(engine, token)
        response = RedirectResponse("/", 303)
        clear_session_cookie(request, response)
        return response

    @router.get("/account", dependencies=[allow(Role.member)])
    def account_page(request: Request, linked: str | None = None) -> Response:
        return render(
            templates,
            request,
            "account.html",
            {"providers": list(oauth.providers(settings).values()), "linked": linked},
        )

    @cache
    def playbook() -> Playbook:
        return load_playbook(settings.playbook)

    @router.get("/account/data", dependencies=[allow(Role.member)])
    def account_data(request: Request) -> Response:
        """Everything Hearth keeps about the signed-in member, as a JSON download."""
        viewer = viewer_of(request)
        member_id = viewer.account.member_id if viewer.account is not None else None
        if member_id is None:
            raise NotFound(_("This account is not linked to a member: it holds no member data."))
        document = access_member_data(engine, viewer.caller, member_id, playbook())
        return Response(
            json.dumps(document, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="hearth-member-{member_id}.json"',
                "Cache-Control": "no-store",
            },
        )

    def callback_url(request: Request, key: str) -> str:
        base = settings.public_url.rstrip("/") if settings.public_url else str(request.base_url)
        return f"{base.rstrip('/')}/auth/{key}/callback"

    @router.get("/auth/{provider}/start", dependencies=[allow(Role.anonymous)])
    def oauth_start(request: Request, provider: str, next: str | None = None) -> Response:
        url, flow = oauth.start(
            settings, provider, callback_url(request, provider), safe_next(next, "")
        )
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

    @router.get("/auth/{provider}/callback", dependencies=[allow(Role.anonymous)])
    async def oauth_callback(request: Request, provider: str) -> Response:
        flow = oauth.read_flow(settings, request.cookies.get(oauth.FLOW_COOKIE), provider)
        profile = await oauth.finish(
            settings, provider, str(request.url), callback_url(request, provider), flow
        )
        if flow.get("l"):  # started by /link github in chat: link, do not sign in
            response = await finish_chat_link(request, profile, flow)
            response.delete_cookie(oauth.FLOW_COOKIE, path="/auth/")
            return response
        viewer = await run_in_threadpool(viewer_of, request)
        account, linked = await run_in_threadpool(
            do_provider_sign_in, engine, profile, viewer.account
        )
        if viewer.account is not None:
            target = "/account?linked=" + provider if linked else "/account"
            response = RedirectResponse(target, 303)
        else:
            fallback = HOME.get(account.role, "/account")
            response = RedirectResponse(safe_next(flow.get("n"), fallback), 303)
            token = await run_in_threadpool(do_start_session, engine, account)
            set_session_cookie(request, response, token)
        response.delete_cookie(oauth.FLOW_COOKIE, path="/auth/")
        return response

    router.include_router(chat_link_router(settings, engine, templates, callback_url))
    return router
