"""The OAuth 2.0 authorization-code flow (with PKCE) against GitHub and Discord, via Authlib.

Authlib's RFC 6749 and RFC 7636 helpers build the authorization address, the token request
and check the callback's ``state``; httpx carries the two requests to the provider. (Authlib's
own httpx client is not used: it now warns that it wants the separate ``httpx2`` package.)

Between the redirect to the provider and the callback, the state, the PKCE verifier and where
to go afterwards travel in a short-lived cookie signed with the secret key (HMAC-SHA256), so
any web worker can finish a flow another one started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749.parameters import (
    parse_authorization_code_response,
    prepare_grant_uri,
    prepare_token_request,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from hearth.actions.signin import ProviderProfile
from hearth.errors import InputError, NotFound, UpstreamError
from hearth.i18n import _
from hearth.settings import Settings

FLOW_COOKIE = "hearth_oauth"
FLOW_LIFETIME = 600
TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    name: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    user_url: str
    scope: str

    def profile(self, user: dict[str, Any]) -> ProviderProfile:
        if self.key == "github":
            return ProviderProfile(
                "github",
                str(user.get("id") or ""),
                handle=user.get("login"),
                display_name=user.get("name") or user.get("login"),
                email=user.get("email"),
            )
        return ProviderProfile(
            "discord",
            str(user.get("id") or ""),
            handle=user.get("username"),
            display_name=user.get("global_name") or user.get("username"),
            email=user.get("email") if user.get("verified") else None,
        )


def providers(settings: Settings) -> dict[str, Provider]:
    """The providers whose client id and secret are set."""
    found: dict[str, Provider] = {}
    if settings.github_client_id and settings.github_client_secret:
        base = settings.github_oauth_url.rstrip("/")
        found["github"] = Provider(
            "github",
            "GitHub",
            settings.github_client_id,
            settings.github_client_secret.get_secret_value(),
            f"{base}/authorize",
            f"{base}/access_token",
            settings.github_api_url.rstrip("/") + "/user",
            "read:user user:email",
        )
    if settings.discord_client_id and settings.discord_client_secret:
        base = settings.discord_oauth_url.rstrip("/")
        found["discord"] = Provider(
            "discord",
            "Discord",
            settings.discord_client_id,
            settings.discord_client_secret.get_secret_value(),
            f"{base}/authorize",
            f"{base}/token",
            settings.discord_api_url.rstrip("/") + "/users/@me",
            "identify email",
        )
    return found


def provider(settings: Settings, key: str) -> Provider:
    found = providers(settings).get(key)
    if found is None:
        raise NotFound(_("Signing in with '{p}' is not set up here.").format(p=key))
    return found


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, b"oauth|" + payload, hashlib.sha256).hexdigest()


def start(
    settings: Settings, key: str, redirect_uri: str, next_path: str, *, link: str | None = None
) -> tuple[str, str]:
    """The provider's authorization address and the signed flow cookie's value. ``link``: a
    chat account-link token (``/link github``); the callback then links instead of signing in."""
    prov = provider(settings, key)
    state = generate_token(32)
    verifier = generate_token(64)
    url = prepare_grant_uri(
        prov.authorize_url,
        client_id=prov.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=prov.scope,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    flow = {"p": key, "s": state, "v": verifier, "n": next_path, "t": int(time.time())}
    if link is not None:
        flow["l"] = link
    payload = base64.urlsafe_b64encode(json.dumps(flow).encode())
    secret = settings.secret_key.get_secret_value().encode()
    return url, payload.decode() + "." + _sign(secret, payload)


def read_flow(settings: Settings, cookie: str | None, key: str) -> dict[str, Any]:
    """The flow a callback belongs to, from its signed cookie (checked and not expired)."""
    expired = InputError(_("The sign-in took too long or was started elsewhere. Try again."))
    if not cookie or "." not in cookie:
        raise expired
    payload, signature = cookie.rsplit(".", 1)
    secret = settings.secret_key.get_secret_value().encode()
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        raise expired
    flow = json.loads(base64.urlsafe_b64decode(payload.encode()))
    if not isinstance(flow, dict) or flow.get("p") != key:
        raise expired
    if time.time() - int(flow.get("t", 0)) > FLOW_LIFETIME:
        raise expired
    return flow


async def finish(
    settings: Settings, key: str, callback_url: str, redirect_uri: str, flow: dict[str, Any]
) -> ProviderProfile:
    """Exchange the callback's code for a token and ask the provider who signed in."""
    prov = provider(settings, key)
    refused = dict(parse_qsl(callback_url.partition("?")[2])).get("error")
    if refused:
        raise InputError(
            _("The sign-in with {name} was not allowed ({error}).").format(
                name=prov.name, error=refused[:100]
            )
        )
    try:
        params = parse_authorization_code_response(callback_url, state=flow["s"])
    except OAuth2Error as exc:
        raise InputError(
            _("The sign-in with {name} failed: {error}").format(name=prov.name, error=exc.error)
        ) from None
    body = prepare_token_request(
        "authorization_code",
        redirect_uri=redirect_uri,
        code=params["code"],
        client_id=prov.client_id,
        client_secret=prov.client_secret,
        code_verifier=flow["v"],
    )
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(prov.token_url, content=body, headers=headers)
            token = _token(response)
            user = await client.get(
                prov.user_url,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        raise UpstreamError(
            _("{name} could not be reached: {error}").format(name=prov.name, error=exc)
        ) from None
    if user.status_code != 200:
        raise UpstreamError(
            _("{name} did not say who signed in (HTTP {status}).").format(
                name=prov.name, status=user.status_code
            )
        )
    profile = prov.profile(user.json())
    if not profile.external_id:
        raise UpstreamError(_("{name} did not say who signed in.").format(name=prov.name))
    return profile


def _token(response: httpx.Response) -> str:
    if response.headers.get("content-type", "").startswith("application/json"):
        data: dict[str, Any] = response.json()
    else:  # GitHub answers form-encoded unless asked for JSON
        data = dict(parse_qsl(response.text))
    token = data.get("access_token")
    if response.status_code != 200 or not isinstance(token, str) or not token:
        raise UpstreamError(
            _("The provider refused the sign-in: {error}").format(
                error=data.get("error_description") or data.get("error") or response.status_code
            )
        )
    return token
