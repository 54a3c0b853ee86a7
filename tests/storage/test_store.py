"""Storage tests, run against a SQLite file and a real throwaway PostgreSQL 15 cluster."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from logic.errors import ConfigError, StorageError
from logic.storage.engine import (
    DEFAULT_SQLITE_PATH,
    ENV_VAR,
    MIGRATIONS_DIR,
    REPO_ROOT,
    head_revision,
    resolve_database_url,
)
from logic.storage.store import (
    COLUMN_NAMES,
    FRAME_COLUMNS,
    SPECS,
    CheckinNotFound,
    ImportResult,
    InvalidCheckin,
    Store,
    WeekTaken,
    dispose_stores,
    get_store,
    normalise_checkins,
)
from logic.storage.tables import nullable


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stride.db'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    yield s
    s.dispose()


def checkin(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "runner": "Ann",
        "date": dt.date(2025, 11, 26),  # a Wednesday; ISO week starts Mon 24 Nov
        "team": "Trail Cats",
        "pain_locations": "front_knee",
        "pain_level": 3,
        "pain_triggers": "",
        "training_changes": "",
        "weekly_km": 42.5,
        "longest_run_km": None,
        "sitting_hours": 7.5,
        "strength_sessions": 2,
        "mobility_sessions": 1,
        "limitations": "",
        "sex": "female",
        "warning_signs": "",
    }
    row.update(overrides)
    return row


# --- schema and migrations ----------------------------------------------------------------


# The model against a freshly migrated database: tests/storage/test_tables.py.


def test_reopening_keeps_rows(store_url: str) -> None:
    first = Store(store_url)
    cid = first.save_checkin(checkin())
    first.dispose()
    again = Store(store_url)
    assert again.get_checkin(cid)["runner"] == "Ann"
    again.dispose()


OSTRC = ("ostrc_participation", "ostrc_training", "ostrc_performance", "ostrc_pain")
NEXT_MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "0099_test_extra"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("extra_score", sa.Integer(), nullable=True))
        batch.create_check_constraint("ck_checkins_extra_score", "extra_score BETWEEN 0 AND 3")
"""


def test_old_database_upgrades_in_place(store_url: str, tmp_path: Path) -> None:
    """What any later change does: a new migration, rows kept, old rules still enforced."""
    old = Store(store_url)
    ids = [old.save_checkin(checkin(runner=r)) for r in ("Ann", "Bob")]
    old.dispose()

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0099_test_extra.py").write_text(
        NEXT_MIGRATION.format(head=head_revision())
    )
    new = Store(store_url, script_location=scripts)
    assert new.schema_revision() == "0099_test_extra"
    assert [new.get_checkin(i)["runner"] for i in ids] == ["Ann", "Bob"]
    with new.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT extra_score FROM checkins")).scalars().all() == [
            None,
            None,
        ]
    for bad in ("pain_level = 11", "extra_score = 4", "ostrc_pain = 4"):
        with pytest.raises(sa.exc.IntegrityError), new.engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE checkins SET {bad}"))
    with pytest.raises(
        StorageError,
        match="column 'pain_level': got 11; allowed: a whole number from 0 to 10",
    ):
        new.save_checkin(checkin(runner="Cat", pain_level=11))
    new.dispose()


def test_unknown_newer_revision_is_refused(store_url: str) -> None:
    s = Store(store_url)
    where = s.where
    with s.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0999_from_future'"))
    s.dispose()
    with pytest.raises(StorageError, match="newer release") as info:
        Store(store_url)
    assert where in str(info.value)
    assert "0999_from_future" in str(info.value)


def test_corrupted_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "stride.db"
    garbage = b"this is not a database \x00\xff" * 400
    path.write_bytes(garbage)
    with pytest.raises(StorageError, match="not a valid SQLite database") as info:
        Store(f"sqlite:///{path}")
    assert str(path) in str(info.value)
    assert path.read_bytes() == garbage


# --- SQLite specifics ---------------------------------------------------------------------


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'stride.db'}")
    assert (tmp_path / "nested" / "dir" / "stride.db").exists()
    with s.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    assert pragma == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}
    s.dispose()


