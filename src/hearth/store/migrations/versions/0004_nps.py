"""Net Promoter Score survey answers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nps_responses",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", TS, nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="ck_nps_responses_score"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_nps_responses_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_nps_responses"),
    )
    op.create_index("ix_nps_responses_answered_at", "nps_responses", ["answered_at"])
    op.create_index("ix_nps_responses_member_id", "nps_responses", ["member_id"])


def downgrade() -> None:
    op.drop_table("nps_responses")
