"""One Discourse topic file (``/t/<id>.json``) as ledger records.

:func:`parse_topic` takes the decoded JSON of a topic and yields, in order:

- ``thread.started`` for the topic (the opening post's likes and author flags included);
- ``thread.replied`` for every later post that is part of the conversation (small actions and
  whispers are counted on ``thread.started`` as ``small_action_posts`` / ``whisper_posts``);
- ``thread.solved`` when the Solved plugin marks an accepted answer: the post whose
  ``accepted_answer`` is true, else the topic's ``accepted_answer.post_number``.

A bad topic (no ``id``, ``created_at`` or ``post_stream.posts``) is one :class:`RecordError`; a
bad post is a :class:`RecordError` and the topic's other posts are kept.

Discourse's topic JSON lists every post id in ``post_stream.stream`` but includes only the first
chunk of posts (about 20) in ``post_stream.posts``. Posts that are listed but not included are
counted as ``posts_missing`` on ``thread.started`` and reported in :class:`ArchiveStats`; the
posts that are included are imported, so importing a complete file later adds the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hearth.connectors.discourse.fields import Obj
from hearth.connectors.discourse.mapping import (
    SMALL_ACTION,
    WHISPER,
    is_conversation,
    is_private,
    post_author,
    post_properties,
    thread_replied,
    thread_solved,
    thread_started,
    topic_creator,
    topic_properties,
    user_identity,
)
from hearth.domain.activity import ActivityIn, IdentityRef
from hearth.errors import RecordError
from hearth.i18n import _

Parsed = ActivityIn | RecordError


@dataclass(frozen=True, slots=True)
class IncompleteTopic:
    """A topic whose file holds only part of its post stream."""

    topic_id: int
    source: str
    posts_in_file: int
    posts_in_stream: int


@dataclass
class ArchiveStats:
    """What an archive held, beyond the records: for the import's closing report."""

    files: int = 0
    topics: int = 0
    private_messages: int = 0
    incomplete: list[IncompleteTopic] = field(default_factory=list)

    @property
    def complete(self) -> int:
        return self.topics - len(self.incomplete)


@dataclass
class _Topic:
    """A topic being parsed: its id, creator and its good posts by number (in file order)."""

    obj: Obj
    topic_id: int
    created_at: datetime
    by_number: dict[int, Obj]
    creator: IdentityRef | None = None


def parse_topic(data: Any, *, source: str, stats: ArchiveStats | None = None) -> Iterator[Parsed]:
    """The records of one topic's JSON (see the module docstring)."""
    stats = stats if stats is not None else ArchiveStats()
    if not isinstance(data, dict):
        yield RecordError(_("expected a JSON object (a Discourse topic)"), source=source)
        return
    errors: list[RecordError] = []
    try:
        topic = _read_topic(Obj(data, source=source), errors)
    except RecordError as error:
        yield error
        return
    if is_private(topic.obj):
        stats.private_messages += 1
        return
    stats.topics += 1
    yield from errors
    # Every field read below was checked by _read_topic: nothing here raises.
    opening = topic.by_number.get(1)
    topic.creator = topic_creator(topic.obj, opening)
    yield from _started(topic, opening, _missing_posts(topic, stats))
    for number, post in topic.by_number.items():
        if number != 1 and is_conversation(post):
            yield thread_replied(
                post,
                topic_id=topic.topic_id,
                topic_owner=topic.creator,
                replied_to=_replied_to(post, topic),
            )
    yield from _solved(topic)


