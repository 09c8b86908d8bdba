"""FAQ entries for the bot and the web.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "faq_entries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("keywords", JSON, nullable=False),
        sa.Column("links", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faq_entries"),
    )
    op.create_table(
        "faq_feedback",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["faq_entries.id"], name="fk_faq_feedback_entry_id_faq_entries"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_faq_feedback_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_faq_feedback"),
    )
    op.create_index("ix_faq_feedback_entry_id", "faq_feedback", ["entry_id"])
    op.create_index("ix_faq_feedback_member_id", "faq_feedback", ["member_id"])


def downgrade() -> None:
    op.drop_table("faq_feedback")
    op.drop_table("faq_entries")
