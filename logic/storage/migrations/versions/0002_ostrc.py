"""OSTRC-style weekly severity: four optional answers (option index 0-3).

Revision ID: 0002_ostrc
Revises: 0001_initial
Create Date: 2026-11-27

Frozen on purpose, like 0001: the columns are spelled out here, not read from the TOML.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ostrc"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

OSTRC = ("ostrc_participation", "ostrc_training", "ostrc_performance", "ostrc_pain")


def upgrade() -> None:
    # Batch mode copies the table on SQLite (keeping the named constraints) and issues plain
    # ALTER TABLE statements on PostgreSQL.
    with op.batch_alter_table("checkins") as batch:
        for name in OSTRC:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_check_constraint(f"ck_checkins_{name}", f"{name} BETWEEN 0 AND 3")


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        for name in OSTRC:
            batch.drop_constraint(f"ck_checkins_{name}", type_="check")
            batch.drop_column(name)
