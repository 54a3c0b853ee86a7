"""Faults: a killed import, a database that goes away mid-check-in, a broken database file.

* SIGKILL of a process in the middle of ``Store.import_checkins``: afterwards the database
  holds all of the import or none of it, and every row from before (SQLite and PostgreSQL).
* A REAL outage (a private PostgreSQL cluster stopped with pg_ctl) between filling the
  check-in form and clicking Save: a clear message, the answers kept, and a retry that works
  once the cluster is started again (AppTest).
* A corrupted (garbage bytes) or future-version (alembic_version '9999_future') SQLite file:
  the real app, opened in Chromium, names the file in its error, and the file is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from _appserver import sqlite_url  # on sys.path via tests/browser_support
from pg import fresh_postgres_url, postgres_server  # noqa: F401  (fixtures)
from playwright.sync_api import expect

from benchmarks.bench_import import random_checkins
from benchmarks.load_checkins import PgCluster
from logic.db import ENV_VAR
from logic.storage import Store, dispose_stores, get_store
from tests.apptest_support import app, assert_no_exception, button, fill_checkin, texts
from tests.browser_support import open_app

REPO_ROOT = Path(__file__).resolve().parent.parent
IMPORT_ROWS = 200_000
PRE_ROWS = 300

# --- 1. SIGKILL in the middle of an import -------------------------------------------------

# The child opens the Store, announces when the import's transaction has begun (an engine
# "begin" listener fires after BEGIN [IMMEDIATE] ran), imports, and announces the commit.
CHILD = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    import sqlalchemy as sa
    sys.path.insert(0, {root!r})
    from logic.storage import Store

    frame = pd.read_pickle({frame!r})
    store = Store({url!r})
    sa.event.listen(store.engine, "begin", lambda conn: print("begin", time.time(), flush=True))
    print("started", flush=True)
    store.import_checkins(frame, on_conflict="error")
    print("done", time.time(), flush=True)
    """
)


