"""GitHub objects as ledger activities, shared by the webhook handler and the API backfill.

Both read the same REST objects (a webhook's ``pull_request`` is the REST pull request), so
one builder per activity gives both paths the same ``source_id``: a live event and the history
import of the same thing are one ledger row. Source ids never depend on the delivery;
``<repo>`` is the repository's full name in lower case (GitHub names are case-insensitive):

=========================== ======================================== ============================
kind                        source id                                time
=========================== ======================================== ============================
``issue.opened``            ``issue:<repo>#<n>:opened``              ``created_at``
``issue.closed``            ``issue:<repo>#<n>:closed:<closed_at>``  ``closed_at``
``issue.reopened``          ``issue:<repo>#<n>:reopened:<time>``     ``updated_at``
``issue.labeled``           ``issue:<repo>#<n>:labeled:<label>``     ``updated_at``
``issue.commented``         ``comment:<id>`` (conversation)          ``created_at``
``issue.commented``         ``review-comment:<id>`` (code review)    ``created_at``
``pr.opened``               ``pr:<repo>#<n>:opened``                 ``created_at``
``pr.merged``               ``pr:<repo>#<n>:merged``                 ``merged_at``
``pr.closed``               ``pr:<repo>#<n>:closed:<closed_at>``     ``closed_at``
``pr.reopened``             ``pr:<repo>#<n>:reopened:<time>``        ``updated_at``
``pr.reviewed``             ``review:<id>``                          ``submitted_at``
``release.published``       ``release:<id>``                         ``published_at``
``repo.starred``            ``star:<repo>:<user id>``                ``starred_at``
``repo.forked``             ``fork:<fork's repository id>``          the fork's ``created_at``
``repo.member_added``       ``member:<repo>:<user id>``              time of receipt (no own time)
=========================== ======================================== ============================

Discussions are in :mod:`~hearth.connectors.github.discussions`.

Issues and pull requests are credited to their author: the actor *and* the target owner of
``issue.opened/closed/reopened`` and ``pr.opened/merged/closed/reopened`` is the author, and
whoever merged, closed or reopened is kept in ``merged_by``/``closed_by``/``reopened_by``.
Labels, comments and reviews are by whoever labeled, commented or reviewed; their target owner
is the author.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from hearth.connectors.github.fields import (
    PLATFORM,
    Json,
    integer,
    label_names,
    obj,
    optional_text,
    optional_timestamp,
    optional_user,
    path,
    person,
    stamp,
    text,
    timestamp,
    user,
    wrong,
)
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.i18n import _

_SEVERITY_PREFIX = re.compile(
    r"^(?:severity|sev|priority|prio)\s*[:/=_\- ]\s*(?P<value>.+)$", re.IGNORECASE
)
_SEVERITY_SHORT = re.compile(r"^(?P<value>[ps][0-4])$", re.IGNORECASE)
SEVERITY_WORDS = frozenset({"blocker", "critical", "major", "minor", "trivial"})


def severity(labels: Iterable[str]) -> str | None:
    """The first severity-like label (``severity: high``, ``P1``, ``critical``...), lowercased."""
    for label in labels:
        name = label.strip()
        match = _SEVERITY_PREFIX.match(name) or _SEVERITY_SHORT.match(name)
        if match:
            return match.group("value").strip().lower()
        if name.lower() in SEVERITY_WORDS:
            return name.lower()
    return None


def item_key(repo: str, number: int) -> str:
    """The target id of an issue, pull request or discussion: ``owner/name#12``, lowercased."""
    return f"{repo.lower()}#{number}"


def props_without_none(**values: Any) -> dict[str, Any]:
    """The keyword arguments that are not None, as activity properties."""
    return {key: value for key, value in values.items() if value is not None}


def _item_props(repo: str, item: Json, number: int, *, is_pull_request: bool) -> dict[str, Any]:
    labels = label_names(item)
    return props_without_none(
        repository=repo,
        number=number,
        title=optional_text(item, "title"),
        labels=labels,
        severity=severity(labels),
        is_pull_request=is_pull_request,
        url=optional_text(item, "html_url"),
    )


# -- issues --------------------------------------------------------------------------------


