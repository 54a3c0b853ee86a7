"""Faults: a killed import, a database that goes away mid-check-in, a broken database file.

* SIGKILL of a process in the middle of ``Store.import_checkins``: afterwards the database
  holds all of the import or none of it, and every row from before (SQLite and PostgreSQL).
* The same for the REAL app: the ``streamlit run`` server is SIGKILLed while the import
  started from the browser is inside its transaction, then restarted on the same database.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from benchmarks.bench_import import random_checkins
from benchmarks.load_checkins import PgCluster
from logic.io.importing import UPLOAD_LIMIT_BYTES, export_csv
from logic.storage.engine import ENV_VAR
from logic.storage.store import Store, dispose_stores, get_store
from scripts.appserver import AppServer, sqlite_url
from tests.support.apptest import app, assert_no_exception, button, fill_checkin, texts
from tests.support.browser import assert_clean, open_app, wait_for_app

REPO_ROOT = Path(__file__).resolve().parents[2]
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
    from logic.storage.store import Store

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
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,  # `python -c` imports from its working directory: this checkout's logic
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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


def _check_all_or_nothing(
    url: str, before: pd.DataFrame, rows: int = IMPORT_ROWS, runners: int = 1000
) -> tuple[str, int]:
    """Every row of `before` unchanged, and `rows` check-ins of `runners` runners or none."""
    store = Store(url)  # "after restart": reopen (SQLite recovers its WAL here)
    try:
        after = _snapshot(store)
        kept = after[after["id"].isin(before["id"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, before.reset_index(drop=True))
        added = len(after) - len(before)
        assert added in (0, rows), f"partial import: {added} of {rows} rows"
        names = store.list_runners()["runner"]
        imported_runners = int((~names.str.startswith("pre-")).sum())
        # Runners are upserted in the same transaction: all or none of them too.
        assert imported_runners == (runners if added else 0), imported_runners
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
    fresh_postgres_url: str,
) -> None:
    before = _seed(fresh_postgres_url)
    out = _kill_mid_import(fresh_postgres_url, import_frame, 0.3)
    outcome, _ = _check_all_or_nothing(fresh_postgres_url, before)
    assert outcome == ("all" if "done" in out else "none"), out


# --- 1b. SIGKILL of the real app server in the middle of an import from the browser --------
#
# The tests above kill a child that calls Store.import_checkins itself. These kill the real
# `streamlit run` server while the import a runner started from the Import & export page is
# inside its transaction: what a crash or an OOM kill of the deployed app does. The test
# process watches the database from outside to know when the app is inside the transaction,
# SIGKILLs the server's process group, restarts the app on the same database and checks
# that it opens cleanly and that the import is all there or not at all, next to every row
# from before.

APP_IMPORTER = "pre-runner0"  # a seeded runner uploads, with "Team import" for many runners
APP_IMPORT_RUNNERS = 1000
# As big as the browser takes (UPLOAD_LIMIT_BYTES counts a megabyte as the uploader does).
APP_UPLOAD_BYTES = UPLOAD_LIMIT_BYTES - 16 * 1024
APP_TIMEOUT_MS = 180_000  # the 5 MB file is read and checked on every rerun: a busy machine


@pytest.fixture(scope="module")
def app_import_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The biggest valid CSV the upload limit allows (some 34,000 check-ins of 1,000 new
    runners 'imp-runnerN'): the bigger the file, the longer the import's transaction."""
    text = export_csv(random_checkins(40_000, seed=11, prefix="imp-runner"))
    lines = text.splitlines(keepends=True)
    size, keep = 0, 0
    for line in lines:
        size += len(line.encode("utf-8"))
        if size > APP_UPLOAD_BYTES:
            break
        keep += 1
    assert keep < len(lines), "the whole file fits under the limit: make more rows"
    path = tmp_path_factory.mktemp("app_import") / "season.csv"
    path.write_text("".join(lines[:keep]), encoding="utf-8")
    return path, keep - 1  # the header is no check-in


