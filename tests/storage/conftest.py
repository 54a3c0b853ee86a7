"""The `store` fixture the storage tests share: a fresh database on SQLite, and on PostgreSQL
under the `postgres` mark (tests/support/pg.py). A test file that needs more (runners, say)
overrides it by asking for this one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from logic.storage.accounts import Accounts
from logic.storage.store import Store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'stride.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    s = Store(url)
    yield s
    s.dispose()


@pytest.fixture
def accounts(store: Store) -> Accounts:
    """Accounts over the `store` fixture's database."""
    return Accounts(store)
