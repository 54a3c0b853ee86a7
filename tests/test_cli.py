"""`python -m logic score`: scores match score_checkins; bad input exits 2 with one line per
problem naming line and column, no traceback, and never an output file."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logic.cli
from benchmarks.synthetic import synthetic_checkins
from logic.analysis.scoring import score_checkins
from logic.cli import main
from logic.io.importing import export_csv, plan_import
from logic.knowledge import knowledge_base
from logic.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
IDS = knowledge_base().condition_ids
SCORE_COLUMNS = [*IDS, *(f"{c}_band" for c in IDS), "needs_clinician"]
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
    frame = pd.read_csv(
        io.StringIO(text), keep_default_na=False, dtype={"team": str, "needs_clinician": str}
    )
    frame["needs_clinician"] = frame["needs_clinician"].map({"true": True, "false": False})
    return frame


def assert_scores_match(scored: pd.DataFrame, checkins: pd.DataFrame) -> None:
    expected = score_checkins(checkins)
    assert expected[IDS].round(1).nunique().min() > 10  # varied scores: a wrong one shows
    bands = {b for c in IDS for b in expected[f"{c}_band"].astype(str)}
    assert {"low", "moderate"} <= bands
    np.testing.assert_allclose(scored[IDS].to_numpy(), expected[IDS].round(1).to_numpy(), atol=0)
    for cid in IDS:
        assert scored[f"{cid}_band"].tolist() == expected[f"{cid}_band"].astype(str).tolist()
    assert scored["needs_clinician"].tolist() == expected["needs_clinician"].tolist()


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.csv", "stride.db"]  # no temp
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