class _SqliteWatch:
    """Is the app inside the import's transaction? SQLite, seen from another connection.

    Every write of the app starts with BEGIN IMMEDIATE (logic.storage.engine.writer), and after the
    click nothing but the import writes (a personal-mode page only writes on a click): so a
    BEGIN IMMEDIATE of our own that fails at once with "database is locked" means the
    import's transaction is open. We also wait until the WAL file holds a first frame (a
    32-byte header, then 24 bytes + one page per frame; the app's file starts with an empty
    WAL), so the kill leaves uncommitted pages of the import in the WAL for the restarted app.
    """

    def __init__(self, url: str, done_at: int) -> None:
        path = url.removeprefix("sqlite:///")
        self.wal = Path(path + "-wal")
        self.conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.done_at = done_at
        self.wal_before = self.wal_size()
        page_size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        self.wal_framed = max(self.wal_before + 1, 32 + 24 + page_size)
        self.detail = ""

    def wal_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0

    def __call__(self) -> str | None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            wal = self.wal_size()
            if wal < self.wal_framed:
                return None
            # Let go before the kill: the restarted app, not us, must find the WAL as is.
            self.conn.close()
            self.detail = f"(WAL {self.wal_before:,} -> {wal:,} bytes)"
            return "inside"
        self.conn.execute("ROLLBACK")
        if self.conn.execute("SELECT count(*) FROM checkins").fetchone()[0] >= self.done_at:
            return "done"
        return None

    def settle(self) -> None:
        """Nothing to wait for: SQLite's locks went with the killed process."""

    def close(self) -> None:
        self.conn.close()


class _PostgresWatch:
    """Is the app inside the import's transaction? PostgreSQL, seen in pg_stat_activity.

    Inside: a backend of the app's database has a transaction open (xact_start) and is
    running, or between, the import's INSERT INTO checkins, which nothing else runs after
    the click.
    """

    INSIDE = sa.text(
        "SELECT state, extract(epoch FROM clock_timestamp() - xact_start) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND xact_start IS NOT NULL AND state <> 'idle' AND query ILIKE 'INSERT INTO checkins%'"
    )
    BACKENDS = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )

    def __init__(self, url: str, done_at: int) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        # Autocommit: in a transaction pg_stat_activity would stay frozen at its first read.
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.done_at = done_at
        self.detail = ""

    def __call__(self) -> str | None:
        inside = self.conn.execute(self.INSIDE).first()
        if inside is not None:
            self.detail = f"(backend {inside[0]!r}, transaction open {float(inside[1]):.2f}s)"
            return "inside"
        if self.conn.execute(sa.text("SELECT count(*) FROM checkins")).scalar() >= self.done_at:
            return "done"
        return None

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until the killed app's backends are gone: its transaction is over for good."""
        deadline = time.monotonic() + timeout
        while self.conn.execute(self.BACKENDS).scalar():
            assert time.monotonic() < deadline, "the killed app's backends are still there"
            time.sleep(0.05)

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def _pick_runner(page, name: str) -> None:
    picker = page.locator('[data-testid="stMain"]').get_by_role(
        "combobox", name="Who is checking in?"
    )
    picker.click()
    picker.fill(name)  # the option list is virtualised: filter it
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app(page, timeout=APP_TIMEOUT_MS)


def _kill_app_mid_import(
    server: AppServer, watch: Callable[[], str | None], timeout: float = 240.0
) -> tuple[str, float]:
    """Poll `watch` until it says "inside" (or "done"), then SIGKILL the app at once."""
    proc = server.proc
    assert proc is not None
    start = time.monotonic()
    while (state := watch()) is None:
        if proc.poll() is not None:
            pytest.fail(f"the app exited during the import:\n{server.output()}", pytrace=False)
        if time.monotonic() - start > timeout:
            pytest.fail(f"the import never began:\n{server.output()}", pytrace=False)
        time.sleep(0.002)
    # The server is its process group's leader (AppServer starts it in a new session):
    # this kills streamlit and anything it may have started, with no chance to clean up.
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.returncode
    return state, time.monotonic() - start


