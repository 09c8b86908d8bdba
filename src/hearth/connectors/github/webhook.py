"""GitHub webhooks: signature check, and each delivery's payload as ledger activities.

Pure: no I/O. The HTTP route reads the raw body and the ``X-Hub-Signature-256``,
``X-GitHub-Event`` and ``X-GitHub-Delivery`` headers, calls :func:`verify_signature`, then
:func:`map_event`, and hands the activities to :func:`hearth.actions.ingest.ingest`.

- :data:`HANDLERS` is the dispatch table, one entry per ``X-GitHub-Event`` Hearth uses; each
  names the actions it maps and the actions it ignores on purpose.
- :data:`IGNORED_EVENTS` lists the events Hearth does not use: they map to nothing.
- Any other event is unknown and raises :class:`~hearth.errors.InputError`, as does a payload
  missing a field Hearth needs (the message names the field).

Source ids do not depend on the delivery (see :mod:`hearth.connectors.github.mapping`): a
redelivered event, and the history import of the same thing, are duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hearth.connectors.github import discussions, mapping
from hearth.connectors.github.fields import Json, obj, optional_text, text, timestamp, user
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import InputError
from hearth.i18n import _

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (``X-Hub-Signature-256``: ``sha256=<hex>``) signs ``body``.

    False when the header is missing or malformed, or when the secret is empty (a webhook
    without a secret can be forged by anyone, so it is never trusted).
    """
    if not secret or header is None:
        return False
    match = _SIGNATURE.fullmatch(header.strip())
    if match is None:
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())


@dataclass(frozen=True)
class Delivery:
    """One webhook payload, with the repository it is about and the time it was received."""

    payload: Json
    received_at: datetime | None = None

    @property
    def repo(self) -> str:
        return mapping.repository_name(self.payload)

    def sender(self) -> IdentityRef:
        return user(self.payload, "sender")


ActionHandler = Callable[[Delivery], list[ActivityIn]]


@dataclass(frozen=True)
class EventHandler:
    """The handler of one event: its mapped actions, and the actions ignored on purpose.

    Actions in neither set (GitHub adds new ones from time to time) are ignored too.
    """

    actions: Mapping[str | None, ActionHandler]
    ignored: frozenset[str] = field(default_factory=frozenset)

    def __call__(self, payload: Json, received_at: datetime | None = None) -> list[ActivityIn]:
        action = payload.get("action")
        if None in self.actions:
            return self.actions[None](Delivery(payload, received_at))
        if not isinstance(action, str) or not action:
            raise InputError(_("action: missing; expected the event's action, e.g. 'opened'"))
        handler = self.actions.get(action)
        if handler is None:
            return []
        return handler(Delivery(payload, received_at))


# -- pull requests -------------------------------------------------------------------------


def _pr_opened(d: Delivery) -> list[ActivityIn]:
    return [mapping.pr_opened(d.repo, obj(d.payload, "pull_request"))]


def _pr_closed(d: Delivery) -> list[ActivityIn]:
    pr = obj(d.payload, "pull_request")
    outcome = mapping.pr_outcome(d.repo, pr, closed_by=d.sender())
    if outcome is None:
        raise InputError(
            _("pull_request.state: expected 'closed' in a 'closed' event, got {state!r}").format(
                state=pr.get("state")
            )
        )
    return [outcome]


def _pr_reopened(d: Delivery) -> list[ActivityIn]:
    pr = obj(d.payload, "pull_request")
    return [mapping.pr_reopened(d.repo, pr, reopened_by=d.sender())]


def _review_submitted(d: Delivery) -> list[ActivityIn]:
    review = obj(d.payload, "review")
    activity = mapping.pr_review(d.repo, obj(d.payload, "pull_request"), review)
    if activity is None:
        timestamp(review, "submitted_at", "review")  # raises: a submitted review has a time
        raise InputError(_("review.state: a submitted review cannot be 'pending'"))
    return [activity]


def _review_comment(d: Delivery) -> list[ActivityIn]:
    pr = obj(d.payload, "pull_request")
    return [mapping.pr_review_comment(d.repo, pr, obj(d.payload, "comment"))]


# -- issues --------------------------------------------------------------------------------


