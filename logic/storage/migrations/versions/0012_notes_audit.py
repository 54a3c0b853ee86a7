"""Notes on check-ins, and an audit trail of edits, deletes, role and team changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

checkin_notes: a coach's note on a runner's check-in and the runner's replies, with the
author and the time. The runner's name is kept beside the check-in id so that access checks
and the runner's export need no join; a note goes with its check-in (ON DELETE CASCADE; the
store also deletes them itself, in the same transaction, and the audit row keeps them).

audit_log: one row per change worth a trace: who (user id and name as they were), when,
what (action, subject, runner) and the state before and after as JSON text (Text, not JSON,
so SQLite and PostgreSQL store and compare it the same way).

Frozen on purpose, like the migrations before it: the columns are spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "checkin_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("runner", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer()),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_role", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["checkins.id"], name="fk_checkin_notes_checkin", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["runner"], ["runners.name"], name="fk_checkin_notes_runner", onupdate="CASCADE"
        ),
        sa.CheckConstraint("length(body) BETWEEN 1 AND 2000", name="ck_checkin_notes_body"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_checkin_notes_checkin", "checkin_notes", ["checkin_id"])
    op.create_index("ix_checkin_notes_runner", "checkin_notes", ["runner"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("actor_id", sa.Integer()),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("runner", sa.Text()),
        sa.Column("before", sa.Text()),
        sa.Column("after", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_checkin_notes_runner", table_name="checkin_notes")
    op.drop_index("ix_checkin_notes_checkin", table_name="checkin_notes")
    op.drop_table("checkin_notes")
