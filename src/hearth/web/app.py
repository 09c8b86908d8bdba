"""The web application, created from settings (nothing is built at import time)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from hearth import __version__
from hearth.actions.context import Caller
from hearth.actions.reads import access_ledger_counts, access_top_members
from hearth.errors import HearthError
from hearth.i18n import translations
from hearth.settings import Settings
from hearth.store.db import check_ready, create_engine
from hearth.web.hooks import hooks_router

HERE = Path(__file__).parent


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_gettext_translations(translations(None), newstyle=True)  # type: ignore[attr-defined]
    return templates


def create_app(settings: Settings) -> FastAPI:
    engine = create_engine(settings.database_url)
    templates = _templates()
    app = FastAPI(title="Hearth", version=__version__, docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(hooks_router(settings, engine))

    @app.exception_handler(HearthError)
    async def hearth_error(request: Request, exc: HearthError) -> JSONResponse | HTMLResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.http_status
            )
        return templates.TemplateResponse(
            request, "error.html", {"error": exc}, status_code=exc.http_status
        )

    @app.get("/", response_class=HTMLResponse)
    def members_page(request: Request) -> HTMLResponse:
        caller = Caller(name="anonymous")
        members = access_top_members(engine, caller, limit=200)
        counts = access_ledger_counts(engine, caller)
        return templates.TemplateResponse(
            request, "members.html", {"members": members, "counts": counts}
        )

    @app.get("/api/members")
    def members_json() -> dict[str, object]:
        members = access_top_members(engine, Caller(name="anonymous"), limit=200)
        return {"members": members}

    @app.get("/healthz")
    def health() -> dict[str, str]:
        check_ready(engine)
        return {"status": "ok"}

    return app
