"""When the bot announced a suggestion contest's results (announced once, across restarts).

Contests closed before this revision count as announced: the bot does not post old results.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contests") as batch:
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE contests SET announced_at = closed_at WHERE closed_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("contests") as batch:
        batch.drop_column("announced_at")
