"""The activities' target-owner index becomes partial (only rows that have a target owner).

Most activities have no target owner; every query on the index names one. A partial index is
smaller and costs an import less to keep up to date (docs/benchmarks.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NAME = "ix_activities_target_owner_member_id_kind"
COLUMNS = ["target_owner_member_id", "kind"]
WHERE = sa.text("target_owner_member_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index(NAME, table_name="activities")
    op.create_index(NAME, "activities", COLUMNS, sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="activities")
    op.create_index(NAME, "activities", COLUMNS)
