"""Derived state of the rules engine (points, awards, helps, tiers, leaderboard tallies).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def _member_fk(table: str, column: str = "member_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["members.id"], name=f"fk_{table}_{column}_members")


def upgrade() -> None:
    op.drop_index("ix_activities_occurred_at", table_name="activities")
    op.create_index(
        "ix_activities_occurred_at_platform_source_id",
        "activities",
        ["occurred_at", "platform", "source_id"],
    )
    op.create_table(
        "derivation_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("playbook", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("folded_at", TS, nullable=True),
        sa.Column("folded_platform", sa.String(32), nullable=True),
        sa.Column("folded_source_id", sa.String(255), nullable=True),
        sa.Column("folded_max_id", sa.BigInteger(), nullable=False),
        sa.Column("folded_count", sa.BigInteger(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint", sa.LargeBinary(), nullable=True),
        sa.Column("checkpoint_count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_derivation_state"),
    )
    op.create_table(
        "member_standing",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("breakdown", JSON, nullable=False),
        sa.Column("progress", JSON, nullable=False),
        sa.Column("evaluated_at", TS, nullable=True),
        _member_fk("member_standing"),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_standing"),
    )
    op.create_index("ix_member_standing_points", "member_standing", ["points"])
    op.create_table(
        "member_points_daily",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("last_at", TS, nullable=False),
        _member_fk("member_points_daily"),
        sa.PrimaryKeyConstraint("member_id", "rule", "day", name="pk_member_points_daily"),
    )
    op.create_index("ix_member_points_daily_day", "member_points_daily", ["day"])
    op.create_table(
        "awards",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("achievement", sa.String(64), nullable=False),
        sa.Column("item", sa.String(255), nullable=False),
        sa.Column("awarded_at", TS, nullable=False),
        sa.Column("activity_id", ID, nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        _member_fk("awards"),
        sa.PrimaryKeyConstraint("id", name="pk_awards"),
        sa.UniqueConstraint(
            "member_id", "achievement", "item", name="uq_awards_member_id_achievement_item"
        ),
    )
    op.create_index("ix_awards_achievement_awarded_at", "awards", ["achievement", "awarded_at"])
    op.create_table(
        "helps",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("helper_id", ID, nullable=False),
        sa.Column("helped_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("via", sa.String(64), nullable=False),
        sa.Column("activity_id", ID, nullable=False),
        _member_fk("helps", "helper_id"),
        _member_fk("helps", "helped_id"),
        sa.PrimaryKeyConstraint("id", name="pk_helps"),
        sa.UniqueConstraint("activity_id", "via", name="uq_helps_activity_id_via"),
    )
    op.create_index("ix_helps_helper_id_at", "helps", ["helper_id", "at"])
    op.create_index("ix_helps_helped_id", "helps", ["helped_id"])
    op.create_index("ix_helps_at", "helps", ["at"])
    op.create_table(
        "member_tiers",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("tier", sa.String(64), nullable=False),
        sa.Column("since", TS, nullable=True),
        sa.Column("stretch_end", TS, nullable=True),
        sa.Column("qualifies_from", TS, nullable=True),
        sa.Column("qualifies_until", TS, nullable=True),
        sa.Column("evaluated_at", TS, nullable=False),
        sa.Column("qualifies", sa.Boolean(), nullable=False),
        _member_fk("member_tiers"),
        sa.PrimaryKeyConstraint("member_id", "tier", name="pk_member_tiers"),
    )
    op.create_table(
        "board_tallies",
        sa.Column("board", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("board", "subject", "day", name="pk_board_tallies"),
    )
    op.create_index("ix_board_tallies_board_day", "board_tallies", ["board", "day"])


def downgrade() -> None:
    for table in (
        "board_tallies",
        "member_tiers",
        "helps",
        "awards",
        "member_points_daily",
        "member_standing",
        "derivation_state",
    ):
        op.drop_table(table)
    op.drop_index("ix_activities_occurred_at_platform_source_id", table_name="activities")
    op.create_index("ix_activities_occurred_at", "activities", ["occurred_at"])
