"""Batch scoring from the command line: `python -m logic score IN.csv [-o OUT.csv]`,
`python -m logic export [-o OUT.csv] [--runner NAME] [--database-url URL]` for the check-ins
of a database as CSV in the check-in table's format, and `python -m logic import IN.csv
[--replace] [--database-url URL]` to write such a file into the database (the upload's checks,
logic.io.importing, then one transaction: all rows or none).

For a coach with a spreadsheet of check-ins. Bad input exits with status 2 and one line per
problem on stderr, each naming the file, line and column, never with a traceback, and never
leaves a partial or stale output file: the output is written to a temporary file beside it and
renamed into place only once everything succeeded.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import getpass
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from logic.analysis.safety import score_history
from logic.errors import StorageError, StrideCheckError
from logic.io.csv_io import CsvCheckins, CsvError, checkins_to_csv, load_checkins_csv
from logic.knowledge import PARTS, KnowledgeBase, KnowledgeBaseError, knowledge_base

if TYPE_CHECKING:
    from logic.mail.config import MailConfig
    from logic.storage.engine import URL
    from logic.storage.store import Store

# The database commands import logic.storage (sqlalchemy, alembic: ~0.25 s) inside the
# functions that use it, so `score` does not pay for it. Hence this copy of
# logic.storage.engine.ENV_VAR for the help texts (tests/test_cli.py checks they agree).
ENV_VAR = "STRIDE_CHECK_DATABASE_URL"
EXIT_OK = 0
EXIT_FAILURE = 1  # the output could not be written, or the installation is broken
EXIT_BAD_INPUT = 2  # the input file (or the command line) is wrong; argparse also uses 2
SCORE_DECIMALS = 1
STDIN = "-"
# --database-url's help: commands about the whole database spell out where it is found.
AS_THE_APP = "the database (default: as the app)"
DATABASE_HELP = (
    f"the database (default: ${ENV_VAR}, else [database] url in .streamlit/secrets.toml, "
    "else data/stride_check.db)"
)


def scored_table(loaded: CsvCheckins, kb: KnowledgeBase) -> pd.DataFrame:
    """The file's check-in columns (canonical values, schema order), then the scores.

    Scores: one float per condition rounded to SCORE_DECIMALS, `<id>_band` per condition,
    `needs_clinician` and `needs_emergency`, then the two answers behind each score,
    `<id>_looks_like` and `<id>_building_up` (rounded alike), as the app computes them
    (safety.score_history: each runner's rows in the file are their weeks, for the load flags
    and the rules that need history; bands from the unrounded score).
    """
    scores = _score_columns(score_history(loaded.frame, kb, parsed=loaded.parsed), kb)
    frame = loaded.frame
    given = set(loaded.columns)
    return pd.concat([frame[[c for c in frame.columns if c in given]], scores], axis=1)


def _score_columns(scored: pd.DataFrame, kb: KnowledgeBase) -> pd.DataFrame:
    """The score columns the CLI writes, in order, numbers rounded to SCORE_DECIMALS."""
    ids = kb.condition_ids
    parts = [f"{c}_{p}" for p in PARTS for c in ids]
    out = [*ids, *(f"{c}_band" for c in ids), "needs_clinician", "needs_emergency", *parts]
    scores = scored[out].copy()
    scores[[*ids, *parts]] = scores[[*ids, *parts]].round(SCORE_DECIMALS)
    return scores


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m logic",
        description=(
            "Stride Check: score runners' weekly check-ins from a CSV file, export the "
            "check-ins of a database as CSV, or import such a file into the database."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    score = commands.add_parser(
        "score",
        help="score every check-in of a CSV file",
        description=(
            "Read check-ins from IN.csv (UTF-8, a header line with the columns of "
            "data/checkin.toml) and write them with one risk score per condition, its band, "
            "needs_clinician and needs_emergency, and the two answers behind each score: "
            "<id>_looks_like (the symptom match) and <id>_building_up (the risk factors). Each "
            "runner's rows are read as their weeks, for the training-load signals and the rules "
            "that need several weeks. Exit status 2 and one line per problem on stderr when the "
            "file has any problem; nothing is written then."
        ),
    )
    score.add_argument("input", metavar="IN.csv", help=f"the check-ins ({STDIN!r}: stdin)")
    score.add_argument(
        "-o",
        "--output",
        metavar="OUT.csv",
        help="where to write the scored check-ins (default: stdout)",
    )
    score.add_argument(
        "--with-runs",
        action="store_true",
        help="use the runners' stored recorded runs: weeks with runs take their distance and "
        "longest run from them, and the load signals (acute:chronic, weekly jump, long-run "
        "spike by run date) are computed over the file's weeks",
    )
    _database_option(score, f"with --with-runs: {AS_THE_APP}")
    score.set_defaults(run=_score)
    export = commands.add_parser(
        "export",
        help="write the check-ins of a database as CSV",
        description=(
            "Write every check-in of the database (or one runner's) as CSV in the check-in "
            "table's format: the columns of data/checkin.toml, by runner then date. The file "
            "can be imported again. Exit status 2 and one line on stderr when the database "
            "cannot be read or the runner is unknown; nothing is written then."
        ),
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="OUT.csv",
        help="where to write the check-ins (default: stdout)",
    )
    export.add_argument("--runner", metavar="NAME", help="only this runner's check-ins")
    _database_option(export, DATABASE_HELP)
    export.set_defaults(run=_export)
    imp = commands.add_parser(
        "import",
        help="write the check-ins of a CSV file into the database",
        description=(
            "Check IN.csv as the Import & export page does (the columns of data/checkin.toml, "
            "dates from 2000-01-01 to today, one check-in per runner and ISO week), then "
            "write all its check-ins in one transaction. A week a runner already has stored "
            "is refused unless --replace is given. Exit status 2 and one line per problem on "
            "stderr, naming the line and column; nothing is written then."
        ),
    )
    imp.add_argument("input", metavar="IN.csv", help=f"the check-ins ({STDIN!r}: stdin)")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace the check-ins of weeks already stored (default: refuse the import)",
    )
    _database_option(
        imp,
        f"{DATABASE_HELP}; a SQLite file that does not exist is created once the file has "
        "passed every check",
    )
    imp.set_defaults(run=_import)
    admin = commands.add_parser(
        "create-admin",
        help="create an admin account for team mode",
        description=(
            "Create an admin account in the configured database (the same URL the app uses). "
            "The password is read from the terminal without echo, or from the first line of "
            "stdin with --password-stdin. Exit status 2 with one line when it cannot be done."
        ),
    )
    admin.add_argument("username", help="1-64 characters")
    admin.add_argument("--name", help="the name shown in the app (default: the username)")
    admin.add_argument("--email", help="the email for single sign-on (OIDC)")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    _database_option(admin)
    admin.set_defaults(run=_create_admin)
    remind = commands.add_parser(
        "remind",
        help="queue and send this week's reminders and coach digests",
        description=(
            "Queue this ISO week's emails: a reminder to every runner with an email address, "
            "reminders on and no check-in this week; a digest to every coach; any red-flag "
            "notice not yet queued. Then send everything due. Each email is queued once per "
            "week, so running it again sends nothing twice. Needs [smtp] (or "
            "STRIDE_CHECK_SMTP_URL) and [app] base_url (or STRIDE_CHECK_BASE_URL)."
        ),
    )
    remind.add_argument("--no-send", action="store_true", help="queue only; send later")
    _database_option(remind)
    remind.set_defaults(run=_remind)
    send = commands.add_parser(
        "send-mail",
        help="send the emails due in the outbox",
        description=(
            "Send every email of the outbox that is due (new ones, and retries whose wait is "
            "over). Safe to run from several machines at once: each email goes to one sender."
        ),
    )
    _database_option(send)
    send.set_defaults(run=_send_mail)
    _add_runs_commands(commands)
    return parser


def _database_option(parser: argparse.ArgumentParser, help_text: str = AS_THE_APP) -> None:
    """--database-url, the same option on every command that reads or writes the database."""
    parser.add_argument("--database-url", metavar="URL", help=help_text)


def _add_runs_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`runs import` and `runs weekly`: recorded runs (GPX, TCX, FIT, Strava/Garmin exports)."""
    runs = commands.add_parser(
        "runs",
        help="import recorded runs (GPX, TCX, FIT, a Strava export) or list them by week",
        description="Recorded runs: import files from a watch or an export, or list them by week.",
    )
    sub = runs.add_subparsers(dest="runs_command", required=True, metavar="ACTION")
    imp = sub.add_parser(
        "import",
        help="import runs from .gpx/.tcx/.fit files (gzipped or not), a Strava export .zip or "
        "an activities CSV",
        description=(
            "Read every FILE (all or nothing: a broken file stops the import, naming it), then "
            "store the runs (run, trail run, treadmill run) the runner does not have yet, in "
            "one transaction. Rides, walks, hikes and swims are counted as skipped. Exit "
            "status 2 and one line naming the file when a file cannot be imported."
        ),
    )
    imp.add_argument("files", metavar="FILE", nargs="+")
    imp.add_argument("--runner", metavar="NAME", required=True, help="whose runs these are")
    imp.add_argument(
        "--timezone",
        metavar="ZONE",
        default="UTC",
        help="the runner's time zone for the local date of a run (default: UTC; FIT files "
        "carry their own)",
    )
    imp.add_argument(
        "--parse-files",
        action="store_true",
        help="for a Strava export: read every run's own file instead of activities.csv",
    )
    _database_option(imp, DATABASE_HELP)
    imp.set_defaults(run=_runs_import)
    weekly = sub.add_parser(
        "weekly",
        help="the runner's recorded runs per ISO week, as CSV",
        description="Print CSV: week_start,runs,distance_km,longest_run_km,elevation_gain_m.",
    )
    weekly.add_argument("--runner", metavar="NAME", required=True)
    _database_option(weekly, DATABASE_HELP)
    weekly.set_defaults(run=_runs_weekly)


