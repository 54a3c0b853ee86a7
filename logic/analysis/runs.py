"""Training load from recorded runs: weeks, long-run spikes by run date, what changed.

Input: the runs of one or more runners as logic.storage.runs returns them (runner, start_utc,
local_date, sport, distance_km, moving_s, elevation_gain_m, ...). Everything is grouped and
compared on whole columns; thresholds come from data/load.toml.
"""

from __future__ import annotations

import pandas as pd

from logic.weeks import week_starts

WEEKLY_COLUMNS = ["week_start", "runs", "distance_km", "longest_run_km", "elevation_gain_m"]


def weekly_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Per runner and ISO week (of the local date): run count, distance, longest run, climbing.

    Only weeks with runs appear (a week without one is a gap, not a zero: the runner may have
    run without recording). `runner` comes first when the frame has it.
    """
    keys = ["runner", "week_start"] if "runner" in runs.columns else ["week_start"]
    frame = runs.assign(week_start=week_starts(pd.to_datetime(runs["local_date"])))
    out = (
        frame.groupby(keys, sort=True)
        .agg(
            runs=("distance_km", "size"),
            distance_km=("distance_km", "sum"),
            longest_run_km=("distance_km", "max"),
            elevation_gain_m=("elevation_gain_m", "sum"),
            climbs=("elevation_gain_m", "count"),
        )
        .reset_index()
    )
    out["elevation_gain_m"] = out["elevation_gain_m"].where(out["climbs"] > 0)
    out["runs"] = out["runs"].astype("int64")
    return out[[*keys[:-1], *WEEKLY_COLUMNS]]


def weekly_csv(runs: pd.DataFrame) -> str:
    """weekly_runs of one runner as CSV (the CLI's `runs weekly`): one decimal, ISO dates."""
    weeks = weekly_runs(runs.drop(columns="runner", errors="ignore"))
    weeks["week_start"] = weeks["week_start"].dt.strftime("%Y-%m-%d")
    weeks["distance_km"] = weeks["distance_km"].round(2)
    weeks["longest_run_km"] = weeks["longest_run_km"].round(2)
    weeks["elevation_gain_m"] = weeks["elevation_gain_m"].round(0)
    return weeks.to_csv(index=False, lineterminator="\n")
