"""clips and export jobs: rendered clips of sessions, stored exports.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clips",
        sa.Column("id", AutoString(length=16), nullable=False),
        sa.Column("owner", AutoString(length=64), nullable=False),
        sa.Column("session_id", AutoString(), nullable=False),
        sa.Column("stream", AutoString(length=32), nullable=False),
        sa.Column("start_ts", sa.Float(), nullable=False),
        sa.Column("end_ts", sa.Float(), nullable=False),
        sa.Column("overlay", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", AutoString(length=500), nullable=True),
        sa.Column("key", AutoString(length=200), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("share_token", AutoString(length=64), nullable=True),
        sa.Column("share_expires_at", UTCDateTime(), nullable=True),
        sa.Column("job_id", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["recorded_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_clips_owner"), "clips", ["owner"])
    op.create_index(op.f("ix_clips_session_id"), "clips", ["session_id"])
    op.create_index(op.f("ix_clips_share_token"), "clips", ["share_token"], unique=True)
    op.create_table(
        "session_exports",
        sa.Column("id", AutoString(length=16), nullable=False),
        sa.Column("owner", AutoString(length=64), nullable=False),
        sa.Column("session_id", AutoString(), nullable=False),
        sa.Column("format", AutoString(length=16), nullable=False),
        sa.Column("stream", AutoString(length=32), nullable=True),
        sa.Column("start_ts", sa.Float(), nullable=False),
        sa.Column("end_ts", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", AutoString(length=500), nullable=True),
        sa.Column("key", AutoString(length=200), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("job_id", AutoString(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["recorded_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_session_exports_owner"), "session_exports", ["owner"])
    op.create_index(op.f("ix_session_exports_session_id"), "session_exports", ["session_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_session_exports_session_id"), table_name="session_exports")
    op.drop_index(op.f("ix_session_exports_owner"), table_name="session_exports")
    op.drop_table("session_exports")
    op.drop_index(op.f("ix_clips_share_token"), table_name="clips")
    op.drop_index(op.f("ix_clips_session_id"), table_name="clips")
    op.drop_index(op.f("ix_clips_owner"), table_name="clips")
    op.drop_table("clips")
