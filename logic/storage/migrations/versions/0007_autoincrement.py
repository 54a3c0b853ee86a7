"""Never-reused check-in ids on SQLite, and usernames unique whatever their case.

Revision ID: 0007
Revises: 0004_accounts_reconcile
Create Date: 2026-12-05

Check-in ids: 0002 rebuilt `checkins` (batch mode) without AUTOINCREMENT, so SQLite handed the
id of the newest check-in out again once it was deleted, and an old ?checkin= link could
open someone else's check-in. The table is rebuilt with AUTOINCREMENT, keeping every row,
id, constraint and index, and sqlite_sequence starts at the highest id used that we can
still see (the current maximum). PostgreSQL sequences never go back: nothing to do there.

Usernames: `username_key` holds the username as it is compared (NFKC, case-folded), with a
unique index, so "Ann" and "ann" cannot both exist, on both backends. Accounts that
already clash keep signing in with their exact username; the later ones get "#<id>" in
their key, so the constraint holds and an admin can rename them.

Frozen on purpose, like 0001-0004: the column and the folding are spelled out here.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _key(username: str) -> str:
    return unicodedata.normalize("NFKC", username.strip()).casefold()


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        top = conn.execute(sa.text("SELECT max(id) FROM checkins")).scalar() or 0
        with op.batch_alter_table(
            "checkins", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass
        # The copy set sqlite_sequence to the highest id copied; never let it go lower.
        conn.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :top) WHERE name = 'checkins'"),
            {"top": top},
        )
        conn.execute(
            sa.text(
                "INSERT INTO sqlite_sequence (name, seq) SELECT 'checkins', :top "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'checkins')"
            ),
            {"top": top},
        )

    # A plain ADD COLUMN and a unique index, never a batch copy of `users`: on SQLite the copy
    # drops the table, which cascades into coach_teams (ON DELETE CASCADE) and loses
    # AUTOINCREMENT. The column may be NULL only for SQLite's sake (ADD COLUMN cannot add a
    # NOT NULL column without a default); the app always writes it.
    op.add_column("users", sa.Column("username_key", sa.Text(), nullable=True))
    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("username_key"))
    seen: set[str] = set()
    rows = conn.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    for user_id, username in rows:
        key = _key(username)
        if key in seen:
            key = f"{key}#{user_id}"
        seen.add(key)
        conn.execute(sa.update(users).where(users.c.id == user_id).values(username_key=key))
    op.create_index("uq_users_username_key", "users", ["username_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_users_username_key", "users")
    op.drop_column("users", "username_key")
    # AUTOINCREMENT stays: ids that are never reused harm no older release.
