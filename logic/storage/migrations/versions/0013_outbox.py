"""The email outbox: every email to send, and every attempt to send it (issue 15).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

`outbox` holds one row per email, unique by `key` (a reminder per runner and week, a digest
per coach and week, a red flag per check-in and coach), so queueing twice queues once.
A sender claims a row (claim_token, lease_until), sends it, and marks it sent once the SMTP
server has accepted it; a lease that runs out hands the row to the next sender
(logic/storage/outbox.py). `outbox_attempts` records every try with its outcome.

Frozen on purpose, like the earlier revisions: the tables are spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name="ck_outbox_status"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name="fk_outbox_attempts_outbox", ondelete="CASCADE"
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('sent', 'retry', 'failed', 'abandoned')",
            name="ck_outbox_attempts_outcome",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_attempts_outbox", "outbox_attempts", ["outbox_id"])


def downgrade() -> None:
    op.drop_table("outbox_attempts")
    op.drop_table("outbox")
