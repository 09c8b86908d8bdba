"""Discourse topics and posts as ledger activities; shared by the importer and the webhook.

Accounts are identities on the ``discourse`` platform keyed by the forum's user id, with the
username as handle and the full name as display name. Ids below 1 are Discourse's own accounts
(``system`` is -1, ``discobot`` -2) and are flagged as bots. A post whose author's account is gone
(no user id) is credited to a stand-in ``deleted:<username>`` (or ``deleted``).

============== ======================= ==================================================
kind           source id               actor → target (owner)
============== ======================= ==================================================
thread.started ``topic:<topic id>``    topic creator → thread
thread.replied ``post:<post id>``      post author → thread (topic creator)
thread.solved  ``solved:<topic id>``   topic creator, when known → thread (accepted author)
reaction.added ``like:<post>:<user>``  liker → post (post author); webhook only
============== ======================= ==================================================

Small-action posts (post type 3: "closed", "split topic"...) and whispers (type 4) are not part
of the conversation and make no activity; :func:`is_conversation` says which posts do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hearth.connectors.discourse.fields import Obj
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import RecordError
from hearth.i18n import _

PLATFORM = "discourse"
REGULAR, MODERATOR_ACTION, SMALL_ACTION, WHISPER = 1, 2, 3, 4
LIKE_ACTION = 2
PRIVATE_MESSAGE = "private_message"
DELETED = "deleted"


def without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without the keys whose value is ``None``."""
    return {key: value for key, value in values.items() if value is not None}


def user_identity(user_id: int | None, username: str | None, name: str | None) -> IdentityRef:
    """The identity of a forum account (a stand-in when the account is gone)."""
    if user_id is None:
        external_id = f"{DELETED}:{username}" if username else DELETED
        return IdentityRef(PLATFORM, external_id, display_name=username or None)
    return IdentityRef(
        PLATFORM,
        str(user_id),
        handle=username or None,
        display_name=name or None,
        is_bot=user_id <= 0,
    )


def post_author(post: Obj) -> IdentityRef:
    """The author of a post (``user_id``, ``username``, ``name``)."""
    return user_identity(post.integer("user_id"), post.text("username"), post.text("name"))


def basic_user(user: Obj) -> IdentityRef:
    """The identity of a basic user object (``id``, ``username``, ``name``)."""
    return user_identity(user.integer("id"), user.text("username"), user.text("name"))


def topic_creator(topic: Obj, opening: Obj | None) -> IdentityRef | None:
    """Who started the topic: the opening post's author, else what the topic says."""
    if opening is not None:
        return post_author(opening)
    details = topic.child("details")
    created_by = topic.child("created_by") or (details.child("created_by") if details else None)
    if created_by is not None:
        return basic_user(created_by)
    user_id = topic.integer("user_id")
    return user_identity(user_id, None, None) if user_id is not None else None


def is_private(obj: Obj, field: str = "archetype") -> bool:
    return obj.text(field) == PRIVATE_MESSAGE


def is_conversation(post: Obj) -> bool:
    """Whether ``post`` is part of the conversation (not a small action or a whisper)."""
    return post.integer("post_type") not in (SMALL_ACTION, WHISPER)


def like_count(post: Obj) -> int | None:
    """Likes the post received (``actions_summary`` id 2); None when the payload has no summary."""
    if "actions_summary" not in post.data:
        return None
    total = 0
    for action in post.children("actions_summary"):
        if isinstance(action, RecordError):
            raise action
        if action.integer("id") == LIKE_ACTION:
            total += action.integer("count") or 0
    return total


def tag_names(topic: Obj) -> list[str] | None:
    """The topic's tags: strings, or objects with a ``name`` (newer Discourse); None if absent."""
    if "tags" not in topic.data:
        return None
    names: list[str] = []
    for tag in topic.values("tags"):
        if isinstance(tag, Mapping) and isinstance(tag.get("name"), str):
            names.append(tag["name"])
        elif isinstance(tag, str):
            names.append(tag)
        else:
            raise topic.error("tags", _("expected a list of tag names"))
    return names


