"""When a member's ban ends, beside their standing (leaderboards leave banned members out).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member_standing") as batch:
        batch.add_column(sa.Column("banned_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_standing") as batch:
        batch.drop_column("banned_until")
