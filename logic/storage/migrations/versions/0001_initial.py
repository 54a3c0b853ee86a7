"""Initial schema: runners and one check-in per runner per ISO week.

Revision ID: 0001_initial
Revises:
Create Date: 2025-11-26

Text columns are TEXT with named length CHECKs (not VARCHAR(n)) so that a too-long value
fails with a constraint that names its column on SQLite and PostgreSQL alike.

Frozen on purpose: this file spells out every column instead of reading data/checkin.toml,
so it builds the same schema forever, whatever the TOML says later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "runners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.UniqueConstraint("name", name="uq_runners_name"),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 64", name="ck_runners_name"),
        sa.CheckConstraint("length(team) <= 64", name="ck_runners_team"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("runner", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("pain_locations", sa.Text(), nullable=False, server_default=""),
        sa.Column("pain_level", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("pain_triggers", sa.Text(), nullable=False, server_default=""),
        sa.Column("training_changes", sa.Text(), nullable=False, server_default=""),
        sa.Column("weekly_km", sa.Double(), nullable=True),
        sa.Column("longest_run_km", sa.Double(), nullable=True),
        sa.Column("sitting_hours", sa.Double(), nullable=False, server_default="0"),
        sa.Column("strength_sessions", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("mobility_sessions", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("limitations", sa.Text(), nullable=False, server_default=""),
        sa.Column("sex", sa.Text(), nullable=False, server_default="unspecified"),
        sa.Column("warning_signs", sa.Text(), nullable=False, server_default=""),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.ForeignKeyConstraint(
            ["runner"], ["runners.name"], name="fk_checkins_runner", onupdate="CASCADE"
        ),
        sa.UniqueConstraint("runner", "week_start", name="uq_checkins_runner_week"),
        sa.CheckConstraint("length(runner) BETWEEN 1 AND 64", name="ck_checkins_runner"),
        sa.CheckConstraint("length(team) <= 64", name="ck_checkins_team"),
        sa.CheckConstraint("pain_level BETWEEN 0 AND 10", name="ck_checkins_pain_level"),
        sa.CheckConstraint("weekly_km >= 0", name="ck_checkins_weekly_km"),
        sa.CheckConstraint("longest_run_km >= 0", name="ck_checkins_longest_run_km"),
        sa.CheckConstraint("sitting_hours BETWEEN 0 AND 24", name="ck_checkins_sitting_hours"),
        sa.CheckConstraint(
            "strength_sessions BETWEEN 0 AND 14", name="ck_checkins_strength_sessions"
        ),
        sa.CheckConstraint(
            "mobility_sessions BETWEEN 0 AND 14", name="ck_checkins_mobility_sessions"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_checkins_date", "checkins", ["date"])


def downgrade() -> None:
    op.drop_index("ix_checkins_date", table_name="checkins")
    op.drop_table("checkins")
    op.drop_table("runners")
