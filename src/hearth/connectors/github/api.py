"""The outbound GitHub client, behind the small :class:`GitHubClient` interface.

:class:`HttpxGitHubClient` talks to the REST API (``https://api.github.com`` or a GitHub
Enterprise ``https://host/api/v3``) and its GraphQL endpoint over httpx:

- pagination: :meth:`~GitHubClient.get` returns one :class:`Page` with the ``next`` URL of
  the ``Link`` header; next URLs must stay on the API's own origin (the token is never sent
  anywhere else);
- rate limits: a 403 or 429 with ``Retry-After`` waits that many seconds (secondary limits); one
  with ``X-RateLimit-Remaining: 0`` waits until ``X-RateLimit-Reset``; a success that leaves
  ``X-RateLimit-Remaining: 0`` waits before the next request. ``sleep`` and ``clock`` are
  injectable so tests never sleep;
- errors: 5xx answers and network failures are retried a few times with backoff, then raise
  :class:`GitHubApiError`; 401, 403 and 404 raise Hearth's typed errors with what to check.

The token is sent only as the ``Authorization`` header and never appears in a message or log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from hearth.connectors.github import DEFAULT_API_URL
from hearth.errors import ConfigError, NotFound, PermissionDenied, UpstreamError
from hearth.i18n import _

__all__ = ["DEFAULT_API_URL", "GitHubApiError", "GitHubClient", "HttpxGitHubClient", "Page"]
USER_AGENT = "hearth-community-engine"
MAX_WAIT = 3660.0  # a rate-limit window is one hour; never trust a reset further away


class GitHubApiError(UpstreamError):
    """GitHub could not be reached, or kept answering with an error."""

    code = "upstream.github"


@dataclass(frozen=True)
class Page:
    """One answer of a REST listing: its JSON, its URL and the URL of the next page."""

    data: Any
    url: str
    next_url: str | None


class GitHubClient(Protocol):
    """What the backfill needs from GitHub; :class:`HttpxGitHubClient` is the real one."""

    api_url: str

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> Page:
        """GET ``url`` (a path such as ``/repos/o/r/issues``, or a next-page URL)."""
        ...

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run a GraphQL query; returns its ``data``."""
        ...


WaitCallback = Callable[[float, str], None]


def default_sleep(seconds: float) -> None:
    """Sleep for real (tests replace it)."""
    time.sleep(seconds)


