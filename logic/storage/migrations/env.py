"""Alembic environment for Stride Check.

At app start `storage.engine.upgrade_to_head` hands us an open connection (inside its transaction)
via ``config.attributes["connection"]``. From the alembic CLI (see README.md here) we connect
to the same URL the app would use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from logic.storage.engine import make_engine, normalise_url, resolve_database_url, writer
from logic.storage.store import metadata

config = context.config


def _run(conn: sa.Connection) -> None:
    context.configure(
        connection=conn,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode copies the table, keeping named
        # constraints, so migrations read the same on both backends.
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
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
