"""Databases made by earlier releases upgrade in place on start, keeping every row, and end
up exactly as the model says (alembic's own comparison finds nothing to do)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from logic.storage.engine import (
    head_revision,
    migration_options,
)
from logic.storage.store import Store
from logic.storage.tables import metadata
from tests.support.migrations import database_at

RELEASE_0_1 = Path(__file__).parents[1] / "fixtures" / "release-0.1.db"


def _matches_model(store: Store) -> bool:
    with store.engine.connect() as conn:
        opts = {**migration_options(conn), "target_metadata": metadata}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), metadata) == []


def test_release_0_1_database_upgrades_in_place(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_0_1, db)
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            "0001_initial"
        )
        before = pd.read_sql("SELECT * FROM checkins ORDER BY id", conn)
    store = Store(f"sqlite:///{db}")
    try:
        assert store.schema_revision() == head_revision() != "0001_initial"
        assert _matches_model(store)
        after = store.all_checkins().sort_values("id").reset_index(drop=True)
        assert len(after) == len(before) == 3
        for column in ["id", "runner", "pain_locations", "pain_level", "weekly_km", "sex"]:
            assert after[column].astype(str).tolist() == before[column].astype(str).tolist()
        assert after["ostrc_pain"].isna().all()
        # The upgraded database takes new answers.
        store.save_checkin(
            {"runner": "Ann", "date": "2026-10-19", "ostrc_participation": 1, "ostrc_pain": 2}
        )
        assert store.latest_checkin("Ann")["ostrc_pain"] == 2
    finally:
        store.dispose()


ACCOUNT_ROWS = {
    "runners": "INSERT INTO runners (name, team) VALUES ('Ann', 'Hares')",
    "teams": "INSERT INTO teams (name) VALUES ('Hares')",
    "users": (
        "INSERT INTO users (username, display_name, role, runner, password_hash) VALUES "
        "('ann', 'Ann', 'runner', 'Ann', 'x'), ('cole', 'Cole', 'coach', NULL, 'y')"
    ),
    "coach_teams": "INSERT INTO coach_teams (user_id, team) SELECT id, 'Hares' FROM users "
    "WHERE username = 'cole'",
    "login_attempts": (
        "INSERT INTO login_attempts (username, failures, last_failure) VALUES "
        "('ann', 2, '2026-11-30 10:00:00+00:00'), ('ghost', 5, NULL)"
    ),
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stride.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def test_0004_keeps_every_account_row(db_url: str) -> None:
    """A database at 0003 (as release 0.3 left it) with accounts in it, one login_attempts
    row without a time: 0004 keeps every row and gives that one a time, and 0005 keeps the
    counts as per-name throttle counters."""
    with database_at(db_url, "0003_accounts") as engine:
        with engine.begin() as conn:
            for sql in ACCOUNT_ROWS.values():
                conn.execute(sa.text(sql))
        with engine.connect() as conn:
            before = {t: conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in ACCOUNT_ROWS}
    store = Store(db_url)
    try:
        assert store.schema_revision() == head_revision()
        assert _matches_model(store)
        with store.engine.connect() as conn:
            after = {
                t: conn.execute(sa.text(f"SELECT * FROM {t}")).all()
                for t in ACCOUNT_ROWS
                if t != "login_attempts"
            }
            # 0005 carried login_attempts over into login_throttle's per-name counters.
            names = conn.execute(sa.text("SELECT * FROM login_throttle WHERE scope = 'name'")).all()
        for table in ("runners", "teams", "users", "coach_teams"):
            # Later migrations add columns (0006: users.session_version, 0007:
            # users.username_key): compare the old ones.
            kept = [row[: len(before[table][0])] for row in after[table]]
            assert kept == [tuple(row) for row in before[table]], table
        attempts = {row.key: row for row in names}
        assert len(attempts) == len(before["login_attempts"])
        ann = next(r for r in before["login_attempts"] if r.username == "ann")
        assert (attempts["ann"].failures, attempts["ann"].last_failure) == (2, ann.last_failure)
        assert attempts["ghost"].failures == 5
        assert attempts["ghost"].last_failure is not None
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE login_throttle SET scope = 'other'"))
    finally:
        store.dispose()


def test_0006_starts_every_existing_account_at_session_version_0(db_url: str) -> None:
    """Accounts made before 0006 keep every value and start at session version 0."""
    with database_at(db_url, "0004_accounts_reconcile") as engine, engine.begin() as conn:
        for table in ("runners", "teams", "users"):
            conn.execute(sa.text(ACCOUNT_ROWS[table]))
    store = Store(db_url)
    try:
        assert store.schema_revision() == head_revision()
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT username, role, session_version FROM users ORDER BY username")
            ).all()
        assert [tuple(r) for r in rows] == [("ann", "runner", 0), ("cole", "coach", 0)]
    finally:
        store.dispose()


def test_0011_gives_existing_checkins_no_side_and_refuses_an_unknown_one(db_url: str) -> None:
    """Check-ins stored before 0011 keep every answer and have no side; the column takes
    left, right or both and nothing else."""
    with database_at(db_url, "0008") as engine, engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO runners (name) VALUES ('Ann')"))
        conn.execute(
            sa.text(
                "INSERT INTO checkins (runner, date, week_start, pain_level, pain_locations) "
                "VALUES ('Ann', '2026-11-18', '2026-11-16', 3, 'buttock')"
            )
        )
    store = Store(db_url)
    try:
        assert store.schema_revision() == head_revision()
        assert _matches_model(store)
        old = store.latest_checkin("Ann")
        assert old["pain_level"] == 3 and old["pain_locations"] == "buttock"
        assert old["pain_side"] is None
        store.save_checkin({"runner": "Ann", "date": "2026-11-25", "pain_side": "both"})
        assert store.latest_checkin("Ann")["pain_side"] == "both"
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE checkins SET pain_side = 'middle'"))
    finally:
        store.dispose()
