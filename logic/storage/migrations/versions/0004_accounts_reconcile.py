"""Reconcile the account tables with the model in logic/storage/tables.py.

Revision ID: 0004_accounts_reconcile
Revises: 0003_accounts
Create Date: 2026-12-02

The account model had drifted from 0003: it lacked 0003's three foreign keys
(fk_users_runner, fk_coach_teams_user, fk_coach_teams_team) and said that teams.created_at
and users.created_at may be NULL. 0003 is right on all of these, and the model now says so.
The one constraint the model adds is login_attempts.last_failure NOT NULL: the throttle
counts the wait from that time, so a row without it would never throttle. The app always
wrote it; a NULL left by hand becomes "now" (the wait starts again), so every row is kept.

Frozen on purpose, like 0001-0003: the column is spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_accounts_reconcile"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE login_attempts SET last_failure = CURRENT_TIMESTAMP WHERE last_failure IS NULL"
    )
    # Batch mode copies the table on SQLite (keeping every row) and issues a plain ALTER
    # TABLE on PostgreSQL.
    with op.batch_alter_table("login_attempts") as batch:
        batch.alter_column("last_failure", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.alter_column("last_failure", existing_type=sa.DateTime(timezone=True), nullable=True)
