"""An index on ``members.merged_into``: reads about a person follow the merge chain down
(``hearth.store.merges``: the members merged into one).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_members_merged_into", "members", ["merged_into"])


def downgrade() -> None:
    op.drop_index("ix_members_merged_into", "members")
