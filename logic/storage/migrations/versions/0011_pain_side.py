"""Which leg hurts: an optional `pain_side` on every check-in (left, right or both).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Existing check-ins keep no side (NULL: not given). Frozen on purpose, like the earlier
revisions: the allowed values are spelled out here, not read from data/checkin.toml.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: a batch copy of `checkins` is not needed for a
    # nullable column with a column-level CHECK.
    op.execute(
        "ALTER TABLE checkins ADD COLUMN pain_side TEXT CONSTRAINT ck_checkins_pain_side "
        "CHECK (pain_side IN ('left', 'right', 'both'))"
    )


def downgrade() -> None:
    op.drop_column("checkins", "pain_side")
