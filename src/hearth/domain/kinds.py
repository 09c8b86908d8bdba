"""The registered vocabulary of activity kinds.

Every activity names a kind from this registry. Built-in kinds are registered below with the
same :func:`register_kind` that extensions use; ``docs/activities.md`` is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ActivityKind:
    """A documented kind of activity."""

    name: str
    description: str
    target: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    needs_actor: bool = True
    contribution: bool = False

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]


_REGISTRY: dict[str, ActivityKind] = {}


def register_kind(kind: ActivityKind) -> ActivityKind:
    """Add ``kind`` to the vocabulary; registering a different kind under a taken name fails."""
    existing = _REGISTRY.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"activity kind '{kind.name}' is already registered differently")
    _REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> ActivityKind | None:
    return _REGISTRY.get(name)


def all_kinds() -> list[ActivityKind]:
    return sorted(_REGISTRY.values(), key=lambda k: k.name)


def _kind(name: str, description: str, target: str | None = None, **kw: object) -> None:
    register_kind(ActivityKind(name, description, target, **kw))  # type: ignore[arg-type]


_AUTHOR_FLAGS = {
    "trust_level": "author's trust level when fetched (int)",
    "staff": "author is staff (bool)",
    "moderator": "author is a moderator (bool)",
    "admin": "author is an administrator (bool)",
    "hidden": "hidden by moderation (bool)",
    "wiki": "wiki post (bool)",
}

# -- members -------------------------------------------------------------------------------
_kind(
    "member.joined",
    "The member joined the community or created an account on a platform.",
    properties={
        "about_me_set": "whether the profile has an about-me text (bool)",
        "location_set": "whether the profile has a location (bool)",
        "website_set": "whether the profile has a website (bool)",
        "profile_views": "profile view count reported by the platform (int)",
        "reputation": "reputation the platform reports (int; on Stack Exchange meta sites it "
        "mirrors the parent site)",
        "up_votes": "up-votes the member cast, as the platform reports (int)",
        "down_votes": "down-votes the member cast, as the platform reports (int)",
        "account_id": "the platform's network-wide account id",
        "channel": "channel of the join notice (Discord)",
    },
)
_kind("member.left", "The member left the community or a platform server.")
_kind(
    "member.introduced",
    "The member introduced themselves (onboarding funnel step).",
    properties={"channel": "where (Discord: the playbook's introductions channel)"},
)
_kind(
    "member.role_picked",
    "The member picked a role (onboarding funnel step).",
    properties={"role": "the role's name", "menu": "the role menu's key (Discord)"},
)
_kind("member.profile_updated", "The member changed their profile.")
# -- conversation --------------------------------------------------------------------------
_kind(
    "message.posted",
    "A chat message or forum post in a channel or thread.",
    "channel",
    properties={
        "channel": "channel name",
        "category": "channel category",
        "length": "characters (int); the text itself is not stored",
        "reply_to": "source id of the message replied to",
        "attachment_count": "attachments (int)",
        "attachments": "attachment URLs",
        "reactions": "reaction counts {emoji: count}",
        "mentions": "mentions (int)",
        "pinned": "pinned (bool)",
        "edited": "edited (bool)",
        "message_type": "the platform's message type when not a plain message",
    },
)
_kind(
    "message.edited",
    "A message was edited.",
    "message",
    properties={"channel": "channel name", "length": "characters after the edit (int)"},
)
_kind(
    "message.deleted",
    "A message was deleted; the target owner is its author when known (not who deleted it).",
    "message",
    properties={"channel": "channel name"},
    needs_actor=False,
)
_kind(
    "reaction.added",
    "A reaction (emoji, like) on someone's content; the target owner is its author.",
    "message",
    properties={
        "emoji": "the reaction",
        "channel": "channel name",
        "topic_id": "forum topic id",
        "post_number": "position in the topic (int)",
    },
)
_kind(
    "thread.started",
    "A discussion thread or forum topic was started.",
    "thread",
    properties={
        "title": "thread title",
        "tags": "list of tags",
        "views": "view count (int)",
        "channel": "channel name (Discord)",
        "length": "characters of the opening post (int; Discord forum posts)",
        "category_id": "forum category id",
        "slug": "URL slug",
        "posts_count": "posts the platform counts (int)",
        "topic_like_count": "likes on the whole topic (int)",
        "like_count": "likes on the opening post (int)",
        "participant_count": "participants the platform counts (int)",
        "reply_count": "replies (int)",
        "closed": "closed (bool)",
        "archived": "archived (bool)",
        "deleted": "deleted (bool)",
        "post_id": "id of the opening post",
        "post_number": "position of the opening post (int)",
        "small_action_posts": "moderator small-action posts, not imported (int)",
        "whisper_posts": "staff whispers, not imported (int)",
        "posts_missing": "posts listed but absent from the file (int)",
        **_AUTHOR_FLAGS,
    },
)
_kind(
    "thread.replied",
    "A reply in a discussion thread or forum topic; the target owner is the thread's opener.",
    "thread",
    properties={
        "post_id": "post id",
        "post_number": "position in the thread (int)",
        "reply_to_post_number": "post replied to (int)",
        "reply_to_user": "handle replied to",
        "reply_to_user_id": "platform id replied to",
        "reply_to": "source id of the message replied to (Discord)",
        "channel": "the thread's parent channel or forum (Discord)",
        "thread": "the thread's title (Discord)",
        "length": "characters (int; Discord)",
        "attachment_count": "attachments (int; Discord)",
        "like_count": "likes received (int)",
        "accepted_answer": "this post is the accepted answer (bool)",
        "moderator_action": "a moderator action post (bool)",
        "deleted": "deleted (bool)",
        "user_deleted": "deleted by its author (bool)",
        **_AUTHOR_FLAGS,
    },
)
_kind(
    "thread.solved",
    "A thread was marked solved; the target owner is the helper credited, the actor (when "
    "known) whoever marked it.",
    "thread",
    properties={
        "post_id": "the solving post",
        "post_number": "its position (int)",
        "self_accepted": "the opener solved their own thread (bool)",
        "self_answer": "the opener answered their own discussion (bool)",
    },
    needs_actor=False,
)
_kind("thanks.given", "The actor thanked the target owner for help.", "member")
# -- Q&A -----------------------------------------------------------------------------------
_kind(
    "question.asked",
    "A question was asked on a Q&A site.",
    "post",
    properties={
        "post_id": "the post id",
        "title": "title",
        "score": "final score (int)",
        "views": "view count (int)",
        "tags": "list of tags",
        "community_wiki": "community-wiki post (bool)",
        "answer_count": "answers (int)",
        "comment_count": "comments (int)",
        "favorite_count": "favourites (int)",
        "accepted_answer_id": "id of the accepted answer",
        "closed": "whether the question is closed (bool)",
    },
)
_kind(
    "answer.posted",
    "An answer to a question; the target is the question, the target owner the asker.",
    "post",
    properties={
        "post_id": "the answer's id",
        "question_id": "id of the question",
        "score": "final score (int)",
        "community_wiki": "community-wiki post (bool)",
        "comment_count": "comments (int)",
    },
)
_kind(
    "answer.accepted",
    "An answer was accepted; the actor is the asker (when known), the target owner is the "
    "answer's author.",
    "post",
    properties={
        "question_id": "id of the question",
        "self_accept": "the asker accepted their own answer (bool)",
    },
    needs_actor=False,
)
_kind(
    "vote.cast",
    "A vote on a post; the actor is the voter when the platform discloses it, the target "
    "owner the post's author.",
    "post",
    properties={
        "vote_type": "up, down, accept, bounty_start, bounty_close, close, reopen, favorite, "
        "spam, offensive, deletion, undeletion, moderator_review, approve_edit, other",
        "vote_type_id": "the platform's vote type id (int)",
        "bounty_amount": "bounty amount (int), for bounty votes",
        "post_type": "question, answer, tag_wiki, tag_wiki_excerpt... (absent when the post is "
        "not in the dump)",
        "community_wiki": "whether the voted post is community wiki (bool)",
    },
    needs_actor=False,
)
_kind(
    "comment.posted",
    "A comment on a post; the target owner is the post's author.",
    "post",
    properties={"score": "comment score (int)"},
)
_kind(
    "post.edited",
    "A post was edited by the actor; the target owner is its author.",
    "post",
    properties={
        "history_type_id": "the platform's revision type id (int)",
        "edit": "title, body, tags, rollback_title, rollback_body or rollback_tags",
        "revision": "id of the save this edit belongs to (one save can edit several fields)",
    },
)
_kind(
    "badge.awarded",
    "The platform itself awarded a badge (recorded for reference).",
    "badge",
    properties={"name": "badge name", "class": "gold, silver or bronze", "tag_based": "bool"},
)
# -- code ----------------------------------------------------------------------------------
_GITHUB = {
    "repository": "owner/name",
    "number": "issue or pull request number (int)",
    "title": "title",
    "url": "web address",
    "labels": "list of labels",
    "severity": "severity taken from a label (low, medium, high, critical), when there is one",
}
_kind(
    "commit.authored",
    "A git commit, one activity per author and per co-author.",
    "commit",
    contribution=True,
    properties={
        "repository": "repository",
        "sha": "commit id",
        "co_author": "credited by a Co-authored-by trailer (bool)",
        "merge": "a merge commit (bool)",
        "committed_at": "commit date (the activity's time is the author date)",
        "files_changed": "files changed (int, with --stats)",
        "insertions": "lines added (int, with --stats)",
        "deletions": "lines removed (int, with --stats)",
        "github_login": "GitHub login from a no-reply address",
        "github_user_id": "GitHub user id from a no-reply address",
    },
)
_kind(
    "pr.opened", "A pull request was opened.", "pull_request", contribution=True, properties=_GITHUB
)
_kind(
    "pr.merged",
    "A pull request was merged; the actor is its author.",
    "pull_request",
    contribution=True,
    properties={"merged_by": "who merged it", **_GITHUB},
)
_kind(
    "pr.closed",
    "A pull request was closed without merging; the actor is its author.",
    "pull_request",
    properties={"closed_by": "who closed it", **_GITHUB},
)
_kind(
    "pr.reopened",
    "A closed pull request was reopened; the actor is its author.",
    "pull_request",
    properties={"reopened_by": "who reopened it", **_GITHUB},
)
_kind(
    "pr.reviewed",
    "A pull request review; the target owner is the pull request's author.",
    "pull_request",
    contribution=True,
    properties={
        "state": "approved, changes_requested or commented",
        "self_review": "the author reviewed their own pull request (bool)",
        **_GITHUB,
    },
)
_kind(
    "issue.opened",
    "An issue was opened.",
    "issue",
    contribution=True,
    properties=_GITHUB,
)
_kind(
    "issue.closed",
    "An issue was closed; the actor is its author.",
    "issue",
    properties={"closed_by": "who closed it", **_GITHUB},
)
_kind(
    "issue.reopened",
    "A closed issue was reopened; the actor is its author.",
    "issue",
    properties={"reopened_by": "who reopened it", **_GITHUB},
)
_kind(
    "issue.labeled",
    "A label was added to an issue (once per label and issue).",
    "issue",
    properties={"label": "the label added", **_GITHUB},
)
_kind(
    "issue.commented",
    "A comment on an issue or pull request; the target owner is its author.",
    "issue",
    properties={
        "is_pull_request": "the issue is a pull request (bool)",
        "review_comment": "a review comment on a diff line (bool)",
        "self_comment": "the author commented on their own issue (bool)",
        **_GITHUB,
    },
)
_kind(
    "release.published",
    "A release was published.",
    "release",
    properties={"tag": "the release tag", **_GITHUB},
)
_kind("repo.starred", "The member starred a repository.", "repository")
_kind("repo.forked", "The member forked a repository.", "repository")
_kind(
    "repo.member_added",
    "A collaborator was added to a repository; the target owner is the person added.",
    "repository",
)
# -- content and programs ------------------------------------------------------------------
_kind(
    "content.published",
    "A tutorial, blog post, video or talk.",
    "content",
    contribution=True,
    properties={"content_type": "tutorial, blog_post, video, talk...", "url": "link"},
)
_kind("project.shared", "The member shared a project (showcase).", "project")
_kind("event.attended", "The member attended an event.", "event")
_kind("ticket.opened", "A support ticket was opened.", "ticket")
_kind("ticket.closed", "A support ticket was closed.", "ticket")
_kind(
    "points.granted",
    "Staff granted or removed points by hand, with a reason; the target owner receives them.",
    "member",
    properties={"amount": "points (int)", "reason": "why"},
    needs_actor=False,
)
_kind(
    "member.banned",
    "A moderator banned the target owner (the case's member) from the community: until the "
    "ban ends they earn no points and are left out of leaderboards.",
    "member",
    properties={
        "until": "when a temporary ban ends (ISO 8601, UTC); missing or null: permanent",
        "case_id": "the moderation case",
    },
    needs_actor=False,
)
_kind(
    "member.unbanned",
    "A ban was lifted (by a moderator, an appeal, or because a temporary ban ended).",
    "member",
    properties={"case_id": "the moderation case"},
    needs_actor=False,
)
_kind(
    "achievement.awarded",
    "Staff awarded an achievement by hand, with a reason; the target owner receives it.",
    "member",
    properties={"achievement": "the achievement's key", "reason": "why"},
    needs_actor=False,
)
_kind(
    "achievement.revoked",
    "Staff took back an achievement awarded by mistake; the target owner loses it.",
    "member",
    properties={"achievement": "the achievement's key", "reason": "why"},
    needs_actor=False,
)
_kind(
    "tier.granted",
    "Staff granted a tier by hand (an invitation-only tier); the target owner holds it.",
    "member",
    properties={"tier": "the tier's key", "reason": "why"},
    needs_actor=False,
)
_kind(
    "tier.revoked",
    "Staff withdrew a tier granted by hand; the target owner no longer holds it.",
    "member",
    properties={"tier": "the tier's key", "reason": "why"},
    needs_actor=False,
)
_kind(
    "requirement.confirmed",
    "Staff confirmed (or, with confirmed false, withdrew) a tier requirement Hearth cannot "
    "see, such as maintaining a community package; the target owner meets it.",
    "member",
    properties={
        "requirement": "the manual requirement's key",
        "confirmed": "false to withdraw a confirmation (bool, default true)",
        "reason": "why",
    },
    needs_actor=False,
)
# -- Discord bot -----------------------------------------------------------------------------
_kind(
    "reaction.removed",
    "A reaction was taken back; the target owner is the message's author.",
    "message",
    properties={"emoji": "the reaction", "channel": "channel name"},
)
_kind(
    "member.role_granted",
    "The bot gave the member a role: an automatic role on joining (actor: the member), or a "
    "tier's role (actor: the bot, target owner: the member).",
    properties={
        "role": "the role's name",
        "reason": "why: auto_role or tier",
        "tier": "the tier's key (tier roles)",
    },
)
_kind(
    "member.role_removed",
    "The member dropped a role from a self-service role menu (actor: the member), or the bot "
    "took a tier's role from a member who no longer holds the tier (actor: the bot, target "
    "owner: the member).",
    properties={
        "role": "the role's name",
        "menu": "the role menu's key",
        "reason": "tier: a tier's role",
        "tier": "the tier's key (tier roles)",
    },
)