def test_read_only_database_gives_clear_message(tmp_path: Path) -> None:
    # Root ignores file permissions, so open the file read-only the honest way: SQLite's
    # own read-only mode, as a read-only mount or a viewer-only copy would behave.
    path = tmp_path / "stride.db"
    writer = Store(f"sqlite:///{path}")
    writer.save_checkin(checkin())
    writer.dispose()
    ro = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert len(ro.history("Ann")) == 1
    with pytest.raises(StorageError) as info:
        ro.save_checkin(checkin(runner="Bob"))
    assert str(info.value) == f"Could not save: the database at {path} is read-only."
    ro.dispose()


# --- URLs ---------------------------------------------------------------------------------


def test_default_url_is_repo_data_file(tmp_path: Path) -> None:
    url = resolve_database_url(env={}, secrets_path=tmp_path / "missing.toml")
    assert url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH == REPO_ROOT / "data" / "stride_check.db"


def test_env_beats_secrets_and_secrets_beat_default(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "postgresql://app:pw@db.example:5432/stride"\n')
    from_secrets = resolve_database_url(env={}, secrets_path=secrets)
    assert from_secrets == "postgresql+psycopg://app:pw@db.example:5432/stride"
    env = {ENV_VAR: f"sqlite:///{tmp_path / 'env.db'}"}
    assert resolve_database_url(env=env, secrets_path=secrets) == env[ENV_VAR]
    assert resolve_database_url(env={ENV_VAR: "  "}, secrets_path=secrets) == from_secrets


def test_relative_sqlite_path_is_relative_to_repo(tmp_path: Path) -> None:
    url = resolve_database_url(env={ENV_VAR: "sqlite:///data/other.db"}, secrets_path=tmp_path)
    assert url == f"sqlite:///{REPO_ROOT / 'data' / 'other.db'}"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[database\nurl = 'x'", r"is not valid TOML"),
        ("database = 'sqlite:///x.db'", r'"database" must be a table'),
        ("[database]\nurl = 5", r"key \[database\] url must be a non-empty string"),
        ("[database]\nurl = 'not a url'", r"key \[database\] url: cannot read"),
        ("[database]\nurl = 'mysql://u:hunter2@h/db'", r"unsupported database 'mysql'"),
    ],
)
def test_bad_secrets_file_names_file_and_key(tmp_path: Path, content: str, expected: str) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(content)
    with pytest.raises(ConfigError, match=expected) as info:
        resolve_database_url(env={}, secrets_path=secrets)
    assert str(secrets) in str(info.value)
    assert "hunter2" not in str(info.value)


def test_bad_env_url_names_variable() -> None:
    with pytest.raises(ConfigError, match=ENV_VAR):
        resolve_database_url(env={ENV_VAR: "://nope"})


def test_get_store_is_cached_per_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cached.db'}"
    monkeypatch.setenv(ENV_VAR, url)
    try:
        assert get_store() is get_store(url)
        assert get_store(f"sqlite:///{tmp_path / 'other.db'}") is not get_store(url)
    finally:
        dispose_stores()


@pytest.mark.postgres
def test_unreachable_server_message_hides_password() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StorageError, match="cannot reach the database server") as info:
        Store(f"postgresql+psycopg://app:s3cret-pw@127.0.0.1:{port}/stride")
    assert "s3cret-pw" not in str(info.value)
    assert "app:***@127.0.0.1" in str(info.value)


# --- check-ins ----------------------------------------------------------------------------


def test_round_trip_in_exact_table_shape(store: Store) -> None:
    row = checkin(pain_locations=["back_thigh", "front_knee"], team=None)
    cid = store.save_checkin(row)
    expected = {
        "id": cid,
        **row,
        "pain_locations": "front_knee;back_thigh",
        "week_start": dt.date(2025, 11, 24),
        **dict.fromkeys(OSTRC, None),
        "pain_side": None,  # optional, not given
    }
    assert store.get_checkin(cid) == expected
    assert list(store.get_checkin(cid)) == FRAME_COLUMNS

    frame = store.history("Ann")
    assert list(frame.columns) == ["id", *COLUMN_NAMES, "week_start"]
    dtypes = frame.dtypes.astype(str).to_dict()
    assert dtypes["date"] == dtypes["week_start"] == "datetime64[ns]"
    for name, spec in SPECS.items():
        want = {"date": "datetime64[ns]", "number": "float64"}.get(spec.type, "str")
        if spec.type == "integer":
            want = "Int64" if nullable(spec) else "int64"
        assert dtypes[name] == want, name
    got = frame.iloc[0]
    assert got["date"] == pd.Timestamp("2025-11-26")
    assert pd.isna(got["team"]) and pd.isna(got["longest_run_km"])
    assert got["pain_locations"] == "front_knee;back_thigh" and got["weekly_km"] == 42.5
    # the same shape when there is nothing to show
    empty = store.history("Nobody")
    assert list(empty.columns) == list(frame.columns)
    assert empty.dtypes.astype(str).to_dict() == dtypes


