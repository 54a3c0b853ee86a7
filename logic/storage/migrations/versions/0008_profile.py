"""The runner profile on the runner: sex, age band, units and reminders.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

What does not change weekly moves out of the weekly form (logic/profile.py). The columns go
on `runners` (the team already lives there) with plain ADD COLUMN on both backends: a batch
copy of `runners` on SQLite would drop a table that check-ins and accounts reference.
Existing runners start with no sex or age band given, distances in km and reminders on.

Frozen on purpose, like the earlier revisions: the allowed values are spelled out here.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = (
    "sex TEXT CONSTRAINT ck_runners_sex CHECK (sex IN ('female', 'male', 'other', 'unspecified'))",
    "age_band TEXT CONSTRAINT ck_runners_age_band "
    "CHECK (age_band IN ('under_18', '18_39', '40_59', '60_plus'))",
    "units TEXT NOT NULL DEFAULT 'km' CONSTRAINT ck_runners_units CHECK (units IN ('km', 'miles'))",
    "reminders BOOLEAN NOT NULL DEFAULT true",
)


def upgrade() -> None:
    for column in _COLUMNS:
        op.execute(f"ALTER TABLE runners ADD COLUMN {column}")


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), never a batch copy of `runners` (see above).
    for name in ("reminders", "units", "age_band", "sex"):
        op.drop_column("runners", name)
