"""Discourse webhooks: signature check and the events turned into activities (pure parts only).

A Discourse webhook delivery is a POST whose body is ``{"topic": {...}}``, ``{"post": {...}}``,
``{"like": {"post": {...}, "user": {...}}}``... with the headers

- ``X-Discourse-Event-Signature``: ``sha256=`` and the HMAC-SHA256 hex digest of the raw body,
  keyed with the secret configured on the webhook (:func:`verify_signature`);
- ``X-Discourse-Event-Type``: ``topic``, ``post``, ``like``, ``solved``...;
- ``X-Discourse-Event``: the event, the key of :data:`HANDLERS` or :data:`IGNORED_EVENTS`
  (:func:`map_event` dispatches on it);
- ``X-Discourse-Event-Id``: the delivery id (redeliveries repeat it).

Each handler maps a payload to activities with the same functions as the importer
(:mod:`~hearth.connectors.discourse.mapping`), so a topic seen by the webhook and later in an
archive has the same source ids and is stored once (whichever came first is kept). A malformed
payload raises :class:`~hearth.errors.RecordError`.

Payload differences from the topic JSON: webhook posts carry no ``actions_summary``, so
``like_count`` is absent (likes arrive one by one as ``post_liked``); the topic creator is not
in a post payload, so a reply's target owner and a solution's actor are unknown (None). Likes
and accepted solutions carry no time of their own: the time the delivery is handled is used.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hearth.connectors.discourse.fields import Obj
from hearth.connectors.discourse.mapping import (
    basic_user,
    is_conversation,
    is_private,
    post_author,
    post_liked,
    thread_replied,
    thread_solved,
    thread_started,
    topic_creator,
    topic_properties,
    without_none,
)
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError, RecordError
from hearth.i18n import _

SOURCE = "discourse webhook"
SIGNATURE_PREFIX = "sha256="
EVENT_HEADER = "X-Discourse-Event"

Handler = Callable[[dict[str, Any]], list[ActivityIn]]


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=`` + the HMAC-SHA256 of ``body`` keyed with ``secret``.

    A missing header, another scheme or an empty secret never verifies.
    """
    if not secret or header is None or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    given = header[len(SIGNATURE_PREFIX) :].strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8"))


def now() -> datetime:
    """The time a delivery is handled (for events whose payload carries no time)."""
    return datetime.now(UTC)


def _payload_object(payload: dict[str, Any], key: str, event: str) -> Obj:
    value = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(value, dict):
        raise RecordError(
            _("expected a JSON object under '{key}'").format(key=key),
            source=SOURCE,
            element=event,
            field=key,
        )
    return Obj(value, source=SOURCE, element=event, path=key)


def on_topic_created(payload: dict[str, Any]) -> list[ActivityIn]:
    """``topic_created``: ``thread.started`` (not for private messages)."""
    topic = _payload_object(payload, "topic", "topic_created")
    if is_private(topic):
        return []
    topic_id = topic.required_integer("id")
    creator = topic_creator(topic, None)
    if creator is None:
        raise topic.error("created_by", _("this field is required (the topic's creator)"))
    return [
        thread_started(topic_id, topic.date("created_at"), creator, topic_properties(topic), None)
    ]


def on_post_created(payload: dict[str, Any]) -> list[ActivityIn]:
    """``post_created``: the first post starts the thread, later ones reply to it."""
    post = _payload_object(payload, "post", "post_created")
    if is_private(post, "topic_archetype") or not is_conversation(post):
        return []
    topic_id = post.required_integer("topic_id")
    if post.required_integer("post_number") == 1:
        properties = without_none(
            {
                "title": post.text("topic_title"),
                "slug": post.text("topic_slug"),
                "category_id": post.integer("category_id"),
            }
        )
        return [
            thread_started(topic_id, post.date("created_at"), post_author(post), properties, post)
        ]
    return [thread_replied(post, topic_id=topic_id, topic_owner=None)]


def on_post_liked(payload: dict[str, Any]) -> list[ActivityIn]:
    """``post_liked``: ``reaction.added`` by the liker on the post."""
    like = _payload_object(payload, "like", "post_liked")
    post = like.required_child("post")
    if is_private(post, "topic_archetype"):
        return []
    return [post_liked(post, basic_user(like.required_child("user")), now())]


def on_accepted_solution(payload: dict[str, Any]) -> list[ActivityIn]:
    """``accepted_solution`` (Solved plugin): ``thread.solved`` crediting the post's author."""
    post = _payload_object(payload, "post", "accepted_solution")
    return [
        thread_solved(
            post.required_integer("topic_id"),
            now(),
            creator=None,
            helper=post_author(post),
            post_number=post.integer("post_number"),
            post_id=post.required_integer("id"),
        )
    ]


HANDLERS: dict[str, Handler] = {
    "topic_created": on_topic_created,
    "post_created": on_post_created,
    "post_liked": on_post_liked,
    "accepted_solution": on_accepted_solution,
}

# Events Discourse (and the Solved plugin) can send that make no activity, on purpose: edits,
# deletions and status changes do not rewrite the immutable ledger; user, group, category, tag,
# badge, notification and review events are not member activity in a thread.
IGNORED_EVENTS: frozenset[str] = frozenset(
    {
        "ping",
        "topic_edited",
        "topic_destroyed",
        "topic_recovered",
        "topic_closed_status_updated",
        "topic_archived_status_updated",
        "topic_visible_status_updated",
        "topic_pinned_status_updated",
        "post_edited",
        "post_destroyed",
        "post_recovered",
        "unaccepted_solution",
        "user_created",
        "user_approved",
        "user_updated",
        "user_destroyed",
        "user_logged_in",
        "user_logged_out",
        "user_confirmed_email",
        "user_promoted",
        "user_badge_granted",
        "user_badge_revoked",
        "user_added_to_group",
        "user_removed_from_group",
        "group_created",
        "group_updated",
        "group_destroyed",
        "category_created",
        "category_updated",
        "category_destroyed",
        "tag_created",
        "tag_updated",
        "tag_destroyed",
        "notification_created",
        "reviewable_created",
        "reviewable_updated",
        "reviewable_score_updated",
        "reviewable_transitioned_to",
    }
)


def map_event(event: str, payload: dict[str, Any]) -> list[ActivityIn]:
    """The activities of one delivery of ``event`` (the ``X-Discourse-Event`` header).

    Returns ``[]`` for an event in :data:`IGNORED_EVENTS`. Raises
    :class:`~hearth.errors.InputError` for an unknown event, and its
    :class:`~hearth.errors.RecordError` for a payload missing a field Hearth needs.
    """
    if event in IGNORED_EVENTS:
        return []
    handler = HANDLERS.get(event)
    if handler is None:
        raise InputError(
            _(
                "{header}: unknown Discourse event '{event}' (neither handled nor in the list "
                "of ignored events)"
            ).format(header=EVENT_HEADER, event=event)
        )
    return handler(payload)
