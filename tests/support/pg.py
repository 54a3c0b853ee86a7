"""A throwaway PostgreSQL cluster for tests, on 127.0.0.1 only, removed afterwards.

Its fixtures (``postgres_server``, ``postgres_url``, ``fresh_postgres_url``) are registered
for every test by tests/conftest.py (``pytest_plugins``).

PostgreSQL refuses to run as root, and tests run as root in CI, so as root the cluster runs
as an unprivileged system user (created once with useradd). Missing PostgreSQL binaries
FAIL the tests that need them: a silently skipped backend would hide regressions.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

OS_USER = "stridetest"
DB_USER = "stridetest"
PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    pytest.fail(
        f"PostgreSQL 15 server binary {name!r} not found on PATH or in {PG_BIN_DIRS}. "
        "Install it (Debian: apt-get install postgresql-15) - the postgres tests must run.",
        pytrace=False,
    )


def _os_user() -> str | None:
    """The user to run postgres as: None = ourselves (not root), else an unprivileged one."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER],
            check=True,
            capture_output=True,
        )
    return OS_USER


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(argv: list[str], user: str | None) -> subprocess.CompletedProcess[str]:
    prefix = ["runuser", "-u", user, "--"] if user else []
    return subprocess.run(prefix + argv, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL 15 cluster for the session; stop it and delete its files after."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    user = _os_user()
    root = Path(tempfile.mkdtemp(prefix="stride-pg-"))
    data, log = root / "data", root / "server.log"
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    started = False
    try:
        res = _run(
            [
                initdb,
                "-D",
                str(data),
                "-U",
                DB_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            user,
        )
        if res.returncode != 0:
            pytest.fail(f"initdb failed:\n{res.stdout}\n{res.stderr}", pytrace=False)
        opts = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        res = _run(
            [pg_ctl, "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start"], user
        )
        started = res.returncode == 0
        if not started:
            server_log = log.read_text() if log.exists() else ""
            pytest.fail(f"pg_ctl start failed:\n{res.stderr}\n{server_log}", pytrace=False)
        yield PostgresServer(host="127.0.0.1", port=port, user=DB_USER)
    finally:
        if started:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], user)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of one database shared by the session (`postgresql+psycopg://user@127.0.0.1:port/db`)."""
    return postgres_server.create_database("stride_check_test")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)
