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
# Support tickets (actions/tickets.py): platform ``hearth``, target ``ticket`` (the ticket's id),
# target owner the member who opened it, so the metrics see tickets as threads.
_kind(
    "ticket.opened",
    "A support ticket was opened; the actor is the member who opened it.",
    "ticket",
    properties={
        "category": "the playbook's ticket category",
        "opened_on": "where: discord, web or forum (a post in a help forum)",
        "due_at": "when the first response is due (ISO 8601, UTC)",
        "thread": "a help-forum post's thread id (its source key)",
    },
)
_kind(
    "ticket.replied",
    "A message on a ticket (its transcript); counts as a response when the actor is not the "
    "member who opened it.",
    "ticket",
    properties={
        "first_response": "the first message by someone other than the opener (bool)",
        "staff": "written by staff (bool)",
        "length": "characters (int)",
        "response_seconds": "for the first response: seconds since the ticket opened (int)",
        "target_met": "for the first response: within the category's target (bool)",
    },
)
_kind(
    "ticket.claimed",
    "A staff member took a ticket on (the actor); with ``from``, it was handed over.",
    "ticket",
    properties={
        "assignee": "the member id now responsible (int)",
        "from": "the member id previously responsible (int), on a hand-over",
    },
)
_kind(
    "ticket.closed",
    "A support ticket was closed (by the member, staff, or for inactivity).",
    "ticket",
    properties={"reason": "solved, staff, member or inactive", "by_staff": "(bool)"},
    needs_actor=False,
)
_kind("ticket.reopened", "A closed support ticket was opened again.", "ticket")
_kind(
    "ticket.rated",
    "The member who opened a ticket rated the support they got.",
    "ticket",
    properties={"rating": "satisfaction, 1 (poor) to 5 (excellent) (int)"},
)
_kind(
    "ticket.target_missed",
    "A ticket's first-response target passed without a response (recorded by the scheduled "
    "job; no actor).",
    "ticket",
    properties={"due_at": "when the response was due (ISO 8601, UTC)", "category": "category"},
    needs_actor=False,
)
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
    "member.warned",
    "A moderator (or the automatic moderation) warned the target owner for a code-of-conduct "
    "violation.",
    "member",
    properties={"case_id": "the moderation case", "severe": "a severe violation (bool)"},
    needs_actor=False,
)
_kind(
    "member.timed_out",
    "A moderator (or the automatic moderation) muted the target owner for a while.",
    "member",
    properties={
        "until": "when the timeout ends (ISO 8601, UTC)",
        "case_id": "the moderation case",
    },
    needs_actor=False,
)
_kind(
    "case.reported",
    "A member's report opened a moderation case about the target owner (the reporter is "
    "not recorded in the ledger: reports are private).",
    "member",
    properties={"case_id": "the moderation case"},
    needs_actor=False,
)
_kind(
    "case.appealed",
    "The target owner appealed a moderation case.",
    "member",
    properties={"case_id": "the moderation case", "appeal_id": "the appeal"},
    needs_actor=False,
)
_kind(
    "appeal.decided",
    "Moderators decided an appeal; an accepted appeal voids the case's strike.",
    "member",
    properties={
        "case_id": "the moderation case",
        "appeal_id": "the appeal",
        "accepted": "(bool)",
    },
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
    "The member was given a role, which is never the member's own activity (the target owner is "
    "the member): an automatic role on joining or a tier's role (actor: the bot), or a role "
    "given on Discord itself, by staff or another bot (no actor: Discord does not say who).",
    "member",
    properties={
        "role": "the role's name",
        "reason": "why: auto_role, tier, or discord (given on Discord itself)",
        "tier": "the tier's key (tier roles)",
    },
    needs_actor=False,
)
_kind(
    "member.role_removed",
    "The member dropped a role from a self-service role menu (actor: the member); or a role was "
    "taken from the member (target owner: the member): a tier's role from a member who no "
    "longer holds the tier (actor: the bot), or a role taken on Discord itself, by staff or "
    "another bot (no actor).",
    properties={
        "role": "the role's name",
        "menu": "the role menu's key",
        "reason": "tier: a tier's role; discord: taken on Discord itself",
        "tier": "the tier's key (tier roles)",
    },
    needs_actor=False,
)
# -- feature suggestions, polls and contests (docs/suggestions.md) ---------------------------
# Written by actions/ideas.py, actions/polls.py and actions/contests.py on the platform
# ``hearth`` (imported suggestions: on their own platform); the target owner of a vote or a
# status change is the suggestion's author, so playbooks can reward popular ideas.
_kind(
    "suggestion.posted",
    "The member posted a feature suggestion.",
    "suggestion",
    properties={
        "title": "the suggestion's title",
        "origin": "where it was made: discord, web, cli, stackexchange",
    },
)
_kind(
    "suggestion.voted",
    "The member voted on a suggestion, changed their vote or took it back; the target owner "
    "is the suggestion's author.",
    "suggestion",
    properties={
        "value": "the vote now: 1 (up), -1 (down) or 0 (taken back) (int)",
        "previous": "the vote before: 1, -1 or 0 (int)",
        "score": "the suggestion's score (up-votes minus down-votes) after the vote (int)",
    },
)
_kind(
    "suggestion.status_changed",
    "Staff changed a suggestion's status; the target owner is its author.",
    "suggestion",
    properties={
        "status": "open, planned, in_progress, done or declined",
        "previous": "the status before",
        "reason": "why (required when declined)",
    },
    needs_actor=False,
)
_kind(
    "suggestion.merged",
    "Staff merged a duplicate suggestion (the target) into another; its votes carried over. "
    "The target owner is the duplicate's author.",
    "suggestion",
    properties={
        "into": "the id of the suggestion kept",
        "votes_moved": "votes carried over (int)",
        "votes_dropped": "votes dropped because the voter had voted on both (int)",
    },
    needs_actor=False,
)
_kind(
    "poll.created",
    "The member (usually staff) opened a poll.",
    "poll",
    properties={
        "question": "the question",
        "options": "the options (list)",
        "anonymous": "whether votes are anonymous (bool)",
        "closes_at": "when it closes (ISO 8601, UTC)",
    },
)
_kind(
    "poll.voted",
    "The member voted in a poll or changed their vote. In an anonymous poll the option is "
    "not recorded.",
    "poll",
    properties={"option": "the option's number, from 0 (int; missing when anonymous)"},
)
_kind(
    "poll.closed",
    "A poll closed (at its closing time, or early by its creator or staff), with its result.",
    "poll",
    properties={"votes": "votes per option (list of int)", "voters": "voters (int)"},
    needs_actor=False,
)
_kind(
    "contest.started",
    "Staff started a suggestion contest: suggestions posted until it ends take part.",
    "contest",
    properties={"title": "the contest's name", "ends_at": "when it ends (ISO 8601, UTC)"},
    needs_actor=False,
)
_kind(
    "contest.closed",
    "A suggestion contest closed and its winners were decided.",
    "contest",
    properties={"winners": "suggestion ids by place (list)"},
    needs_actor=False,
)
_kind(
    "contest.won",
    "A suggestion placed in a contest; the target owner is its author, who receives the prize.",
    "contest",
    properties={
        "place": "1 for the top-voted (int)",
        "suggestion": "the suggestion's id (int)",
        "score": "its score when the contest closed (int)",
        "points": "points given (int), when the prize is points",
        "achievement": "the achievement awarded, when the prize is one",
    },
    needs_actor=False,
)
