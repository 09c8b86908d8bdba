"""Feature suggestions, votes, polls and contests.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{other}.id"], name=f"fk_{table}_{column}_{other}")


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_member_id", ID, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", TS, nullable=True),
        sa.Column("community", sa.Boolean(), nullable=False),
        sa.Column("merged_into", ID, nullable=True),
        sa.Column("origin", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_id", sa.String(32), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'planned', 'in_progress', 'done', 'declined')",
            name="ck_suggestions_status",
        ),
        _fk("suggestions", "author_member_id", "members"),
        _fk("suggestions", "merged_into", "suggestions"),
        sa.PrimaryKeyConstraint("id", name="pk_suggestions"),
        sa.UniqueConstraint("origin", "source_id", name="uq_suggestions_origin_source_id"),
    )
    op.create_index("ix_suggestions_status", "suggestions", ["status"])
    op.create_index("ix_suggestions_created_at", "suggestions", ["created_at"])
    op.create_index("ix_suggestions_author_member_id", "suggestions", ["author_member_id"])
    op.create_table(
        "suggestion_votes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("suggestion_id", ID, nullable=False),
        sa.Column("voter", sa.String(255), nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.CheckConstraint("value IN (-1, 1)", name="ck_suggestion_votes_value"),
        _fk("suggestion_votes", "suggestion_id", "suggestions"),
        _fk("suggestion_votes", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_suggestion_votes"),
        sa.UniqueConstraint(
            "suggestion_id", "voter", name="uq_suggestion_votes_suggestion_id_voter"
        ),
    )
    op.create_index("ix_suggestion_votes_member_id", "suggestion_votes", ["member_id"])
    op.create_table(
        "polls",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("creator_member_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closes_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("results", JSON, nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_id", sa.String(32), nullable=True),
        sa.Column("announced_at", TS, nullable=True),
        _fk("polls", "creator_member_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_polls"),
    )
    op.create_index("ix_polls_closed_at_closes_at", "polls", ["closed_at", "closes_at"])
    op.create_table(
        "poll_votes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("poll_id", ID, nullable=False),
        sa.Column("voter", sa.String(255), nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        _fk("poll_votes", "poll_id", "polls"),
        _fk("poll_votes", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_poll_votes"),
        sa.UniqueConstraint("poll_id", "voter", name="uq_poll_votes_poll_id_voter"),
    )
    op.create_index("ix_poll_votes_member_id", "poll_votes", ["member_id"])
    op.create_table(
        "contests",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("results", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contests"),
    )
    op.create_index("ix_contests_closed_at_ends_at", "contests", ["closed_at", "ends_at"])


def downgrade() -> None:
    op.drop_table("contests")
    op.drop_table("poll_votes")
    op.drop_table("polls")
    op.drop_table("suggestion_votes")
    op.drop_table("suggestions")
