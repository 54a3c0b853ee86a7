"""`python -m logic score|export|import`: scores match score_checkins; bad input exits 2 with
one line per problem naming line and column, no traceback, never an output file, and (import)
a database exactly as it was; an imported file comes back the same through export."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logic.cli
from benchmarks.synthetic import synthetic_checkins
from logic.analysis.safety import score_history
from logic.analysis.scoring import score_checkins
from logic.cli import main
from logic.io.importing import export_csv, plan_import
from logic.knowledge import knowledge_base
from logic.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
IDS = knowledge_base().condition_ids
PART_COLUMNS = [*(f"{c}_looks_like" for c in IDS), *(f"{c}_building_up" for c in IDS)]
SCORE_COLUMNS = [
    *IDS,
    *(f"{c}_band" for c in IDS),
    "needs_clinician",
    "needs_emergency",
    *PART_COLUMNS,
]
HEADER = "runner,date,pain_level,pain_locations,pain_triggers,weekly_km"
GOOD_ROW = "ann,2026-01-05,3,front_knee,stairs;downhill,42.5"


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def checkins_as_csv(frame: pd.DataFrame) -> str:
    """Written by pandas, not by logic.io.csv_io, so the test does not trust the code under test."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")


@pytest.fixture
def checkins() -> pd.DataFrame:
    frame = synthetic_checkins(300, seed=11)
    frame["warning_signs"] = np.where(np.arange(300) % 17 == 0, "night_pain", "")
    return frame


def read_scored(text: str) -> pd.DataFrame:
    flags = {"needs_clinician": str, "needs_emergency": str}
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype={"team": str, **flags})
    for col in flags:
        frame[col] = frame[col].map({"true": True, "false": False})
    return frame


def assert_scores_match(scored: pd.DataFrame, checkins: pd.DataFrame) -> None:
    """The CLI scores as the app does: score_history, each runner's rows as their weeks."""
    expected = score_history(checkins)
    assert expected[IDS].round(1).nunique().min() > 10  # varied scores: a wrong one shows
    bands = {b for c in IDS for b in expected[f"{c}_band"].astype(str)}
    assert {"low", "moderate"} <= bands
    np.testing.assert_allclose(scored[IDS].to_numpy(), expected[IDS].round(1).to_numpy(), atol=0)
    np.testing.assert_allclose(
        scored[PART_COLUMNS].to_numpy(), expected[PART_COLUMNS].round(1).to_numpy(), atol=0
    )
    for cid in IDS:
        assert scored[f"{cid}_band"].tolist() == expected[f"{cid}_band"].astype(str).tolist()
    assert scored["needs_clinician"].tolist() == expected["needs_clinician"].tolist()
    assert scored["needs_emergency"].tolist() == expected["needs_emergency"].tolist()


# --- good input ------------------------------------------------------------------------------


def test_scores_to_an_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], checkins: pd.DataFrame
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(checkins_as_csv(checkins))
    code, stdout, stderr = run(capsys, "score", src, "-o", out)
    assert (code, stdout, stderr) == (0, "", "")
    scored = read_scored(out.read_text())
    assert list(scored.columns) == [*checkins.columns, *SCORE_COLUMNS]
    assert scored["runner"].tolist() == checkins["runner"].tolist()
    assert scored["pain_locations"].tolist() == checkins["pain_locations"].tolist()
    assert_scores_match(scored, checkins)
    assert "high" in set(scored[[f"{c}_band" for c in IDS]].to_numpy().ravel())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]  # no temp left


def test_scores_to_stdout_keeping_only_the_input_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], checkins: pd.DataFrame
) -> None:
    subset = checkins[["pain_level", "runner", "date", "pain_locations"]]
    src = tmp_path / "in.csv"
    src.write_text(checkins_as_csv(subset))
    code, stdout, stderr = run(capsys, "score", src)
    assert (code, stderr) == (0, "")
    scored = read_scored(stdout)
    # Canonical (schema) order; absent optional columns are scored with their defaults.
    expected_columns = ["runner", "date", "pain_locations", "pain_level", *SCORE_COLUMNS]
    assert list(scored.columns) == expected_columns
    assert_scores_match(scored, subset)


def test_an_existing_output_file_is_replaced_and_keeps_its_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(f"{HEADER}\n{GOOD_ROW}\n")
    out.write_text("old")
    out.chmod(0o640)
    assert run(capsys, "score", src, "--output", out)[0] == 0
    assert out.read_text().startswith("runner,date,pain_locations,pain_level")
    assert (out.stat().st_mode & 0o777) == 0o640