def _issue_opened(d: Delivery) -> list[ActivityIn]:
    return [mapping.issue_opened(d.repo, obj(d.payload, "issue"))]


def _issue_closed(d: Delivery) -> list[ActivityIn]:
    return [mapping.issue_closed(d.repo, obj(d.payload, "issue"), closed_by=d.sender())]


def _issue_reopened(d: Delivery) -> list[ActivityIn]:
    return [mapping.issue_reopened(d.repo, obj(d.payload, "issue"), reopened_by=d.sender())]


def _issue_labeled(d: Delivery) -> list[ActivityIn]:
    label = text(obj(d.payload, "label"), "name", "label")
    return [mapping.issue_labeled(d.repo, obj(d.payload, "issue"), label, d.sender())]


def _issue_comment(d: Delivery) -> list[ActivityIn]:
    issue = obj(d.payload, "issue")
    return [mapping.issue_comment(d.repo, issue, obj(d.payload, "comment"))]


# -- discussions ---------------------------------------------------------------------------


def _discussion_created(d: Delivery) -> list[ActivityIn]:
    return [discussions.discussion_started(d.repo, obj(d.payload, "discussion"))]


def _discussion_answered(d: Delivery) -> list[ActivityIn]:
    discussion = obj(d.payload, "discussion")
    answer = obj(d.payload, "answer")
    return [discussions.discussion_solved(d.repo, discussion, answer, d.sender())]


def _discussion_comment(d: Delivery) -> list[ActivityIn]:
    discussion = obj(d.payload, "discussion")
    return [discussions.discussion_reply(d.repo, discussion, obj(d.payload, "comment"))]


# -- repository ----------------------------------------------------------------------------


def _release_published(d: Delivery) -> list[ActivityIn]:
    return [mapping.release_published(d.repo, obj(d.payload, "release"))]


def _star_created(d: Delivery) -> list[ActivityIn]:
    return [mapping.starred(d.repo, d.sender(), timestamp(d.payload, "starred_at"))]


def _fork(d: Delivery) -> list[ActivityIn]:
    return [mapping.forked(d.repo, d.sender(), obj(d.payload, "forkee"))]


def _member_added(d: Delivery) -> list[ActivityIn]:
    # GitHub's member event carries no time of its own: the time of receipt is all there is
    # (the live route maps a delivery as it receives it, so "now" is that time).
    added_at = d.received_at or datetime.now(UTC)
    added = user(d.payload, "member")
    return [mapping.member_added(d.repo, d.sender(), added, added_at)]


# The dispatch table, by X-GitHub-Event: each handler is called as ``handler(payload)`` or
# ``handler(payload, received_at)`` and lists its mapped and ignored actions.
HANDLERS: dict[str, EventHandler] = {
    "pull_request": EventHandler(
        {"opened": _pr_opened, "closed": _pr_closed, "reopened": _pr_reopened},
        frozenset(
            {
                "assigned",
                "unassigned",
                "labeled",
                "unlabeled",
                "edited",
                "synchronize",
                "review_requested",
                "review_request_removed",
                "ready_for_review",
                "converted_to_draft",
                "locked",
                "unlocked",
                "milestoned",
                "demilestoned",
                "auto_merge_enabled",
                "auto_merge_disabled",
                "enqueued",
                "dequeued",
            }
        ),
    ),
    "pull_request_review": EventHandler(
        {"submitted": _review_submitted}, frozenset({"edited", "dismissed"})
    ),
    "pull_request_review_comment": EventHandler(
        {"created": _review_comment}, frozenset({"edited", "deleted"})
    ),
    "issues": EventHandler(
        {
            "opened": _issue_opened,
            "closed": _issue_closed,
            "reopened": _issue_reopened,
            "labeled": _issue_labeled,
        },
        frozenset(
            {
                "assigned",
                "unassigned",
                "unlabeled",
                "edited",
                "deleted",
                "transferred",
                "pinned",
                "unpinned",
                "locked",
                "unlocked",
                "milestoned",
                "demilestoned",
                "typed",
                "untyped",
            }
        ),
    ),
    "issue_comment": EventHandler({"created": _issue_comment}, frozenset({"edited", "deleted"})),
    "discussion": EventHandler(
        {"created": _discussion_created, "answered": _discussion_answered},
        frozenset(
            {
                "edited",
                "deleted",
                "category_changed",
                "labeled",
                "unlabeled",
                "locked",
                "unlocked",
                "pinned",
                "unpinned",
                "transferred",
                "unanswered",
                "closed",
                "reopened",
            }
        ),
    ),
    "discussion_comment": EventHandler(
        {"created": _discussion_comment}, frozenset({"edited", "deleted"})
    ),
    "release": EventHandler(
        {"published": _release_published},
        frozenset({"created", "edited", "deleted", "prereleased", "released", "unpublished"}),
    ),
    "star": EventHandler({"created": _star_created}, frozenset({"deleted"})),
    "fork": EventHandler({None: _fork}),
    "member": EventHandler({"added": _member_added}, frozenset({"edited", "removed"})),
}

