"""Charts of recorded runs: valid Vega-Lite, recorded and typed weeks told apart by colour and
legend, climbing only where it was recorded, long-run spikes marked on the runs."""

from __future__ import annotations

import pandas as pd

from logic.analysis.runs import long_run_spikes, weeks_by_source
from logic.charts.runs import (
    SOURCE_KINDS,
    climbing_per_week_chart,
    run_spikes_chart,
    runs_per_week_chart,
)
from tests.analysis.test_runs import _checkins, runs


def _values(chart: object) -> pd.DataFrame:
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    datasets = spec["datasets"]
    return pd.concat([pd.DataFrame(v) for v in datasets.values()], ignore_index=True)


WEEKS = weeks_by_source(
    _checkins(["2026-10-20", "2026-11-06"], [30, 50], [10, 20]),
    runs([0, 2, 7], [10, 12, 9]),
)


def test_recorded_and_typed_weeks_have_their_own_colour_and_name() -> None:
    chart = runs_per_week_chart(WEEKS)
    data = _values(chart)
    assert data.groupby("kind")["distance_km"].sum().to_dict() == {
        "Recorded runs": 31.0,
        "Typed in the check-in": 30.0,  # the typed 50 km week has recorded runs: they win
    }
    scale = chart.to_dict()["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": list(SOURCE_KINDS), "range": list(SOURCE_KINDS.values())}


def test_climbing_is_drawn_for_recorded_weeks_only() -> None:
    data = _values(climbing_per_week_chart(WEEKS))
    drawn = data.dropna(subset=["elevation_gain_m"])
    assert drawn["source"].unique().tolist() == ["recorded"]
    assert drawn["elevation_gain_m"].tolist() == [110.0, 45.0]


def test_a_long_run_spike_is_marked_on_the_run() -> None:
    data = _values(run_spikes_chart(long_run_spikes(runs([0, 7, 20], [10, 10, 15]))))
    assert data["kind"].tolist() == ["Run", "Run", "Long-run spike"]
