"""Recorded runs: the figures of runs imported from GPX, TCX, FIT files and Strava/Garmin exports.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02

One row per run: runner, start (UTC) and local date, sport, distance, moving and elapsed
time, climbing, the source file's name and a content hash. Never a coordinate or the track.
A runner stores a file (content_hash) or a start time and sport only once.

Frozen on purpose, like the earlier revisions: the table is spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("runner", sa.Text(), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("sport", sa.Text(), nullable=False),
        sa.Column("distance_km", sa.Double(), nullable=False),
        sa.Column("moving_s", sa.Double(), nullable=True),
        sa.Column("elapsed_s", sa.Double(), nullable=True),
        sa.Column("elevation_gain_m", sa.Double(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        sa.ForeignKeyConstraint(
            ["runner"], ["runners.name"], name="fk_runs_runner", onupdate="CASCADE"
        ),
        sa.UniqueConstraint("runner", "content_hash", name="uq_runs_runner_hash"),
        sa.UniqueConstraint("runner", "start_utc", "sport", name="uq_runs_runner_start_sport"),
        sa.CheckConstraint("distance_km >= 0", name="ck_runs_distance_km"),
        sa.CheckConstraint("sport IN ('run', 'trail_run', 'treadmill_run')", name="ck_runs_sport"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_runs_runner_date", "runs", ["runner", "local_date"])


def downgrade() -> None:
    op.drop_index("ix_runs_runner_date", table_name="runs")
    op.drop_table("runs")