def _open_store_for(args: argparse.Namespace) -> Store | None:
    """The configured database, without creating a SQLite file; None after saying why."""
    from logic.storage.engine import sqlite_file
    from logic.storage.store import Store

    try:
        url = _database_url(args.database_url)
        path = sqlite_file(url)
        if path is not None and not path.is_file():
            _error(f"no database file at {path}; pass --database-url or set {ENV_VAR}")
            return None
        return Store(url.render_as_string(hide_password=False))
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        return None


def _known_runner(store: Store, name: str, *, count: bool = False) -> str | None:
    """`name` when the database has that runner; else None after naming the closest one
    (and, with `count`, how many runners there are)."""
    known = store.list_runners()["runner"].tolist()
    if name in known:
        return name
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    how_many = f"; it has {len(known)} runner(s)" if count else ""
    _error(f"--runner: no runner named {name!r} in the database{hint}{how_many}")
    return None


def _runs_import(args: argparse.Namespace) -> int:
    from logic.io.activities import read_activities
    from logic.storage.runs import RunStore

    try:
        found = read_activities(args.files, parse_files=args.parse_files, tz=args.timezone)
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        _error("nothing was imported")
        return EXIT_BAD_INPUT
    store = _open_store_for(args)
    if store is None:
        return EXIT_BAD_INPUT
    try:
        runner = _known_runner(store, args.runner.strip())
        if runner is None:
            return EXIT_BAD_INPUT
        result = RunStore(store).import_runs(runner, found.runs)
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    finally:
        store.dispose()
    print(
        f"{found.summary()}. Stored {_count(result.inserted, 'new run')} for {runner} "
        f"({result.already_stored} already stored)."
    )
    return EXIT_OK


