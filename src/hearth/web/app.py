"""The web application, created from settings (nothing is built at import time).

Every route declares the least role that may use it (``dependencies=[allow(Role.x)]``, see
``web/auth.py``); ``tests/web/test_roles.py`` walks the routes and fails on one that does not.
The pages are grouped by concern: sign-in (``signin.py``), the staff dashboard
(``dashboard.py``), the other staff pages (``staff.py``), the JSON API (``api.py``) and the
webhooks (``hooks.py``). One exception handler maps Hearth's typed errors to HTTP.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, RedirectResponse, Response

from hearth import __version__
from hearth.actions.dashboard import ResultCache
from hearth.actions.reads import access_ledger_counts, access_top_members
from hearth.domain.roles import Role
from hearth.errors import HearthError, NotAuthenticated
from hearth.i18n import N_
from hearth.jobs.deriver import Deriver
from hearth.playbooks import load_playbook
from hearth.settings import Settings
from hearth.store.db import check_ready, create_engine
from hearth.web.api import api_router
from hearth.web.auth import Viewer, allow
from hearth.web.community import community_router
from hearth.web.dashboard import dashboard_router
from hearth.web.grants import grants_router
from hearth.web.hooks import hooks_router
from hearth.web.ideas import ideas_router
from hearth.web.language import LanguageMiddleware
from hearth.web.moderation import moderation_router
from hearth.web.pages import make_templates, register_nav, render
from hearth.web.playbook_page import playbook_router
from hearth.web.signin import signin_router
from hearth.web.staff import staff_router
from hearth.web.support import support_router

HERE = Path(__file__).parent

# The header's built-in entries; other pages add theirs the same way (web/pages.py).
register_nav("members", N_("Members"), "/", Role.anonymous, order=10)
register_nav("dashboard", N_("Dashboard"), "/staff/dashboard", Role.staff, order=20)
register_nav("identities", N_("Identities"), "/staff/identities", Role.staff, order=30)
register_nav("nps", N_("NPS"), "/staff/nps", Role.staff, order=40)
register_nav("tokens", N_("API tokens"), "/staff/tokens", Role.staff, order=50)


def _start_deriver(settings: Settings, engine: Any) -> Deriver | None:
    """The background deriver for the playbook in force (none if it cannot be loaded: the
    error is logged and pages still work)."""
    try:
        playbook = load_playbook(settings.playbook)
    except HearthError:
        logging.getLogger(__name__).exception("playbook %r not loaded", settings.playbook)
        return None
    return Deriver(engine, playbook)


def _stops(deriver: Deriver) -> APIRouter:
    """A router without routes whose lifespan stops the deriver with the app."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await asyncio.to_thread(deriver.close)

    return APIRouter(lifespan=lifespan)


def create_app(settings: Settings) -> FastAPI:
    engine = create_engine(settings.database_url)
    templates = make_templates()
    # No Swagger UI: it loads from a CDN, and pages must work offline. The API's schema is
    # served at /api/v1/openapi.json (web/api.py).
    app = FastAPI(
        title="Hearth", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.engine = engine
    app.add_middleware(LanguageMiddleware)  # pages in the browser's language (web/language.py)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Live deliveries are derived (points, achievements, tiers) by a background job, poked
    # after each committed batch, so deriving never delays an answer to a platform.
    deriver = _start_deriver(settings, engine)
    app.state.deriver = deriver
    if deriver is not None:
        app.include_router(_stops(deriver))
    # Webhooks are anonymous: the platforms sign their deliveries (checked in hooks.py).
    app.include_router(
        hooks_router(settings, engine, after_commit=deriver.poke if deriver else None),
        dependencies=[allow(Role.anonymous, csrf=False)],
    )
    app.include_router(signin_router(settings, engine, templates))
    # One cache of computed figures for the dashboard and the API (actions/dashboard.py).
    figures = ResultCache()
    app.include_router(dashboard_router(settings, engine, templates, figures))
    app.include_router(staff_router(settings, engine, templates))
    app.include_router(api_router(settings, engine, figures))
    app.include_router(ideas_router(settings, engine, templates))
    app.include_router(community_router(settings, engine, templates))
    app.include_router(grants_router(settings, engine, templates))
    app.include_router(support_router(settings, engine, templates))
    app.include_router(moderation_router(settings, engine, templates))
    app.include_router(playbook_router(settings, templates))

    @app.exception_handler(HearthError)
    async def hearth_error(request: Request, exc: HearthError) -> Response:
        if request.url.path.startswith("/api/"):
            headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
            return JSONResponse(
                {"error": {"code": exc.code, "message": exc.message}},
                status_code=exc.http_status,
                headers=headers,
            )
        if isinstance(exc, NotAuthenticated) and request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?next=" + quote(target, safe="/"), 303)
        if not isinstance(getattr(request.state, "viewer", None), Viewer):
            # The viewer could not be looked up (the database is down...): show the error
            # to an anonymous viewer rather than fail again.
            secret = settings.secret_key.get_secret_value().encode()
            request.state.viewer = Viewer(account=None, secret=secret)
        return render(templates, request, "error.html", {"error": exc}, status_code=exc.http_status)

    @app.get("/", dependencies=[allow(Role.anonymous)])
    def members_page(request: Request) -> Response:
        caller = Viewer(account=None).caller
        members = access_top_members(engine, caller, limit=200)
        counts = access_ledger_counts(engine, caller)
        return render(templates, request, "members.html", {"members": members, "counts": counts})

    @app.get("/api/members", dependencies=[allow(Role.anonymous)], include_in_schema=False)
    def members_json() -> dict[str, object]:
        """The most active members (kept for existing clients; the API is /api/v1)."""
        members = access_top_members(engine, Viewer(account=None).caller, limit=200)
        return {"members": members}

    @app.get("/healthz", dependencies=[allow(Role.anonymous)], include_in_schema=False)
    def health() -> dict[str, str]:
        check_ready(engine)
        return {"status": "ok"}

    return app
