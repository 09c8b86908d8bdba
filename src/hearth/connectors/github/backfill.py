"""The history of one GitHub repository, imported page by page, resumably.

:func:`backfill` reads three listings, each most recently updated first:

- **issues** — ``GET /repos/{repo}/issues`` (``state=all``, ``since=``): ``issue.opened`` and
  ``issue.closed`` for issues (pull requests come from the pulls listing); for issues *and*
  pull requests with comments, ``GET .../issues/{n}/comments``: ``issue.commented``;
- **pulls** — ``GET /repos/{repo}/pulls`` (``state=all``; the API has no ``since``, so the
  listing stops at the first item older than it): ``pr.opened``, ``pr.merged`` or ``pr.closed``
  (from ``merged_at``); ``GET .../pulls/{n}/reviews``: ``pr.reviewed``;
  ``GET .../pulls/{n}/comments``: ``issue.commented`` (code-review comments);
- **discussions** — GraphQL ``repository.discussions`` (:mod:`.graphql`):
  ``thread.started``, ``thread.replied``, ``thread.solved``.

Each page's activities are ingested (committed) first, and only then is the listing's cursor
saved (:func:`hearth.actions.sync.do_save_cursor`, source ``github``, key
``<repo>:<listing>``) with the next page's URL (``next_url``; GraphQL: ``after``). A run that
stops (network, rate limit, Ctrl-C) loses at most the page in flight, and the next run continues
from the saved page; a page read twice only yields duplicates. When a listing is finished its
cursor becomes ``{"since": <the newest updated_at>}`` and the next run asks only for what changed
since then. The newest ``updated_at`` is taken from the listing's first page, so an item updated
while the listing is being read is read again next time rather than missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from hearth.actions.ingest import MAX_KEPT_ERRORS, IngestReport, Parsed, ingest
from hearth.actions.sync import access_cursor, do_save_cursor
from hearth.connectors.github import graphql, mapping
from hearth.connectors.github.api import GitHubApiError, GitHubClient, Page
from hearth.connectors.github.fields import (
    Json,
    optional_timestamp,
    parse_time,
    stamp,
    text,
)
from hearth.errors import InputError, RecordError
from hearth.i18n import _

SOURCE = "github"
LISTINGS = ("issues", "pulls", "discussions")
PER_PAGE = 100
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")

Cursor = dict[str, Any]
PageOut = tuple[list[Parsed], Cursor]


@dataclass
class BackfillReport:
    """What a backfill did: the ingest counts over all pages, and pages read per listing."""

    repository: str = ""
    ingest: IngestReport = field(default_factory=IngestReport)
    pages: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, listing: str, part: IngestReport) -> None:
        total = self.ingest
        total.imported += part.imported
        total.duplicates += part.duplicates
        total.rejected += part.rejected
        total.erased += part.erased
        room = MAX_KEPT_ERRORS - len(total.errors)
        total.errors.extend(part.errors[: max(room, 0)])
        self.pages[listing] = self.pages.get(listing, 0) + 1


PageCallback = Callable[[str, BackfillReport], None]


def check_repo_name(repo: str) -> str:
    """``repo`` if it looks like ``OWNER/REPO``; else an InputError saying what was expected."""
    if not _REPO.fullmatch(repo):
        raise InputError(
            _(
                "expected a repository as OWNER/REPO, such as octocat/hello-world; got {repo!r}"
            ).format(repo=repo)
        )
    return repo


def cursor_key(repo: str, listing: str) -> str:
    """The sync-cursor key of one listing of ``repo`` (``owner/name:issues``, lowercased)."""
    return f"{repo.lower()}:{listing}"


def backfill(
    engine: Engine,
    client: GitHubClient,
    repo: str,
    *,
    listings: tuple[str, ...] = LISTINGS,
    batch_size: int = 2000,
    on_page: PageCallback | None = None,
) -> BackfillReport:
    """Import the history of ``repo`` (``OWNER/REPO``); see the module docstring.

    Discussions are read only when the repository has them enabled, issues only when it has
    issues. Raises the client's errors (:class:`~hearth.connectors.github.api.GitHubApiError`,
    NotFound...) after keeping every page committed so far.
    """
    check_repo_name(repo)
    info = client.get(f"/repos/{repo}").data
    if not isinstance(info, Mapping):
        raise GitHubApiError(
            _("GitHub answered /repos/{repo} without a repository").format(repo=repo)
        )
    full_name = text(info, "full_name", "repository")
    report = BackfillReport(repository=full_name)
    for name in listings:
        listing = _listing(name, client, full_name, info)
        if listing is None:
            report.skipped.append(name)
            continue
        key = cursor_key(full_name, name)
        cursor = access_cursor(engine, SOURCE, key) or {}
        for records, after in listing.pages(cursor):
            part = ingest(engine, records, batch_size=batch_size)
            do_save_cursor(engine, SOURCE, key, after)
            report.add(name, part)
            if on_page is not None:
                on_page(name, report)
    return report


class Listing(Protocol):
    """A resumable listing: pages of records, each with the cursor to save after it."""

    def pages(self, cursor: Cursor) -> Iterator[PageOut]: ...


def _listing(name: str, client: GitHubClient, repo: str, info: Json) -> Listing | None:
    if name == "issues":
        if info.get("has_issues") is False:
            return None
        return RestListing(
            client,
            f"/repos/{repo}/issues",
            {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE},
            lambda item, since, source: _issue_records(client, repo, item, since, source),
            filters_since=True,
        )
    if name == "pulls":
        return RestListing(
            client,
            f"/repos/{repo}/pulls",
            {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE},
            lambda item, since, source: _pull_records(client, repo, item, since, source),
            filters_since=False,
        )
    if name == "discussions":
        if info.get("has_discussions") is not True:
            return None
        return DiscussionListing(client, repo)
    raise InputError(
        _("unknown GitHub listing {name!r}; expected one of {names}").format(
            name=name, names=", ".join(LISTINGS)
        )
    )


# -- high-water marks ----------------------------------------------------------------------


@dataclass
class _Progress:
    """Where a pass over a listing is: the ``since`` it filters by, and its high-water mark."""

    since: str | None
    high_water: str | None
    fresh: bool

    @classmethod
    def of(cls, cursor: Cursor, resuming: bool) -> _Progress:
        since = cursor.get("since") if isinstance(cursor.get("since"), str) else None
        high = cursor.get("high_water") if isinstance(cursor.get("high_water"), str) else None
        return cls(since, high if resuming else None, not resuming)

    def is_old(self, updated: datetime | None) -> bool:
        return self.since is not None and updated is not None and updated < parse_time(self.since)

    def first_page_seen(self, newest: datetime | None) -> None:
        if self.fresh and newest is not None:
            self.high_water = stamp(newest)
        self.fresh = False

    def cursor(self, **next_page: str | None) -> Cursor:
        if any(value is not None for value in next_page.values()):
            return {**next_page, "since": self.since, "high_water": self.high_water}
        return {"since": self.high_water or self.since}


# -- REST listings -------------------------------------------------------------------------

ItemRecords = Callable[[Json, str | None, str], list[Parsed]]


class RestListing:
    """A REST listing sorted by ``updated`` descending, followed through ``Link`` headers."""

    def __init__(
        self,
        client: GitHubClient,
        path: str,
        params: dict[str, str | int],
        records: ItemRecords,
        *,
        filters_since: bool,
    ) -> None:
        self.client = client
        self.path = path
        self.params = params
        self.records = records
        self.filters_since = filters_since

    def pages(self, cursor: Cursor) -> Iterator[PageOut]:
        url = cursor.get("next_url")
        resuming = isinstance(url, str) and _same_origin(url, self.client.api_url)
        progress = _Progress.of(cursor, resuming)
        params: dict[str, str | int] | None = None
        if not resuming:
            url = self.path
            params = dict(self.params)
            if progress.since and self.filters_since:
                params["since"] = progress.since
        while True:
            assert isinstance(url, str)
            page = self.client.get(url, params)
            items = _list_of(page)
            records: list[Parsed] = []
            newest: datetime | None = None
            done = False
            for item in items:
                try:
                    updated = optional_timestamp(item, "updated_at")
                except InputError as exc:
                    records.append(RecordError(str(exc), source=page.url, element=_element(item)))
                    continue
                if progress.is_old(updated):
                    done = True
                    break
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
                records.extend(self.records(item, progress.since, page.url))
            progress.first_page_seen(newest)
            next_url = None if done else page.next_url
            yield records, progress.cursor(next_url=next_url)
            if next_url is None:
                return
            url, params = next_url, None


def _issue_records(
    client: GitHubClient, repo: str, item: Json, since: str | None, source: str
) -> list[Parsed]:
    """An item of the issues listing: the issue's own activities (pull requests are read
    from the pulls listing), then the conversation comments of issues and pull requests."""
    element = _element(item)
    records: list[Parsed] = []
    if item.get("pull_request") is None:
        _add(records, source, element, mapping.issue_opened, repo, item, "")
        if item.get("state") == "closed":
            _add(records, source, element, mapping.issue_closed, repo, item, "")
    count = item.get("comments")
    number = item.get("number")
    if isinstance(number, int) and (not isinstance(count, int) or count > 0):
        params: dict[str, str | int] = {"per_page": PER_PAGE}
        if since:
            params["since"] = since
        for page, comment in _each(client, f"/repos/{repo}/issues/{number}/comments", params):
            _add(records, page.url, element, mapping.issue_comment, repo, item, comment, "", "")
    return records


def _pull_records(
    client: GitHubClient, repo: str, pr: Json, since: str | None, source: str
) -> list[Parsed]:
    """An item of the pulls listing: opened, merged or closed, its reviews and review
    comments."""
    element = _element(pr)
    records: list[Parsed] = []
    _add(records, source, element, mapping.pr_opened, repo, pr, "")
    _add(records, source, element, mapping.pr_outcome, repo, pr, "")
    number = pr.get("number")
    if not isinstance(number, int):
        return records
    for page, review in _each(client, f"/repos/{repo}/pulls/{number}/reviews", {"per_page": 100}):
        _add(records, page.url, element, mapping.pr_review, repo, pr, review, "", "")
    params: dict[str, str | int] = {"per_page": PER_PAGE}
    if since:
        params["since"] = since
    for page, comment in _each(client, f"/repos/{repo}/pulls/{number}/comments", params):
        _add(records, page.url, element, mapping.pr_review_comment, repo, pr, comment, "", "")
    return records


def _add(records: list[Parsed], source: str, element: str, build: Any, *args: Any) -> None:
    """Append ``build(*args)`` (when not None), or the record error it raised."""
    try:
        activity = build(*args)
    except InputError as exc:
        records.append(RecordError(str(exc), source=source, element=element))
        return
    if activity is not None:
        records.append(activity)


def _each(
    client: GitHubClient, path: str, params: dict[str, str | int]
) -> Iterator[tuple[Page, Json]]:
    """Every object of a small nested listing (comments, reviews), across its pages."""
    url: str | None = path
    query: dict[str, str | int] | None = params
    while url is not None:
        page = client.get(url, query)
        for item in _list_of(page):
            yield page, item
        url, query = page.next_url, None


def _list_of(page: Page) -> list[Json]:
    if not isinstance(page.data, list):
        raise GitHubApiError(
            _("GitHub answered {url} with something other than a list").format(url=page.url)
        )
    return [item for item in page.data if isinstance(item, Mapping)]


def _element(item: Json) -> str:
    number = item.get("number")
    kind = _("pull request") if item.get("pull_request") or "merged_at" in item else _("issue")
    return f"{kind} #{number}" if number is not None else kind


def _same_origin(url: str, api_url: str) -> bool:
    from urllib.parse import urlsplit

    a, b = urlsplit(url), urlsplit(api_url)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


# -- discussions (GraphQL) -----------------------------------------------------------------


class DiscussionListing:
    """The repository's discussions through GraphQL, most recently updated first."""

    def __init__(self, client: GitHubClient, repo: str) -> None:
        self.client = client
        self.repo = repo

    def pages(self, cursor: Cursor) -> Iterator[PageOut]:
        after = cursor.get("after") if isinstance(cursor.get("after"), str) else None
        progress = _Progress.of(cursor, after is not None)
        source = _("GraphQL discussions of {repo}").format(repo=self.repo)
        while True:
            nodes, next_after = graphql.discussions_page(self.client, self.repo, after)
            records: list[Parsed] = []
            newest: datetime | None = None
            done = False
            for node in nodes:
                try:
                    updated = optional_timestamp(node, "updatedAt")
                except InputError as exc:
                    records.append(RecordError(str(exc), source=source))
                    continue
                if progress.is_old(updated):
                    done = True
                    break
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
                records.extend(graphql.discussion_records(self.client, self.repo, node, source))
            progress.first_page_seen(newest)
            after = None if done else next_after
            yield records, progress.cursor(after=after)
            if after is None:
                return
