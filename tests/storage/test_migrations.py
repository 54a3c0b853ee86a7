"""Databases made by earlier releases upgrade in place on start, keeping every row, and end
up exactly as the model says (alembic's own comparison finds nothing to do)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from logic.storage.engine import (
    alembic_config,
    head_revision,
    make_engine,
    migration_options,
    normalise_url,
)
from logic.storage.store import Store
from logic.storage.tables import metadata

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
    row without a time: 0004 keeps every row and gives that one a time."""
    engine = make_engine(normalise_url(db_url))
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003_accounts")
        with engine.begin() as conn:
            for sql in ACCOUNT_ROWS.values():
                conn.execute(sa.text(sql))
        with engine.connect() as conn:
            before = {t: conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in ACCOUNT_ROWS}
    finally:
        engine.dispose()
    store = Store(db_url)
    try:
        assert store.schema_revision() == head_revision()
        assert _matches_model(store)
        with store.engine.connect() as conn:
            after = {t: conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in ACCOUNT_ROWS}
        assert {t: len(rows) for t, rows in after.items()} == {
            t: len(rows) for t, rows in before.items()
        }
        for table in ("runners", "teams", "users", "coach_teams"):
            # Later migrations may add columns (0007: users.username_key): compare the old ones.
            width = len(before[table][0])
            assert [r[:width] for r in after[table]] == before[table], table
        attempts = {row.username: row for row in after["login_attempts"]}
        assert attempts["ann"] == next(r for r in before["login_attempts"] if r.username == "ann")
        assert attempts["ghost"].failures == 5
        assert attempts["ghost"].last_failure is not None
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE login_attempts SET last_failure = NULL"))
    finally:
        store.dispose()