def test_round_tripped_dict_can_be_saved_again(store: Store) -> None:
    cid = store.save_checkin(checkin())
    again = store.save_checkin(store.get_checkin(cid), replace=True)
    assert again == cid


def test_sets_are_stored_in_canonical_order(store: Store) -> None:
    spellings = [
        "back_thigh;front_knee",
        " front_knee ; back_thigh ;",
        ["back_thigh", "front_knee", "front_knee"],
        {"front_knee", "back_thigh"},
        ("back_thigh", "front_knee"),
    ]
    ids = [
        store.save_checkin(checkin(runner=f"R{i}", pain_locations=v, warning_signs=None))
        for i, v in enumerate(spellings)
    ]
    stored = {store.get_checkin(i)["pain_locations"] for i in ids}
    assert stored == {"front_knee;back_thigh"}
    assert {store.get_checkin(i)["warning_signs"] for i in ids} == {""}
    frame = normalise_checkins(
        pd.DataFrame(
            {"runner": ["x"], "date": ["2025-01-01"], "pain_triggers": ["top_speed;uphill;stairs"]}
        )
    )
    assert frame.loc[0, "pain_triggers"] == "uphill;stairs;top_speed"


def test_unknown_values_are_refused_before_writing(store: Store) -> None:
    with pytest.raises(InvalidCheckin, match="column 'pain_locations': got 'front_knee;elbow'"):
        store.save_checkin(checkin(pain_locations="front_knee;elbow"))
    with pytest.raises(InvalidCheckin, match="column 'sex': got 'robot'"):
        store.save_checkin(checkin(sex="robot"))
    with pytest.raises(InvalidCheckin, match="column 'date': got 'soon'"):
        store.save_checkin(checkin(date="soon"))
    with pytest.raises(InvalidCheckin, match="column 'weekly_km': got inf"):
        store.save_checkin(checkin(weekly_km=float("inf")))
    with pytest.raises(InvalidCheckin, match=r"column 'pain_level': got 2\.5"):
        store.save_checkin(checkin(pain_level=2.5))
    with pytest.raises(InvalidCheckin, match="Unknown column"):
        store.save_checkin(checkin(pain_levle=3))
    assert store.all_checkins().empty and store.list_runners().empty


@pytest.mark.parametrize("day", ["0001-01-01", "1677-12-31", "2262-01-01", "9999-12-31"])
def test_dates_beyond_what_storage_holds_are_named_not_crashed_on(store: Store, day: str) -> None:
    frame = pd.DataFrame({"runner": ["Ann", "Bob"], "date": ["2026-01-05", day]})
    with pytest.raises(InvalidCheckin) as err:
        store.import_checkins(frame)
    assert str(err.value) == (
        f"check-in 2, column 'date': got {day}; allowed: a date from 1678-01-01 to 2261-12-31\n"
        "Nothing was imported."
    )
    assert store.all_checkins().empty and store.list_runners().empty


def test_the_first_and_last_storable_days_round_trip(store: Store) -> None:
    for day in ("1678-01-01", "2261-12-31"):
        store.save_checkin(checkin(runner=f"R{day}", date=day))
    assert sorted(store.all_checkins()["date"].dt.strftime("%Y-%m-%d")) == [
        "1678-01-01",
        "2261-12-31",
    ]


def test_week_taken_then_replace_in_place(store: Store) -> None:
    cid = store.save_checkin(checkin(date=dt.date(2025, 11, 24)))  # Monday
    with pytest.raises(WeekTaken) as info:
        store.save_checkin(checkin(date=dt.date(2025, 11, 30), pain_level=7))  # Sunday
    assert info.value.checkin_id == cid
    assert info.value.date == dt.date(2025, 11, 24)
    assert isinstance(info.value, StorageError) and "Ann" in str(info.value)
    assert store.save_checkin(checkin(date="2025-12-01")) != cid  # next Monday: new week

    same = store.save_checkin(checkin(date=dt.date(2025, 11, 30), pain_level=7), replace=True)
    assert same == cid
    assert store.get_checkin(cid)["pain_level"] == 7
    assert store.get_checkin(cid)["date"] == dt.date(2025, 11, 30)
    assert len(store.history("Ann")) == 2


