"""Moderation cases, strikes, appeals and scheduled unbans.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{other}.id"], name=f"fk_{table}_{column}_{other}")


def upgrade() -> None:
    op.create_table(
        "mod_cases",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severe", sa.Boolean(), nullable=False),
        sa.Column("strike", sa.Boolean(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("moderator_id", ID, nullable=True),
        sa.Column("reporter_id", ID, nullable=True),
        sa.Column("platform", sa.String(32), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("ends_at", TS, nullable=True),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lift_applied_at", TS, nullable=True),
        sa.CheckConstraint(
            "action IN ('warning', 'timeout', 'temporary_ban', 'permanent_ban', 'report', 'unban')",
            name="ck_mod_cases_action",
        ),
        _fk("mod_cases", "member_id", "members"),
        _fk("mod_cases", "moderator_id", "members"),
        _fk("mod_cases", "reporter_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_cases"),
    )
    op.create_index("ix_mod_cases_member_id_created_at", "mod_cases", ["member_id", "created_at"])
    op.create_index("ix_mod_cases_action_ends_at", "mod_cases", ["action", "ends_at"])
    op.create_table(
        "mod_appeals",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'accepted', 'rejected')", name="ck_mod_appeals_state"
        ),
        _fk("mod_appeals", "case_id", "mod_cases"),
        _fk("mod_appeals", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_appeals"),
    )
    op.create_index("ix_mod_appeals_case_id", "mod_appeals", ["case_id"])
    op.create_index("ix_mod_appeals_member_id", "mod_appeals", ["member_id"])


def downgrade() -> None:
    op.drop_table("mod_appeals")
    op.drop_table("mod_cases")
