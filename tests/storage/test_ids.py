"""Check-in ids are never reused: a deleted check-in's id never names another one later, so an
old ?checkin= link can never open someone else's check-in (SQLite AUTOINCREMENT, PostgreSQL
sequences), also in databases made by earlier releases."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from logic.storage.engine import head_revision
from logic.storage.store import Store
from tests.support.migrations import database_at

RELEASE_0_1 = Path(__file__).parents[1] / "fixtures" / "release-0.1.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stride.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def _save(store: Store, runner: str, weeks_back: int) -> int:
    day = dt.date(2026, 11, 23) - dt.timedelta(weeks=weeks_back)
    return store.save_checkin({"runner": runner, "date": day, "pain_level": 1})


def _insert_three_delete_last_insert(store: Store) -> tuple[list[int], int]:
    ids = [_save(store, "Ids", n) for n in range(3)]
    assert store.delete_checkin(ids[-1])
    return ids, _save(store, "Ids", 5)


def test_a_deleted_checkins_id_is_never_given_again(db_url: str) -> None:
    store = Store(db_url)
    try:
        ids, new = _insert_three_delete_last_insert(store)
        assert ids == [1, 2, 3] and new == 4
    finally:
        store.dispose()


def test_an_existing_database_at_0004_stops_reusing_ids(db_url: str) -> None:
    """A database left by the release before (schema 0004, ids reused on SQLite), with rows
    in it and its top check-in deleted: after the upgrade that id is never given again."""
    with database_at(db_url, "0004_accounts_reconcile") as engine:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO runners (name) VALUES ('Ids')"))
            for n, day in enumerate(("2026-11-02", "2026-11-09", "2026-11-16"), start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO checkins (id, runner, date, week_start) "
                        "VALUES (:id, 'Ids', :day, :day)"
                    ),
                    {"id": n, "day": day},
                )
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT setval('checkins_id_seq', 3)"))
        with engine.connect() as conn:
            before = conn.execute(sa.text("SELECT * FROM checkins ORDER BY id")).all()
    store = Store(db_url)
    try:
        assert store.schema_revision() == head_revision()
        with store.engine.connect() as conn:
            after = conn.execute(sa.text("SELECT * FROM checkins ORDER BY id")).all()
        # Later migrations add columns at the end (0011: pain_side): compare the old ones.
        width = len(before[0])
        assert [tuple(r)[:width] for r in after] == [tuple(r) for r in before]
        assert store.delete_checkin(3)
        assert _save(store, "Ids", 8) == 4
    finally:
        store.dispose()


def test_the_release_0_1_database_keeps_its_ids_and_never_reuses_them(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_0_1, db)
    store = Store(f"sqlite:///{db}")
    try:
        ids = store.all_checkins()["id"].sort_values().tolist()
        assert ids == [1, 2, 3]
        assert store.delete_checkin(3)
        runner = store.list_runners()["runner"].iloc[0]
        assert _save(store, runner, 60) == 4
    finally:
        store.dispose()


def test_sqlite_tables_with_ids_use_autoincrement(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'stride.db'}")
    try:
        with store.engine.connect() as conn:
            sql = dict(conn.execute(sa.text("SELECT name, sql FROM sqlite_master")).all())
        for table in ("checkins", "runners", "users", "teams"):
            assert "AUTOINCREMENT" in sql[table], table
    finally:
        store.dispose()


def test_upgrading_keeps_coach_teams_and_gives_every_user_a_username_key(db_url: str) -> None:
    """0007 must not copy `users` on SQLite: dropping it would cascade into coach_teams.
    Usernames that differ only in case get distinct keys, the later one marked with its id."""
    with database_at(db_url, "0004_accounts_reconcile") as engine, engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO teams (name) VALUES ('Hares')"))
        conn.execute(
            sa.text(
                "INSERT INTO users (username, display_name, role, password_hash) VALUES "
                "('Cole', 'Cole', 'coach', 'x'), ('cole', 'Cole 2', 'coach', 'y')"
            )
        )
        conn.execute(
            sa.text("INSERT INTO coach_teams (user_id, team) SELECT id, 'Hares' FROM users")
        )
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM coach_teams")).scalar() == 2
            keys = conn.execute(sa.text("SELECT username_key FROM users ORDER BY id")).scalars()
            assert list(keys) == ["cole", "cole#2"]
    finally:
        store.dispose()