def test_formula_cells_are_neutralised_in_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER}\n=1+2,2026-01-05,3,,,\n")
    code, stdout, _ = run(capsys, "score", src)
    assert code == 0
    assert stdout.splitlines()[1].startswith("'=1+2,2026-01-05,")


def test_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(f"{HEADER}\n{GOOD_ROW}\n".encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, stdout, _ = run(capsys, "score", "-")
    assert code == 0 and stdout.startswith("runner,")


# --- bad input -------------------------------------------------------------------------------

NOT_UTF8 = f"{HEADER}\n{GOOD_ROW}\nJos\xe9,2026-01-05,3,,,\n".encode("cp1252")
BAD_INPUTS = {
    "missing required column": (
        "runner,pain_level\nann,3\n",
        ["line 1 (header), column 'date': missing"],
    ),
    "unknown column": (
        f"{HEADER},pain\n{GOOD_ROW},3\n",
        ["line 1 (header), column 'pain': not a check-in column"],
    ),
    "unknown location": (
        f"{HEADER}\n{GOOD_ROW}\nbob,2026-01-05,3,front_knee;elbow,,\n",
        ["line 3, column 'pain_locations': got 'front_knee;elbow'; allowed: any of front_knee"],
    ),
    "unknown trigger": (
        f"{HEADER}\n{GOOD_ROW}\nbob,2026-01-05,3,,jumping,\n",
        ["line 3, column 'pain_triggers': got 'jumping'; allowed: any of uphill"],
    ),
    "pain level 11": (
        f"{HEADER}\n{GOOD_ROW}\nbob,2026-01-05,11,,,\n",
        ["line 3, column 'pain_level': got '11'; allowed: a whole number from 0 to 10"],
    ),
    "month 13": (
        f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\nbob,2026-13-01,3,,,\n",
        ["line 4, column 'date': got '2026-13-01'; allowed: a date as YYYY-MM-DD"],
    ),
    "text in a number column": (
        f"{HEADER}\nbob,2026-01-05,3,,,far\n",
        ["line 2, column 'weekly_km': got 'far'; allowed: a number >= 0"],
    ),
    "several problems": (
        f'{HEADER}\n"bob\nsmith",2026-01-05,3,,,\n\nbob,2026-01-05,x,,,\n{GOOD_ROW},1\n',
        [
            "line 5, column 'pain_level': got 'x'; allowed: a whole number from 0 to 10",
            "line 6: 7 cell(s), more than the 6 columns of the header",
        ],
    ),
    "row with too many cells": (
        f"{HEADER}\n{GOOD_ROW},oops\n",
        ["line 2: 7 cell(s), more than the 6 columns of the header"],
    ),
    "header only": (f"{HEADER}\n", ["line 1 (header): no check-ins in the file"]),
    "empty file": ("", ["the file is empty; expected a header line with the columns runner"]),
    "not UTF-8": (
        NOT_UTF8,
        [f"line 3 (byte offset {NOT_UTF8.index(0xE9)}): byte 0xE9 is not valid UTF-8;"],
    ),
    "missing input file": (None, ["cannot read the file: No such file or directory"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_naming_line_and_column_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, expected = BAD_INPUTS[case]
    src, out = tmp_path / "IN.csv", tmp_path / "OUT.csv"
    if isinstance(content, str):
        src.write_text(content)
    elif content is not None:
        src.write_bytes(content)
    code, stdout, stderr = run(capsys, "score", src, "-o", out)
    assert code == 2
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == len(expected), stderr
    for line, want in zip(lines, expected, strict=True):
        assert line.startswith(f"{src}: {want}"), line
    assert not out.exists()
    assert sorted(tmp_path.iterdir()) == ([src] if content is not None else [])


def test_bad_input_leaves_an_existing_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(f"{HEADER}\nbob,2026-01-05,11,,,\n")
    out.write_text("previous results\n")
    assert run(capsys, "score", src, "-o", out)[0] == 2
    assert out.read_text() == "previous results\n"


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(f"{HEADER}\n{GOOD_ROW}\n")

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(logic.cli.os, "replace", disk_full)
    code, _, stderr = run(capsys, "score", src, "-o", out)
    assert code == 1
    assert stderr == f"{out}: cannot write the output: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_an_output_directory_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"{HEADER}\n{GOOD_ROW}\n")
    code, _, stderr = run(capsys, "score", src, "-o", tmp_path / "no" / "out.csv")
    assert code == 1
    assert "cannot write the output: No such file or directory" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("argv", [[], ["score"], ["frobnicate", "x.csv"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(capsys, *argv)
    assert code == 2
    assert "usage: python -m logic" in stderr


# --- the real entry point --------------------------------------------------------------------


def _python_m_logic(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "logic", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_score_does_not_load_the_database_layer() -> None:
    """sqlalchemy and alembic cost ~0.25 s at start-up; only the database commands need them."""
    code = "import sys, logic.cli; print(sorted({'sqlalchemy', 'alembic'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"


def test_the_help_names_the_storage_layers_environment_variable() -> None:
    from logic.storage.engine import ENV_VAR

    assert logic.cli.ENV_VAR == ENV_VAR


def test_python_m_logic_score_runs_as_a_process(tmp_path: Path, checkins: pd.DataFrame) -> None:
    src = tmp_path / "in.csv"
    src.write_text(checkins_as_csv(checkins))
    done = _python_m_logic("score", src)
    assert (done.returncode, done.stderr) == (0, "")
    assert_scores_match(read_scored(done.stdout), checkins)

    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n{GOOD_ROW}\nbob,2026-01-05,11,,,\n")
    done = _python_m_logic("score", bad, "-o", tmp_path / "out.csv")
    assert done.returncode == 2
    assert done.stderr == (
        f"{bad}: line 3, column 'pain_level': got '11'; allowed: a whole number from 0 to 10\n"
    )
    assert not (tmp_path / "out.csv").exists()


# --- export ----------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file with Ann (two weeks), Bob (one) and Cat (no check-in yet)."""
    url = f"sqlite:///{tmp_path / 'stride.db'}"
    store = Store(url)
    store.save_checkin({"runner": "Bob", "date": "2026-01-06", "pain_level": 1, "team": "B"})
    store.save_checkin(
        {"runner": "Ann", "date": "2026-02-04", "pain_level": 5, "team": "=1+1", "weekly_km": 42.5}
    )
    store.save_checkin({"runner": "Ann", "date": "2026-01-07", "pain_locations": "buttock"})
    store.add_runner("Cat")
    store.dispose()
    return url


def read_export(text: str) -> pd.DataFrame:
    """Read by pandas, not by logic.io.csv_io."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)


def test_export_writes_the_whole_database_in_the_table_format(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export", "--database-url", database)
    assert (code, err) == (0, "")
    frame = read_export(out)
    assert list(frame.columns) == list(knowledge_base().checkin.columns)  # no id, no week
    assert list(zip(frame["runner"], frame["date"], strict=True)) == [
        ("Ann", "2026-01-07"),
        ("Ann", "2026-02-04"),
        ("Bob", "2026-01-06"),
    ]
    assert frame["team"].tolist() == ["", "'=1+1", "B"]  # a formula is neutralised
    assert frame["pain_locations"].tolist() == ["buttock", "", ""]
    assert not out.startswith("\ufeff")  # no BOM for pipes and scripts
    store = Store(database)
    try:
        assert out == export_csv(store.all_checkins())
    finally:
        store.dispose()


def test_export_of_one_runner_to_a_file_reimports_identically(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ann.csv"
    target.write_text("an older export\n")
    argv = ["export", "--runner", " Ann ", "-o", target, "--database-url", database]
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (0, "", "")
    assert read_export(target.read_text())["runner"].tolist() == ["Ann", "Ann"]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ann.csv", "stride.db", "stride.db-created"]  # no temp file
    store = Store(database)
    try:
        plan = plan_import(target, store, runner="Ann")
        assert plan.ok and (plan.rows, plan.conflicts) == (2, 2)
        want = store.history("Ann")[plan.frame.columns].astype({"date": "datetime64[ns]"})
        got = plan.frame.astype({"date": "datetime64[ns]"})
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    finally:
        store.dispose()


def test_export_of_a_runner_without_check_ins_is_the_header(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_DATABASE_URL", database)  # no --database-url: the env var
    code, out, err = run(capsys, "export", "--runner", "Cat")
    assert (code, err) == (0, "")
    assert out == ",".join(knowledge_base().checkin.columns) + "\n"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown runner", "--runner: no runner named 'ann' in the database (did you mean 'Ann'?)"),
        ("missing file", "no database file at {tmp}/nope.db; pass --database-url or set "),
        ("not a database", "Could not open the database: {tmp}/junk.db is not a valid SQLite"),
        ("unsupported", "--database-url: unsupported database 'mysql' in 'mysql://u:***@h/db'."),
        ("unreachable", "Could not open the database: cannot reach the database server at "),
    ],
)
def test_export_errors_exit_2_with_one_line_and_write_nothing(
    case: str, expected: str, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junk.db").write_text("not a database\n")
    url = {
        "unknown runner": database,
        "missing file": f"sqlite:///{tmp_path}/nope.db",
        "not a database": f"sqlite:///{tmp_path}/junk.db",
        "unsupported": "mysql://u:secret@h/db",
        "unreachable": "postgresql://u:secret@127.0.0.1:1/db",
    }[case]
    out = tmp_path / "out.csv"
    argv = ["export", "--database-url", url, "-o", out]
    if case == "unknown runner":
        argv += ["--runner", "ann"]
    code, stdout, stderr = run(capsys, *argv)
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1 and "Traceback" not in stderr and "secret" not in stderr
    assert stderr.startswith(expected.format(tmp=tmp_path)), stderr
    assert not out.exists()
    assert not (tmp_path / "nope.db").exists()  # an export never creates a database
    assert (tmp_path / "junk.db").read_text() == "not a database\n"


def test_python_m_logic_export_runs_as_a_process(database: str, tmp_path: Path) -> None:
    done = _python_m_logic("export", "--database-url", database, "--runner", "Bob")
    assert (done.returncode, done.stderr) == (0, "")
    assert read_export(done.stdout)["date"].tolist() == ["2026-01-06"]
    done = _python_m_logic("export", "--database-url", f"sqlite:///{tmp_path}/new/nope.db")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"no database file at {tmp_path}/new/nope.db; pass --database-url or set "
        "STRIDE_CHECK_DATABASE_URL\n"
    )
    assert not (tmp_path / "new").exists()


def test_create_admin_hashes_the_password_and_can_sign_in(tmp_path, monkeypatch, capsys) -> None:
    import io

    from logic.storage.accounts import Accounts
    from logic.storage.store import Store

    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough secret\n"))
    assert main(["create-admin", "root", "--password-stdin", "--database-url", url]) == 0
    assert "Admin 'root' created" in capsys.readouterr().out
    store = Store(url)
    try:
        result = Accounts(store).authenticate("root", "a long enough secret")
        assert result.user is not None and result.user.role == "admin"
    finally:
        store.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-admin", "other", "--password-stdin", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert "at least 10 characters" in err and "Traceback" not in err


# --- import ----------------------------------------------------------------------------------

CHECKIN_COLUMNS = list(knowledge_base().checkin.columns)


def season(n: int = 60, *, seed: int = 5, runners: int = 4) -> pd.DataFrame:
    """Check-ins in every column, one per runner and ISO week, all dated 2021-2023."""
    frame = synthetic_checkins(n, seed=seed, runners=runners)
    weeks = frame.groupby("runner").cumcount().to_numpy()
    day = np.random.default_rng(seed).integers(0, 7, n)
    frame["date"] = pd.Timestamp("2021-01-04") + pd.to_timedelta(weeks * 7 + day, unit="D")
    frame["warning_signs"] = np.where(np.arange(n) % 9 == 0, "night_pain", "")
    return frame


def read_table(text: str) -> pd.DataFrame:
    """A CSV of check-ins as pandas reads it, by runner and date: for comparing two files."""
    frame = pd.read_csv(io.StringIO(text))
    return frame.sort_values(["runner", "date"]).reset_index(drop=True)


def db_dump(url: str) -> list[str]:
    """Every table's rows (and the schema) of a SQLite database, as SQL statements."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return list(con.iterdump())
    finally:
        con.close()


def row_count(url: str) -> int:
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return int(con.execute("SELECT count(*) FROM checkins").fetchone()[0])
    finally:
        con.close()


def exported(capsys: pytest.CaptureFixture[str], url: str) -> str:
    code, out, err = run(capsys, "export", "--database-url", url)
    assert (code, err) == (0, "")
    return out


def test_import_into_a_new_database_round_trips_through_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = season()
    src, url = tmp_path / "season.csv", f"sqlite:///{tmp_path / 'new.db'}"
    src.write_text(checkins_as_csv(frame))
    code, out, err = run(capsys, "import", src, "--database-url", url)
    assert (code, err) == (0, "")
    assert out == f"Imported 60 check-ins (0 replaced) for 4 runners into {url} (a new database)\n"
    assert row_count(url) == 60
    back = read_table(exported(capsys, url))
    assert list(back.columns) == CHECKIN_COLUMNS
    pd.testing.assert_frame_equal(back, read_table(src.read_text()), check_dtype=False)


def test_a_stored_week_is_refused_by_line_unless_replace(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "more.csv"
    src.write_text(
        "runner,date,pain_level\n"
        "Dan,2026-01-05,2\n"
        "Ann,2026-01-08,9\n"  # Ann has 2026-01-07 stored: the same ISO week
        "\n"
        "Bob,2026-01-11,4\n"  # Bob has 2026-01-06 stored: the same ISO week (Sunday)
    )
    before = db_dump(database)
    code, out, err = run(capsys, "import", src, "--database-url", database)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{src}: line 3, column 'date': got '2026-01-08', a week already stored for 'Ann' "
        "(Week 2 · 5 Jan–11 Jan 2026); allowed: a week not stored yet, or --replace to "
        "replace the stored one",
        f"{src}: line 5, column 'date': got '2026-01-11', a week already stored for 'Bob' "
        "(Week 2 · 5 Jan–11 Jan 2026); allowed: a week not stored yet, or --replace to "
        "replace the stored one",
        f"{src}: nothing was imported (2 problems)",
    ]
    assert db_dump(database) == before  # Dan's new week was not written either

    code, out, err = run(capsys, "import", src, "--replace", "--database-url", database)
    assert (code, err) == (0, "")
    assert out == f"Imported 3 check-ins (2 replaced) for 3 runners into {database}\n"
    table = read_table(exported(capsys, database))
    got = list(zip(table["runner"], table["date"], table["pain_level"], strict=True))
    assert got == [
        ("Ann", "2026-01-08", 9),  # replaced in place
        ("Ann", "2026-02-04", 5),
        ("Bob", "2026-01-11", 4),
        ("Dan", "2026-01-05", 2),
    ]


NOT_UTF8_IMPORT = "runner,date\nAnn,2024-01-03\nJos\xe9,2024-01-10\n".encode("cp1252")
BAD_IMPORTS = {
    "unknown column": (
        "runner,date,pain\nZoe,2024-01-03,3\n",
        ["line 1 (header), column 'pain': not a check-in column"],
    ),
    "bad value": (
        "runner,date,pain_level\nZoe,2024-01-03,3\nZoe,2024-01-10,11\n",
        ["line 3, column 'pain_level': got '11'; allowed: a whole number from 0 to 10"],
    ),
    "bad date": (
        "runner,date\nZoe,2024-01-03\nZoe,2024-13-01\n",
        ["line 3, column 'date': got '2024-13-01'; allowed: a date as YYYY-MM-DD"],
    ),
    "dates out of range": (
        "runner,date\nZoe,1999-12-31\nZoe,2024-01-03\nZoe,2200-01-06\n",
        [
            "line 2, column 'date': got '1999-12-31'; allowed: a date from 2000-01-01 to today",
            "line 4, column 'date': got '2200-01-06'; allowed: a date from 2000-01-01 to today",
        ],
    ),
    "duplicate week in the file": (
        "runner,date\nZoe,2024-01-03\nAnn,2024-01-04\nZoe,2024-01-07\n",
        [
            "line 4, column 'date': got '2024-01-07', the same week as line 2 for 'Zoe' "
            "(Week 1 · 1 Jan–7 Jan 2024); allowed: one check-in per runner per ISO week"
        ],
    ),
    "row with too many cells": (
        "runner,date\nZoe,2024-01-03,3\n",
        ["line 2: 3 cell(s), more than the 2 columns of the header"],
    ),
    "empty file": ("", ["the file is empty; expected a header line"]),
    "not UTF-8": (
        NOT_UTF8_IMPORT,
        [f"line 3 (byte offset {NOT_UTF8_IMPORT.index(0xE9)}): byte 0xE9 is not valid UTF-8;"],
    ),
    "missing file": (None, ["cannot read the file: No such file or directory"]),
}


@pytest.mark.parametrize("case", list(BAD_IMPORTS))
def test_bad_import_exits_2_naming_line_and_column_and_changes_nothing(
    case: str, database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, expected = BAD_IMPORTS[case]
    src = tmp_path / "IN.csv"
    if isinstance(content, str):
        src.write_text(content)
    elif content is not None:
        src.write_bytes(content)
    before, count = db_dump(database), row_count(database)
    new_db = tmp_path / "never.db"
    for url in (database, f"sqlite:///{new_db}"):
        code, stdout, stderr = run(capsys, "import", src, "--replace", "--database-url", url)
        assert (code, stdout) == (2, "")
        assert "Traceback" not in stderr
        *lines, last = stderr.splitlines()
        assert len(lines) == len(expected), stderr
        for line, want in zip(lines, expected, strict=True):
            assert line.startswith(f"{src}: {want}"), line
        n = len(expected)
        assert last == f"{src}: nothing was imported ({n} problem{'' if n == 1 else 's'})"
    assert (db_dump(database), row_count(database)) == (before, count)
    assert not new_db.exists()  # a new database is only created for a file that passed


def test_an_unreachable_database_exits_2_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("runner,date\nZoe,2024-01-03\n")
    url = "postgresql://u:secret@127.0.0.1:1/db"
    code, out, err = run(capsys, "import", src, "--database-url", url)
    assert (code, out) == (2, "")
    assert err.startswith("Could not open the database: cannot reach the database server at ")
    assert err.count("\n") == 1 and "secret" not in err and "Traceback" not in err


def test_a_failure_while_writing_rolls_the_whole_import_back(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """The rows are written, then the database fails: one transaction, so nothing stays."""
    import sqlalchemy as sa

    import logic.storage.store as store_module

    real = store_module._executemany

    def write_then_fail(conn, stmt, frame) -> None:
        real(conn, stmt, frame)
        raise sa.exc.OperationalError("UPDATE checkins", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store_module, "_executemany", write_then_fail)
    src = tmp_path / "in.csv"
    src.write_text("runner,date,pain_level\nDan,2024-01-03,1\nAnn,2026-01-08,9\n")
    before = db_dump(database)
    code, out, err = run(capsys, "import", src, "--replace", "--database-url", database)
    assert (code, out) == (2, "")
    assert "Nothing was imported." in err and "Traceback" not in err
    assert db_dump(database) == before
    new_db = tmp_path / "new.db"
    assert run(capsys, "import", src, "--database-url", f"sqlite:///{new_db}")[0] == 2
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["in.csv", "stride.db", "stride.db-created"]  # removed


def test_python_m_logic_import_runs_as_a_process(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real entry point, the database from STRIDE_CHECK_DATABASE_URL as the app finds it."""
    monkeypatch.setenv("STRIDE_CHECK_DATABASE_URL", database)
    frame = season(30, seed=8, runners=3)
    src = tmp_path / "season.csv"
    src.write_text(checkins_as_csv(frame))
    before = db_dump(database)
    done = _python_m_logic("import", src)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"Imported 30 check-ins (0 replaced) for 3 runners into {database}\n"
    assert row_count(database) == 3 + 30

    bad = tmp_path / "bad.csv"
    bad.write_text("runner,date,pain_level\nZoe,2024-01-03,1\nZoe,2024-01-10,x\n")
    after = db_dump(database)
    done = _python_m_logic("import", bad)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"{bad}: line 3, column 'pain_level': got 'x'; allowed: a whole number from 0 to 10\n"
        f"{bad}: nothing was imported (1 problem)\n"
    )
    assert db_dump(database) == after and after != before

    done = _python_m_logic("export", "--runner", frame["runner"].iloc[0])
    assert (done.returncode, done.stderr) == (0, "")
    mine = frame[frame["runner"] == frame["runner"].iloc[0]]
    pd.testing.assert_frame_equal(
        read_table(done.stdout), read_table(checkins_as_csv(mine)), check_dtype=False
    )


@pytest.mark.postgres
def test_import_round_trips_through_export_on_postgresql(
    fresh_postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = season(40, seed=13, runners=3)
    src = tmp_path / "season.csv"
    src.write_text(checkins_as_csv(frame))
    url = fresh_postgres_url
    code, out, err = run(capsys, "import", src, "--database-url", url)
    assert (code, err) == (0, "")
    assert out.startswith("Imported 40 check-ins (0 replaced) for 3 runners into postgresql")
    back = exported(capsys, url)
    pd.testing.assert_frame_equal(read_table(back), read_table(src.read_text()), check_dtype=False)
    code, out, err = run(capsys, "import", src, "--database-url", url)  # every week stored now
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 41 and err.startswith(f"{src}: line 2, column 'date': got ")
    assert exported(capsys, url) == back
    code, out, err = run(capsys, "import", src, "--replace", "--database-url", url)
    assert (code, err) == (0, "")
    assert out.startswith("Imported 40 check-ins (40 replaced) for 3 runners into postgresql")
    assert exported(capsys, url) == back


# --- the CLI agrees with the app (issue 12, point 4) --------------------------------------------


def two_runners_with_a_spike() -> pd.DataFrame:
    """Ann and Bob interleaved, newest first: Ann's sixth week is a load spike with outer-knee
    pain; Bob runs the same distances a week later. Ann's last three weeks hurt at 6."""
    rows = []
    for runner, offset in (("Ann", 0), ("Bob", 1)):
        for week in range(6):
            day = pd.Timestamp("2026-03-04") + pd.Timedelta(weeks=week + offset)
            spike = week == 5
            rows.append(
                {
                    "runner": runner,
                    "date": day,
                    "weekly_km": 60.0 if spike else 30.0,
                    "longest_run_km": 25.0 if spike else 12.0,
                    "pain_locations": "outer_knee" if week >= 3 else "",
                    "pain_level": 6 if week >= 3 and runner == "Ann" else 2,
                }
            )
    return pd.DataFrame(rows).iloc[::-1].reset_index(drop=True)


def test_the_cli_computes_load_flags_and_history_rules_per_runner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = two_runners_with_a_spike()
    src = tmp_path / "in.csv"
    src.write_text(checkins_as_csv(frame))
    code, stdout, stderr = run(capsys, "score", src)
    assert (code, stderr) == (0, "")
    scored = read_scored(stdout)
    expected = score_history(frame)
    np.testing.assert_allclose(scored[IDS].to_numpy(), expected[IDS].round(1).to_numpy())
    assert scored["needs_clinician"].tolist() == expected["needs_clinician"].tolist()
    # The spike weeks score the load flags, which a check-in scored alone never has.
    spike = (frame["weekly_km"] == 60.0).to_numpy()
    alone = score_checkins(frame)
    assert (scored.loc[spike, "it_band"].to_numpy() > alone.loc[spike, "it_band"].round(1)).all()
    # Ann's third week in a row at 6 raises the flag; Bob's pain at 2 does not.
    ann_last = (frame["runner"] == "Ann") & spike
    assert scored.loc[ann_last, "needs_clinician"].tolist() == [True]
    assert not scored.loc[frame["runner"] == "Bob", "needs_clinician"].any()


def test_new_warning_signs_are_read_and_an_emergency_is_a_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "runner,date,warning_signs\n"
        "ann,2026-01-05,sudden_pop;weight_loss\n"
        "bob,2026-01-05,saddle_numbness\n"
        "cat,2026-01-05,\n"
    )
    code, stdout, stderr = run(capsys, "score", src)
    assert (code, stderr) == (0, "")
    scored = read_scored(stdout)
    assert scored["needs_clinician"].tolist() == [True, True, False]
    assert scored["needs_emergency"].tolist() == [False, True, False]
    src.write_text("runner,date,warning_signs\nann,2026-01-05,saddle_numb\n")
    code, _, stderr = run(capsys, "score", src)
    assert code == 2 and "saddle_numbness" in stderr and "line 2" in stderr


def test_pain_side_goes_through_import_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, url = tmp_path / "in.csv", f"sqlite:///{tmp_path / 'side.db'}"
    src.write_text(
        "runner,date,pain_locations,pain_side,pain_level\n"
        "Ann,2026-01-05,outer_knee,right,4\nBob,2026-01-06,,,0\n"
    )
    code, _, err = run(capsys, "import", src, "--database-url", url)
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "export", "--database-url", url)
    assert (code, err) == (0, "")
    assert read_export(out)["pain_side"].tolist() == ["right", ""]
    src.write_text("runner,date,pain_side\nCat,2026-01-05,up\n")
    code, _, err = run(capsys, "import", src, "--database-url", url)
    assert code == 2 and "line 2" in err and "pain_side" in err
