"""sessions: recorded sessions, their streams, annotations.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recorded_sessions",
        sa.Column("id", AutoString(length=16), nullable=False),
        sa.Column("owner", AutoString(length=64), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("video", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("stop_reason", AutoString(length=200), nullable=True),
        sa.Column("note", AutoString(length=500), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_recorded_sessions_owner"), "recorded_sessions", ["owner"])
    op.create_index(op.f("ix_recorded_sessions_status"), "recorded_sessions", ["status"])
    op.create_index(op.f("ix_recorded_sessions_started_at"), "recorded_sessions", ["started_at"])
    op.create_table(
        "session_streams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", AutoString(length=16), nullable=False),
        sa.Column("key", AutoString(length=32), nullable=False),
        sa.Column("name", AutoString(length=64), nullable=False),
        sa.Column("engine", AutoString(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("drops", sa.Integer(), nullable=False),
        sa.Column("first_ts", sa.Float(), nullable=True),
        sa.Column("last_ts", sa.Float(), nullable=True),
        sa.Column("smoothing", sa.Boolean(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["recorded_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_session_streams_session_id"), "session_streams", ["session_id"])
    op.create_table(
        "session_annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", AutoString(length=16), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("end_ts", sa.Float(), nullable=True),
        sa.Column("stream", AutoString(length=32), nullable=True),
        sa.Column("label", AutoString(length=100), nullable=False),
        sa.Column("note", AutoString(length=1000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["recorded_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_session_annotations_session_id"), "session_annotations", ["session_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_annotations_session_id"), table_name="session_annotations")
    op.drop_table("session_annotations")
    op.drop_index(op.f("ix_session_streams_session_id"), table_name="session_streams")
    op.drop_table("session_streams")
    op.drop_index(op.f("ix_recorded_sessions_started_at"), table_name="recorded_sessions")
    op.drop_index(op.f("ix_recorded_sessions_status"), table_name="recorded_sessions")
    op.drop_index(op.f("ix_recorded_sessions_owner"), table_name="recorded_sessions")
    op.drop_table("recorded_sessions")
