"""A session version per account: open sessions end when it moves.

Revision ID: 0006
Revises: 0004_accounts_reconcile
Create Date: 2026-12-07

Every session remembers the version of its account at sign-in, and every run compares it
with the stored one (pages/common.py). A new password, another role, other coached teams,
another team or a deactivation bumps it (logic/storage/accounts.py), so the person's open
tabs are signed out on their next run. Existing accounts start at 0.

Frozen on purpose, like 0001-0004: the column is spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode copies the table on SQLite (keeping every row) and issues a plain ALTER
    # TABLE on PostgreSQL.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
