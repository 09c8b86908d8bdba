"""A small OAuth 2.0 provider on loopback that speaks like GitHub and Discord, for tests.

It approves every authorization at once as ``provider.user`` (set by the test), checks the
client secret, the redirect address and the PKCE verifier, and answers the user endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.web.serving import on_loopback

CLIENT_ID = "hearth-test-client"
CLIENT_SECRET = "hearth-test-secret"


@dataclass
class FakeProvider:
    url: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    deny: bool = False

    def settings(self) -> dict[str, str]:
        return {
            "github_client_id": CLIENT_ID,
            "github_client_secret": CLIENT_SECRET,
            "github_oauth_url": f"{self.url}/login/oauth",
            "github_api_url": self.url,
            "discord_client_id": CLIENT_ID,
            "discord_client_secret": CLIENT_SECRET,
            "discord_oauth_url": f"{self.url}/oauth2",
            "discord_api_url": self.url,
        }

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        target = query["redirect_uri"]
        if self.deny:
            params = {"error": "access_denied", "state": query.get("state", "")}
            return RedirectResponse(f"{target}?{urlencode(params)}", 302)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": target,
            "challenge": query.get("code_challenge"),
            "method": query.get("code_challenge_method"),
            "user": dict(self.user),
        }
        return RedirectResponse(
            f"{target}?{urlencode({'code': code, 'state': query['state']})}", 302
        )

    async def token(self, request: Request) -> Response:
        form = await request.form()
        grant = self.codes.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or grant["method"] != "S256"
            or challenge != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = grant["user"]
        return JSONResponse({"access_token": token, "token_type": "bearer", "scope": ""})

    async def me(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        user = self.tokens.get(auth.removeprefix("Bearer ").strip())
        if user is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse(user)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/login/oauth/authorize", self.authorize),
                Route("/login/oauth/access_token", self.token, methods=["POST"]),
                Route("/user", self.me),
                Route("/oauth2/authorize", self.authorize),
                Route("/oauth2/token", self.token, methods=["POST"]),
                Route("/users/@me", self.me),
            ]
        )


@contextmanager
def running_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    with on_loopback(provider.app()) as url:
        provider.url = url
        yield provider
