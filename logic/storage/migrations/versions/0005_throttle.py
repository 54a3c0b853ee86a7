"""Sign-in throttling per name, per address and per name-and-address (issue 11, finding 3).

Revision ID: 0005
Revises: 0004_accounts_reconcile
Create Date: 2026-12-02

login_attempts counted failures per name only, so anyone could keep a name waiting for ever.
login_throttle keeps one counter per scope ("pair", "address", "name") and key, plus the
refused attempts and the last successful sign-in of a pair (which makes that address known).
The per-name rows of login_attempts carry over as "name" counters; the old table goes.

Frozen on purpose, like 0001-0004: the table is spelled out here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_accounts_reconcile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("refused", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_login_throttle"),
        sa.CheckConstraint("scope IN ('pair', 'address', 'name')", name="ck_login_throttle_scope"),
        sa.CheckConstraint("failures >= 0 AND refused >= 0", name="ck_login_throttle_counts"),
    )
    op.execute(
        "INSERT INTO login_throttle (scope, key, failures, refused, last_failure) "
        "SELECT 'name', username, failures, 0, last_failure FROM login_attempts"
    )
    op.drop_table("login_attempts")


def downgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.Text(), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO login_attempts (username, failures, last_failure) "
        "SELECT key, failures, last_failure FROM login_throttle "
        "WHERE scope = 'name' AND last_failure IS NOT NULL"
    )
    op.drop_table("login_throttle")