def test_history_latest_and_week_lookup(store: Store) -> None:
    for day in ("2025-11-12", "2025-10-01", "2025-11-26", "2025-10-20"):
        store.save_checkin(checkin(date=day))
    store.save_checkin(checkin(runner="Bob", date="2025-12-24"))
    hist = store.history("Ann")
    assert hist["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-10-01",
        "2025-10-20",
        "2025-11-12",
        "2025-11-26",
    ]
    assert (hist["week_start"].dt.day_of_week == 0).all()
    assert store.latest_checkin("Ann")["date"] == dt.date(2025, 11, 26)
    assert store.latest_checkin("Nobody") is None
    assert store.checkin_in_week("Ann", dt.date(2025, 11, 16))["date"] == dt.date(2025, 11, 12)
    assert store.checkin_in_week("Ann", "2025-11-17") is None
    assert store.all_checkins(["Bob"])["runner"].tolist() == ["Bob"]
    assert store.all_checkins([]).empty
    assert store.all_checkins()["runner"].tolist() == ["Ann"] * 4 + ["Bob"]


def test_moving_a_checkin_onto_a_taken_week_replaces_only_when_asked(store: Store) -> None:
    a = store.save_checkin(checkin(date="2025-11-24", pain_level=1))
    b = store.save_checkin(checkin(date="2025-12-01", pain_level=2))
    store.update_checkin(a, {"date": "2025-12-03"}, replace=True)  # b's week
    assert store.get_checkin(b) is None
    history = store.history("Ann")
    assert history["id"].tolist() == [a]
    assert history["date"].tolist() == [pd.Timestamp("2025-12-03")]
    assert history["pain_level"].tolist() == [1]


def test_update_and_delete(store: Store) -> None:
    a = store.save_checkin(checkin(date="2025-11-24"))
    b = store.save_checkin(checkin(date="2025-12-01"))
    store.update_checkin(a, {"pain_level": 9, "pain_triggers": ["downhill", "uphill"]})
    got = store.get_checkin(a)
    assert got["pain_level"] == 9 and got["weekly_km"] == 42.5
    assert got["pain_triggers"] == "uphill;downhill"
    with pytest.raises(WeekTaken) as info:
        store.update_checkin(a, {"date": "2025-12-03"})  # b's week
    assert info.value.checkin_id == b
    assert store.get_checkin(a)["date"] == dt.date(2025, 11, 24)  # nothing changed
    with pytest.raises(CheckinNotFound):
        store.update_checkin(12345, {"pain_level": 1})

    ids = store.history("Ann")["id"]  # numpy integers, as a page would pass them
    store.update_checkin(ids.iloc[0], {"pain_level": 8})
    assert store.get_checkin(ids.iloc[0])["pain_level"] == 8
    assert store.delete_checkin(a) is True
    assert store.delete_checkin(a) is False
    assert store.get_checkin(a) is None
    assert store.history("Ann")["id"].tolist() == [b]
    assert store.list_runners()["runner"].tolist() == ["Ann"]  # runner kept


def test_runners(store: Store) -> None:
    store.add_runner("Zoe")
    store.add_runner(" Ann ", "Hill Goats")
    store.add_runner("Ann")  # idempotent, keeps the team
    assert store.list_runners().fillna("-").values.tolist() == [["Ann", "Hill Goats"], ["Zoe", "-"]]
    store.add_runner("Ann", "Trail Cats")
    store.save_checkin(checkin(runner="Bob", team="Road Runners"))
    runners = store.list_runners()
    assert list(runners.columns) == ["runner", "team"]
    assert runners.fillna("-").values.tolist() == [
        ["Ann", "Trail Cats"],
        ["Bob", "Road Runners"],
        ["Zoe", "-"],
    ]
    with pytest.raises(StorageError, match="runner must be 1 to 64 characters long"):
        store.add_runner("x" * 65)


