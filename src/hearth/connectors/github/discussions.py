"""GitHub Discussions as ledger activities, shared by the webhook handler and the backfill.

The builders read the webhook's ``discussion`` and ``comment`` objects;
:mod:`~hearth.connectors.github.graphql` turns GraphQL answers into the same shape, so a live
event and the history import of the same discussion give the same source ids:

===================== ========================================= ===========================
kind                  source id                                 time
===================== ========================================= ===========================
``thread.started``    ``discussion:<repo>#<n>:started``         ``created_at``
``thread.replied``    ``discussion-comment:<id>``               the comment's ``created_at``
``thread.solved``     ``discussion:<repo>#<n>:answer:<id>``     ``answer_chosen_at``
===================== ========================================= ===========================

The target type is ``discussion`` and the target id ``owner/name#<n>`` (lowercased). The
target owner of ``thread.solved`` is the answer's author: the helper credited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hearth.connectors.github.fields import (
    PLATFORM,
    Json,
    integer,
    label_names,
    optional_text,
    optional_user,
    timestamp,
    user,
    wrong,
)
from hearth.connectors.github.mapping import item_key, props_without_none
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.i18n import _


def _discussion_props(repo: str, discussion: Json, number: int) -> dict[str, Any]:
    category = discussion.get("category")
    category = category if isinstance(category, Mapping) else {}
    labels = label_names(discussion)
    answerable = category.get("is_answerable")
    return props_without_none(
        repository=repo,
        number=number,
        title=optional_text(discussion, "title"),
        category=optional_text(category, "name"),
        answerable=answerable if isinstance(answerable, bool) else None,
        labels=labels,
        url=optional_text(discussion, "html_url"),
    )


def discussion_started(repo: str, discussion: Json, where: str = "discussion") -> ActivityIn:
    """``thread.started`` (target type ``discussion``), by the discussion's author."""
    number = integer(discussion, "number", where)
    key = item_key(repo, number)
    author = user(discussion, "user", where)
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"discussion:{key}:started",
        kind="thread.started",
        occurred_at=timestamp(discussion, "created_at", where),
        actor=author,
        target_type="discussion",
        target_id=key,
        target_owner=author,
        properties=_discussion_props(repo, discussion, number),
    )


def discussion_reply(
    repo: str,
    discussion: Json,
    comment: Json,
    where: str = "discussion",
    where_comment: str = "comment",
) -> ActivityIn:
    """``thread.replied``: a comment (or a reply to one) in a discussion."""
    number = integer(discussion, "number", where)
    key = item_key(repo, number)
    comment_id = integer(comment, "id", where_comment)
    parent = comment.get("parent_id")
    author = user(comment, "user", where_comment)
    owner = user(discussion, "user", where)
    props = _discussion_props(repo, discussion, number)
    props.update(
        props_without_none(
            reply_to=f"discussion-comment:{parent}" if isinstance(parent, int) else None,
            self_reply=author.external_id == owner.external_id,
            url=optional_text(comment, "html_url"),
        )
    )
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"discussion-comment:{comment_id}",
        kind="thread.replied",
        occurred_at=timestamp(comment, "created_at", where_comment),
        actor=author,
        target_type="discussion",
        target_id=key,
        target_owner=owner,
        properties=props,
    )


def discussion_solved(
    repo: str,
    discussion: Json,
    answer: Json,
    chosen_by: IdentityRef | None,
    where: str = "discussion",
    where_answer: str = "answer",
) -> ActivityIn:
    """``thread.solved``: the target owner is the answer's author (the helper credited).

    The actor is ``answer_chosen_by`` (or ``chosen_by``, the webhook's sender, without it).
    """
    number = integer(discussion, "number", where)
    key = item_key(repo, number)
    answer_id = integer(answer, "id", where_answer)
    helper = user(answer, "user", where_answer)
    chooser = optional_user(discussion, "answer_chosen_by", where) or chosen_by
    if chooser is None:
        raise wrong(where, "answer_chosen_by", _("the user who chose the answer"), None)
    asker = user(discussion, "user", where)
    props = _discussion_props(repo, discussion, number)
    props.update(
        answer_id=f"discussion-comment:{answer_id}",
        self_answer=helper.external_id == asker.external_id,
    )
    return ActivityIn(
        platform=PLATFORM,
        source_id=f"discussion:{key}:answer:{answer_id}",
        kind="thread.solved",
        occurred_at=timestamp(discussion, "answer_chosen_at", where),
        actor=chooser,
        target_type="discussion",
        target_id=key,
        target_owner=helper,
        properties=props,
    )
