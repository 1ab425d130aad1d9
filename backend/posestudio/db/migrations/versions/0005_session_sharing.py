"""sessions: whom a recorded session is shared with (read-only viewers).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recorded_sessions") as batch:
        batch.add_column(sa.Column("viewers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("recorded_sessions") as batch:
        batch.drop_column("viewers")
