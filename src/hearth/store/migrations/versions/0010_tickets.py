"""Support tickets and their transitions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{other}.id"], name=f"fk_{table}_{column}_{other}")


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_on", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("first_response_at", TS, nullable=True),
        sa.Column("assignee_id", ID, nullable=True),
        sa.Column("claimed_at", TS, nullable=True),
        sa.Column("last_activity_at", TS, nullable=False),
        sa.Column("reminded_at", TS, nullable=True),
        sa.Column("alerted_at", TS, nullable=True),
        sa.Column("warned_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("close_reason", sa.String(16), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", TS, nullable=True),
        sa.CheckConstraint("state IN ('open', 'closed')", name="ck_tickets_state"),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_tickets_rating"
        ),
        _fk("tickets", "member_id", "members"),
        _fk("tickets", "assignee_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("channel_id", name="uq_tickets_channel_id"),
    )
    op.create_index("ix_tickets_member_id", "tickets", ["member_id"])
    op.create_index("ix_tickets_state_opened_at", "tickets", ["state", "opened_at"])
    op.create_table(
        "ticket_messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=True),
        _fk("ticket_messages", "ticket_id", "tickets"),
        _fk("ticket_messages", "author_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_messages"),
        sa.UniqueConstraint(
            "ticket_id", "source_id", name="uq_ticket_messages_ticket_id_source_id"
        ),
    )
    op.create_index("ix_ticket_messages_author_id", "ticket_messages", ["author_id"])


def downgrade() -> None:
    op.drop_table("ticket_messages")
    op.drop_table("tickets")