def graphql_url(api_url: str) -> str:
    """The GraphQL endpoint of a REST API URL (``/api/v3`` becomes ``/api/graphql``)."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class HttpxGitHubClient:
    """The GitHub REST and GraphQL APIs over httpx (see the module docstring)."""

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        on_wait: WaitCallback | None = None,
        max_retries: int = 3,
        max_waits: int = 10,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        scheme, host = _origin(api_url)
        if scheme not in {"http", "https"} or not host:
            raise ConfigError(
                _("--api-url: expected an http(s) URL such as {example}, got {url}").format(
                    example=DEFAULT_API_URL, url=api_url
                )
            )
        self.api_url = api_url.rstrip("/")
        self.graphql_url = graphql_url(self.api_url)
        self.requests = 0
        self._sleep = sleep if sleep is not None else default_sleep
        self._clock = clock if clock is not None else time.time
        self._on_wait = on_wait
        self._max_retries = max_retries
        self._max_waits = max_waits
        self._pause_until: float | None = None
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            headers=headers, timeout=timeout, transport=transport, follow_redirects=True
        )

    def __enter__(self) -> HttpxGitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the interface -----------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> Page:
        """GET a path or a next-page URL; see :class:`GitHubClient`."""
        absolute = self._absolute(url)
        response = self._request("GET", absolute, params=dict(params) if params else None)
        next_url = response.links.get("next", {}).get("url")
        if next_url is not None:
            next_url = self._absolute(urljoin(str(response.url), next_url))
        return Page(self._json(response), str(response.url), next_url)

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """POST a GraphQL query; rate-limited answers wait and retry; errors raise."""
        waits = 0
        while True:
            response = self._request(
                "POST", self.graphql_url, json={"query": query, "variables": dict(variables)}
            )
            body = self._json(response)
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors and any(
                isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors
            ):
                waits += 1
                if waits > self._max_waits:
                    raise GitHubApiError(
                        _("GitHub's GraphQL rate limit did not recover after {n} waits").format(
                            n=self._max_waits
                        )
                    )
                self._wait(self._reset_wait(response) or 60.0, _("GraphQL rate limit"))
                continue
            if errors:
                first = errors[0] if isinstance(errors[0], dict) else {}
                raise GitHubApiError(
                    _("GitHub's GraphQL API answered with an error: {message}").format(
                        message=str(first.get("message", errors[0]))[:300]
                    )
                )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise GitHubApiError(
                    _("GitHub's GraphQL API answered without data ({url})").format(
                        url=self.graphql_url
                    )
                )
            return data

    # -- requests, retries and rate limits ---------------------------------------------

    def _absolute(self, url: str) -> str:
        if url.startswith("/"):
            return self.api_url + url
        if _origin(url) != _origin(self.api_url):
            raise GitHubApiError(
                _("refusing to follow {url}: it is not on the API's origin {api}").format(
                    url=url, api=self.api_url
                )
            )
        return url

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str | int] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        failures = 0
        waits = 0
        while True:
            self._pause_if_exhausted()
            self.requests += 1
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.TransportError as exc:
                failures += 1
                if failures > self._max_retries:
                    raise GitHubApiError(
                        _("could not reach GitHub for {method} {url}: {problem}").format(
                            method=method, url=url, problem=type(exc).__name__
                        )
                    ) from None
                self._sleep(2.0**failures)
                continue
            self._note_exhaustion(response)
            wait = self._rate_limit_wait(response)
            if wait is not None:
                waits += 1
                if waits > self._max_waits:
                    raise GitHubApiError(
                        _("GitHub kept rate-limiting {method} {url} after {n} waits").format(
                            method=method, url=url, n=self._max_waits
                        )
                    )
                self._wait(
                    wait, _("rate limit (HTTP {status})").format(status=response.status_code)
                )
                continue
            if response.status_code >= 500:
                failures += 1
                if failures > self._max_retries:
                    raise GitHubApiError(
                        _(
                            "GitHub answered HTTP {status} to {method} {url} ({tries} tries): "
                            "{message}"
                        ).format(
                            status=response.status_code,
                            method=method,
                            url=response.url,
                            tries=failures,
                            message=_message(response),
                        )
                    )
                self._sleep(2.0**failures)
                continue
            self._check(response, method)
            return response

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying a rate-limited answer (None: not rate-limited)."""
        if response.status_code not in (403, 429):
            return None
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after.isdigit():
            return min(float(retry_after), MAX_WAIT)
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = self._reset_wait(response)
            if reset is not None:
                return reset
        if response.status_code == 429 or "rate limit" in _message(response).lower():
            return 60.0  # GitHub: without a hint, wait at least a minute
        return None

    def _reset_wait(self, response: httpx.Response) -> float | None:
        reset = response.headers.get("X-RateLimit-Reset", "").strip()
        if not reset.isdigit():
            return None
        return min(max(0.0, float(reset) - self._clock()) + 1.0, MAX_WAIT)

    def _note_exhaustion(self, response: httpx.Response) -> None:
        if response.is_success and response.headers.get("X-RateLimit-Remaining") == "0":
            wait = self._reset_wait(response)
            if wait is not None:
                self._pause_until = self._clock() + wait

    def _pause_if_exhausted(self) -> None:
        if self._pause_until is None:
            return
        remaining = self._pause_until - self._clock()
        self._pause_until = None
        if remaining > 0:
            self._wait(remaining, _("rate limit used up"))

    def _wait(self, seconds: float, reason: str) -> None:
        if self._on_wait is not None:
            self._on_wait(seconds, reason)
        self._sleep(seconds)

    def _check(self, response: httpx.Response, method: str) -> None:
        status = response.status_code
        if response.is_success:
            return
        url = response.url
        if status == 401:
            raise ConfigError(
                _(
                    "GitHub refused the token (HTTP 401) for {url}: check HEARTH_GITHUB_TOKEN"
                ).format(url=url)
            )
        if status == 403:
            raise PermissionDenied(
                _("GitHub refused access (HTTP 403) to {url}: {message}").format(
                    url=url, message=_message(response)
                )
            )
        if status in (404, 410):
            raise NotFound(
                _(
                    "GitHub has no {url} (HTTP {status}): check the repository's name, and that "
                    "the token can read it"
                ).format(url=url, status=status)
            )
        raise GitHubApiError(
            _("GitHub answered HTTP {status} to {method} {url}: {message}").format(
                status=status, method=method, url=url, message=_message(response)
            )
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise GitHubApiError(
                _("GitHub answered {url} with something that is not JSON").format(url=response.url)
            ) from None


def _message(response: httpx.Response) -> str:
    """GitHub's own error message from a JSON error body, shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or ""
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])[:300]
    return response.reason_phrase or ""
