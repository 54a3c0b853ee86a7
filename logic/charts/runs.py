"""Recorded runs on the History page: distance and climbing per week, recorded weeks told
apart from typed ones, and every run with its long-run spikes marked on the run itself."""

from __future__ import annotations

import altair as alt
import pandas as pd

from logic.charts.base import (
    BAND_COLORS,
    INK,
    MUTED,
    finish,
    kind_color,
    require_columns,
    week_tooltip,
    week_x,
)

__all__ = [
    "RUN_KINDS",
    "SOURCE_KINDS",
    "climbing_per_week_chart",
    "run_spikes_chart",
    "runs_per_week_chart",
]

HEIGHT = 180
SOURCE_KINDS: dict[str, str] = {"Recorded runs": "#0072B2", "Typed in the check-in": MUTED}
RUN_KINDS: dict[str, str] = {"Run": INK, "Long-run spike": BAND_COLORS["high"]}
_LABELS = {"recorded": "Recorded runs", "typed": "Typed in the check-in"}


def _weeks(weeks: pd.DataFrame, what: str) -> pd.DataFrame:
    cols = ("week_start", "distance_km", "elevation_gain_m", "runs", "source")
    require_columns(weeks, cols, what=what)
    return weeks[list(cols)].assign(
        week_end=lambda d: d["week_start"] + pd.Timedelta(days=6),
        kind=lambda d: d["source"].map(_LABELS).astype("str"),
    )


def _tooltip(unit: str) -> list[alt.Tooltip]:
    return [
        week_tooltip(),
        alt.Tooltip("kind:N", title="From"),
        alt.Tooltip("runs:Q", title="Runs", format="d"),
        alt.Tooltip("distance_km:Q", title=f"Distance ({unit})", format=".1f"),
        alt.Tooltip("elevation_gain_m:Q", title="Climbing (m)", format=".0f"),
    ]


def runs_per_week_chart(weeks: pd.DataFrame, unit: str = "km") -> alt.LayerChart:
    """Bars of distance per week: recorded weeks blue, typed weeks grey (the legend names
    both). `weeks` is logic.analysis.runs.weeks_by_source for one runner, its distance_km
    already in the runner's `unit` (the caller converts, as for weekly_distance_chart)."""
    data = _weeks(weeks, "runs_per_week_chart")
    km = (
        alt.Chart(data)
        .mark_bar(opacity=0.7)
        .encode(
            x=week_x(data["week_start"]),
            x2="week_end:T",
            y=alt.Y("distance_km:Q", title=unit, scale=alt.Scale(zero=True)),
            y2=alt.datum(0),
            color=kind_color(SOURCE_KINDS),
            tooltip=_tooltip(unit),
        )
    )
    return finish(km, height=HEIGHT)


def climbing_per_week_chart(weeks: pd.DataFrame, unit: str = "km") -> alt.LayerChart:
    """Bars of metres climbed in the weeks with recorded runs (typed weeks have no climbing);
    the tooltip's distance in `unit`, as runs_per_week_chart."""
    data = _weeks(weeks, "climbing_per_week_chart")
    climbs = data.dropna(subset=["elevation_gain_m"])
    climb = (
        alt.Chart(climbs)
        .mark_bar(opacity=0.7, color="#009E73")
        .encode(
            x=week_x(data["week_start"]),
            x2="week_end:T",
            y=alt.Y("elevation_gain_m:Q", title="m climbed", scale=alt.Scale(zero=True)),
            y2=alt.datum(0),
            tooltip=_tooltip(unit),
        )
    )
    return finish(climb, height=HEIGHT // 2)


def run_spikes_chart(runs: pd.DataFrame, unit: str = "km") -> alt.LayerChart:
    """One dot per run (date, distance); a run more than the threshold beyond the longest of
    the days before is a red triangle, with that longest run in its tooltip. `runs` is
    logic.analysis.runs.long_run_spikes output for one runner, distances in `unit`."""
    require_columns(runs, ("local_date", "distance_km", "long_run_spike", "base_km"), what="runs")
    data = runs[["local_date", "distance_km", "long_run_spike", "base_km"]].assign(
        kind=lambda d: d["long_run_spike"].map({True: "Long-run spike", False: "Run"}),
    )
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, opacity=0.9)
        .encode(
            x=week_x(data["local_date"], field="local_date"),
            y=alt.Y("distance_km:Q", title=f"{unit} per run", scale=alt.Scale(zero=True)),
            color=kind_color(RUN_KINDS),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=list(RUN_KINDS), range=["circle", "triangle-up"]),
                legend=None,
            ),
            size=alt.Size(
                "kind:N", scale=alt.Scale(domain=list(RUN_KINDS), range=[30, 110]), legend=None
            ),
            tooltip=[
                alt.Tooltip("local_date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("distance_km:Q", title=f"Distance ({unit})", format=".1f"),
                alt.Tooltip(
                    "base_km:Q", title=f"Longest in the days before ({unit})", format=".1f"
                ),
                alt.Tooltip("kind:N", title="Signal"),
            ],
        )
    )
    return finish(dots, height=HEIGHT)
