"""body: a person's stored T-pose calibration (one row per user).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "body_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("head_pitch", sa.Float(), nullable=False),
        sa.Column("measured", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_body_calibrations_owner_id"), "body_calibrations", ["owner_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_body_calibrations_owner_id"), table_name="body_calibrations")
    op.drop_table("body_calibrations")