def issue_opened(repo: str, issue: Json, where: str = "issue") -> ActivityIn:
    """``issue.opened``, by the issue's author."""
    number = integer(issue, "number", where)
    key = item_key(repo, number)
    author = user(issue, "user", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"issue:{key}:opened",
        kind="issue.opened",
        occurred_at=timestamp(issue, "created_at", where),
        actor=author,
        target_type="issue",
        target_id=key,
        target_owner=author,
        properties=_item_props(repo, issue, number, is_pull_request=False),
    )


def issue_closed(
    repo: str, issue: Json, where: str = "issue", closed_by: IdentityRef | None = None
) -> ActivityIn:
    """``issue.closed``, credited to the author; who closed it goes to ``closed_by``."""
    number = integer(issue, "number", where)
    key = item_key(repo, number)
    author = user(issue, "user", where)
    closed_at = timestamp(issue, "closed_at", where)
    props = _item_props(repo, issue, number, is_pull_request=False)
    props.update(
        props_without_none(
            state_reason=optional_text(issue, "state_reason"),
            closed_by=person(closed_by or optional_user(issue, "closed_by", where)),
        )
    )
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"issue:{key}:closed:{stamp(closed_at)}",
        kind="issue.closed",
        occurred_at=closed_at,
        actor=author,
        target_type="issue",
        target_id=key,
        target_owner=author,
        properties=props,
    )


def issue_reopened(
    repo: str, issue: Json, where: str = "issue", reopened_by: IdentityRef | None = None
) -> ActivityIn:
    """``issue.reopened`` at the issue's ``updated_at``, credited to the author."""
    number = integer(issue, "number", where)
    key = item_key(repo, number)
    author = user(issue, "user", where)
    reopened_at = timestamp(issue, "updated_at", where)
    props = _item_props(repo, issue, number, is_pull_request=False)
    props.update(props_without_none(reopened_by=person(reopened_by)))
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"issue:{key}:reopened:{stamp(reopened_at)}",
        kind="issue.reopened",
        occurred_at=reopened_at,
        actor=author,
        target_type="issue",
        target_id=key,
        target_owner=author,
        properties=props,
    )


def issue_labeled(
    repo: str, issue: Json, label: str, labeled_by: IdentityRef, where: str = "issue"
) -> ActivityIn:
    """``issue.labeled``: the actor added ``label``; the target owner is the issue's author.

    A label counts once per issue: removing and adding it again is the same activity.
    """
    number = integer(issue, "number", where)
    key = item_key(repo, number)
    props = _item_props(repo, issue, number, is_pull_request=False)
    props["label"] = label
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"issue:{key}:labeled:{label}",
        kind="issue.labeled",
        occurred_at=timestamp(issue, "updated_at", where),
        actor=labeled_by,
        target_type="issue",
        target_id=key,
        target_owner=user(issue, "user", where),
        properties=props,
    )


def issue_comment(
    repo: str, issue: Json, comment: Json, where: str = "issue", where_comment: str = "comment"
) -> ActivityIn:
    """``issue.commented``: a conversation comment on an issue or a pull request."""
    number = integer(issue, "number", where)
    key = item_key(repo, number)
    is_pull_request = issue.get("pull_request") is not None
    comment_id = integer(comment, "id", where_comment)
    author = user(comment, "user", where_comment)
    owner = user(issue, "user", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"comment:{comment_id}",
        kind="issue.commented",
        occurred_at=timestamp(comment, "created_at", where_comment),
        actor=author,
        target_type="pull_request" if is_pull_request else "issue",
        target_id=key,
        target_owner=owner,
        properties=props_without_none(
            repository=repo,
            number=number,
            title=optional_text(issue, "title"),
            is_pull_request=is_pull_request,
            self_comment=author.external_id == owner.external_id,
            url=optional_text(comment, "html_url"),
        ),
    )


# -- pull requests -------------------------------------------------------------------------


