"""Database plumbing: how to connect, how errors read, migrations.

Kept apart from ``logic.storage.store`` so that the check-in logic never has to think about
URLs, SQLite pragmas or alembic. Where the URL is configured is logic.settings' business
(the one reader of the secrets file); this module parses and checks it.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlparse

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError

from logic.errors import ConfigError, StorageError
from logic.settings import (
    DATABASE_URL_VAR,
    DEFAULT_SECRETS_PATH,
    REPO_ROOT,
    URL_EXAMPLES,
    database_setting,
)

DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "stride_check.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_VAR = DATABASE_URL_VAR
BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 10
# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE, so a
# read-then-write (week check, then insert) cannot be overtaken by another writer.
WRITE_OPTION = "stride_check_write"
MIGRATION_LOCK = 0x5742_4944  # arbitrary constant key for pg_advisory_xact_lock


# --- URLs ---------------------------------------------------------------------------------


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ***, also for strings that do not parse."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def normalise_url(raw: str, source: str = "the database URL") -> URL:
    """Parse and check a URL; `source` names where it came from for the error message.

    `postgres://` and `postgresql://` get the psycopg (v3) driver, the only one we ship.
    Relative SQLite paths are taken relative to the repository, not the working directory,
    so `streamlit run` from anywhere opens the same file.
    """
    try:
        url = sa.make_url(raw.strip())
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(
            f"{source}: cannot read {mask_url(raw)!r} as a database URL. "
            f"Expected for example {URL_EXAMPLES}."
        ) from exc
    backend, _, driver = url.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql" and driver in ("", "psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        db = url.database or ""
        is_uri = db.startswith("file:") and url.query.get("uri") in ("true", "1")
        if db and db != ":memory:" and not is_uri and not Path(db).is_absolute():
            url = url.set(database=str(REPO_ROOT / db))
        return url.set(drivername="sqlite")
    raise ConfigError(
        f"{source}: unsupported database {url.drivername!r} in {mask_url(url)!r}. "
        f"Allowed: SQLite or PostgreSQL, e.g. {URL_EXAMPLES}."
    )


def default_url() -> str:
    """The SQLite file inside the repository (git-ignored)."""
    return URL.create("sqlite", database=str(DEFAULT_SQLITE_PATH)).render_as_string(False)


def resolve_database_url(
    env: Mapping[str, str] = os.environ, secrets_path: Path = DEFAULT_SECRETS_PATH
) -> str:
    """The URL to use: env var, else `[database] url` in the secrets file, else the default."""
    setting = database_setting(env, secrets_path)
    if setting is None:
        return default_url()
    return normalise_url(setting.url, setting.source).render_as_string(False)


def sqlite_file(url: URL) -> Path | None:
    """The file behind a SQLite URL (also `file:...?uri=true` URLs); None for memory/other."""
    if url.get_backend_name() != "sqlite":
        return None
    db = url.database or ""
    if db.startswith("file:") and url.query.get("uri") in ("true", "1"):
        if url.query.get("mode") == "memory":
            return None
        db = urlparse(db).path
    if db in ("", ":memory:"):
        return None
    return Path(db)


def describe_location(url: URL) -> str:
    """How to name the database in messages: the file path, or the URL without password."""
    path = sqlite_file(url)
    return str(path) if path is not None else mask_url(url)


# --- engines ------------------------------------------------------------------------------

_HASH = re.compile(r"\$argon2[A-Za-z0-9$=,+/.-]*")


class RedactHashes(logging.Filter):
    """SQLAlchemy at DEBUG logs every result row: a password hash must never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "$argon2" in message:
            record.msg, record.args = _HASH.sub("[hash hidden]", message), ()
        return True


def _redact_engine_logs() -> None:
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, RedactHashes) for f in logger.filters):
        logger.addFilter(RedactHashes())


def make_engine(url: URL) -> Engine:
    """An engine with the per-connection settings this app relies on.

    hide_parameters: a statement's parameters (a new password hash, say) stay out of error
    messages and logs.
    """
    _redact_engine_logs()
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
        )
    path = sqlite_file(url)
    if path is not None and url.query.get("mode") not in ("ro", "rw"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Could not open the database: cannot create the folder {path.parent} "
                f"({exc.strerror}).",
                f"Could not open the database. {ASK_ADMIN}",
            ) from exc
    engine = sa.create_engine(
        url, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
    )
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    if path is not None:
        same_file = SameFile(path)
        sa.event.listen(engine, "do_connect", lambda *_args: same_file.check())
        sa.event.listen(engine, "connect", lambda *_args: same_file.record())
        sa.event.listen(engine, "begin", lambda _conn: same_file.check())
    sa.event.listen(engine, "begin", _sqlite_on_begin)
    return engine


