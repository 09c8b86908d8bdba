"""The ledger: members, identities, activities, identity moves and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("merged_into", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["members.id"], name="fk_members_merged_into_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_table(
        "identities",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("handle", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("names", JSON, nullable=False),
        sa.Column("profile", JSON, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_identities_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("platform", "external_id", name="uq_identities_platform_external_id"),
    )
    op.create_index("ix_identities_member_id", "identities", ["member_id"])
    op.create_index("ix_identities_email", "identities", ["email"])
    op.create_table(
        "activities",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor_identity_id", ID),
        sa.Column("actor_member_id", ID),
        sa.Column("target_type", sa.String(32)),
        sa.Column("target_id", sa.String(255)),
        sa.Column("target_owner_identity_id", ID),
        sa.Column("target_owner_member_id", ID),
        sa.Column("properties", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_identity_id"],
            ["identities.id"],
            name="fk_activities_actor_identity_id_identities",
        ),
        sa.ForeignKeyConstraint(
            ["actor_member_id"], ["members.id"], name="fk_activities_actor_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["target_owner_identity_id"],
            ["identities.id"],
            name="fk_activities_target_owner_identity_id_identities",
        ),
        sa.ForeignKeyConstraint(
            ["target_owner_member_id"],
            ["members.id"],
            name="fk_activities_target_owner_member_id_members",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_activities"),
        sa.UniqueConstraint("platform", "source_id", name="uq_activities_platform_source_id"),
    )
    op.create_index("ix_activities_actor_member_id_kind", "activities", ["actor_member_id", "kind"])
    op.create_index(
        "ix_activities_target_owner_member_id_kind",
        "activities",
        ["target_owner_member_id", "kind"],
    )
    op.create_index("ix_activities_occurred_at", "activities", ["occurred_at"])
    op.create_table(
        "identity_moves",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("from_member_id", ID, nullable=False),
        sa.Column("to_member_id", ID, nullable=False),
        sa.Column("identity_ids", JSON, nullable=False),
        sa.Column("whole_member", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("done_by", sa.String(200), nullable=False),
        sa.Column("done_at", TS, nullable=False),
        sa.Column("undone_at", TS),
        sa.ForeignKeyConstraint(
            ["from_member_id"], ["members.id"], name="fk_identity_moves_from_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["to_member_id"], ["members.id"], name="fk_identity_moves_to_member_id_members"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identity_moves"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index(
        "ix_audit_log_subject_type_subject_id", "audit_log", ["subject_type", "subject_id"]
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("identity_moves")
    op.drop_table("activities")
    op.drop_table("identities")
    op.drop_table("members")
