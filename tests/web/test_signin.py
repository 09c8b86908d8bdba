"""Password sign-in over HTTP: CSRF, cookies, rate limiting, sign-out."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine, func, select

from hearth.store.tables import sessions
from tests.web.accounts import PASSWORD, csrf_of, make_account, sign_in


def test_sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it(
    engine: Engine, live_server: str
) -> None:
    make_account(engine, "sam", "staff")
    with httpx.Client(base_url=live_server) as client:
        form = client.get("/login?next=/staff/nps")
        assert "hearth_csrf" in form.headers["set-cookie"]
        assert "httponly" in form.headers["set-cookie"].lower()
        response = client.post(
            "/login",
            data={
                "username": "SAM",
                "password": PASSWORD,
                "next": "/staff/nps",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/nps"
        cookie = response.headers["set-cookie"].lower()
        assert "hearth_session=" in cookie
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # plain HTTP on loopback in tests
        token = client.cookies["hearth_session"]
        assert token not in str(_session_hashes(engine))  # only its hash is stored
        page = client.get("/staff/nps")
        assert page.status_code == 200
        out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303
        assert _session_hashes(engine) == []
        # The old cookie means nothing any more.
        stale = httpx.get(live_server + "/staff/nps", cookies={"hearth_session": token})
        assert stale.status_code == 303


def _session_hashes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(sessions.c.token_hash)))


def test_forms_without_a_valid_csrf_token_are_refused(engine: Engine, live_server: str) -> None:
    make_account(engine, "sam", "staff")
    with httpx.Client(base_url=live_server) as client:
        client.get("/login")
        data = {"username": "sam", "password": PASSWORD}
        assert client.post("/login", data=data).status_code == 403
        assert client.post("/login", data={**data, "csrf_token": "0" * 64}).status_code == 403
    with sign_in(live_server, "sam") as client:
        assert client.post("/staff/nps", data={"score": "9"}).status_code == 403
        page = client.get("/staff/nps")
        ok = client.post("/staff/nps", data={"score": "9", "csrf_token": csrf_of(page.text)})
        assert ok.status_code == 303
        # A token from another browser's session does not work here.
        with sign_in(live_server, "sam") as other:
            foreign = csrf_of(other.get("/staff/nps").text)
        assert (
            client.post("/staff/nps", data={"score": "9", "csrf_token": foreign}).status_code == 403
        )


def test_wrong_passwords_are_rate_limited(engine: Engine, live_server: str) -> None:
    make_account(engine, "sam", "staff")
    with httpx.Client(base_url=live_server) as client:
        token = csrf_of(client.get("/login").text)
        statuses = [
            client.post(
                "/login", data={"username": "sam", "password": "wrong-guess", "csrf_token": token}
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [401] * 5 + [429]
        # Even the right password is refused while the limit holds.
        right = client.post(
            "/login", data={"username": "sam", "password": PASSWORD, "csrf_token": token}
        )
        assert right.status_code == 429
        assert "Too many failed sign-ins" in right.text
        unknown = client.post(
            "/login", data={"username": "nobody", "password": "x", "csrf_token": token}
        )
        assert unknown.status_code == 401
        assert "Wrong username or password." in unknown.text


def test_next_never_leaves_the_site(engine: Engine, live_server: str) -> None:
    make_account(engine, "sam", "staff")
    with httpx.Client(base_url=live_server) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "username": "sam",
                "password": PASSWORD,
                "next": "//evil.example/",
                "csrf_token": token,
            },
        )
        assert response.headers["location"] == "/staff/dashboard"
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(sessions)) == 1
