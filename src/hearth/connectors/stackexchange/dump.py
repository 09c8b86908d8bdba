"""A Stack Exchange data-dump folder, streamed into ledger records.

:func:`parse_dump` reads the dump's files in this order, each in bounded memory
(:mod:`~hearth.connectors.stackexchange.rows`), and yields an :class:`ActivityIn` per record or
a :class:`RecordError` per bad record (the good records around it are kept):

============== ===================== ==========================================================
file           kind                  notes
============== ===================== ==========================================================
Users.xml      ``member.joined``     required; user ``-1`` (Community) is a bot
Posts.xml      ``question.asked``,   required; see :mod:`~hearth.connectors.stackexchange.posts`
               ``answer.posted``
Votes.xml      ``vote.cast``         every row; the voter only when the dump names one
(after Votes)  ``answer.accepted``   one per question with an accepted answer
Comments.xml   ``comment.posted``
Badges.xml     ``badge.awarded``
PostHistory    ``post.edited``       edits of title, body, tags (4-6) and rollbacks (7-9) only
============== ===================== ==========================================================

A missing Users.xml or Posts.xml is reported as a bad record and the other files are still read;
the other files are optional. Files not listed (Tags.xml, PostLinks.xml) are not read.
PostHistory rows of other types are skipped on purpose: 1-3 are a post's initial revision
(already ``question.asked``/``answer.posted``), the rest are closures, locks, migrations and
other moderation events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from hearth.connectors.stackexchange.naming import PLATFORM, Naming, author_key
from hearth.connectors.stackexchange.posts import POST_TYPES, PostIndex, without_none
from hearth.connectors.stackexchange.rows import Row, read_rows
from hearth.domain.activity import ActivityIn
from hearth.errors import RecordError
from hearth.i18n import _

Parsed = ActivityIn | RecordError
RowMapper = Callable[[Row], ActivityIn | None]

VOTE_TYPES = {
    1: "accept",
    2: "up",
    3: "down",
    4: "offensive",
    5: "favorite",
    6: "close",
    7: "reopen",
    8: "bounty_start",
    9: "bounty_close",
    10: "deletion",
    11: "undeletion",
    12: "spam",
    15: "moderator_review",
    16: "approve_edit",
}
ACCEPT_VOTE = 1
BADGE_CLASSES = {1: "gold", 2: "silver", 3: "bronze"}
EDIT_TYPES = {
    4: "title",
    5: "body",
    6: "tags",
    7: "rollback_title",
    8: "rollback_body",
    9: "rollback_tags",
}


def parse_dump(folder: Path, *, site: str | None = None) -> Iterator[Parsed]:
    """The ledger records of the dump in ``folder``, streamed (see the module docstring).

    ``site`` (e.g. ``"bicycles.meta"``) prefixes every source id and user id, for ledgers that
    hold more than one site; without it the dump's own ids are used.
    """
    naming = Naming(site)
    posts = PostIndex(naming)
    yield from _table(folder / "Users.xml", lambda row: _user(row, naming), required=True)
    yield from _table(folder / "Posts.xml", posts.read_post, required=True)
    yield from _table(folder / "Votes.xml", lambda row: _vote(row, posts))
    yield from posts.acceptances()
    yield from _table(folder / "Comments.xml", lambda row: _comment(row, posts))
    yield from _table(folder / "Badges.xml", lambda row: _badge(row, naming))
    yield from _table(folder / "PostHistory.xml", lambda row: _edit(row, posts))


def _table(path: Path, mapper: RowMapper, *, required: bool = False) -> Iterator[Parsed]:
    """The records of one dump file: each row mapped, bad rows as :class:`RecordError`."""
    if not path.is_file():
        if required:
            yield RecordError(
                _("this file is missing; a data dump has Users.xml and Posts.xml"),
                source=str(path),
            )
        return
    for row in read_rows(path):
        if isinstance(row, RecordError):
            yield row
            continue
        try:
            activity = mapper(row)
        except RecordError as error:
            yield error
            continue
        if activity is not None:
            yield activity


def _user(row: Row, naming: Naming) -> ActivityIn:
    user_id = row.required_integer("Id")
    created = row.date("CreationDate")
    display_name = row.text("DisplayName")
    return ActivityIn(
        platform=PLATFORM,
        source_id=naming.source_id("user", user_id),
        kind="member.joined",
        occurred_at=created,
        actor=naming.identity(author_key(user_id, None), display_name or None),
        properties=without_none(
            {
                "about_me_set": bool(row.text("AboutMe")),
                "location_set": bool(row.text("Location")),
                "website_set": bool(row.text("WebsiteUrl")),
                "profile_views": row.integer("Views"),
                "reputation": row.integer("Reputation"),
                "up_votes": row.integer("UpVotes"),
                "down_votes": row.integer("DownVotes"),
                "account_id": row.integer("AccountId"),
            }
        ),
    )


def _vote(row: Row, posts: PostIndex) -> ActivityIn:
    naming = posts.naming
    vote_id = row.required_integer("Id")
    post_id = row.required_integer("PostId")
    vote_type = row.required_integer("VoteTypeId")
    when = row.date("CreationDate")
    voter = row.integer("UserId")
    bounty = row.integer("BountyAmount")
    post = posts.get(post_id)
    if vote_type == ACCEPT_VOTE:
        posts.note_accept_vote(post_id, when)
    return ActivityIn(
        platform=PLATFORM,
        source_id=naming.source_id("vote", vote_id),
        kind="vote.cast",
        occurred_at=when,
        actor=naming.identity(author_key(voter, None) if voter is not None else None),
        target_type="post",
        target_id=naming.post(post_id),
        target_owner=naming.identity(post.owner if post is not None else None),
        properties=without_none(
            {
                "vote_type": VOTE_TYPES.get(vote_type, "other"),
                "vote_type_id": vote_type,
                "bounty_amount": bounty,
                "post_type": POST_TYPES.get(post.post_type, "other") if post else None,
                "community_wiki": post.community_wiki if post else None,
            }
        ),
    )


def _comment(row: Row, posts: PostIndex) -> ActivityIn:
    naming = posts.naming
    comment_id = row.required_integer("Id")
    post_id = row.required_integer("PostId")
    when = row.date("CreationDate")
    author = author_key(row.integer("UserId"), row.text("UserDisplayName"))
    return ActivityIn(
        platform=PLATFORM,
        source_id=naming.source_id("comment", comment_id),
        kind="comment.posted",
        occurred_at=when,
        actor=naming.identity(author),
        target_type="post",
        target_id=naming.post(post_id),
        target_owner=naming.identity(posts.owner(post_id)),
        properties=without_none({"score": row.integer("Score")}),
    )


def _badge(row: Row, naming: Naming) -> ActivityIn:
    badge_id = row.required_integer("Id")
    user_id = row.required_integer("UserId")
    name = row.text("Name", required=True)
    when = row.date("Date")
    badge_class = row.integer("Class")
    if badge_class is not None and badge_class not in BADGE_CLASSES:
        raise row.error(
            "Class",
            _("expected 1 (gold), 2 (silver) or 3 (bronze), not {value}").format(value=badge_class),
        )
    return ActivityIn(
        platform=PLATFORM,
        source_id=naming.source_id("badge", badge_id),
        kind="badge.awarded",
        occurred_at=when,
        actor=naming.identity(author_key(user_id, None)),
        target_type="badge",
        target_id=name,
        properties=without_none(
            {
                "name": name,
                "class": BADGE_CLASSES.get(badge_class) if badge_class is not None else None,
                "tag_based": row.flag("TagBased"),
            }
        ),
    )


def _edit(row: Row, posts: PostIndex) -> ActivityIn | None:
    history_type = row.required_integer("PostHistoryTypeId")
    edit = EDIT_TYPES.get(history_type)
    if edit is None:
        return None
    naming = posts.naming
    history_id = row.required_integer("Id")
    post_id = row.required_integer("PostId")
    when = row.date("CreationDate")
    editor = author_key(row.integer("UserId"), row.text("UserDisplayName"))
    return ActivityIn(
        platform=PLATFORM,
        source_id=naming.source_id("history", history_id),
        kind="post.edited",
        occurred_at=when,
        actor=naming.identity(editor),
        target_type="post",
        target_id=naming.post(post_id),
        target_owner=naming.identity(posts.owner(post_id)),
        properties=without_none(
            {
                "history_type_id": history_type,
                "edit": edit,
                "revision": row.text("RevisionGUID"),
            }
        ),
    )
