"""Posts.xml: questions and answers, the post index, and accepted answers.

While Posts.xml streams by, :class:`PostIndex` keeps a small record per post (its author's
account key, post type, community-wiki flag and parent question) so the votes, comments and
edits that follow can name the post's owner without reading Posts.xml again. That is the only
part of a dump held in memory besides the pending acceptances (one per question with an
accepted answer).

- ``PostTypeId`` 1 is ``question.asked`` (target: the question itself);
- ``PostTypeId`` 2 is ``answer.posted`` (target: the question; target owner: the asker);
- other post types (tag wikis and their excerpts, moderator nominations, privilege wikis) are
  indexed, so votes and edits on them find their owner, but are not activities themselves.
  conlang-meta-2020 has 8 of them (4 tag wikis, 4 excerpts), bicycles-meta-2023 22.

Each question with an ``AcceptedAnswerId`` also gives one ``answer.accepted`` (source id
``accept:<answer id>``), emitted after Votes.xml: its time is the accept vote's date (votes
carry only the day, so never earlier than the answer itself), else the answer's creation time.
(Dumps list posts by id, so an answer follows its question; an answer listed before its question
is not seen as accepted when read, and its acceptance falls back to the vote's or the question's
time.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from hearth.connectors.stackexchange.naming import DELETED, PLATFORM, Naming, author_key
from hearth.connectors.stackexchange.rows import Row
from hearth.domain.activity import ActivityIn

QUESTION = 1
ANSWER = 2
POST_TYPES = {
    1: "question",
    2: "answer",
    3: "orphaned_tag_wiki",
    4: "tag_wiki_excerpt",
    5: "tag_wiki",
    6: "moderator_nomination",
    7: "wiki_placeholder",
    8: "privilege_wiki",
}
_ANGLE_TAGS = re.compile(r"<([^<>]+)>")


class PostInfo(NamedTuple):
    """What the index keeps about one post."""

    owner: str
    post_type: int
    community_wiki: bool
    parent_id: int | None


@dataclass(slots=True)
class _Acceptance:
    question_id: int
    asker: str
    question_created: datetime
    answer_created: datetime | None = None
    voted: datetime | None = None


def parse_tags(value: str | None) -> list[str]:
    """Tags from ``<a><b>`` (older dumps) or ``|a|b|`` (newer dumps) form."""
    if not value:
        return []
    if value.startswith("<"):
        return _ANGLE_TAGS.findall(value)
    return [tag for tag in value.split("|") if tag]


def without_none(properties: dict[str, Any]) -> dict[str, Any]:
    """``properties`` without the keys whose value is unknown."""
    return {key: value for key, value in properties.items() if value is not None}


class PostIndex:
    """Posts seen so far, and the questions' accepted answers awaiting their time."""

    def __init__(self, naming: Naming) -> None:
        self.naming = naming
        self._posts: dict[int, PostInfo] = {}
        self._accepted: dict[int, _Acceptance] = {}

    def __len__(self) -> int:
        return len(self._posts)

    def get(self, post_id: int) -> PostInfo | None:
        """The indexed post ``post_id``, or ``None`` when the dump does not hold it."""
        return self._posts.get(post_id)

    def owner(self, post_id: int) -> str | None:
        """The account key of the author of ``post_id``, when the post is in the dump."""
        info = self._posts.get(post_id)
        return info.owner if info is not None else None

    def read_post(self, row: Row) -> ActivityIn | None:
        """Index the Posts.xml ``row``; its activity, or ``None`` for other post types."""
        post_id = row.required_integer("Id")
        post_type = row.required_integer("PostTypeId")
        created = row.date("CreationDate")
        owner = author_key(row.integer("OwnerUserId"), row.text("OwnerDisplayName"))
        community_wiki = row.text("CommunityOwnedDate") is not None
        parent_id = row.integer("ParentId", required=post_type == ANSWER)
        accepted_id = row.integer("AcceptedAnswerId")
        counts = {
            "score": row.integer("Score"),
            "comment_count": row.integer("CommentCount"),
        }
        if post_type == QUESTION:
            counts |= {
                "views": row.integer("ViewCount"),
                "answer_count": row.integer("AnswerCount"),
                "favorite_count": row.integer("FavoriteCount"),
            }
        self._posts[post_id] = PostInfo(owner, post_type, community_wiki, parent_id)
        if post_type == QUESTION:
            if accepted_id is not None:
                self._accepted[accepted_id] = _Acceptance(post_id, owner, created)
            return ActivityIn(
                platform=PLATFORM,
                source_id=self.naming.source_id("post", post_id),
                kind="question.asked",
                occurred_at=created,
                actor=self.naming.identity(owner),
                target_type="post",
                target_id=self.naming.post(post_id),
                properties=without_none(
                    {
                        "post_id": post_id,
                        **counts,
                        "tags": parse_tags(row.text("Tags")),
                        "title": row.text("Title"),
                        "community_wiki": community_wiki,
                        "accepted_answer_id": accepted_id,
                        "closed": row.text("ClosedDate") is not None,
                    }
                ),
            )
        if post_type == ANSWER:
            assert parent_id is not None
            pending = self._accepted.get(post_id)
            if pending is not None:
                pending.answer_created = created
            return ActivityIn(
                platform=PLATFORM,
                source_id=self.naming.source_id("post", post_id),
                kind="answer.posted",
                occurred_at=created,
                actor=self.naming.identity(owner),
                target_type="post",
                target_id=self.naming.post(parent_id),
                target_owner=self.naming.identity(self.owner(parent_id)),
                properties=without_none(
                    {
                        "post_id": post_id,
                        "question_id": parent_id,
                        **counts,
                        "community_wiki": community_wiki,
                    }
                ),
            )
        return None

    def note_accept_vote(self, answer_id: int, when: datetime) -> None:
        """Record the date of an accept vote (``VoteTypeId`` 1) on ``answer_id``."""
        pending = self._accepted.get(answer_id)
        if pending is not None and (pending.voted is None or when > pending.voted):
            pending.voted = when

    def acceptances(self) -> Iterator[ActivityIn]:
        """One ``answer.accepted`` per question with an accepted answer, in question order."""
        for answer_id, pending in self._accepted.items():
            answerer = self.owner(answer_id)
            when = pending.voted or pending.answer_created or pending.question_created
            if pending.voted and pending.answer_created:
                when = max(pending.voted, pending.answer_created)
            # The bare stand-in is every unnamed deleted account, so it proves nothing.
            self_accept = answerer == pending.asker and pending.asker != DELETED
            yield ActivityIn(
                platform=PLATFORM,
                source_id=self.naming.source_id("accept", answer_id),
                kind="answer.accepted",
                occurred_at=when,
                actor=self.naming.identity(pending.asker),
                target_type="post",
                target_id=self.naming.post(answer_id),
                target_owner=self.naming.identity(answerer),
                properties={
                    "question_id": pending.question_id,
                    "self_accept": self_accept,
                },
            )
