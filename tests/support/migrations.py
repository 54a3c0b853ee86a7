"""A database migrated only part of the way, as an earlier release left it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import command

from logic.storage.engine import alembic_config, make_engine, normalise_url


@contextmanager
def database_at(url: str, revision: str) -> Iterator[sa.Engine]:
    """An engine on `url` after upgrading it to `revision` only, for a test to fill with the
    rows an older release would hold before the app upgrades the rest; disposed afterwards."""
    engine = make_engine(normalise_url(url))
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        yield engine
    finally:
        engine.dispose()
