"""Training load from recorded runs: weeks, long-run spikes by run date, what changed.

Input: the runs of one or more runners as logic.storage.runs returns them (runner, start_utc,
local_date, sport, distance_km, moving_s, elevation_gain_m, ...). Everything is grouped and
compared on whole columns; thresholds come from data/load.toml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from logic.analysis.load import with_load_flags
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.profile import from_display_distance, to_display_distance, unit_label
from logic.weeks import WEEK, week_start, week_starts

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


# --- the week's figures, for the check-in form ----------------------------------------------


@dataclass(frozen=True)
class RecordedWeek:
    """The recorded figures of one ISO week: the check-in form prefills them (overridable)."""

    week_start: dt.date
    runs: int
    distance_km: float
    longest_run_km: float

    @property
    def note(self) -> str:
        """'from 4 recorded runs', shown beside the prefilled figures."""
        return f"from {self.runs} recorded run{'' if self.runs == 1 else 's'}"


def recorded_week(runs: pd.DataFrame, day: dt.date | pd.Timestamp) -> RecordedWeek | None:
    """The recorded runs of `day`'s ISO week, or None when the week has none."""
    monday = week_start(day)
    if runs.empty:
        return None
    in_week = week_starts(pd.to_datetime(runs["local_date"])) == monday
    km = runs.loc[in_week, "distance_km"]
    if km.empty:
        return None
    return RecordedWeek(
        week_start=monday.date(),
        runs=len(km),
        distance_km=round(float(km.sum()), 1),
        longest_run_km=round(float(km.max()), 1),
    )


# --- the long-run spike, by run date ---------------------------------------------------------