def _pr_props(repo: str, pr: Json, number: int) -> dict[str, Any]:
    props = _item_props(repo, pr, number, is_pull_request=True)
    props.update(
        props_without_none(
            draft=pr.get("draft") if isinstance(pr.get("draft"), bool) else None,
            additions=pr.get("additions") if isinstance(pr.get("additions"), int) else None,
            deletions=pr.get("deletions") if isinstance(pr.get("deletions"), int) else None,
            changed_files=(
                pr.get("changed_files") if isinstance(pr.get("changed_files"), int) else None
            ),
        )
    )
    return props


def pr_opened(repo: str, pr: Json, where: str = "pull_request") -> ActivityIn:
    """``pr.opened``, by the pull request's author."""
    number = integer(pr, "number", where)
    key = item_key(repo, number)
    author = user(pr, "user", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"pr:{key}:opened",
        kind="pr.opened",
        occurred_at=timestamp(pr, "created_at", where),
        actor=author,
        target_type="pull_request",
        target_id=key,
        target_owner=author,
        properties=_pr_props(repo, pr, number),
    )


def is_merged(pr: Json) -> bool:
    """Whether a pull request was merged: ``merged`` (single PR, webhooks) or ``merged_at``."""
    return pr.get("merged") is True or pr.get("merged_at") is not None


def pr_outcome(
    repo: str, pr: Json, where: str = "pull_request", closed_by: IdentityRef | None = None
) -> ActivityIn | None:
    """``pr.merged`` or ``pr.closed`` for a closed pull request (None while it is open).

    Both are credited to the author (actor and target owner), not to whoever pressed the
    button: that person is ``merged_by`` (when GitHub says) or ``closed_by`` (webhooks only).
    The merge time is ``merged_at``; when GitHub says ``merged`` without ``merged_at`` (seen
    in recorded API data) the close time stands in for it.
    """
    number = integer(pr, "number", where)
    merged = is_merged(pr)
    if not merged and pr.get("state") != "closed":
        return None
    key = item_key(repo, number)
    author = user(pr, "user", where)
    props = _pr_props(repo, pr, number)
    if merged:
        merged_at = optional_timestamp(pr, "merged_at", where) or optional_timestamp(
            pr, "closed_at", where
        )
        if merged_at is None:
            raise wrong(where, "merged_at", _("the time of the merge"), None)
        props.update(
            props_without_none(
                merged_by=person(optional_user(pr, "merged_by", where)),
                closed_by=person(closed_by),
                merge_commit_sha=optional_text(pr, "merge_commit_sha"),
            )
        )
        return ActivityIn(
            platform=PLATFORM,
            source_id=f"pr:{key}:merged",
            kind="pr.merged",
            occurred_at=merged_at,
            actor=author,
            target_type="pull_request",
            target_id=key,
            target_owner=author,
            properties=props,
        )
    closed_at = timestamp(pr, "closed_at", where)
    props.update(props_without_none(closed_by=person(closed_by)))
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"pr:{key}:closed:{stamp(closed_at)}",
        kind="pr.closed",
        occurred_at=closed_at,
        actor=author,
        target_type="pull_request",
        target_id=key,
        target_owner=author,
        properties=props,
    )


def pr_reopened(
    repo: str, pr: Json, where: str = "pull_request", reopened_by: IdentityRef | None = None
) -> ActivityIn:
    """``pr.reopened`` at the pull request's ``updated_at``, credited to the author."""
    number = integer(pr, "number", where)
    key = item_key(repo, number)
    author = user(pr, "user", where)
    reopened_at = timestamp(pr, "updated_at", where)
    props = _pr_props(repo, pr, number)
    props.update(props_without_none(reopened_by=person(reopened_by)))
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"pr:{key}:reopened:{stamp(reopened_at)}",
        kind="pr.reopened",
        occurred_at=reopened_at,
        actor=author,
        target_type="pull_request",
        target_id=key,
        target_owner=author,
        properties=props,
    )


