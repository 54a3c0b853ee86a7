"""`python -m logic runs import|weekly`: runs stored, re-imports adding nothing, bad files exit 2
naming the file with no traceback and nothing stored, and the weekly CSV's exact columns."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.activity_files import gpx_bytes, track
from logic.cli import main
from logic.storage.store import Store

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "runs"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'stride.db'}"
    store = Store(url)
    store.add_runner("Ann")
    store.dispose()
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_weekly(capsys: pytest.CaptureFixture[str], db: str) -> None:
    files = [FIXTURES / "run_10k_100m.fit", FIXTURES / "cerknicko-jezero.gpx"]
    code, out, err = run(capsys, "runs", "import", "--runner", "Ann", "--database-url", db, *files)
    assert (code, err) == (0, "")
    assert out == "2 runs in 2 weeks; none skipped. Stored 2 new runs for Ann (0 already stored).\n"
    code, out, err = run(capsys, "runs", "weekly", "--runner", "Ann", "--database-url", db)
    assert code == 0
    assert out.splitlines() == [
        "week_start,runs,distance_km,longest_run_km,elevation_gain_m",
        "2010-08-02,1,4.58,4.58,116.0",
        "2026-11-02,1,10.0,10.0,100.0",
    ]


def test_importing_again_stores_nothing_new(capsys: pytest.CaptureFixture[str], db: str) -> None:
    args = ["runs", "import", "--runner", "Ann", "--database-url", db]
    run(capsys, *args, FIXTURES / "run_10k_100m.gpx")
    code, out, _ = run(
        capsys, *args, FIXTURES / "run_10k_100m.tcx", FIXTURES / "sup_activity_1.tcx"
    )
    assert code == 0
    assert "1 skipped (1 other)" in out
    assert "Stored 0 new runs for Ann (1 already stored)" in out


def test_a_broken_file_exits_2_naming_it_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db: str
) -> None:
    cut = tmp_path / "cut.gpx"
    cut.write_bytes(gpx_bytes(track(5, 0, 600, every_s=10))[:500])
    args = ["runs", "import", "--runner", "Ann", "--database-url", db]
    code, out, err = run(capsys, *args, FIXTURES / "run_10k_100m.gpx", cut)
    assert code == 2
    assert out == ""
    assert err.startswith("cut.gpx: broken or truncated XML")
    assert err.endswith("nothing was imported\n")
    code, out, _ = run(capsys, "runs", "weekly", "--runner", "Ann", "--database-url", db)
    assert out == "week_start,runs,distance_km,longest_run_km,elevation_gain_m\n"


def test_an_unknown_runner_exits_2(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, _, err = run(capsys, "runs", "weekly", "--runner", "Anne", "--database-url", db)
    assert code == 2
    assert err == "--runner: no runner named 'Anne' in the database (did you mean 'Ann'?)\n"


def test_a_missing_file_exits_2_without_a_traceback(tmp_path: Path, db: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "logic",
            "runs",
            "import",
            "--runner",
            "Ann",
            "--database-url",
            db,
            str(tmp_path / "nope.fit"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "nope.fit: cannot be read (No such file or directory)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_score_with_runs_uses_the_recorded_weeks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db: str
) -> None:
    """Check-ins a week apart type 25 km weeks with a 25 km longest run (no jump, no spike);
    the runs say a 25 km run 28 days after a 20 km run: a long-run spike by run date, which
    only --with-runs sees."""
    from benchmarks.activity_files import START, fit_bytes

    files = []
    for day, km in ((0, 20.0), (7, 20.0), (35, 25.0)):
        points = track(km, 0.0, int(km * 360), every_s=10, start=START + dt.timedelta(days=day))
        path = tmp_path / f"run{day}.fit"
        path.write_bytes(fit_bytes(points, utc_offset_s=0))
        files.append(path)
    run(capsys, "runs", "import", "--runner", "Ann", "--database-url", db, *files)
    checkins = tmp_path / "checkins.csv"
    checkins.write_text(
        "runner,date,pain_level,weekly_km,longest_run_km\n"
        "Ann,2026-11-30,3,25,25\nAnn,2026-12-07,3,25,25\n"
    )
    _, plain, _ = run(capsys, "score", checkins)
    code, recorded, err = run(capsys, "score", checkins, "--with-runs", "--database-url", db)
    assert (code, err) == (0, "")
    plain_rows = [line.split(",") for line in plain.splitlines()]
    rows = [line.split(",") for line in recorded.splitlines()]
    assert rows[0] == plain_rows[0]
    header = rows[0]
    km = header.index("weekly_km")
    assert [r[km] for r in rows[1:]] == ["25", "25"]  # typed (no runs that week), then recorded
    it_band = header.index("it_band")
    assert float(rows[2][it_band]) > float(plain_rows[2][it_band])  # the spike counts
    assert rows[1][it_band] == plain_rows[1][it_band]
