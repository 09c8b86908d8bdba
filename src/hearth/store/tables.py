"""The tables. Every change here comes with an Alembic migration (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from hearth.store.types import JSONType, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

IdType = BigInteger().with_variant(Integer(), "sqlite")

members = Table(
    "members",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("display_name", String(200), nullable=False),
    Column("is_bot", Boolean, nullable=False, default=False),
    Column("is_staff", Boolean, nullable=False, default=False),
    Column("merged_into", IdType, ForeignKey("members.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("erased_at", UTCDateTime, nullable=True),
    # reads about a person follow merges down the chain (store/merges.py, 0016)
    Index(None, "merged_into"),
)

# A member's choice about the public pages (absent row: the defaults, listed False and hidden
# False). ``listed``: shown in the member directory (opt-in). ``hidden``: the profile is shown
# only to the member and to staff, and leaderboards show "a member" instead of the name.
member_directory = Table(
    "member_directory",
    metadata,
    Column("member_id", IdType, ForeignKey("members.id"), primary_key=True),
    Column("listed", Boolean, nullable=False, default=False),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "listed"),
)

identities = Table(
    "identities",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("handle", String(200)),
    Column("email", String(320)),
    Column("names", JSONType, nullable=False, default=list),
    Column("profile", JSONType, nullable=False, default=dict),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "external_id"),
    Index(None, "member_id"),
    Index(None, "email"),
)

activities = Table(
    "activities",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("source_id", String(255), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("actor_identity_id", IdType, ForeignKey("identities.id")),
    Column("actor_member_id", IdType, ForeignKey("members.id")),
    Column("target_type", String(32)),
    Column("target_id", String(255)),
    Column("target_owner_identity_id", IdType, ForeignKey("identities.id")),
    Column("target_owner_member_id", IdType, ForeignKey("members.id")),
    Column("properties", JSONType, nullable=False, default=dict),
    UniqueConstraint("platform", "source_id"),
    # with occurred_at: a profile's activity summary is read from the index alone (0009)
    Index(None, "actor_member_id", "kind", "occurred_at"),
    # partial: most activities have no target owner, and every query names one (0008)
    Index(
        None,
        "target_owner_member_id",
        "kind",
        sqlite_where=text("target_owner_member_id IS NOT NULL"),
        postgresql_where=text("target_owner_member_id IS NOT NULL"),
    ),
    # The rules engine folds activities in this order; metrics scan time ranges with it.
    Index(None, "occurred_at", "platform", "source_id"),
)

# A move of identities from one member to another (a link or a merge); undoing it moves them back.
identity_moves = Table(
    "identity_moves",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("from_member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("to_member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("identity_ids", JSONType, nullable=False),
    Column("whole_member", Boolean, nullable=False),
    Column("reason", Text),
    Column("done_by", String(200), nullable=False),
    Column("done_at", UTCDateTime, nullable=False),
    Column("undone_at", UTCDateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("details", JSONType, nullable=False, default=dict),
    Index(None, "subject_type", "subject_id"),
)

# Accounts whose owner asked to be erased: only a hash, so re-imports can skip them.
erasures = Table(
    "erasures",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("identity_hash", String(64), nullable=False),
    Column("erased_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "identity_hash"),
)

# Webhook deliveries seen (for deduplication by the platform's delivery id) and their outcome.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("delivery_id", String(128), nullable=False),
    Column("event", String(64), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("activities", Integer, nullable=False, default=0),
    UniqueConstraint("platform", "delivery_id"),
)

# Inputs that could not be parsed, kept with the error so nothing is silently dropped.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("source", String(200), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("error", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Index(None, "platform", "received_at"),
)

# Where a resumable import got to (for example the next page of a GitHub listing).
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("key", String(255), nullable=False),
    Column("cursor", JSONType, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "key"),
)

# Net Promoter Score survey answers (0-10), from the web and the CLI; anonymous when member_id is
# None. A member's answers are personal data (the comment above all): see docs/metrics.md.
nps_responses = Table(
    "nps_responses",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("answered_at", UTCDateTime, nullable=False),
    CheckConstraint("score >= 0 AND score <= 10", name="ck_nps_responses_score"),
    Index(None, "answered_at"),
    Index(None, "member_id"),
)

# -- web accounts (docs/web.md). Personal data: see docs/architecture.md ----------------------

# A local account: admin, moderator, staff or member, linked to a member of the ledger. Accounts
# made by a GitHub or Discord sign-in have no password.
accounts = Table(
    "accounts",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("role", String(16), nullable=False),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=True),
    Column("disabled_at", UTCDateTime, nullable=True),
    CheckConstraint("role IN ('admin', 'staff', 'moderator', 'member')", name="ck_accounts_role"),
    UniqueConstraint("username"),
    UniqueConstraint("member_id"),
)

# Server-side sessions: the cookie holds a random token, the table only its SHA-256, so deleting
# a row signs that browser out and a role change applies on the next request.
sessions = Table(
    "sessions",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("account_id", IdType, ForeignKey("accounts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    UniqueConstraint("token_hash"),
    Index(None, "account_id"),
)

# API tokens for /api/v1 (``Authorization: Bearer``), made by staff; stored as a SHA-256.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("account_id", IdType, ForeignKey("accounts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    UniqueConstraint("token_hash"),
    Index(None, "account_id"),
)

# Failed sign-ins, by username and by client address, for rate limiting across web workers.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "key", "at"),
)

# A staff decision that a suggested pair of members are not one person (kept out of suggestions).
link_rejections = Table(
    "link_rejections",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("member_a", IdType, ForeignKey("members.id"), nullable=False),
    Column("member_b", IdType, ForeignKey("members.id"), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
    UniqueConstraint("member_a", "member_b"),
)

# -- derived by the rules engine (hearth rebuild recreates all of it from the ledger) ----------

# Where the derivation stands: the playbook it ran with, the last activity folded (in the fold's
# order), and a checkpoint of the fold's state to resume from. One row.
derivation_state = Table(
    "derivation_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("playbook", String(200), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("folded_at", UTCDateTime, nullable=True),
    Column("folded_platform", String(32), nullable=True),
    Column("folded_source_id", String(255), nullable=True),
    Column("folded_max_id", BigInteger, nullable=False, default=0),
    Column("folded_count", BigInteger, nullable=False, default=0),
    Column("stale", Boolean, nullable=False, default=False),
    Column("generation", BigInteger, nullable=False, default=0),
    Column("checkpoint", LargeBinary, nullable=True),
    Column("checkpoint_count", BigInteger, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Each member's points with the breakdown by rule, and progress towards every tier.
member_standing = Table(
    "member_standing",
    metadata,
    Column("member_id", IdType, ForeignKey("members.id"), primary_key=True),
    Column("points", BigInteger, nullable=False),
    Column("breakdown", JSONType, nullable=False, default=dict),
    Column("progress", JSONType, nullable=False, default=list),
    Column("evaluated_at", UTCDateTime, nullable=True),
    # While a ban lasts the member is left out of leaderboards (far future: permanent).
    Column("banned_until", UTCDateTime, nullable=True),
    Index(None, "points"),
)

# Points per member, rule and UTC day: windowed leaderboards ("this month") sum these.
member_points_daily = Table(
    "member_points_daily",
    metadata,
    Column("member_id", IdType, ForeignKey("members.id"), primary_key=True),
    Column("rule", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Index(None, "day"),
)

# Achievements earned, with the moment the condition first held (from activity times).
awards = Table(
    "awards",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("achievement", String(64), nullable=False),
    Column("item", String(255), nullable=False, default=""),
    Column("awarded_at", UTCDateTime, nullable=False),
    Column("activity_id", IdType, nullable=True),
    Column("manual", Boolean, nullable=False, default=False),
    UniqueConstraint("member_id", "achievement", "item"),
    Index(None, "achievement", "awarded_at"),
)

# The "helped a member" relation: who helped whom, when, by which `helped` rule.
helps = Table(
    "helps",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("helper_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("helped_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("via", String(64), nullable=False),
    Column("activity_id", IdType, nullable=False),
    UniqueConstraint("activity_id", "via"),
    Index(None, "helper_id", "at"),
    # "Members helped" boards group by (helper, helped) without a sort (0009, bench/pages.py)
    Index(None, "helper_id", "helped_id", "at"),
    Index(None, "helped_id"),
    Index(None, "at"),
)

# Tier runs: enough to say whether the member holds the tier at any later moment (the
# requirements' interval, when the last qualifying stretch ended, the grace period).
member_tiers = Table(
    "member_tiers",
    metadata,
    Column("member_id", IdType, ForeignKey("members.id"), primary_key=True),
    Column("tier", String(64), primary_key=True),
    Column("since", UTCDateTime, nullable=True),
    Column("stretch_end", UTCDateTime, nullable=True),
    Column("qualifies_from", UTCDateTime, nullable=True),
    Column("qualifies_until", UTCDateTime, nullable=True),
    Column("evaluated_at", UTCDateTime, nullable=False),
    Column("qualifies", Boolean, nullable=False),
    # the start of the first run ever of holding the tier (since: of the current or last; 0017)
    Column("first_since", UTCDateTime, nullable=True),
)

# Leaderboard counts per subject (a member "m:<id>" or a target "t:<id>") and UTC day.
board_tallies = Table(
    "board_tallies",
    metadata,
    Column("board", String(64), primary_key=True),
    Column("subject", String(300), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("member_id", IdType, nullable=True),
    Column("value", BigInteger, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Index(None, "board", "day"),
)

# FAQ entries the bot suggests in help channels and `/faq` looks up (not member data).
faq_entries = Table(
    "faq_entries",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("keywords", JSONType, nullable=False, default=list),
    Column("links", JSONType, nullable=False, default=list),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# "Helpful" and "dismiss" clicks on suggested FAQ answers. member_id is personal data: erasure
# sets it to NULL and keeps the anonymous click (docs/architecture.md).
faq_feedback = Table(
    "faq_feedback",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("entry_id", IdType, ForeignKey("faq_entries.id"), nullable=False),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("helpful", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "entry_id"),
    Index(None, "member_id"),
)

# -- feature suggestions, polls and contests (docs/suggestions.md; migration 0012) -------------
# Votes are member data: erasure anonymises them (the count stays) and detaches authors.

# A feature suggestion and where it stands. ``community``: posted by a member (not staff), marked
# on the roadmap. A merged duplicate points at the suggestion it was merged into.
suggestions = Table(
    "suggestions",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("author_member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("status_changed_at", UTCDateTime, nullable=True),
    Column("community", Boolean, nullable=False, default=True),
    Column("merged_into", IdType, ForeignKey("suggestions.id"), nullable=True),
    Column("origin", String(32), nullable=False),
    Column("source_id", String(255), nullable=True),
    Column("channel_id", String(32), nullable=True),
    Column("message_id", String(32), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "status IN ('open', 'planned', 'in_progress', 'done', 'declined')",
        name="ck_suggestions_status",
    ),
    UniqueConstraint("origin", "source_id"),
    Index(None, "status"),
    Index(None, "created_at"),
    Index(None, "author_member_id"),
)

# One vote per voter and suggestion, +1 or -1. ``voter`` is ``member:<id>`` for members, or the
# source's own id for imported votes that name nobody (Stack Exchange dumps).
suggestion_votes = Table(
    "suggestion_votes",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("suggestion_id", IdType, ForeignKey("suggestions.id"), nullable=False),
    Column("voter", String(255), nullable=False),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("value", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    CheckConstraint("value IN (-1, 1)", name="ck_suggestion_votes_value"),
    UniqueConstraint("suggestion_id", "voter"),
    Index(None, "member_id"),
)

# A poll: its options, when it closes (a job closes it, so it survives restarts), its result.
polls = Table(
    "polls",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("question", String(300), nullable=False),
    Column("options", JSONType, nullable=False),
    Column("anonymous", Boolean, nullable=False, default=False),
    Column("created_by", String(200), nullable=False),
    Column("creator_member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("results", JSONType, nullable=True),
    Column("channel_id", String(32), nullable=True),
    Column("message_id", String(32), nullable=True),
    Column("announced_at", UTCDateTime, nullable=True),
    Index(None, "closed_at", "closes_at"),
)

poll_votes = Table(
    "poll_votes",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("poll_id", IdType, ForeignKey("polls.id"), nullable=False),
    Column("voter", String(255), nullable=False),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("option", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("poll_id", "voter"),
    Index(None, "member_id"),
)

# A time-boxed suggestion contest: suggestions posted in [starts_at, ends_at) take part; when it
# closes, the top-voted win the playbook's prizes (``suggestions.contests``); the bot posts the
# results once (``announced_at``).
contests = Table(
    "contests",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("results", JSONType, nullable=True),
    Column("announced_at", UTCDateTime, nullable=True),  # results posted by the bot (0015)
    Index(None, "closed_at", "ends_at"),
)

# -- support tickets (actions/tickets.py, migration 0010). Member data: docs/architecture.md --

# A support ticket: who opened it, its category and target, who holds it, and the times the
# scheduled job needs (reminded, alerted, warned) so that it acts once, across restarts.
tickets = Table(
    "tickets",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("category", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_on", String(32), nullable=False),
    Column("channel_id", String(64), nullable=True),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("first_response_at", UTCDateTime, nullable=True),
    Column("assignee_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("last_activity_at", UTCDateTime, nullable=False),
    Column("reminded_at", UTCDateTime, nullable=True),
    Column("alerted_at", UTCDateTime, nullable=True),
    Column("warned_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("close_reason", String(16), nullable=True),
    Column("rating", Integer, nullable=True),
    Column("rated_at", UTCDateTime, nullable=True),
    CheckConstraint("state IN ('open', 'closed')", name="ck_tickets_state"),
    CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_tickets_rating"),
    UniqueConstraint("channel_id"),
    Index(None, "member_id"),
    Index(None, "state", "opened_at"),
)

# A ticket's transcript: every message, with its author (kept for the member and staff only).
ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("ticket_id", IdType, ForeignKey("tickets.id"), nullable=False),
    Column("author_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("author_name", String(200), nullable=False),
    Column("staff", Boolean, nullable=False),
    Column("body", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("source_id", String(64), nullable=True),
    UniqueConstraint("ticket_id", "source_id"),
    Index(None, "author_id"),
)

# -- moderation (actions/moderation.py, migration 0011). Member data: docs/architecture.md ----

# A moderation case: an action taken about a member (warning, timeout, ban, unban) or a report
# by another member. A case that ``strike``s counts towards the ladder until it expires or an
# accepted appeal voids it. Timed actions end at ``ends_at``; the scheduled job lifts bans
# whose time is up (``lifted_at``) and the bot applies the lift on Discord
# (``lift_applied_at``), so both survive restarts.
mod_cases = Table(
    "mod_cases",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("severe", Boolean, nullable=False, default=False),
    Column("strike", Boolean, nullable=False, default=False),
    Column("voided", Boolean, nullable=False, default=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("moderator_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("reporter_id", IdType, ForeignKey("members.id"), nullable=True),
    Column("platform", String(32), nullable=True),
    Column("evidence", Text, nullable=True),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("lifted_at", UTCDateTime, nullable=True),
    Column("lift_applied_at", UTCDateTime, nullable=True),
    CheckConstraint(
        "action IN ('warning', 'timeout', 'temporary_ban', 'permanent_ban', 'report', 'unban')",
        name="ck_mod_cases_action",
    ),
    Index(None, "member_id", "created_at"),
    Index(None, "action", "ends_at"),
)

# An appeal of a case by its member, decided by moderators.
mod_appeals = Table(
    "mod_appeals",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("case_id", IdType, ForeignKey("mod_cases.id"), nullable=False),
    Column("member_id", IdType, ForeignKey("members.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision", Text, nullable=True),
    CheckConstraint("state IN ('open', 'accepted', 'rejected')", name="ck_mod_appeals_state"),
    Index(None, "case_id"),
    Index(None, "member_id"),
)

# One-time account-link tokens (``/link github`` in Discord, docs/web.md) already used: a token
# is signed and carries its own expiry, so only its random id is kept, until it expires.
link_tokens = Table(
    "link_tokens",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("used_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "expires_at"),
)