def _runs_weekly(args: argparse.Namespace) -> int:
    from logic.analysis.runs import weekly_csv
    from logic.storage.runs import RunStore

    store = _open_store_for(args)
    if store is None:
        return EXIT_BAD_INPUT
    try:
        runner = _known_runner(store, args.runner.strip())
        if runner is None:
            return EXIT_BAD_INPUT
        frame = RunStore(store).runs(runner)
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    finally:
        store.dispose()
    return _emit(weekly_csv(frame), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status instead of exiting (argparse's exits included)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage and the reason (or the help)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    return int(args.run(args))


def _score(args: argparse.Namespace) -> int:
    name = "<stdin>" if args.input == STDIN else args.input
    kb = _knowledge_base()
    if kb is None:
        return EXIT_FAILURE
    source = sys.stdin.buffer if args.input == STDIN else Path(args.input)
    try:
        loaded = load_checkins_csv(source, kb=kb)
    except CsvError as exc:
        for problem in exc.problems:
            _error(f"{name}: {problem}")
        return EXIT_BAD_INPUT
    if args.with_runs:
        table = _scored_with_runs(loaded, kb, args)
        if table is None:
            return EXIT_BAD_INPUT
        return _emit(checkins_to_csv(table, kb=kb), args.output)
    return _emit(checkins_to_csv(scored_table(loaded, kb), kb=kb), args.output)


def _scored_with_runs(
    loaded: CsvCheckins, kb: KnowledgeBase, args: argparse.Namespace
) -> pd.DataFrame | None:
    """The file's check-ins scored with the load signals of their weeks, recorded figures
    first: weekly_km and longest_run_km show what was used (the recorded ones where a week
    has runs). None after saying why (the database cannot be read)."""
    from logic.analysis.runs import recorded_load_flags
    from logic.storage.runs import RunStore

    store = _open_store_for(args)
    if store is None:
        return None
    frame = loaded.frame
    try:
        runs = RunStore(store).runs_of(frame["runner"].astype("str").unique().tolist())
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        return None
    finally:
        store.dispose()
    flagged = recorded_load_flags(frame, runs, kb)
    # The same scoring as without runs (safety.score_history), with the recorded weeks' figures
    # and load flags.
    scored = score_history(flagged[list(frame.columns)], kb, loads=flagged)
    scores = _score_columns(scored, kb)
    given = set(loaded.columns) | {"weekly_km", "longest_run_km"}
    shown = flagged[[c for c in frame.columns if c in given]]
    return pd.concat([shown, scores], axis=1)


def _export(args: argparse.Namespace) -> int:
    from logic.io.importing import export_csv

    store = _open_store_for(args)  # never creates an empty database
    if store is None:
        return EXIT_BAD_INPUT
    try:
        if args.runner is None:
            frame = store.all_checkins()
        else:
            name = _known_runner(store, args.runner.strip(), count=True)
            if name is None:
                return EXIT_BAD_INPUT
            frame = store.history(name)
    except StorageError as exc:
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    finally:
        store.dispose()
    return _emit(export_csv(frame), args.output)


def _import(args: argparse.Namespace) -> int:
    """Plan (validate, find stored weeks), then one transaction; the CLI is an operator with
    full access, like export: rows of any runner (runner=None), the store itself."""
    from logic.io.importing import (
        UPLOAD_LIMIT_BYTES,
        apply_import,
        plan_import,
        stored_week_errors,
    )
    from logic.storage.engine import mask_url, sqlite_file
    from logic.storage.store import Store

    name = "<stdin>" if args.input == STDIN else args.input
    kb = _knowledge_base()
    if kb is None:
        return EXIT_FAILURE
    try:
        url = _database_url(args.database_url)
    except StrideCheckError as exc:  # a ConfigError too: a bad URL
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    path = sqlite_file(url)
    new_file = path is not None and not path.exists()
    # stdin is read once (capped like an upload), so that the refused rows' lines can be named.
    source: Path | bytes = Path(args.input)
    if args.input == STDIN:
        source = sys.stdin.buffer.read(UPLOAD_LIMIT_BYTES + 1)
    store: Store | None = None
    try:
        if new_file:  # no week stored yet: check the file, then create the database
            plan = plan_import(source, _NothingStored(), runner=None, kb=kb)
        else:
            store = Store(url.render_as_string(hide_password=False))
            plan = plan_import(source, store, runner=None, kb=kb)
        if not plan.ok:
            return _refuse(name, plan.errors)
        if not args.replace:
            data = source if isinstance(source, bytes) else _read_again(source)
            allowed = "a week not stored yet, or --replace to replace the stored one"
            refused = stored_week_errors(plan, data, allowed)
            if refused:
                return _refuse(name, refused)
        if store is None:
            store = Store(url.render_as_string(hide_password=False))
        result = apply_import(plan, store, "replace" if args.replace else "error")
    except StrideCheckError as exc:  # a ConfigError too: a bad URL
        _error(_one_line(str(exc)))
        if new_file:
            if store is not None:
                store.dispose()
                store = None
            _remove_sqlite(path)
        return EXIT_BAD_INPUT
    finally:
        if store is not None:
            store.dispose()
    written = result.inserted + result.replaced
    runners = int(plan.frame["runner"].nunique())
    print(
        f"Imported {_count(written, 'check-in')} ({result.replaced} replaced) for "
        f"{_count(runners, 'runner')} into {mask_url(url)}"
        + (" (a new database)" if new_file else "")
    )
    return EXIT_OK


class _NothingStored:
    """A database that does not exist yet, for plan_import: no runners, no stored weeks."""

    def all_checkins(self, runners: Sequence[str] | None = None) -> pd.DataFrame:
        return pd.DataFrame(
            {"runner": pd.Series(dtype="str"), "week_start": pd.Series(dtype="datetime64[ns]")}
        )

    def list_runners(self) -> pd.DataFrame:
        return pd.DataFrame({"runner": pd.Series(dtype="str"), "team": pd.Series(dtype="str")})


def _database_url(option: str | None) -> URL:
    """--database-url, else what the app uses (env var, secrets, default file)."""
    from logic.storage.engine import normalise_url, resolve_database_url

    if option is not None:
        return normalise_url(option, "--database-url")
    return normalise_url(resolve_database_url())


def _refuse(name: str, problems: list[str]) -> int:
    for problem in problems:
        _error(f"{name}: {problem}")
    _error(f"{name}: nothing was imported ({_count(len(problems), 'problem')})")
    return EXIT_BAD_INPUT


def _read_again(path: Path) -> bytes:
    """The file plan_import has just read, for the lines of its refused rows."""
    try:
        return path.read_bytes()
    except OSError:
        return b""  # the rows are then named 'check-in N'


def _remove_sqlite(path: Path | None) -> None:
    """Remove a database file this import created and could not fill."""
    if path is None:
        return
    from logic.storage.store import MARKER_SUFFIX

    for extra in ("", "-wal", "-shm", "-journal", MARKER_SUFFIX):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{extra}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _emit(text: str, output: str | None) -> int:
    """To stdout, or atomically to a file: a failure never leaves a half-written one."""
    if output is None or output == STDIN:
        return _write_stdout(text)
    try:
        _write_atomic(Path(output), text)
    except OSError as exc:
        _error(f"{output}: cannot write the output: {exc.strerror or exc}")
        return EXIT_FAILURE
    return EXIT_OK


def _create_admin(args: argparse.Namespace) -> int:
    from logic.storage.accounts import Accounts  # argon2 is only needed here
    from logic.storage.store import Store

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.email:
        password = ""
    else:
        password = getpass.getpass("Password for the new admin: ")
    try:
        url = _database_url(args.database_url)
        store = Store(url.render_as_string(hide_password=False))
    except StrideCheckError as exc:  # also a ConfigError: a bad URL or secrets file
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    try:
        user = Accounts(store).create_user(
            args.username,
            role="admin",
            display_name=args.name,
            password=password or None,
            email=args.email,
        )
    except StorageError as exc:
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    finally:
        store.dispose()
    print(f"Admin {user.username!r} created in {store.where}.")
    return EXIT_OK


def _mail_store(option: str | None, *, need_link: bool) -> tuple[MailConfig, Store] | int:
    """(mail config, store) for the email commands, or the exit status after saying why."""
    from logic.mail.config import BASE_URL_VAR, mail_config
    from logic.storage.store import Store

    try:
        config = mail_config()
        if config is None:
            _error(
                "email is off: set [smtp] in .streamlit/secrets.toml or STRIDE_CHECK_SMTP_URL "
                "(see the README, Email)"
            )
            return EXIT_BAD_INPUT
        if need_link and config.base_url is None:
            _error(
                f"reminders link to the app: set [app] base_url in .streamlit/secrets.toml or "
                f"{BASE_URL_VAR}, e.g. https://stride.example.org"
            )
            return EXIT_BAD_INPUT
        store = Store(_database_url(option).render_as_string(hide_password=False))
    except StrideCheckError as exc:  # a ConfigError too
        _error(_one_line(str(exc)))
        return EXIT_BAD_INPUT
    return config, store


def _send_report(store: Store, config: MailConfig) -> int:
    from logic.mail.sender import deliver_due

    report = deliver_due(store, config.smtp)
    print(f"Sent {_count(report.sent, 'email')}; {report.retried} to retry, {report.failed} failed")
    for line in report.errors:
        _error(line)
    return EXIT_OK if report.retried + report.failed == 0 else EXIT_FAILURE


def _mail_command(
    args: argparse.Namespace, work: Callable[[MailConfig, Store], int], *, need_link: bool
) -> int:
    """`work` with the mail settings and the database: what the email commands share (a
    failure is one line and exit status 1, the store always closed)."""
    found = _mail_store(args.database_url, need_link=need_link)
    if isinstance(found, int):
        return found
    config, store = found
    try:
        return work(config, store)
    except StrideCheckError as exc:
        _error(_one_line(str(exc)))
        return EXIT_FAILURE
    finally:
        store.dispose()


def _remind(args: argparse.Namespace) -> int:
    from logic.mail.notify import queue_weekly

    def work(config: MailConfig, store: Store) -> int:
        result = queue_weekly(store, config)
        print(
            f"Week {result.week}: queued {_count(result.reminders, 'reminder')}, "
            f"{_count(result.digests, 'digest')} and {_count(result.red_flags, 'red-flag notice')}."
        )
        return EXIT_OK if args.no_send else _send_report(store, config)

    return _mail_command(args, work, need_link=True)


def _send_mail(args: argparse.Namespace) -> int:
    from logic.mail.notify import sweep_red_flags

    def work(config: MailConfig, store: Store) -> int:
        sweep_red_flags(store, config)
        return _send_report(store, config)

    return _mail_command(args, work, need_link=False)


def _knowledge_base() -> KnowledgeBase | None:
    """The knowledge base, or None after saying which file and key is broken."""
    try:
        return knowledge_base()
    except KnowledgeBaseError as exc:
        _error(str(exc))
        return None


def _one_line(message: str) -> str:
    return re.sub(r"\s*\n\s*", " ", message).strip()


def _error(message: str) -> None:
    print(message, file=sys.stderr)


def _write_stdout(text: str) -> int:
    """UTF-8 whatever the locale says; a closed pipe (`| head`) is not an error worth a trace."""
    try:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # keep the interpreter's exit quiet
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    return EXIT_OK


def _write_atomic(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it: readers see the old file or the whole new one."""
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600; give what a plain open() would have given
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
