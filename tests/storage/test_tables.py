"""One model of every table (logic/storage/tables.py), and alembic finds nothing to do on a
freshly migrated database: on SQLite and PostgreSQL, in code and with the documented CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from logic.knowledge import knowledge_base
from logic.storage.engine import ENV_VAR, REPO_ROOT, head_revision, migration_options
from logic.storage.store import Store
from logic.storage.tables import metadata

ALEMBIC_INI = REPO_ROOT / "logic" / "storage" / "migrations" / "alembic.ini"
ACCOUNT_TABLES = {"users", "teams", "coach_teams", "login_throttle"}
OUTBOX_TABLES = {"outbox", "outbox_attempts"}
NOTE_TABLES = {"checkin_notes", "audit_log"}


def _diff(conn: sa.Connection, model: sa.MetaData) -> list:
    """alembic's own comparison, configured as migrations/env.py configures it."""
    opts = {**migration_options(conn), "target_metadata": model}
    assert opts["compare_type"] is True
    return compare_metadata(MigrationContext.configure(conn, opts=opts), model)


def test_one_metadata_holds_every_table() -> None:
    assert set(metadata.tables) == {
        "runners",
        "checkins",
        "runs",
        *ACCOUNT_TABLES,
        *OUTBOX_TABLES,
        *NOTE_TABLES,
    }
    # The check-in columns are the knowledge base's, in its order.
    columns = [c.name for c in metadata.tables["checkins"].columns]
    assert columns == ["id", *knowledge_base().checkin.columns, *columns[-3:]]
    assert columns[-3:] == ["week_start", "created_at", "updated_at"]


def test_freshly_migrated_database_matches_the_model(store: Store) -> None:
    assert store.schema_revision() == head_revision()
    with store.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) >= set(metadata.tables)
        assert _diff(conn, metadata) == []


def test_the_comparison_sees_the_account_tables(store: Store) -> None:
    """Without a table in the model, alembic would drop it: the comparison can fail."""
    partial = sa.MetaData()
    for table in metadata.tables.values():
        if table.name != "login_throttle":
            table.to_metadata(partial)
    with store.engine.connect() as conn:
        diff = _diff(conn, partial)
    assert [(op[0], op[1].name) for op in diff] == [("remove_table", "login_throttle")]


def _alembic(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_VAR: url}
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_alembic_check_cli_finds_nothing_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgraded = _alembic("upgrade", "head", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = _alembic("check", url=url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr
    # The same command does see a difference: one revision back, the head is still to do.
    _alembic("downgrade", "-1", url=url)
    again = _alembic("check", url=url)
    assert again.returncode != 0
    assert "Target database is not up to date" in again.stdout + again.stderr
