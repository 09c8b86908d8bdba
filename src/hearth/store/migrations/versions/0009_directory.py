"""Members' directory listing choice (``member_directory``), and two indexes for the public
pages (docs/benchmarks.md, "Leaderboards and profiles"):

- ``helps (helper_id, helped_id, at)``: the "members helped" leaderboards group by helper and
  helped member straight from the index, without a sort;
- ``activities (actor_member_id, kind, occurred_at)`` replaces ``(actor_member_id, kind)``:
  the same lookups, and a profile's activity summary (per kind: how many lately, the latest)
  is read from the index without visiting the rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
HELPS_INDEX = "ix_helps_helper_id_helped_id_at"
ACTOR_INDEX = "ix_activities_actor_member_id_kind"
ACTOR_TIME_INDEX = "ix_activities_actor_member_id_kind_occurred_at"


def upgrade() -> None:
    op.create_table(
        "member_directory",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_member_directory_member_id_members"
        ),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_directory"),
    )
    op.create_index("ix_member_directory_listed", "member_directory", ["listed"])
    op.create_index(HELPS_INDEX, "helps", ["helper_id", "helped_id", "at"])
    op.create_index(ACTOR_TIME_INDEX, "activities", ["actor_member_id", "kind", "occurred_at"])
    op.drop_index(ACTOR_INDEX, table_name="activities")


def downgrade() -> None:
    op.create_index(ACTOR_INDEX, "activities", ["actor_member_id", "kind"])
    op.drop_index(ACTOR_TIME_INDEX, table_name="activities")
    op.drop_index(HELPS_INDEX, table_name="helps")
    op.drop_index("ix_member_directory_listed", table_name="member_directory")
    op.drop_table("member_directory")
