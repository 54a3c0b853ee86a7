"""Database errors name where the database lives (file, user, host, port) in `message`, for
whoever runs the app, and never in `public`, for everyone else (pages/shared/common.py
error_text chooses). Real failures on both backends: a read-only SQLite file and a
PostgreSQL port nobody listens on."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from logic.errors import StorageError
from logic.storage.store import Store


def test_a_read_only_sqlite_file_is_named_only_in_the_full_message(tmp_path: Path) -> None:
    path = tmp_path / "club" / "stride.db"
    Store(f"sqlite:///{path}").dispose()
    # Root ignores file permissions: SQLite's own read-only mode, as a read-only mount.
    store = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(StorageError) as info:
            store.add_runner("Ann")
    finally:
        store.dispose()
    assert str(path) in info.value.message
    assert "read-only" in info.value.public
    assert str(tmp_path) not in info.value.public and "club" not in info.value.public


@pytest.mark.postgres
def test_an_unreachable_server_is_named_only_in_the_full_message() -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StorageError) as info:
        Store(f"postgresql+psycopg://stride_app:s3cret-pw@127.0.0.1:{port}/stride")
    full, public = info.value.message, info.value.public
    assert "stride_app" in full and str(port) in full
    assert "cannot reach the database server" in public
    for leak in ("stride_app", "127.0.0.1", str(port), "s3cret-pw", "postgresql"):
        assert leak not in public, public
