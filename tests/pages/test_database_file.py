"""The database file in the app: its creation is announced once, and a save after the file
was deleted says so, naming the file, instead of "saved"."""

from __future__ import annotations

from pathlib import Path

from logic.storage.engine import normalise_url, sqlite_file
from tests.support.apptest import app, assert_no_exception, button, fill_checkin, texts


def test_the_first_start_says_a_new_database_was_created(db_url: str) -> None:
    path = sqlite_file(normalise_url(db_url))
    assert path is not None and not path.exists()
    at = app("Ann").run()
    assert_no_exception(at)
    assert any(f"Created a new database at {path}" in t for t in texts(at.info)), texts(at.info)
    at.run()
    assert not any("Created a new database" in t for t in texts(at.info))


def test_a_save_after_the_file_was_deleted_is_refused_naming_the_file(db_url: str) -> None:
    path = sqlite_file(normalise_url(db_url))
    assert path is not None
    at = app("Ann").run()
    fill_checkin(at, pain_locations=["buttock"], pain_level=4).run()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert any(str(path) in t and "deleted" in t for t in texts(at.error)), texts(at.error)
    assert at.title[0].value == "Weekly check-in"  # not the results of a save that vanished
    assert not path.exists()