def long_run_spikes(runs: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The runs (same index) plus `base_km`, the longest run of the `window_days` days before
    each run's start (that run excluded), and `long_run_spike`: more than `flag_above` longer.

    By run date, not check-in date: a 30 km run on Sunday after a 20 km run 29 days earlier is
    a spike whatever day the runner checks in.
    """
    cfg = (kb or knowledge_base()).load.long_run
    if runs.empty:
        return runs.assign(base_km=pd.Series(dtype="float64"), long_run_spike=pd.Series(dtype=bool))
    keyed = runs.assign(
        _runner=runs["runner"].astype("str") if "runner" in runs.columns else "",
        _start=pd.to_datetime(runs["start_utc"], utc=True).dt.tz_localize(None),
    ).sort_values(["_runner", "_start"], kind="stable")
    base = (
        keyed.groupby("_runner", sort=False)
        .rolling(f"{cfg.window_days}D", on="_start", closed="left")["distance_km"]
        .max()
        .to_numpy()
    )
    spike = keyed["distance_km"].to_numpy() > (1 + cfg.flag_above) * base  # NaN -> False
    flags = pd.DataFrame({"base_km": base, "long_run_spike": spike}, index=keyed.index)
    return runs.join(flags)


# --- suggestions for "what changed in training" ----------------------------------------------


def _week_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per ISO week: km, climbing, and minutes in runs clearly faster than the median pace."""
    frame = runs.assign(week_start=week_starts(pd.to_datetime(runs["local_date"])))
    seconds = frame["moving_s"].where(frame["moving_s"] > 0, frame["elapsed_s"])
    frame["pace"] = seconds / frame["distance_km"].where(frame["distance_km"] > 0)
    frame["seconds"] = seconds
    return frame


def training_suggestions(
    runs: pd.DataFrame,
    day: dt.date | pd.Timestamp,
    kb: KnowledgeBase | None = None,
    units: str = "km",
) -> pd.DataFrame:
    """What changed in `day`'s ISO week against the runner's usual, from recorded runs.

    One row per suggestion: `change` (a training_changes value of data/checkin.toml:
    more_mileage, more_hills, more_speed), `title` with the numbers behind it, and the
    numbers themselves (`this_week`, `usual`). The usual is the mean of the weeks with runs
    among the `baseline_weeks` before; nothing is suggested with fewer than
    `min_baseline_weeks` of them. The runner confirms or not: these are suggestions only.
    Titles give distances, climbing per distance and paces in the runner's `units`; the
    numbers stay per km.
    """
    cfg = (kb or knowledge_base()).load.runs
    empty = pd.DataFrame(
        {
            "change": pd.Series(dtype="str"),
            "title": pd.Series(dtype="str"),
            "this_week": pd.Series(dtype="float64"),
            "usual": pd.Series(dtype="float64"),
        }
    )
    if runs.empty:
        return empty
    monday = week_start(day)
    frame = _week_table(runs)
    first = monday - cfg.baseline_weeks * WEEK
    base = frame[(frame["week_start"] >= first) & (frame["week_start"] < monday)]
    week = frame[frame["week_start"] == monday]
    base_weeks = base["week_start"].nunique()
    if week.empty or base_weeks < cfg.min_baseline_weeks:
        return empty
    rows: list[dict[str, object]] = []
    unit = unit_label(units)  # figures per km are per mile x km per mile: from_display_distance

    km, usual_km = float(week["distance_km"].sum()), float(base["distance_km"].sum()) / base_weeks
    if usual_km > 0 and km > (1 + cfg.distance_above) * usual_km:
        rows.append(
            {
                "change": "more_mileage",
                "title": f"{to_display_distance(km, units):.1f} {unit} this week against "
                f"{to_display_distance(usual_km, units):.1f} {unit} in a usual week "
                f"(+{(km / usual_km - 1) * 100:.0f}%)",
                "this_week": km,
                "usual": usual_km,
            }
        )

    climb = week["elevation_gain_m"].sum() / km if km > 0 else np.nan
    base_km = base["distance_km"].sum()
    usual_climb = base["elevation_gain_m"].sum() / base_km if base_km > 0 else np.nan
    if (
        np.isfinite(climb)
        and np.isfinite(usual_climb)
        and climb >= cfg.min_climb_m_per_km
        and climb > (1 + cfg.hills_above) * usual_climb
    ):
        rows.append(
            {
                "change": "more_hills",
                "title": f"{from_display_distance(climb, units):.0f} m of climbing per {unit} "
                f"this week against {from_display_distance(usual_climb, units):.0f} m per "
                f"{unit} usually",
                "this_week": float(climb),
                "usual": float(usual_climb),
            }
        )

    median_pace = base["pace"].median()
    if np.isfinite(median_pace):
        quick = median_pace * (1 - cfg.faster_than_median)
        fast_week = float(week.loc[week["pace"] < quick, "seconds"].sum()) / 60
        fast_usual = float(base.loc[base["pace"] < quick, "seconds"].sum()) / 60 / base_weeks
        if fast_week >= cfg.min_speed_minutes and fast_week > (1 + cfg.speed_time_above) * (
            fast_usual
        ):
            rows.append(
                {
                    "change": "more_speed",
                    "title": f"{fast_week:.0f} min this week at a pace quicker than "
                    f"{_pace(quick, units)} against {fast_usual:.0f} min in a usual week "
                    f"(your median pace: {_pace(median_pace, units)})",
                    "this_week": fast_week,
                    "usual": fast_usual,
                }
            )
    return pd.DataFrame(rows) if rows else empty


def _pace(seconds_per_km: float, units: str = "km") -> str:
    """A pace as min:s per km or per mile (seconds per mile = seconds per km x km per mile)."""
    whole = round(from_display_distance(seconds_per_km, units))
    return f"{whole // 60}:{whole % 60:02d} /{unit_label(units)}"


# --- check-ins with recorded figures, for scoring --------------------------------------------


def with_recorded_weeks(history: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The check-ins (same index) with weekly_km and longest_run_km from recorded runs where
    their week has any, and `load_source`: "recorded" or "typed" ("" when neither)."""
    out = history.copy()
    keys = pd.DataFrame(
        {
            "runner": history["runner"].astype("str").str.strip(),
            "week_start": week_starts(pd.to_datetime(history["date"])),
        },
        index=history.index,
    )
    source = pd.Series("", index=history.index, dtype="str")
    if "weekly_km" in history.columns:
        source = source.mask(pd.to_numeric(history["weekly_km"], errors="coerce").notna(), "typed")
    if runs.empty:
        return out.assign(load_source=source)
    weeks = weekly_runs(runs.assign(runner=runs["runner"].astype("str")))
    merged = keys.merge(weeks, on=["runner", "week_start"], how="left")
    recorded = merged["runs"].notna().to_numpy()
    for col, value in (("weekly_km", "distance_km"), ("longest_run_km", "longest_run_km")):
        typed = out[col] if col in out.columns else pd.Series(np.nan, index=out.index)
        typed = pd.to_numeric(typed, errors="coerce").astype("float64")
        out[col] = np.where(recorded, merged[value].round(1).to_numpy(), typed.to_numpy())
    return out.assign(load_source=source.mask(recorded, "recorded"))


def recorded_load_flags(
    history: pd.DataFrame, runs: pd.DataFrame, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """with_load_flags over the check-ins with recorded figures; in weeks with recorded runs
    the long-run spike comes from run dates (any run of that week a spike) instead."""
    kb = kb or knowledge_base()
    out = with_load_flags(with_recorded_weeks(history, runs), kb)
    return with_run_date_spikes(out, history, runs, kb)


def with_run_date_spikes(
    flags: pd.DataFrame, history: pd.DataFrame, runs: pd.DataFrame, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """`flags` (with_load_flags of `history`, same index) with long_run_spike taken from run
    dates in the weeks that have recorded runs: the app keeps the distances the runner saved
    (prefilled from the runs, maybe corrected) and judges the long run by the runs themselves."""
    kb = kb or knowledge_base()
    if runs.empty:
        return flags
    spikes = long_run_spikes(runs, kb)
    spiky = (
        spikes.assign(
            runner=spikes["runner"].astype("str"),
            week_start=week_starts(pd.to_datetime(spikes["local_date"])),
        )
        .groupby(["runner", "week_start"])["long_run_spike"]
        .any()
        .reset_index()
    )
    keys = pd.DataFrame(
        {
            "runner": history["runner"].astype("str").str.strip(),
            "week_start": week_starts(pd.to_datetime(history["date"])),
        }
    )
    by_run = keys.merge(spiky, on=["runner", "week_start"], how="left")["long_run_spike"]
    recorded = by_run.notna().to_numpy()
    out = flags.copy()
    out["long_run_spike"] = np.where(
        recorded, by_run.fillna(False).to_numpy(dtype=bool), out["long_run_spike"].to_numpy()
    )
    return out


def weeks_by_source(history: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """One runner's weeks for the History chart: `source` "recorded" (from runs: distance and
    climbing) or "typed" (a check-in's weekly_km, in a week without recorded runs)."""
    recorded = weekly_runs(runs.drop(columns="runner", errors="ignore")).assign(source="recorded")
    typed = pd.DataFrame(
        {
            "week_start": week_starts(pd.to_datetime(history["date"])) if len(history) else [],
            "distance_km": pd.to_numeric(history.get("weekly_km"), errors="coerce")
            if len(history)
            else [],
        }
    )
    typed = typed.dropna(subset=["distance_km"])
    typed = typed[~typed["week_start"].isin(recorded["week_start"])].assign(
        runs=np.nan, longest_run_km=np.nan, elevation_gain_m=np.nan, source="typed"
    )
    out = pd.concat([recorded, typed[recorded.columns]], ignore_index=True)
    out["week_start"] = pd.to_datetime(out["week_start"]).astype("datetime64[ns]")
    out["source"] = out["source"].astype("str")
    for col in ("distance_km", "longest_run_km", "elevation_gain_m", "runs"):
        out[col] = out[col].astype("float64")
    return out.sort_values("week_start", kind="stable").reset_index(drop=True)
