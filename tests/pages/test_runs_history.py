"""History's recorded-runs block (pages/shared/runs_history.py): km per week with recorded and
typed weeks told apart, climbing, every run with long-run spikes marked, and this week's
suggestions with their numbers; a hint when no run is recorded."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from logic import clock
from logic.profile import RunnerProfile
from logic.storage.runs import RunStore
from logic.storage.store import get_store
from logic.weeks import week_start
from tests.support.apptest import (
    app,
    assert_no_exception,
    chart_rows,
    charts,
    on_page,
    signed_in,
    texts,
)
from tests.support.plain_words import page_words

pytestmark = pytest.mark.usefixtures("db_url")

PAGE = "pages/history.py"
MONDAY = week_start(clock.today())


def store_runs(days_from_monday: list[int], km: list[float]) -> None:
    dates = MONDAY + pd.to_timedelta(days_from_monday, unit="D")
    distance = np.array(km, dtype="float64")
    runs = pd.DataFrame(
        {
            "start_utc": (dates + pd.Timedelta(hours=7)).tz_localize("UTC"),
            "local_date": dates,
            "sport": "run",
            "distance_km": distance,
            "moving_s": distance * 360,
            "elapsed_s": distance * 360,
            "elevation_gain_m": distance * 5,
            "source": "watch.fit",
            "content_hash": [f"h{i}" for i in range(len(km))],
        }
    )
    get_store().add_runner("Ann")
    RunStore(get_store()).import_runs("Ann", runs)


def history_page() -> object:
    store = get_store()
    store.save_checkin(
        {
            "runner": "Ann",
            "date": (MONDAY - dt.timedelta(weeks=4)).date().isoformat(),
            "weekly_km": 33.0,
            "longest_run_km": 15.0,
        }
    )
    store.save_checkin({"runner": "Ann", "date": MONDAY.date().isoformat(), "pain_level": 1})
    at = on_page(app("Ann").run(), PAGE)
    assert_no_exception(at)
    return at


def test_without_recorded_runs_the_page_says_where_to_import_them() -> None:
    at = history_page()
    assert any("No recorded runs yet" in t for t in texts(at.caption))


def test_recorded_and_typed_weeks_spikes_and_suggestions() -> None:
    store_runs([-14, -12, -10, -7, -5, -3, 0, 1], [10, 10, 10, 10, 10, 10, 25, 20])
    at = history_page()
    rows = [chart_rows(c) for c in charts(at)]
    weekly = next(r for r in rows if "source" in r.columns and "kind" in r.columns)
    by_kind = weekly.groupby("kind")["distance_km"].sum().to_dict()
    assert by_kind == {"Recorded runs": 105.0, "Typed in the check-in": 33.0}
    spikes = next(r for r in rows if "base_km" in r.columns)
    assert spikes.loc[spikes["long_run_spike"], "distance_km"].tolist() == [25.0]
    infos = texts(at.info)
    assert any(t.startswith("**More distance?** 45.0 km this week against 30.0 km") for t in infos)


def test_a_coach_is_not_told_to_import_from_their_own_watch(team: dict[str, int]) -> None:
    """History's recorded-runs hint speaks to the runner; a coach reads it about the runner."""
    at = on_page(signed_in(team["coach_a"]).run(), "pages/history.py")
    at.selectbox(key="coach_runner").select("ann").run()
    assert_no_exception(at)
    said = " ".join(texts(at.caption))
    assert "No recorded runs for ann yet" in said
    assert "Import files from your watch" not in said
    mine = on_page(signed_in(team["ann"]).run(), "pages/history.py")
    assert "Import files from your watch" in " ".join(texts(mine.caption))


def test_a_miles_runner_reads_runs_and_suggestions_in_miles() -> None:
    """Issue 13: chart axes, tooltips and the suggestion's numbers in miles; no km figure."""
    store_runs([-14, -12, -10, -7, -5, -3, 0, 1], [10, 10, 10, 10, 10, 10, 25, 20])
    get_store().save_profile("Ann", RunnerProfile(units="miles"))
    at = history_page()
    rows = [chart_rows(c) for c in charts(at)]
    spikes = next(r for r in rows if "base_km" in r.columns)
    assert spikes.loc[spikes["long_run_spike"], "distance_km"].round(2).tolist() == [15.53]
    infos = texts(at.info)
    # 45 and 30 km a week
    assert any(t.startswith("**More distance?** 28.0 mi this week against 18.6 mi") for t in infos)
    words = page_words(at)
    assert "mi per run" in words and "Distance (mi)" in words
    assert [w for w in words if re.search(r"\d\s*km\b|/km\b|\bkm\)|^km", w)] == []


def test_runs_imported_while_the_page_is_open_change_the_scores_shown() -> None:
    """The scored weeks are cached by a key of the check-ins and the runs: runs imported
    after the first visit (no check-in changed) reach the table on the next rerun."""
    store_runs([-14, -12, -10, -7, -5, -3], [10, 10, 10, 10, 10, 10])
    at = history_page()
    before = at.dataframe[0].value.set_index("date")["building_up"]
    long_run = RunStore(get_store()).import_runs(  # a long-run spike in the latest week
        "Ann",
        pd.DataFrame(
            {
                "start_utc": [(MONDAY + pd.Timedelta(hours=7)).tz_localize("UTC")],
                "local_date": [MONDAY],
                "sport": "run",
                "distance_km": [25.0],
                "moving_s": [9000.0],
                "elapsed_s": [9000.0],
                "elevation_gain_m": [125.0],
                "source": "long.fit",
                "content_hash": ["long"],
            }
        ),
    )
    assert long_run.inserted == 1
    at.run()
    assert_no_exception(at)
    after = at.dataframe[0].value.set_index("date")["building_up"]
    assert before.iloc[1:].tolist() == after.iloc[1:].tolist()
    assert before.iloc[0] != after.iloc[0], (before.iloc[0], after.iloc[0])