def _app_import_killed_then_restarted(
    app_server_factory,
    page_factory,
    url: str,
    csv_file: Path,
    rows: int,
    watch_type: type[_SqliteWatch] | type[_PostgresWatch],
) -> tuple[str, str]:
    """Seed, import `csv_file` in the app, kill it inside the transaction, restart, check.

    Returns (what the watch saw at the kill: "inside" or "done", the outcome: "all"/"none").
    """
    laps: list[str] = []  # how long each step took, for the report
    began = last = time.monotonic()

    def lap(step: str) -> None:
        nonlocal last
        now = time.monotonic()
        laps.append(f"{step} {now - last:.1f}s")
        last = now

    before = _seed(url)
    server = app_server_factory(db_url=url)
    lap("seed+start")
    page = page_factory("desktop")
    body = page.locator('[data-testid="stMain"]')
    open_app(page, server.base_url, "/data", timeout=APP_TIMEOUT_MS)
    _pick_runner(page, APP_IMPORTER)
    body.get_by_text("Team import: rows may be for any runner").click()
    wait_for_app(page, timeout=APP_TIMEOUT_MS)
    lap("open")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        csv_file
    )
    wait_for_app(page, timeout=APP_TIMEOUT_MS)
    confirm = body.get_by_role("button", name=f"Import {rows} check-ins")
    expect(confirm).to_be_enabled(timeout=APP_TIMEOUT_MS)
    assert len(_snapshot_rows(url)) == len(before), "the preview must not write"
    lap("upload+preview")

    watch = watch_type(url, done_at=len(before) + rows)
    try:
        confirm.click()
        seen, waited = _kill_app_mid_import(server, watch)
        watch.settle()
    finally:
        watch.close()
    lap("click+kill")

    # Restart on the same database: the app must open cleanly and still show the old rows.
    restarted = app_server_factory(db_url=url)
    page = page_factory("desktop")
    open_app(page, restarted.base_url, "/data", timeout=APP_TIMEOUT_MS)
    _pick_runner(page, APP_IMPORTER)
    body = page.locator('[data-testid="stMain"]')
    expect(body.get_by_role("heading", name="Import & export")).to_be_visible()
    expect(body.get_by_role("button", name=re.compile(r"^Download my 1 check-in "))).to_be_visible()
    assert_clean(page)
    lap("restart")

    outcome, _ = _check_all_or_nothing(url, before, rows=rows, runners=APP_IMPORT_RUNNERS)
    lap("check")
    print(
        f"\n[{watch_type.__name__}] kill: {seen} {watch.detail} {waited:.2f}s after the click; "
        f"after restart: {outcome} of {rows} rows; {time.monotonic() - began:.1f}s: "
        + ", ".join(laps)
    )
    if seen == "inside":
        # Killed within milliseconds of seeing the transaction early on (its inserts take
        # about a second on SQLite, many on PostgreSQL): the commit cannot have run.
        assert outcome == "none", "the import was seen in progress, yet it was committed"
    else:
        assert outcome == "all"
    return seen, outcome


def _snapshot_rows(url: str) -> pd.DataFrame:
    store = Store(url)
    try:
        return _snapshot(store)
    finally:
        store.dispose()


@pytest.mark.browser
def test_sqlite_app_killed_mid_import_from_the_browser_is_all_or_nothing(
    app_server_factory, page_factory, app_import_csv: tuple[Path, int], tmp_path: Path
) -> None:
    """The app server killed inside a browser import on SQLite: after a restart (which
    meets the WAL the dead process left behind) all or none of the import, every row from
    before, and a file that passes PRAGMA integrity_check."""
    csv_file, rows = app_import_csv
    url = sqlite_url(tmp_path / "app-killed.db")
    seen, _ = _app_import_killed_then_restarted(
        app_server_factory, page_factory, url, csv_file, rows, _SqliteWatch
    )
    # The write lock shows the transaction exactly, and its ~34,000 inserts take a second.
    assert seen == "inside", "the import committed before the kill: nothing was proven"


@pytest.mark.browser
@pytest.mark.postgres
def test_postgres_app_killed_mid_import_from_the_browser_is_all_or_nothing(
    app_server_factory,
    page_factory,
    app_import_csv: tuple[Path, int],
    fresh_postgres_url: str,
) -> None:
    """The app server killed inside a browser import on PostgreSQL: the server rolls the
    dead client's transaction back; after a restart none of the import, every row from
    before."""
    csv_file, rows = app_import_csv
    seen, _ = _app_import_killed_then_restarted(
        app_server_factory, page_factory, fresh_postgres_url, csv_file, rows, _PostgresWatch
    )
    assert seen == "inside", "the import committed before the kill: nothing was proven"


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
    # The answers sit in a form: they reach the app with the Save below.
    fill_checkin(at, pain_locations=["buttock"], pain_level=4, sitting_hours=11.0)

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
    assert at.pills(key="ci_pain_locations").value == ["buttock"]
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


def _start_on(db: Path, app_server_factory: Any, page_factory: Any) -> tuple[Any, Any, Any]:
    """The real app on `db`, opened in Chromium; its error that names the file."""
    server = app_server_factory(db_url=sqlite_url(db))
    page = page_factory("desktop")
    open_app(page, server.base_url)
    alert = page.locator('[data-testid="stAlertContentError"]').filter(has_text=str(db))
    expect(alert.first).to_be_visible()
    return server, page, alert


@pytest.mark.browser
def test_a_garbage_database_file_is_named_and_left_untouched(
    app_server_factory, page_factory, tmp_path: Path
) -> None:
    db = tmp_path / "garbage.db"
    db.write_bytes(os.urandom(64 * 1024))  # no SQLite header: "file is not a database"
    digest = _digest(db)
    server, page, alert = _start_on(db, app_server_factory, page_factory)
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
    server, _page, alert = _start_on(db, app_server_factory, page_factory)
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
