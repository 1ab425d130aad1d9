"""robots: the registry and the behaviours library.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "robots",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("name", AutoString(length=64), nullable=False),
        sa.Column("model", AutoString(length=8), nullable=False),
        sa.Column("method", AutoString(length=16), nullable=False),
        sa.Column("address", AutoString(length=255), nullable=True),
        sa.Column("serial", AutoString(length=64), nullable=True),
        sa.Column("aes_key", AutoString(length=128), nullable=True),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "behaviours",
        sa.Column("id", AutoString(length=32), nullable=False),
        sa.Column("name", AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", AutoString(length=64), nullable=False),
        sa.Column("description", AutoString(length=2000), nullable=False),
        sa.Column("licence", AutoString(length=64), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_behaviours_name"), "behaviours", ["name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_behaviours_name"), table_name="behaviours")
    op.drop_table("behaviours")
    op.drop_table("robots")
