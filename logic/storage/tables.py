"""Every table of the app's database, in one SQLAlchemy MetaData: the schema as the code expects
it at the newest migration.

Migrations (logic/storage/migrations/versions) build the real schema; this model is what
queries use and what `alembic check` / `revision --autogenerate` compare against, so it must
hold every table (tests/storage/test_tables.py runs that comparison on SQLite and PostgreSQL).
The check-in columns come from the knowledge base (data/checkin.toml, read once by
logic.knowledge); CHECK constraints live in the migrations only, as alembic cannot compare them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from logic.knowledge import ColumnSpec, knowledge_base

NOW = sa.text("CURRENT_TIMESTAMP")

CHECKIN_SPECS: dict[str, ColumnSpec] = dict(knowledge_base().checkin.columns)

_SQL_TYPES: dict[str, Any] = {
    "text": sa.Text,
    "choice": sa.Text,
    "date": sa.Date,
    "set": sa.Text,
    "integer": sa.Integer,
    "number": sa.Double,
}


def nullable(spec: ColumnSpec) -> bool:
    """A check-in column may be NULL unless it is required, has a default, or is a set
    (an empty set is stored as '')."""
    return spec.type != "set" and not spec.required and spec.default is None


def _server_default(spec: ColumnSpec) -> str | None:
    if spec.type == "set":
        return ""
    return None if spec.default is None else str(spec.default)


def _checkin_column(name: str, spec: ColumnSpec) -> sa.Column[Any]:
    return sa.Column(
        name,
        _SQL_TYPES[spec.type](),
        nullable=nullable(spec),
        server_default=_server_default(spec),
    )


metadata = sa.MetaData()

# --- runners and check-ins (0001, 0002; 0007: AUTOINCREMENT; 0008: the runner profile) ---

runners = sa.Table(
    "runners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("team", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    # The runner profile (0008, logic/profile.py): asked once, not in every check-in.
    sa.Column("sex", sa.Text),
    sa.Column("age_band", sa.Text),
    sa.Column("units", sa.Text, nullable=False, server_default="km"),
    sa.Column("reminders", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.UniqueConstraint("name", name="uq_runners_name"),
    sqlite_autoincrement=True,
)
checkins = sa.Table(
    "checkins",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *(_checkin_column(name, spec) for name, spec in CHECKIN_SPECS.items()),
    sa.Column("week_start", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.ForeignKeyConstraint(
        ["runner"], ["runners.name"], name="fk_checkins_runner", onupdate="CASCADE"
    ),
    sa.UniqueConstraint("runner", "week_start", name="uq_checkins_runner_week"),
    sa.Index("ix_checkins_date", "date"),
    sqlite_autoincrement=True,
)

# --- accounts (migrations 0003, 0004, 0006, 0007) -----------------------------------------

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.UniqueConstraint("name", name="uq_teams_name"),
    sqlite_autoincrement=True,
)
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    # The username as it is compared (NFKC, case-folded: logic.names.username_key), 0007.
    # NULL is allowed only because SQLite's ADD COLUMN needs it; the app always writes it.
    sa.Column("username_key", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("runner", sa.Text),  # the runner a runner account is
    sa.Column("password_hash", sa.Text),  # None: signs in with single sign-on only
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    # Bumped by every change that must end the account's open sessions (0006).
    sa.Column("session_version", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("username", name="uq_users_username"),
    sa.Index("uq_users_username_key", "username_key", unique=True),
    sa.UniqueConstraint("email", name="uq_users_email"),
    sa.ForeignKeyConstraint(
        ["runner"], ["runners.name"], name="fk_users_runner", onupdate="CASCADE"
    ),
    sqlite_autoincrement=True,
)
coach_teams = sa.Table(
    "coach_teams",
    metadata,
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("team", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("user_id", "team", name="pk_coach_teams"),
    sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name="fk_coach_teams_user", ondelete="CASCADE"
    ),
    sa.ForeignKeyConstraint(
        ["team"], ["teams.name"], name="fk_coach_teams_team", onupdate="CASCADE"
    ),
)
# --- sign-in throttling (migration 0005) ------------------------------------------------------

# One counter per scope and key: ("pair", "<address> <username>"), ("address", "<address>"),
# ("name", "<username>"). Every attempt is either a wrong guess or refused during a wait.
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("refused", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failure", sa.DateTime(timezone=True)),  # None: none since the last success
    sa.Column("last_success", sa.DateTime(timezone=True)),  # pairs only: the address is known
    sa.PrimaryKeyConstraint("scope", "key", name="pk_login_throttle"),
)

# --- the email outbox (migration 0013, logic/storage/outbox.py) ------------------------------

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False),  # one email per key: queueing twice queues once
    sa.Column("kind", sa.Text, nullable=False),  # reminder, digest, red_flag, test
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("message_id", sa.Text, nullable=False),  # the same on every retry
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claim_token", sa.Text),  # the sender holding the row while status = sending
    sa.Column("lease_until", sa.DateTime(timezone=True)),  # then another sender may take it
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("key", name="uq_outbox_key"),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    sqlite_autoincrement=True,
)
outbox_attempts = sa.Table(
    "outbox_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("outbox_id", sa.Integer, nullable=False),
    sa.Column("claim_token", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.Text),  # sent, retry, failed; abandoned: the sender died
    sa.Column("error", sa.Text),
    sa.ForeignKeyConstraint(
        ["outbox_id"], ["outbox.id"], name="fk_outbox_attempts_outbox", ondelete="CASCADE"
    ),
    sa.Index("ix_outbox_attempts_outbox", "outbox_id"),
    sqlite_autoincrement=True,
)

# --- notes and the audit trail (migration 0012) ------------------------------------------------

# A coach's note on a runner's check-in, and the runner's replies. `author` is the name shown
# when it was written; `runner` repeats the check-in's runner so access needs no join.
checkin_notes = sa.Table(
    "checkin_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("checkin_id", sa.Integer, nullable=False),
    sa.Column("runner", sa.Text, nullable=False),
    sa.Column("author_id", sa.Integer),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("author_role", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.ForeignKeyConstraint(
        ["checkin_id"], ["checkins.id"], name="fk_checkin_notes_checkin", ondelete="CASCADE"
    ),
    sa.ForeignKeyConstraint(
        ["runner"], ["runners.name"], name="fk_checkin_notes_runner", onupdate="CASCADE"
    ),
    sa.Index("ix_checkin_notes_checkin", "checkin_id"),
    sa.Index("ix_checkin_notes_runner", "runner"),
    sqlite_autoincrement=True,
)
# Every edit and delete of a check-in, role change and team change: who, when, and the state
# before and after as JSON text. Rows are only ever added.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.Column("actor_id", sa.Integer),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("runner", sa.Text),
    sa.Column("before", sa.Text),
    sa.Column("after", sa.Text),
    sa.Index("ix_audit_log_at", "at"),
    sqlite_autoincrement=True,
)

# --- recorded runs (migration 0010) -----------------------------------------------------------

# Figures of runs imported from GPX/TCX/FIT files or a Strava/Garmin export, never the track:
# no coordinate is stored (a track shows where someone lives). One row per run; the same file
# (content_hash) or the same start and sport is stored once per runner.
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("runner", sa.Text, nullable=False),
    sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("sport", sa.Text, nullable=False),
    sa.Column("distance_km", sa.Double, nullable=False),
    sa.Column("moving_s", sa.Double),
    sa.Column("elapsed_s", sa.Double),
    sa.Column("elevation_gain_m", sa.Double),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
    sa.ForeignKeyConstraint(
        ["runner"], ["runners.name"], name="fk_runs_runner", onupdate="CASCADE"
    ),
    sa.UniqueConstraint("runner", "content_hash", name="uq_runs_runner_hash"),
    sa.UniqueConstraint("runner", "start_utc", "sport", name="uq_runs_runner_start_sport"),
    sa.Index("ix_runs_runner_date", "runner", "local_date"),
    sqlite_autoincrement=True,
)
# The figures of one run, in the table's order: what logic.io.activities reads from a file and
# logic.storage.runs stores (the table's columns but its keys and bookkeeping). One list for
# the reader and the store.
RUN_COLUMNS = [c.name for c in runs.columns if c.name not in ("id", "runner", "created_at")]