def pr_review(
    repo: str, pr: Json, review: Json, where: str = "pull_request", where_review: str = "review"
) -> ActivityIn | None:
    """``pr.reviewed`` by the reviewer; the target owner is the author (None while pending)."""
    number = integer(pr, "number", where)
    review_id = integer(review, "id", where_review)
    state = text(review, "state", where_review).lower()
    submitted_at = optional_timestamp(review, "submitted_at", where_review)
    if state == "pending" or submitted_at is None:
        return None
    key = item_key(repo, number)
    reviewer = user(review, "user", where_review)
    author = user(pr, "user", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"review:{review_id}",
        kind="pr.reviewed",
        occurred_at=submitted_at,
        actor=reviewer,
        target_type="pull_request",
        target_id=key,
        target_owner=author,
        properties=props_without_none(
            repository=repo,
            number=number,
            title=optional_text(pr, "title"),
            state=state,
            self_review=reviewer.external_id == author.external_id,
            url=optional_text(review, "html_url"),
        ),
    )


def pr_review_comment(
    repo: str, pr: Json, comment: Json, where: str = "pull_request", where_comment: str = "comment"
) -> ActivityIn:
    """``issue.commented`` for a code-review comment on a pull request's diff."""
    number = integer(pr, "number", where)
    key = item_key(repo, number)
    comment_id = integer(comment, "id", where_comment)
    author = user(comment, "user", where_comment)
    owner = user(pr, "user", where)
    review_id = comment.get("pull_request_review_id")
    in_reply_to = comment.get("in_reply_to_id")
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"review-comment:{comment_id}",
        kind="issue.commented",
        occurred_at=timestamp(comment, "created_at", where_comment),
        actor=author,
        target_type="pull_request",
        target_id=key,
        target_owner=owner,
        properties=props_without_none(
            repository=repo,
            number=number,
            title=optional_text(pr, "title"),
            is_pull_request=True,
            review_comment=True,
            review_id=review_id if isinstance(review_id, int) else None,
            in_reply_to=f"review-comment:{in_reply_to}" if isinstance(in_reply_to, int) else None,
            path=optional_text(comment, "path"),
            self_comment=author.external_id == owner.external_id,
            url=optional_text(comment, "html_url"),
        ),
    )


# -- repository ----------------------------------------------------------------------------


def release_published(repo: str, release: Json, where: str = "release") -> ActivityIn:
    """``release.published``, by the release's author."""
    release_id = integer(release, "id", where)
    tag = text(release, "tag_name", where)
    prerelease = release.get("prerelease")
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"release:{release_id}",
        kind="release.published",
        occurred_at=timestamp(release, "published_at", where),
        actor=user(release, "author", where),
        target_type="release",
        target_id=f"{repo.lower()}@{tag}",
        properties=props_without_none(
            repository=repo,
            tag=tag,
            name=optional_text(release, "name") or None,
            prerelease=prerelease if isinstance(prerelease, bool) else None,
            url=optional_text(release, "html_url"),
        ),
    )


def starred(repo: str, stargazer: IdentityRef, starred_at: datetime) -> ActivityIn:
    """``repo.starred``; starring again after un-starring is the same activity."""
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"star:{repo.lower()}:{stargazer.external_id}",
        kind="repo.starred",
        occurred_at=starred_at,
        actor=stargazer,
        target_type="repository",
        target_id=repo.lower(),
        properties={"repository": repo},
    )


def forked(repo: str, forker: IdentityRef, forkee: Json, where: str = "forkee") -> ActivityIn:
    """``repo.forked``: ``forkee`` is the new fork (a repository object)."""
    fork_id = integer(forkee, "id", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"fork:{fork_id}",
        kind="repo.forked",
        occurred_at=timestamp(forkee, "created_at", where),
        actor=forker,
        target_type="repository",
        target_id=repo.lower(),
        properties=props_without_none(
            repository=repo,
            fork=optional_text(forkee, "full_name"),
            url=optional_text(forkee, "html_url"),
        ),
    )


def member_added(
    repo: str, added_by: IdentityRef, member: IdentityRef, added_at: datetime
) -> ActivityIn:
    """``repo.member_added``: the target owner is the collaborator added."""
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"member:{repo.lower()}:{member.external_id}",
        kind="repo.member_added",
        occurred_at=added_at,
        actor=added_by,
        target_type="repository",
        target_id=repo.lower(),
        target_owner=member,
        properties={"repository": repo},
    )


def repository_name(payload: Json, where: str = "") -> str:
    """The full name (``owner/name``) of the payload's ``repository``."""
    repository = obj(payload, "repository", where)
    return text(repository, "full_name", path(where, "repository"))
