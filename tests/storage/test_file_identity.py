"""A SQLite file deleted or replaced while the app runs: writes are refused with a message
naming the file (never a "saved" for data that is gone), and a restart never quietly starts
an empty database in its place. A new database is created on first start only, and said so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logic.errors import StorageError
from logic.storage.store import Store

ROW = {"runner": "Ann", "date": "2026-11-23", "pain_level": 2}


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def test_first_start_creates_the_database_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "new" / "stride.db"
    store = Store(f"sqlite:///{db}")
    try:
        notice = store.take_new_database_notice()
        assert notice is not None and "Created a new database" in notice and str(db) in notice
        assert store.take_new_database_notice() is None  # said once
    finally:
        store.dispose()
    again = Store(f"sqlite:///{db}")
    try:
        assert again.take_new_database_notice() is None  # an existing database: nothing new
    finally:
        again.dispose()


def test_a_deleted_file_refuses_saves_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "stride.db"
    store = Store(f"sqlite:///{db}")
    try:
        store.save_checkin(ROW)
        _remove(db)
        with pytest.raises(StorageError, match=f"{db}.*deleted"):
            store.save_checkin({**ROW, "date": "2026-11-30"})
        with pytest.raises(StorageError, match="deleted"):
            store.all_checkins()
    finally:
        store.dispose()


def test_a_replaced_file_refuses_saves_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "stride.db"
    other = tmp_path / "other.db"
    Store(f"sqlite:///{other}").dispose()
    store = Store(f"sqlite:///{db}")
    try:
        store.save_checkin(ROW)
        _remove(db)
        shutil.copy(other, db)
        with pytest.raises(StorageError, match=f"{db}.*replaced"):
            store.save_checkin({**ROW, "date": "2026-11-30"})
    finally:
        store.dispose()


def test_a_restart_after_deletion_does_not_create_an_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "stride.db"
    Store(f"sqlite:///{db}").dispose()
    _remove(db)
    with pytest.raises(StorageError, match=f"{db}.*missing") as err:
        Store(f"sqlite:///{db}")
    assert "-created" in str(err.value)  # it names the marker to delete for a fresh start
    assert not db.exists()
    # Deleting the marker is the explicit "start afresh".
    Path(f"{db}-created").unlink()
    store = Store(f"sqlite:///{db}")
    try:
        assert store.take_new_database_notice() is not None
    finally:
        store.dispose()


def test_an_existing_database_without_a_marker_is_not_announced_as_new(tmp_path: Path) -> None:
    """A database from a release before the marker: opened as it is, the marker added."""
    db = tmp_path / "stride.db"
    Store(f"sqlite:///{db}").dispose()
    Path(f"{db}-created").unlink()
    store = Store(f"sqlite:///{db}")
    try:
        assert store.take_new_database_notice() is None
        assert Path(f"{db}-created").exists()
    finally:
        store.dispose()