def topic_properties(topic: Obj) -> dict[str, Any]:
    """The properties of ``thread.started`` that describe the topic as a whole."""
    return without_none(
        {
            "title": topic.text("title"),
            "slug": topic.text("slug"),
            "tags": tag_names(topic),
            "category_id": topic.integer("category_id"),
            "views": topic.integer("views"),
            "posts_count": topic.integer("posts_count"),
            "topic_like_count": topic.integer("like_count"),
            "participant_count": topic.integer("participant_count"),
            "reply_count": topic.integer("reply_count"),
            "closed": topic.flag("closed"),
            "archived": topic.flag("archived"),
            "deleted": True if topic.has("deleted_at") else None,
        }
    )


def post_properties(post: Obj) -> dict[str, Any]:
    """What a post says about itself and its author (likes, trust level, staff flags)."""
    post_type = post.integer("post_type")
    return without_none(
        {
            "post_id": post.integer("id"),
            "post_number": post.integer("post_number"),
            "like_count": like_count(post),
            "trust_level": post.integer("trust_level"),
            "moderator": post.flag("moderator"),
            "admin": post.flag("admin"),
            "staff": post.flag("staff"),
            "moderator_action": True if post_type == MODERATOR_ACTION else None,
            "hidden": True if post.flag("hidden") else None,
            "deleted": True if post.has("deleted_at") else None,
            "user_deleted": True if post.flag("user_deleted") else None,
            "wiki": True if post.flag("wiki") else None,
        }
    )


def thread_started(
    topic_id: int,
    occurred_at: datetime,
    creator: IdentityRef,
    properties: Mapping[str, Any],
    opening: Obj | None,
) -> ActivityIn:
    """``thread.started``: ``properties`` from :func:`topic_properties`, plus the opening post's."""
    values = dict(properties)
    if opening is not None:
        values.update(post_properties(opening))
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"topic:{topic_id}",
        kind="thread.started",
        occurred_at=occurred_at,
        actor=creator,
        target_type="thread",
        target_id=str(topic_id),
        properties=values,
    )


def thread_replied(
    post: Obj,
    *,
    topic_id: int,
    topic_owner: IdentityRef | None,
    replied_to: IdentityRef | None = None,
) -> ActivityIn:
    """``thread.replied`` for a post after the first; ``replied_to`` when the caller knows it."""
    post_id = post.required_integer("id")
    values = post_properties(post)
    values["accepted_answer"] = bool(post.flag("accepted_answer"))
    reply_to_user = post.child("reply_to_user")
    username = reply_to_user.text("username") if reply_to_user is not None else None
    if replied_to is not None:
        username = username or replied_to.handle
    values.update(
        without_none(
            {
                "reply_to_post_number": post.integer("reply_to_post_number"),
                "reply_to_user": username,
                "reply_to_user_id": replied_to.external_id if replied_to is not None else None,
            }
        )
    )
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"post:{post_id}",
        kind="thread.replied",
        occurred_at=post.date("created_at"),
        actor=post_author(post),
        target_type="thread",
        target_id=str(topic_id),
        target_owner=topic_owner,
        properties=values,
    )


def thread_solved(
    topic_id: int,
    occurred_at: datetime,
    *,
    creator: IdentityRef | None,
    helper: IdentityRef | None,
    post_number: int | None,
    post_id: int | None = None,
) -> ActivityIn:
    """``thread.solved``: ``helper`` wrote the accepted answer, ``creator`` started the topic."""
    self_accepted = None
    if creator is not None and helper is not None:
        self_accepted = creator.external_id == helper.external_id
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"solved:{topic_id}",
        kind="thread.solved",
        occurred_at=occurred_at,
        actor=creator,
        target_type="thread",
        target_id=str(topic_id),
        target_owner=helper,
        properties=without_none(
            {"post_number": post_number, "post_id": post_id, "self_accepted": self_accepted}
        ),
    )


def post_liked(post: Obj, liker: IdentityRef, occurred_at: datetime) -> ActivityIn:
    """``reaction.added``: ``liker`` liked ``post`` (one like per user and post)."""
    post_id = post.required_integer("id")
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"like:{post_id}:{liker.external_id}",
        kind="reaction.added",
        occurred_at=occurred_at,
        actor=liker,
        target_type="post",
        target_id=str(post_id),
        target_owner=post_author(post),
        properties=without_none(
            {
                "emoji": "like",
                "topic_id": post.integer("topic_id"),
                "post_number": post.integer("post_number"),
            }
        ),
    )
