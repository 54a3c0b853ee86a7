"""The runs table on SQLite and PostgreSQL: figures stored and read back, nothing twice (same
file, or same start and sport), one transaction per import, and never a coordinate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from logic.errors import StorageError
from logic.io.activities import read_activities
from logic.storage.runs import RunStore
from logic.storage.store import Store
from logic.storage.tables import runs as runs_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runs"


@pytest.fixture
def store(store: Store) -> Store:
    """conftest's store (SQLite and PostgreSQL) with the two runners these tests import for."""
    store.add_runner("Ann")
    store.add_runner("Bob")
    return store


def _found(*names: str) -> pd.DataFrame:
    return read_activities([FIXTURES / n for n in names]).runs


def test_runs_are_stored_and_read_back(store: Store) -> None:
    runs = _found("cerknicko-jezero.gpx", "trail_10k_minus8h.fit.gz")
    result = RunStore(store).import_runs("Ann", runs)
    assert (result.inserted, result.already_stored) == (2, 0)
    stored = RunStore(store).runs("Ann")
    assert stored["sport"].tolist() == ["run", "trail_run"]
    assert stored["local_date"].dt.strftime("%Y-%m-%d").tolist() == ["2010-08-05", "2026-11-01"]
    assert stored["distance_km"].tolist() == pytest.approx([4.575, 10.0], rel=0.02)
    assert stored["elevation_gain_m"].iloc[1] == pytest.approx(100)
    assert stored["moving_s"].iloc[1] == pytest.approx(3000)
    assert stored["source"].iloc[1] == "trail_10k_minus8h.fit.gz"
    assert stored["content_hash"].str.len().tolist() == [64, 64]


def test_the_same_file_again_stores_nothing(store: Store) -> None:
    runs = _found("run_10k_100m.gpx")
    rs = RunStore(store)
    assert rs.import_runs("Ann", runs).inserted == 1
    again = rs.import_runs("Ann", runs)
    assert (again.inserted, again.already_stored) == (0, 1)
    assert len(rs.runs("Ann")) == 1


def test_the_same_run_from_another_file_is_not_stored_twice(store: Store) -> None:
    """GPX and FIT of one run: different bytes, same start time and sport."""
    rs = RunStore(store)
    rs.import_runs("Ann", _found("run_10k_100m.gpx"))
    again = rs.import_runs("Ann", _found("run_10k_100m.fit", "cerknicko-jezero.gpx"))
    assert (again.inserted, again.already_stored) == (1, 1)
    stored = rs.runs("Ann")
    assert stored["source"].tolist() == ["cerknicko-jezero.gpx", "run_10k_100m.gpx"]
    assert stored["distance_km"].iloc[1] == pytest.approx(10.0, rel=0.02)
    assert str(stored["start_utc"].iloc[1]) == "2026-11-02 07:00:00+00:00"
    assert str(stored["local_date"].iloc[1].date()) == "2026-11-02"


def test_each_runner_has_their_own_runs(store: Store) -> None:
    rs = RunStore(store)
    rs.import_runs("Ann", _found("run_10k_100m.gpx"))
    assert rs.import_runs("Bob", _found("run_10k_100m.gpx")).inserted == 1
    assert len(rs.runs("Bob")) == 1
    assert len(rs.runs_of(["Ann", "Bob"])) == 2


def test_an_unknown_runner_stores_nothing(store: Store) -> None:
    with pytest.raises(StorageError, match="no runner named 'Zed'"):
        RunStore(store).import_runs("Zed", _found("run_10k_100m.gpx"))
    assert RunStore(store).runs("Zed").empty


def test_an_import_that_fails_midway_stores_nothing(store: Store) -> None:
    runs = _found("run_10k_100m.gpx", "cerknicko-jezero.gpx")
    runs.loc[1, "distance_km"] = -1.0  # refused by the table's CHECK, after the first row
    with pytest.raises(StorageError, match="Nothing was imported"):
        RunStore(store).import_runs("Ann", runs)
    assert RunStore(store).runs("Ann").empty


def test_the_table_has_no_place_for_a_track() -> None:
    columns = {c.name for c in runs_table.columns}
    assert not {"lat", "lon", "latitude", "longitude", "track", "points", "polyline"} & columns


def test_the_database_refuses_a_duplicate_even_past_the_check(store: Store) -> None:
    """The unique constraints hold on their own (two imports racing each other)."""
    RunStore(store).import_runs("Ann", _found("run_10k_100m.gpx"))
    row = RunStore(store).runs("Ann").iloc[0]
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            sa.insert(runs_table),
            {
                "runner": "Ann",
                "start_utc": row["start_utc"].to_pydatetime(),
                "local_date": row["local_date"].date(),
                "sport": "run",
                "distance_km": 1.0,
                "source": "x.gpx",
                "content_hash": "other",
            },
        )
