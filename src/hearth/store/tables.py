"""The tables. Every change here comes with an Alembic migration (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
    Index(None, "actor_member_id", "kind"),
    Index(None, "target_owner_member_id", "kind"),
    Index(None, "occurred_at"),
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