def _read_topic(obj: Obj, errors: list[RecordError]) -> _Topic:
    """The topic with its good posts; a bad post is appended to ``errors``, a bad topic raises.

    Every field the mapping reads is read here once, so that a badly typed value rejects its
    own post (or, for a topic field, the topic) and nothing else.
    """
    topic_id = obj.required_integer("id")
    obj = obj.where(_("topic {id}").format(id=topic_id))
    created_at = obj.date("created_at")
    obj.text("archetype")
    topic_properties(obj)
    topic_creator(obj, None)
    obj.optional_date("last_posted_at")
    summary = obj.child("accepted_answer")
    if summary is not None:
        summary.integer("post_number")
        summary.text("username")
    stream = obj.required_child("post_stream")
    stream.values("stream")
    by_number: dict[int, Obj] = {}
    for entry in stream.children("posts", required=True):
        if isinstance(entry, RecordError):
            errors.append(entry)
            continue
        try:
            post_id = entry.required_integer("id")
            post = entry.where(_("topic {id}, post {post}").format(id=topic_id, post=post_id))
            number = post.required_integer("post_number")
            _check_post(post)
        except RecordError as error:
            errors.append(error)
            continue
        if number in by_number:
            errors.append(
                post.error("post_number", _("post number {n} appears twice").format(n=number))
            )
            continue
        by_number[number] = post
    return _Topic(obj, topic_id, created_at, by_number)


def _check_post(post: Obj) -> None:
    """Read every field of ``post`` that the mapping reads (raises on a bad one)."""
    post.date("created_at")
    post_author(post)
    post_properties(post)
    post.flag("accepted_answer")
    post.integer("reply_to_post_number")
    reply_to_user = post.child("reply_to_user")
    if reply_to_user is not None:
        reply_to_user.text("username")


def _missing_posts(topic: _Topic, stats: ArchiveStats) -> int:
    """How many posts the stream lists that the file does not include (and note the topic)."""
    stream = topic.obj.required_child("post_stream").values("stream")
    included = {post.data.get("id") for post in topic.by_number.values()}
    missing = len({str(post_id) for post_id in stream} - {str(i) for i in included})
    if missing:
        stats.incomplete.append(
            IncompleteTopic(topic.topic_id, topic.obj.source or "", len(included), len(stream))
        )
    return missing


def _started(topic: _Topic, opening: Obj | None, missing: int) -> Iterator[Parsed]:
    if topic.creator is None:
        yield topic.obj.error(
            "details.created_by",
            _("the topic names no creator and its first post is not in the file"),
        )
        return
    properties = topic_properties(topic.obj)
    post_types = [post.integer("post_type") for post in topic.by_number.values()]
    for name, post_type in (("small_action_posts", SMALL_ACTION), ("whisper_posts", WHISPER)):
        if post_types.count(post_type):
            properties[name] = post_types.count(post_type)
    if missing:
        properties["posts_missing"] = missing
    yield thread_started(topic.topic_id, topic.created_at, topic.creator, properties, opening)


def _replied_to(post: Obj, topic: _Topic) -> IdentityRef | None:
    number = post.integer("reply_to_post_number")
    replied = topic.by_number.get(number) if number is not None else None
    return post_author(replied) if replied is not None else None


def _solved(topic: _Topic) -> Iterator[Parsed]:
    """``thread.solved`` when the topic has an accepted answer."""
    accepted = next((p for p in topic.by_number.values() if p.flag("accepted_answer")), None)
    summary = topic.obj.child("accepted_answer")
    if accepted is None and summary is not None:
        number = summary.integer("post_number")
        accepted = topic.by_number.get(number) if number is not None else None
        if accepted is None:  # the accepted post is beyond the file's chunk of the stream
            yield thread_solved(
                topic.topic_id,
                topic.obj.optional_date("last_posted_at") or topic.created_at,
                creator=topic.creator,
                helper=_participant(topic.obj, summary.text("username")),
                post_number=number,
            )
            return
    if accepted is not None:
        yield thread_solved(
            topic.topic_id,
            accepted.date("created_at"),
            creator=topic.creator,
            helper=post_author(accepted),
            post_number=accepted.integer("post_number"),
            post_id=accepted.integer("id"),
        )


def _participant(topic: Obj, username: str | None) -> IdentityRef | None:
    """The identity of ``username`` from the topic's ``details.participants``, if listed.

    Participants whose entries are malformed are passed over: this is a best-effort lookup.
    """
    details = topic.data.get("details")
    participants = details.get("participants") if isinstance(details, dict) else None
    if not username or not isinstance(participants, list):
        return None
    for entry in participants:
        if not isinstance(entry, dict) or entry.get("username") != username:
            continue
        user_id, name = entry.get("id"), entry.get("name")
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            return user_identity(user_id, username, name if isinstance(name, str) else None)
    return None
