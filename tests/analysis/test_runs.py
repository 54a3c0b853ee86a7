"""Load from recorded runs: weeks, the check-in form's figures, long-run spikes by run date,
"what changed" suggestions with their numbers, and check-ins scored on recorded figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logic.analysis.runs import (
    long_run_spikes,
    recorded_load_flags,
    recorded_week,
    training_suggestions,
    weekly_runs,
    with_recorded_weeks,
)
from logic.knowledge import DATA_DIR, KnowledgeBaseError, knowledge_base, load_knowledge_base

KB = knowledge_base()
MONDAY = pd.Timestamp("2026-11-02")  # a Monday


def runs(
    days: list[int],
    km: list[float],
    climb_per_km: float | list[float] = 5.0,
    pace_s: float | list[float] = 360.0,
    runner: str = "Ann",
) -> pd.DataFrame:
    """Runs `days` after MONDAY, 07:00 UTC, at `pace_s` seconds per km."""
    dates = MONDAY + pd.to_timedelta(days, unit="D")
    distance = np.array(km, dtype="float64")
    return pd.DataFrame(
        {
            "runner": runner,
            "start_utc": (dates + pd.Timedelta(hours=7)).tz_localize("UTC"),
            "local_date": dates,
            "sport": "run",
            "distance_km": distance,
            "moving_s": distance * np.asarray(pace_s, dtype="float64"),
            "elapsed_s": distance * np.asarray(pace_s, dtype="float64") + 60,
            "elevation_gain_m": distance * np.asarray(climb_per_km, dtype="float64"),
        }
    )


def test_weekly_runs_sums_each_iso_week() -> None:
    weeks = weekly_runs(runs([0, 2, 6, 7], [10, 5, 20, 8]))
    assert weeks["week_start"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-02", "2026-11-09"]
    assert weeks["runs"].tolist() == [3, 1]
    assert weeks["distance_km"].tolist() == [35, 8]
    assert weeks["longest_run_km"].tolist() == [20, 8]
    assert weeks["elevation_gain_m"].tolist() == [175, 40]


def test_the_check_in_form_gets_the_weeks_recorded_figures() -> None:
    week = recorded_week(runs([0, 1, 3, 5, 9], [8, 6.04, 12, 21.5, 10]), MONDAY.date())
    assert week is not None
    assert (week.runs, week.distance_km, week.longest_run_km) == (4, 47.5, 21.5)
    assert week.note == "from 4 recorded runs"
    assert recorded_week(runs([0], [5]), (MONDAY + pd.Timedelta(days=14)).date()) is None
    assert recorded_week(runs([0], [5]), MONDAY.date()).note == "from 1 recorded run"


@pytest.mark.parametrize(
    ("day", "km", "spike"),
    [
        (29, 22.5, True),  # more than 10% beyond the 20 km run 29 days before
        (29, 22.0, False),  # exactly 10%: not more than
        (31, 22.5, False),  # the 20 km run is 31 days back: outside the 30-day window
    ],
)
def test_long_run_spike_is_counted_by_run_date(day: int, km: float, spike: bool) -> None:
    flagged = long_run_spikes(runs([0, day], [20, km]), KB)
    assert flagged["long_run_spike"].tolist() == [False, spike]
    assert flagged["base_km"].iloc[1] == 20 if day < 30 else np.isnan(flagged["base_km"].iloc[1])


def test_long_run_spikes_are_per_runner() -> None:
    both = pd.concat([runs([0], [20], runner="Ann"), runs([5], [30], runner="Bob")])
    assert long_run_spikes(both.reset_index(drop=True), KB)["long_run_spike"].tolist() == [
        False,
        False,
    ]


def _baseline_then(week: pd.DataFrame) -> pd.DataFrame:
    """Two usual weeks (30 km, 5 m/km, 6:00/km) then the week under test."""
    usual = runs([-14, -12, -10, -7, -5, -3], [10, 10, 10, 10, 10, 10])
    return pd.concat([usual, week], ignore_index=True)


def test_no_suggestion_for_a_usual_week() -> None:
    assert training_suggestions(_baseline_then(runs([0, 2, 4], [10, 10, 10])), MONDAY, KB).empty


def test_more_distance_is_suggested_with_its_numbers() -> None:
    out = training_suggestions(_baseline_then(runs([0, 2, 4], [14, 12, 12])), MONDAY, KB)
    assert out["change"].tolist() == ["more_mileage"]
    assert out["title"].iloc[0] == "38.0 km this week against 30.0 km in a usual week (+27%)"


def test_more_hills_is_climbing_per_km_well_above_usual() -> None:
    week = runs([0, 2, 4], [10, 10, 10], climb_per_km=[30, 5, 5])  # 13.3 m/km against 5
    out = training_suggestions(_baseline_then(week), MONDAY, KB)
    assert out["change"].tolist() == ["more_hills"]
    assert out["this_week"].iloc[0] == pytest.approx(40 / 3)
    assert out["usual"].iloc[0] == pytest.approx(5)
    assert out["title"].iloc[0] == "13 m of climbing per km this week against 5 m per km usually"


def test_suggestions_speak_the_runners_unit() -> None:
    """Issue 13: distance, climbing per distance and pace in miles; the numbers stay per km."""
    more = training_suggestions(
        _baseline_then(runs([0, 2, 4], [14, 12, 12])), MONDAY, KB, units="miles"
    )
    assert more["title"].iloc[0] == "23.6 mi this week against 18.6 mi in a usual week (+27%)"
    assert more["this_week"].iloc[0] == pytest.approx(38)
    week = runs([0, 2, 4], [10, 10, 10], climb_per_km=[30, 5, 5])
    hills = training_suggestions(_baseline_then(week), MONDAY, KB, units="miles")
    assert hills["title"].iloc[0] == "21 m of climbing per mi this week against 8 m per mi usually"
    week = runs([0, 2, 4], [10, 10, 10], pace_s=[300, 300, 360])
    speed = training_suggestions(_baseline_then(week), MONDAY, KB, units="miles")["title"]
    assert "quicker than 9:10 /mi" in speed.iloc[0]  # 5:42 /km
    assert "your median pace: 9:39 /mi" in speed.iloc[0]  # 6:00 /km
    assert "km" not in " ".join(pd.concat([more["title"], hills["title"], speed]))


def test_more_speed_is_time_clearly_faster_than_the_median_pace() -> None:
    week = runs([0, 2, 4], [10, 10, 10], pace_s=[300, 300, 360])  # 100 min at 5:00/km
    out = training_suggestions(_baseline_then(week), MONDAY, KB)
    assert out["change"].tolist() == ["more_speed"]
    assert out["this_week"].iloc[0] == pytest.approx(100)
    assert out["usual"].iloc[0] == 0
    assert "quicker than 5:42 /km" in out["title"].iloc[0]
    assert "your median pace: 6:00 /km" in out["title"].iloc[0]


def test_nothing_is_suggested_without_enough_usual_weeks() -> None:
    assert training_suggestions(runs([-7, 0], [10, 30]), MONDAY, KB).empty


def _checkins(
    dates: list[str], km: list[float | None], longest: list[float | None]
) -> pd.DataFrame:
    return pd.DataFrame(
        {"runner": "Ann", "date": dates, "weekly_km": km, "longest_run_km": longest}
    )


def test_recorded_weeks_replace_typed_figures_and_say_so() -> None:
    history = _checkins(["2026-11-06", "2026-11-13", "2026-11-20"], [50, 40, None], [20, 15, None])
    out = with_recorded_weeks(history, runs([0, 2, 7], [10, 12, 9]))
    assert out["weekly_km"].tolist()[:2] == [22, 9]
    assert out["longest_run_km"].tolist()[:2] == [12, 9]
    assert np.isnan(out["weekly_km"].iloc[2])
    assert out["load_source"].tolist() == ["recorded", "recorded", ""]
    typed = with_recorded_weeks(history, runs([21], [5]))
    assert typed["load_source"].tolist() == ["typed", "typed", ""]


def test_the_long_run_spike_of_a_recorded_week_comes_from_run_dates() -> None:
    """Check-ins 5 weeks apart: by check-in dates nothing is in the 30 days before; by run
    dates the 25 km run follows a 20 km run 28 days earlier."""
    history = _checkins(["2026-11-02", "2026-12-07"], [20, 25], [20, 25])
    typed = recorded_load_flags(history, runs([90], [1]), KB)
    assert typed["long_run_spike"].tolist() == [False, False]
    recorded = recorded_load_flags(history, runs([0, 7, 35], [20, 20, 25]), KB)
    assert recorded["long_run_spike"].tolist() == [False, True]


def test_a_bad_runs_threshold_names_the_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "load.toml"
    path.write_text(path.read_text().replace("min_baseline_weeks = 2", "min_baseline_weeks = 9"))
    with pytest.raises(KnowledgeBaseError, match=r"load\.toml: runs: Value error, min_baseline"):
        load_knowledge_base(data)


def test_the_app_judges_a_recorded_weeks_long_run_by_run_dates() -> None:
    """Results and History (trends.scored_history) keep the distances the runner saved, but in
    a week with recorded runs the long run is judged by the runs: a 25 km run 28 days after a
    20 km one is a spike, though the two check-ins typed 25 km both weeks."""
    from logic.analysis.trends import scored_history

    history = _checkins(["2026-11-30", "2026-12-07"], [25, 25], [25, 25]).assign(id=[1, 2])
    assert not scored_history(history, KB)["long_run_spike"].any()
    recorded = runs([0, 7, 35], [20, 20, 25])  # MONDAY is 2 Nov 2026: the last on 7 Dec
    scored = scored_history(history, KB, runs=recorded)
    assert scored["long_run_spike"].tolist() == [False, True]
    assert scored["weekly_km"].tolist() == [25, 25]  # the saved figures stay
    assert scored["it_band"].iloc[1] > scored_history(history, KB)["it_band"].iloc[1]