class SameFile:
    """The SQLite file an engine opened, by device and inode, checked before every connection
    and transaction: a file deleted (or swapped for another) while the app runs would
    otherwise take saves that vanish with it, or land in the wrong database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def record(self) -> None:
        if self.identity is None and self.path.exists():
            st = os.stat(self.path)
            self.identity = (st.st_dev, st.st_ino)

    def check(self) -> None:
        if self.identity is None:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StorageError(
                f"The database file {self.path} was deleted while Stride Check was running: "
                "nothing more can be saved or read there (this change was not saved). "
                "Restore the file from a backup, then restart Stride Check."
            ) from None
        if (st.st_dev, st.st_ino) != self.identity:
            raise StorageError(
                f"The database file {self.path} was replaced by another file while Stride "
                "Check was running: nothing was saved. Restart Stride Check to use the file "
                "now there."
            )


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    """WAL so readers never block the writer; busy_timeout instead of instant 'locked'."""
    # SQLAlchemy emits BEGIN itself (see _sqlite_on_begin): sqlite3's own legacy
    # transaction handling would leave SELECTs and DDL outside transactions.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            try:
                cur.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                # A read-only database can still be read without WAL; anything else is real.
                if "readonly" not in str(exc).lower():
                    raise
        # NORMAL is crash-safe in WAL mode and much faster for bulk imports.
        cur.execute("PRAGMA synchronous = NORMAL")
    finally:
        cur.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock up front on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


# --- errors -------------------------------------------------------------------------------


# The end of a database error for anyone but an admin: the details are for whoever runs the app.
ASK_ADMIN = "Try again later; if it persists, tell your club admin."
_CONNECT_WORDS = ("connection", "connect to", "server closed", "timeout expired", "resolve host")


def to_storage_error(
    exc: BaseException,
    *,
    action: str,
    where: str,
    secret: str | None = None,
    explain_integrity: Callable[[str], str] | None = None,
) -> StorageError:
    """Turn a driver/SQLAlchemy error into a StorageError a person can act on."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = text.lower()
    # (message, public): the public one never names where the database lives, nor quotes the
    # driver, whose text may hold a user, host and port.
    if isinstance(exc, sa.exc.IntegrityError):
        detail = explain_integrity(text) if explain_integrity else text
        msg = public = f"Could not {action}: {detail}"
    elif "readonly" in low or "read-only" in low or "read only" in low:
        msg = f"Could not {action}: the database at {where} is read-only."
        public = f"Could not {action}: the database is read-only."
    elif "database is locked" in low or "database is busy" in low:
        busy = "(another program is writing to it). Try again in a moment."
        msg = f"Could not {action}: the database at {where} is busy {busy}"
        public = f"Could not {action}: the database is busy {busy}"
    elif "file is not a database" in low or "malformed" in low:
        msg = (
            f"Could not {action}: {where} is not a valid SQLite database (the file may be "
            f"corrupted). It was left untouched: restore it from a backup or set {ENV_VAR} "
            "to another database."
        )
        public = f"Could not {action}: the database file is damaged. {ASK_ADMIN}"
    elif "unable to open database file" in low:
        msg = (
            f"Could not {action}: cannot open the database file {where} (check that the "
            "file and its folder exist and are accessible)."
        )
        public = f"Could not {action}: cannot open the database file. {ASK_ADMIN}"
    elif "disk is full" in low or "disk i/o" in low:
        msg = f"Could not {action}: the disk holding {where} is full or failing ({text})."
        public = f"Could not {action}: the database's disk is full or failing. {ASK_ADMIN}"
    elif isinstance(exc, sa.exc.OperationalError) and any(w in low for w in _CONNECT_WORDS):
        msg = f"Could not {action}: cannot reach the database server at {where} ({text})."
        public = f"Could not {action}: cannot reach the database server. {ASK_ADMIN}"
    else:
        msg = f"Could not {action}: database error at {where}: {text}"
        public = f"Could not {action}: a database error. {ASK_ADMIN}"
    if secret:
        msg = msg.replace(secret, "***")
        public = public.replace(secret, "***")
    return StorageError(msg, public)


# --- migrations ---------------------------------------------------------------------------


def migration_options(conn: sa.Connection) -> dict[str, object]:
    """How migrations/env.py configures alembic; the schema tests compare with the same."""
    return {
        # SQLite cannot ALTER most things: batch mode copies the table, keeping named
        # constraints, so migrations read the same on both backends.
        "render_as_batch": conn.dialect.name == "sqlite",
        "compare_type": True,
    }


def alembic_config(script_location: Path = MIGRATIONS_DIR) -> Config:
    """An alembic Config built in code: no alembic.ini is needed to migrate at start."""
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str:
    heads = ScriptDirectory.from_config(alembic_config(script_location)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Expected one alembic head in {script_location}, found {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, None for an empty database."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return heads[0] if heads else None


def upgrade_to_head(engine: Engine, *, where: str, script_location: Path = MIGRATIONS_DIR) -> str:
    """Bring the schema to the newest revision in one transaction; refuse unknown revisions.

    A revision this code does not know means a newer release wrote the database: we stop
    rather than guess, and leave the file as it is.
    """
    cfg = alembic_config(script_location)
    script = ScriptDirectory.from_config(cfg)
    head = head_revision(script_location)
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except (CommandError, RevisionError):
            raise StorageError(
                f"The database at {where} has schema revision {current!r}, which this "
                f"version of Stride Check does not know (it knows up to {head!r}). It was "
                "probably written by a newer release: update Stride Check. The database "
                "was left untouched.",
                f"The database was written by a newer release of Stride Check. {ASK_ADMIN}",
            ) from None
    if current == head:
        return head
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two app instances starting together: the second waits, then alembic (which
            # re-reads the version inside this transaction) finds nothing left to do.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head
