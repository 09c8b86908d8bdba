"""Every route declares its role; each role sees what it may, and no more."""

from __future__ import annotations

import httpx
from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine

from hearth.domain.roles import Role
from hearth.settings import Settings
from hearth.web.app import create_app
from hearth.web.auth import RoleCheck
from tests.web.accounts import make_account, sign_in

PUBLIC_MOUNTS = {"/static"}  # files of the package itself (CSS, scripts), open to anyone


def _role_checks(dependant) -> list[RoleCheck]:
    found = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleCheck):
            found.append(sub.call)
        found += _role_checks(sub)
    return found


def test_every_route_declares_its_role(tmp_path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", environment="test"))
    seen = 0
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            assert route.path in PUBLIC_MOUNTS, f"{route.path} has no role"
            continue
        checks = _role_checks(dependant)
        assert len(checks) == 1, f"{route.path} {route.methods}: {checks}"
        check = checks[0]
        unsafe = route.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if unsafe and not route.path.startswith("/hooks/"):
            assert check.csrf, f"{route.path} takes a form without CSRF protection"
        seen += 1
    assert seen >= 25
    app.state.engine.dispose()


def test_what_each_role_may_open(engine: Engine, live_server: str) -> None:
    make_account(engine, "ada", "admin")
    make_account(engine, "sam", "staff")
    make_account(engine, "mo", "moderator")
    make_account(engine, "mem", "member")
    with httpx.Client(base_url=live_server) as anonymous:
        response = anonymous.get("/staff/identities")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/staff/identities"
        assert anonymous.get("/api/v1/members").status_code == 401
        assert anonymous.get("/").status_code == 200
    for name, staff_ok, admin_ok in (
        ("mem", False, False),
        ("mo", False, False),
        ("sam", True, False),
        ("ada", True, True),
    ):
        with sign_in(live_server, name) as client:
            assert client.get("/account").status_code == 200
            assert client.get("/staff/identities").status_code == (200 if staff_ok else 403)
            assert client.get("/staff/nps").status_code == (200 if staff_ok else 403)
            assert client.get("/api/v1/members").status_code == (200 if staff_ok else 403)
            assert client.get("/admin/accounts").status_code == (200 if admin_ok else 403)
            forbidden = client.get("/staff/tokens")
            if not staff_ok:
                assert forbidden.status_code == 403
                assert "Not allowed" in forbidden.text


def test_role_changes_apply_to_open_sessions(engine: Engine, live_server: str) -> None:
    from hearth.actions.accounts import check_set_role
    from hearth.actions.context import Caller

    account = make_account(engine, "sam", "staff")
    with sign_in(live_server, "sam") as client:
        assert client.get("/staff/nps").status_code == 200
        check_set_role(engine, Caller.operator(), account, "member")
        assert client.get("/staff/nps").status_code == 403
    assert Role.member.at_least(Role.anonymous) and not Role.moderator.is_staff
