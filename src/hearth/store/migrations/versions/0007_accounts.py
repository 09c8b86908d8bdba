"""Web accounts, sessions, API tokens, sign-in failures and rejected link suggestions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.Column("disabled_at", TS, nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'staff', 'moderator', 'member')", name="ck_accounts_role"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_accounts_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.UniqueConstraint("member_id", name="uq_accounts_member_id"),
    )
    for table in ("sessions", "api_tokens"):
        columns: list[sa.Column[Any]] = [
            sa.Column("id", ID, primary_key=True, autoincrement=True),
            sa.Column("token_hash", sa.String(64), nullable=False),
        ]
        if table == "api_tokens":
            columns.append(sa.Column("name", sa.String(100), nullable=False))
        columns += [
            sa.Column("account_id", ID, nullable=False),
            sa.Column("created_at", TS, nullable=False),
        ]
        if table == "sessions":
            columns.append(sa.Column("expires_at", TS, nullable=False))
        else:
            columns.append(sa.Column("last_used_at", TS, nullable=True))
            columns.append(sa.Column("revoked_at", TS, nullable=True))
        op.create_table(
            table,
            *columns,
            sa.ForeignKeyConstraint(
                ["account_id"], ["accounts.id"], name=f"fk_{table}_account_id_accounts"
            ),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("token_hash", name=f"uq_{table}_token_hash"),
        )
        op.create_index(f"ix_{table}_account_id", table, ["account_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    op.create_table(
        "link_rejections",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("member_a", ID, nullable=False),
        sa.Column("member_b", ID, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_a"], ["members.id"], name="fk_link_rejections_member_a_members"
        ),
        sa.ForeignKeyConstraint(
            ["member_b"], ["members.id"], name="fk_link_rejections_member_b_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_link_rejections"),
        sa.UniqueConstraint("member_a", "member_b", name="uq_link_rejections_member_a_member_b"),
    )


def downgrade() -> None:
    op.drop_table("link_rejections")
    op.drop_table("login_failures")
    op.drop_table("api_tokens")
    op.drop_table("sessions")
    op.drop_table("accounts")