@pytest.fixture(scope="module")
def import_frame(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 valid check-ins (1,000 runners 'runnerN', one per ISO week), pickled."""
    path = tmp_path_factory.mktemp("import") / "frame.pkl"
    random_checkins(IMPORT_ROWS).to_pickle(path)
    return path


def _seed(url: str) -> pd.DataFrame:
    """Rows that exist before the import (other runners than the import's)."""
    pre = random_checkins(PRE_ROWS, prefix="pre-runner")
    store = Store(url)
    try:
        store.import_checkins(pre, on_conflict="error")
        return _snapshot(store)
    finally:
        store.dispose()


def _snapshot(store: Store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        frame = pd.read_sql_query(sa.text("SELECT * FROM checkins ORDER BY id"), conn)
    return frame.drop(columns=["created_at", "updated_at"])


def _kill_mid_import(url: str, frame: Path, delay: float) -> str:
    """Run the child, SIGKILL it `delay` s after its transaction began; its stdout."""
    code = CHILD.format(root=str(REPO_ROOT), frame=str(frame), url=url)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out.append(line)
            # "begin" twice: the first transaction is the Store's migration check/upgrade
            # (inside Store()), the import's comes after "started".
            if line.startswith("begin") and any(x.startswith("started") for x in out):
                time.sleep(delay)
                os.kill(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail("the import child never began its transaction: " + "".join(out))
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=30)
    text = "".join(out)
    assert proc.returncode == -signal.SIGKILL or "done" in text, (proc.returncode, text, err)
    return text


def _check_all_or_nothing(url: str, before: pd.DataFrame) -> tuple[str, int]:
    store = Store(url)  # "after restart": reopen (SQLite recovers its WAL here)
    try:
        after = _snapshot(store)
        kept = after[after["id"].isin(before["id"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, before.reset_index(drop=True))
        added = len(after) - len(before)
        assert added in (0, IMPORT_ROWS), f"partial import: {added} of {IMPORT_ROWS} rows"
        runners = store.list_runners()["runner"]
        imported_runners = int((~runners.str.startswith("pre-")).sum())
        # Runners are upserted in the same transaction: all or none of them too.
        assert imported_runners == (1000 if added else 0), imported_runners
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return ("all" if added else "none"), added
    finally:
        store.dispose()


@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5])
def test_sqlite_import_killed_midway_is_all_or_nothing(
    delay: float, import_frame: Path, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path / "killed.db")
    before = _seed(url)
    out = _kill_mid_import(url, import_frame, delay)
    outcome, _ = _check_all_or_nothing(url, before)
    # With the kill inside the transaction nothing may be there; after "done", everything.
    assert outcome == ("all" if "done" in out else "none"), out
    if delay <= 0.2:
        # The 200k-row transaction takes seconds: a kill this early must land inside it,
        # or the test would prove nothing.
        assert "done" not in out, "the import committed before the kill: use more rows"


@pytest.mark.postgres
def test_postgres_import_killed_midway_is_all_or_nothing(
    import_frame: Path,
    fresh_postgres_url: str,  # noqa: F811
) -> None:
    before = _seed(fresh_postgres_url)
    out = _kill_mid_import(fresh_postgres_url, import_frame, 0.3)
    outcome, _ = _check_all_or_nothing(fresh_postgres_url, before)
    assert outcome == ("all" if "done" in out else "none"), out


# --- 2. the database goes away between filling the form and Save --------------------------


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A private cluster: stopping the session's shared one would break other tests."""
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        dispose_stores()
        cluster.close()


@pytest.mark.postgres
def test_a_real_outage_keeps_the_answers_and_the_retry_saves_once(
    own_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = own_cluster.create_database("outage")
    monkeypatch.setenv(ENV_VAR, url)
    at = app("Olga Outage").run()
    assert_no_exception(at)
    fill_checkin(at, pain_locations=["buttock"], pain_level=4, sitting_hours=11.0).run()
    assert_no_exception(at)

    own_cluster.stop()
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    errors = texts(at.error)
    assert any(
        "was not saved" in t and "answers are still here" in t and "cannot reach" in t
        for t in errors
    ), errors
    assert f"127.0.0.1:{own_cluster.port}" in " ".join(errors)  # names the server ...
    assert at.title[0].value == "Weekly check-in"
    assert at.multiselect(key="ci_pain_locations").value == ["buttock"]
    assert at.slider(key="ci_pain_level").value == 4
    assert at.slider(key="ci_sitting_hours").value == 11.0

    own_cluster.start()
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results", texts(at.error) + texts(at.warning)
    history = get_store().history("Olga Outage")
    assert history["pain_locations"].tolist() == ["buttock"]
    assert history["pain_level"].tolist() == [4]


# --- 3. a corrupted or future-version database file ---------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.browser
def test_a_garbage_database_file_is_named_and_left_untouched(
    app_server_factory, page_factory, tmp_path: Path
) -> None:
    db = tmp_path / "garbage.db"
    db.write_bytes(os.urandom(64 * 1024))  # no SQLite header: "file is not a database"
    digest = _digest(db)
    server = app_server_factory(db_url=sqlite_url(db))
    page = page_factory("desktop")
    open_app(page, server.base_url)
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text=str(db))
    expect(alert.first).to_be_visible()
    expect(alert.first).to_contain_text("not a valid SQLite database")
    assert "Weekly check-in" not in _page_text(page)
    page.reload()  # a second session: still the error, still no reset
    open_app(page, server.base_url)
    expect(alert.first).to_be_visible()
    assert _digest(db) == digest, "the corrupted file was changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.db"]


@pytest.mark.browser
def test_a_future_version_database_is_named_and_left_untouched(
    app_server_factory, page_factory, tmp_path: Path
) -> None:
    db = tmp_path / "future.db"
    store = Store(sqlite_url(db))
    store.save_checkin({"runner": "Fia Future", "date": "2026-01-05", "pain_level": 2})
    store.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    digest = _digest(db)
    server = app_server_factory(db_url=sqlite_url(db))
    page = page_factory("desktop")
    open_app(page, server.base_url)
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text=str(db))
    expect(alert.first).to_be_visible()
    expect(alert.first).to_contain_text(re.compile(r"schema revision '9999_future'"))
    expect(alert.first).to_contain_text("left untouched")
    server.stop()  # let go of the file before comparing bytes
    assert _digest(db) == digest, "the future-version file was changed"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_future",)
        ]
        assert conn.execute("SELECT runner FROM checkins").fetchall() == [("Fia Future",)]
    conn.close()
