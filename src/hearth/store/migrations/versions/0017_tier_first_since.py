"""When a member first began holding each tier (``member_tiers.first_since``): ``since`` is the
start of the current or last run only, and the onboarding funnel's champion step asks when a
member first became one. The rules engine's version changes with it, so the next catch-up
rebuilds the derivations and fills the column in.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member_tiers") as batch:
        batch.add_column(sa.Column("first_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_tiers") as batch:
        batch.drop_column("first_since")
