"""Accounts for team mode: users with a role, teams, coaches' teams, login throttling.

Revision ID: 0003_accounts
Revises: 0002_ostrc
Create Date: 2026-11-27

Frozen on purpose: every column is spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_accounts"
down_revision = "0002_ostrc"
branch_labels = None
depends_on = None

NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("name", name="uq_teams_name"),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 64", name="ck_teams_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("runner", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.ForeignKeyConstraint(
            ["runner"], ["runners.name"], name="fk_users_runner", onupdate="CASCADE"
        ),
        sa.CheckConstraint("role IN ('runner', 'coach', 'admin')", name="ck_users_role"),
        sa.CheckConstraint("length(username) BETWEEN 1 AND 64", name="ck_users_username"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "coach_teams",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "team", name="pk_coach_teams"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_coach_teams_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team"], ["teams.name"], name="fk_coach_teams_team", onupdate="CASCADE"
        ),
    )
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.Text(), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for table in ("login_attempts", "coach_teams", "users", "teams"):
        op.drop_table(table)