IGNORED_EVENTS: frozenset[str] = frozenset(
    {
        # delivery plumbing and apps
        "ping",
        "meta",
        "installation",
        "installation_repositories",
        "installation_target",
        "github_app_authorization",
        "marketplace_purchase",
        "personal_access_token_request",
        # CI, checks and deployments
        "check_run",
        "check_suite",
        "status",
        "workflow_run",
        "workflow_job",
        "workflow_dispatch",
        "deployment",
        "deployment_status",
        "deployment_review",
        "deployment_protection_rule",
        "merge_group",
        "page_build",
        # git refs (commits are credited from git history, not from pushes)
        "push",
        "create",
        "delete",
        # a star also sends "watch" (started): "star" is the one used
        "watch",
        # repository settings and administration
        "repository",
        "repository_dispatch",
        "repository_import",
        "repository_ruleset",
        "branch_protection_rule",
        "branch_protection_configuration",
        "deploy_key",
        "public",
        "label",
        "milestone",
        "custom_property",
        "custom_property_values",
        # organisations and teams (Hearth follows repositories)
        "organization",
        "org_block",
        "membership",
        "team",
        "team_add",
        "sponsorship",
        # security alerts and advisories
        "code_scanning_alert",
        "dependabot_alert",
        "repository_vulnerability_alert",
        "repository_advisory",
        "secret_scanning_alert",
        "secret_scanning_alert_location",
        "secret_scanning_scan",
        "security_advisory",
        "security_and_analysis",
        # packages, projects and wikis
        "package",
        "registry_package",
        "project",
        "project_card",
        "project_column",
        "projects_v2",
        "projects_v2_item",
        "projects_v2_status_update",
        "gollum",
        # comments Hearth does not count: on commits, and review-thread resolution
        "commit_comment",
        "pull_request_review_thread",
        # issue sub-issues and dependencies
        "sub_issues",
        "issue_dependencies",
    }
)


def map_event(
    event: str, payload: Mapping[str, Any], *, received_at: datetime | None = None
) -> list[ActivityIn]:
    """The activities of one delivery of ``event`` (the ``X-GitHub-Event`` header).

    Returns ``[]`` for an event in :data:`IGNORED_EVENTS` and for an action Hearth does not
    map. ``received_at`` is used only by events that carry no time of their own (``member``);
    without it they take the current time, which for the live route is the time of receipt.
    Raises :class:`~hearth.errors.InputError` for an unknown event or a payload missing a
    field Hearth needs.
    """
    if not isinstance(payload, Mapping):
        raise InputError(_("payload: expected a JSON object"))
    if event in IGNORED_EVENTS:
        return []
    handler = HANDLERS.get(event)
    if handler is None:
        raise InputError(
            _(
                "{header}: unknown GitHub event '{event}' (neither handled nor in the list of "
                "ignored events)"
            ).format(header=EVENT_HEADER, event=event)
        )
    return handler(payload, received_at)


def delivery_description(event: str, payload: Mapping[str, Any]) -> str:
    """A short description of a delivery for logs and dead letters: ``issues.opened owner/x``."""
    action = payload.get("action")
    repository = payload.get("repository")
    repo = optional_text(repository, "full_name") if isinstance(repository, Mapping) else None
    name = f"{event}.{action}" if isinstance(action, str) else event
    return f"{name} {repo}" if repo else name
