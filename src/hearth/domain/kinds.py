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


def _k(name: str, description: str, target: str | None = None, **kw: object) -> None:
    register_kind(ActivityKind(name, description, target, **kw))  # type: ignore[arg-type]


# -- members -------------------------------------------------------------------------------
_k(
    "member.joined",
    "The member joined the community or created an account on a platform.",
    properties={
        "about_me_set": "whether the profile has an about-me text (bool)",
        "location_set": "whether the profile has a location (bool)",
        "website_set": "whether the profile has a website (bool)",
        "profile_views": "profile view count reported by the platform (int)",
    },
)
_k("member.left", "The member left the community or a platform server.")
_k("member.introduced", "The member introduced themselves (onboarding funnel step).")
_k(
    "member.role_picked",
    "The member picked a role (onboarding funnel step).",
    properties={"role": "the role's name"},
)
_k("member.profile_updated", "The member changed their profile.")
# -- conversation --------------------------------------------------------------------------
_k(
    "message.posted",
    "A chat message or forum post in a channel or thread.",
    "channel",
    properties={
        "channel": "channel or category name",
        "length": "characters (int)",
        "reply_to": "source id of the message replied to",
    },
)
_k("message.edited", "A message was edited.", "message")
_k("message.deleted", "A message was deleted.", "message", needs_actor=False)
_k(
    "reaction.added",
    "A reaction (emoji, like) on someone's content.",
    "post",
    properties={"emoji": "the reaction"},
)
_k(
    "thread.started",
    "A discussion thread or forum topic was started.",
    "thread",
    properties={"title": "thread title", "tags": "list of tags", "views": "view count (int)"},
)
_k("thread.replied", "A reply in a discussion thread or forum topic.", "thread")
_k(
    "thread.solved",
    "A thread was marked solved; the target owner is the helper credited.",
    "thread",
)
_k("thanks.given", "The actor thanked the target owner for help.", "member")
# -- Q&A -----------------------------------------------------------------------------------
_k(
    "question.asked",
    "A question was asked on a Q&A site.",
    "post",
    properties={
        "score": "final score (int)",
        "views": "view count (int)",
        "tags": "list of tags",
        "community_wiki": "community-wiki post (bool)",
        "answer_count": "answers (int)",
        "title": "title",
    },
)
_k(
    "answer.posted",
    "An answer to a question; the target owner is the asker.",
    "post",
    properties={
        "question_id": "id of the question",
        "score": "final score (int)",
        "community_wiki": "community-wiki post (bool)",
    },
)
_k(
    "answer.accepted",
    "An answer was accepted; the actor is the asker (when known), the "
    "target owner is the answer's author.",
    "post",
    properties={"question_id": "id of the question"},
    needs_actor=False,
)
_k(
    "vote.cast",
    "A vote on a post; the actor is the voter when the platform discloses it, "
    "the target owner the post's author.",
    "post",
    properties={
        "vote_type": "up, down, accept, bounty_start, bounty_close, close, reopen, "
        "favorite, spam, offensive, deletion, undeletion, moderator_review, "
        "approve_edit, other",
        "vote_type_id": "the platform's vote type id (int)",
        "bounty_amount": "bounty amount (int), for bounty votes",
        "post_type": "question or answer",
        "community_wiki": "whether the voted post is community wiki (bool)",
    },
    needs_actor=False,
)
_k(
    "comment.posted",
    "A comment on a post; the target owner is the post's author.",
    "post",
    properties={"score": "comment score (int)"},
)
_k("post.edited", "A post was edited by the actor; the target owner is its author.", "post",
   properties={"history_type_id": "the platform's revision type id (int)",
               "edit": "title, body, tags, rollback_title, rollback_body or rollback_tags",
               "revision": "id of the save this edit belongs to (several fields, one save)"})
_k(
    "badge.awarded",
    "The platform itself awarded a badge (recorded for reference).",
    "badge",
    properties={"name": "badge name", "class": "gold, silver or bronze", "tag_based": "bool"},
)
# -- code ----------------------------------------------------------------------------------
_k(
    "commit.authored",
    "A git commit (author or co-author).",
    "commit",
    contribution=True,
    properties={"repository": "repository", "co_author": "whether credited by trailer (bool)"},
)
_k("pr.opened", "A pull request was opened.", "pull_request", contribution=True)
_k(
    "pr.merged",
    "A pull request was merged; the actor is the author.",
    "pull_request",
    contribution=True,
)
_k("pr.closed", "A pull request was closed without merging.", "pull_request")
_k("pr.reopened", "A closed pull request was reopened.", "pull_request")
_k("pr.reviewed", "A pull request review.", "pull_request", contribution=True,
   properties={"state": "approved, changes_requested or commented"})
_k(
    "issue.opened",
    "An issue was opened.",
    "issue",
    contribution=True,
    properties={"labels": "list of labels"},
)
_k("issue.closed", "An issue was closed.", "issue")
_k("issue.reopened", "A closed issue was reopened.", "issue")
_k("issue.labeled", "A label was added to an issue.", "issue", properties={"label": "label"})
_k("issue.commented", "A comment on an issue or pull request.", "issue")
_k("release.published", "A release was published.", "release")
_k("repo.starred", "The member starred a repository.", "repository")
_k("repo.forked", "The member forked a repository.", "repository")
_k("repo.member_added", "A collaborator was added to a repository; the target owner is the "
   "person added.", "repository")
# -- content and programs ------------------------------------------------------------------
_k(
    "content.published",
    "A tutorial, blog post, video or talk.",
    "content",
    contribution=True,
    properties={"content_type": "tutorial, blog_post, video, talk...", "url": "link"},
)
_k("project.shared", "The member shared a project (showcase).", "project")
_k("event.attended", "The member attended an event.", "event")
_k("ticket.opened", "A support ticket was opened.", "ticket")
_k("ticket.closed", "A support ticket was closed.", "ticket")
_k(
    "points.granted",
    "Staff granted or removed points by hand, with a reason.",
    "member",
    properties={"amount": "points (int)", "reason": "why"},
)