# --- imports ------------------------------------------------------------------------------


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_import_is_all_or_nothing(store: Store) -> None:
    kept = store.save_checkin(checkin(runner="Kept"))
    rows = [checkin(runner=f"R{i}", date=f"2025-0{i + 1}-10") for i in range(5)]
    rows[3]["pain_level"] = 11  # violates the database's CHECK constraint
    with pytest.raises(StorageError) as info:
        store.import_checkins(_frame(rows), on_conflict="error")
    assert "column 'pain_level': got 11; allowed: a whole number from 0 to 10" in str(info.value)
    assert str(info.value).endswith("Nothing was imported.")
    assert store.all_checkins()["id"].tolist() == [kept]
    assert store.list_runners()["runner"].tolist() == ["Kept"]

    rows[3]["pain_level"] = 4
    rows[1]["runner"] = None
    with pytest.raises(StorageError, match="column 'runner': missing"):
        store.import_checkins(_frame(rows), on_conflict="skip")
    assert len(store.all_checkins()) == 1


def test_import_conflicts(store: Store) -> None:
    ann = store.save_checkin(checkin(runner="Ann", date="2025-11-24", pain_level=1))
    store.save_checkin(checkin(runner="Bob", date="2025-11-24"))
    batch = _frame(
        [
            checkin(runner="Ann", date="2025-11-26", pain_level=5),  # clashes with the DB
            checkin(runner="Bob", date="2025-12-02"),  # new
            checkin(runner="Cat", date="2025-11-25", team="Newbies"),  # new runner
            checkin(runner="Ann", date="2025-11-27", pain_level=6),  # clashes within the batch
        ]
    )
    with pytest.raises(StorageError, match="more than one check-in for Ann"):
        store.import_checkins(batch, on_conflict="error")
    with pytest.raises(StorageError, match=r"1 check-in\(s\) are already saved"):
        store.import_checkins(batch.iloc[:3], on_conflict="error")
    assert len(store.all_checkins()) == 2

    assert store.import_checkins(batch, on_conflict="skip") == ImportResult(2, 0, 2)
    assert store.get_checkin(ann)["pain_level"] == 1
    assert len(store.all_checkins()) == 4
    assert "Cat" in store.list_runners()["runner"].tolist()

    assert store.import_checkins(batch, on_conflict="replace") == ImportResult(0, 3, 1)
    assert store.get_checkin(ann)["pain_level"] == 6  # last row of the batch wins
    assert store.get_checkin(ann)["date"] == dt.date(2025, 11, 27)
    assert len(store.all_checkins()) == 4


def _random_checkins(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    runners = np.array([f"runner{i:03d}" for i in range(max(1, n // 50))])
    weeks = np.arange(n) // len(runners)
    frame = pd.DataFrame(
        {
            "runner": runners[np.arange(n) % len(runners)],
            "date": pd.Timestamp("2020-01-06")
            + pd.to_timedelta(weeks * 7 + rng.integers(0, 7, n), unit="D"),
            "team": rng.choice(np.array(["A", "B", None], dtype=object), n),
            "pain_level": rng.integers(0, 11, n),
            "weekly_km": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(40, 150, n).round(1)),
            "longest_run_km": rng.uniform(0, 40, n).round(1),
            "sitting_hours": rng.uniform(0, 24, n).round(1),
            "strength_sessions": rng.integers(0, 15, n),
            "mobility_sessions": rng.integers(0, 15, n),
            "sex": rng.choice(np.array(list(SPECS["sex"].values)), n),
        }
    )
    for name, spec in SPECS.items():
        if spec.type == "set":
            vocab = np.array(list(spec.values))
            picks = rng.random((n, len(vocab))) < 0.25
            frame[name] = pd.DataFrame(np.where(picks, vocab, "")).agg(";".join, axis=1)
    return frame


def test_bulk_import_round_trip(store: Store) -> None:
    frame = _random_checkins(3000)
    assert store.import_checkins(frame, on_conflict="error") == ImportResult(3000, 0, 0)
    got = store.all_checkins().drop(columns="id").reset_index(drop=True)
    want = (
        normalise_checkins(frame)
        .sort_values(["runner", "date"], kind="stable")
        .reset_index(drop=True)
        .astype({n: "int64" for n, c in SPECS.items() if c.type == "integer" and not nullable(c)})
    )
    pd.testing.assert_frame_equal(got, want)
    # dates written by the bulk path compare equal to dates bound by ordinary queries
    first = want.iloc[0]
    assert store.checkin_in_week(first["runner"], first["date"])["date"] == first["date"].date()
    assert store.import_checkins(frame.iloc[:10], on_conflict="replace") == ImportResult(0, 10, 0)
    pd.testing.assert_frame_equal(store.all_checkins().drop(columns="id"), want)
