"""The Import & export page's recorded-runs section (pages/shared/runs_import.py): a preview of
runs found, skipped by sport and weeks covered, then one confirm stores them; a broken file
names itself and stores nothing; coaches may not import; admins may import for anyone."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.activity_files import START, fit_bytes, gpx_bytes, strava_row, strava_zip, track
from logic.storage.accounts import Accounts
from logic.storage.runs import RunStore
from logic.storage.store import get_store
from tests.support.apptest import app, assert_no_exception, button, on_page, signed_in, texts

pytestmark = pytest.mark.usefixtures("db_url")

PAGE = "pages/data.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runs"


def runs_uploader(at: AppTest) -> Any:
    return next(u for u in at.file_uploader if u.key.startswith("runs_upload_"))


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    runs_uploader(at).set_value([(n, b, "application/octet-stream") for n, b in files])
    at.run()
    assert_no_exception(at)
    return at


def data_page(runner: str = "Ann") -> AppTest:
    get_store().add_runner(runner)
    at = on_page(app(runner).run(), PAGE)
    assert_no_exception(at)
    return at


def stored(runner: str = "Ann") -> list[str]:
    return RunStore(get_store()).runs(runner)["sport"].tolist()


def export() -> bytes:
    gpx = gpx_bytes(track(12.0, 300.0, 4200, every_s=10))
    rows = [
        strava_row(1, START, "Trail Run", 12000, 4200, 300, "activities/1.gpx"),
        strava_row(2, START.replace(day=3), "Ride", 40000, 5400, 400, ""),
        strava_row(3, START.replace(day=4), "Walk", 3000, 1800, 10, ""),
        strava_row(4, START.replace(day=12), "Run", 8000, 2400, 40, ""),
    ]
    return strava_zip(rows, {"activities/1.gpx": gpx})


def test_preview_then_confirm_stores_the_runs() -> None:
    at = upload(data_page(), ("export.zip", export()))
    summary = " ".join(texts(at.markdown))
    assert "2 runs in 2 weeks; 2 skipped \\(1 ride, 1 walk\\)\\. 2 new, 0 already stored\\." in (
        summary
    )
    preview = at.dataframe[0].value
    assert preview["runs"].tolist() == [1, 1]
    assert preview["distance_km"].tolist() == [8.0, 12.0]
    assert stored() == []  # the preview wrote nothing
    button(at, "Import 2 runs").click()
    at.run()
    assert_no_exception(at)
    assert stored() == ["trail_run", "run"]
    assert texts(at.success) == ["Imported 2 runs (0 already stored)."]
    assert runs_uploader(at).key == "runs_upload_1"  # a new, empty uploader


def test_the_same_files_again_have_nothing_new() -> None:
    fit = fit_bytes(track(10.0, 100.0, 3000, every_s=10))
    at = upload(data_page(), ("a.fit", fit))
    button(at, "Import 1 run").click()
    at.run()
    at = upload(at, ("a.fit.gz", gzip.compress(fit)))
    assert "0 new, 1 already stored" in " ".join(texts(at.markdown))
    assert button(at, "Import 0 runs").disabled


def test_a_broken_file_is_named_and_nothing_is_stored() -> None:
    good = (FIXTURES / "run_10k_100m.gpx").read_bytes()
    at = upload(data_page(), ("good.gpx", good), ("cut.fit", fit_bytes(track(5, 0, 600))[:300]))
    assert len(at.error) == 1
    assert "Nothing was imported" in at.error[0].value
    assert "cut\\.fit\\: broken or truncated FIT file" in at.error[0].value
    assert not [b for b in at.button if b.key == "runs_confirm"]
    assert stored() == []


@pytest.fixture
def team(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    accounts = Accounts(get_store())
    password = "correct horse battery"
    return {
        "root": accounts.create_user("root", role="admin", password=password).id,
        "coach_a": accounts.create_user(
            "coach_a", role="coach", password=password, coach_of=["A"]
        ).id,
        "ann": accounts.create_user("ann", role="runner", password=password, team="A").id,
    }


def test_a_runner_imports_their_own_runs(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["ann"]).run(), PAGE)
    at = upload(at, ("run.gpx", (FIXTURES / "run_10k_100m.gpx").read_bytes()))
    button(at, "Import 1 run").click().run()
    assert_no_exception(at)
    assert stored("ann") == ["run"]


def test_a_coach_cannot_import_runs(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["coach_a"]).run(), PAGE)
    assert_no_exception(at)
    assert not [u for u in at.file_uploader if u.key.startswith("runs_upload_")]
    assert "imported by the runner themselves, or by an admin" in " ".join(texts(at.info))


def test_an_admin_imports_for_any_runner(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["root"]).run(), PAGE)
    at.selectbox(key="coach_runner").set_value("ann").run()
    at = upload(at, ("run.fit", (FIXTURES / "run_10k_100m.fit").read_bytes()))
    button(at, "Import 1 run").click().run()
    assert_no_exception(at)
    assert stored("ann") == ["run"]
