"""Alembic environment for Stride Check.

At app start `storage.engine.upgrade_to_head` hands us an open connection (inside its transaction)
via ``config.attributes["connection"]``. From the alembic CLI (see README.md here) we connect
to the same URL the app would use.

The target is logic.storage.tables.metadata, which holds every table of the app: `alembic
check` and `revision --autogenerate` see the check-in and the account tables alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from logic.storage.engine import (
    make_engine,
    migration_options,
    normalise_url,
    resolve_database_url,
    writer,
)
from logic.storage.tables import metadata

config = context.config


def _run(conn: sa.Connection) -> None:
    context.configure(connection=conn, target_metadata=metadata, **migration_options(conn))
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        context.configure(url=resolve_database_url(), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(normalise_url(resolve_database_url()))
    try:
        with writer(engine).begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


_main()
