"""Rendering pages: the Jinja2 environment (with gettext), the navigation and ``render``.

The navigation is a registry: a page that should appear in the header calls
:func:`register_nav` once with its label, address and the least role that sees it; the built-in
pages register themselves the same way (``web/app.py``). The header shows each viewer the
entries their role allows, in ``order``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from hearth.domain.roles import Role
from hearth.i18n import _, current_language, ngettext
from hearth.web.auth import CSRF_FIELD, set_csrf_cookie, viewer_of

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str  # an English source string; translated when shown
    path: str
    role: Role
    order: int = 100


_NAV: dict[str, NavItem] = {}


def register_nav(key: str, label: str, path: str, role: Role, order: int = 100) -> None:
    """Add (or replace) a header entry for the viewers whose role is at least ``role``."""
    _NAV[key] = NavItem(key, label, path, role, order)


def nav_for(role: Role) -> list[NavItem]:
    return sorted(
        (item for item in _NAV.values() if role.at_least(item.role)),
        key=lambda item: (item.order, item.key),
    )


def _epoch_date(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.add_extension("jinja2.ext.i18n")
    # The callables read the language of the current context (hearth.i18n), per request.
    templates.env.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)  # type: ignore[attr-defined]
    templates.env.globals["csrf_field"] = CSRF_FIELD
    # BCP 47 tag of the page's language (zh_CN -> zh-CN), for <html lang> and screen readers.
    templates.env.globals["html_lang"] = lambda: (current_language() or "en").replace("_", "-")
    templates.env.filters["epoch_date"] = _epoch_date
    return templates


def render(
    templates: Jinja2Templates,
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render template ``name`` with the viewer, the navigation and the CSRF token."""
    viewer = viewer_of(request)
    values = {
        "viewer": viewer,
        "nav": [(_(item.label), item.path) for item in nav_for(viewer.role)],
        "csrf_token": viewer.csrf_token,
        "Role": Role,
        **(context or {}),
    }
    response = templates.TemplateResponse(
        request, name, values, status_code=status_code, headers=headers
    )
    set_csrf_cookie(request, response, viewer)
    return response
