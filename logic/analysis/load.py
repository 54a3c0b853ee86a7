"""Training load from weekly_km and longest_run_km: signals that load rose faster than usual.

Everything runs on whole frames, for one runner or many. Each runner's weeks are laid on a
complete weekly grid (a week without a check-in is a row of NaN), so shifts and rolling windows
count calendar weeks, not check-ins, and a chart of the grid shows missed weeks as gaps.
The thresholds and the one-line explanations live in data/load.toml.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from logic.knowledge import KnowledgeBase, knowledge_base
from logic.profile import to_display_distance, unit_label
from logic.weeks import WEEK, week_starts

LOAD_COLUMNS = [
    "runner",
    "week_start",
    "checked_in",
    "weekly_km",
    "longest_run_km",
    "previous_km",
    "chronic_km",
    "acute_chronic",
    "acwr_flag",
    "weekly_jump",
    "missed_weeks",
    "before_break_km",
    "return_after_break",
    "long_run_base_km",
    "long_run_spike",
    "load_spike",
]
# Raised-flag column -> the data/load.toml table that explains it.
FLAG_SECTIONS = {
    "acwr_flag": "acute_chronic",
    "weekly_jump": "weekly_jump",
    "return_after_break": "return_after_break",
    "long_run_spike": "long_run",
}


def _checkins(history: pd.DataFrame) -> pd.DataFrame:
    """The load columns of each check-in, on the input's index, sorted by runner and date."""
    missing = [c for c in ("runner", "date") if c not in history.columns]
    if missing:
        raise ValueError(f"load: the check-ins need the column(s) {', '.join(missing)}")
    date = pd.to_datetime(history["date"]).dt.normalize()
    out = pd.DataFrame(
        {
            "runner": history["runner"].astype("str"),
            "date": date,
            "week_start": week_starts(date),
        },
        index=history.index,
    )
    for col in ("weekly_km", "longest_run_km"):
        values = history[col] if col in history.columns else np.nan
        out[col] = pd.to_numeric(pd.Series(values, index=history.index), errors="coerce")
        out[col] = out[col].astype("float64")
    return out.sort_values(["runner", "date"], kind="stable")


def _long_run_spikes(checkins: pd.DataFrame, kb: KnowledgeBase) -> pd.DataFrame:
    """Longest run of the previous `window_days` days (by date, this day excluded) and the spike.

    `checkins` must be sorted by runner and date: the grouped time window keeps that order.
    """
    cfg = kb.load.long_run
    base = (
        checkins.groupby("runner", sort=False)
        .rolling(f"{cfg.window_days}D", on="date", closed="left")["longest_run_km"]
        .max()
        .to_numpy()
    )
    spike = checkins["longest_run_km"].to_numpy() > (1 + cfg.flag_above) * base  # NaN -> False
    return pd.DataFrame({"long_run_base_km": base, "long_run_spike": spike}, index=checkins.index)


def _grid(per_week: pd.DataFrame) -> pd.DataFrame:
    """Every runner's weeks from first to last check-in; `per_week` has one row per week."""
    spans = per_week.groupby("runner", sort=False)["week_start"].agg(["min", "max"])
    counts = ((spans["max"] - spans["min"]) // WEEK + 1).to_numpy(dtype="int64")
    starts = np.cumsum(counts) - counts
    offsets = np.arange(counts.sum()) - np.repeat(starts, counts)
    grid = pd.DataFrame(
        {
            "runner": pd.array(np.repeat(spans.index.to_numpy(), counts), dtype="str"),
            "week_start": np.repeat(spans["min"].to_numpy(), counts) + offsets * WEEK,
        }
    )
    grid["week_start"] = grid["week_start"].astype(per_week["week_start"].dtype)
    out = grid.merge(per_week, on=["runner", "week_start"], how="left")
    out["checked_in"] = out["date"].notna()
    out["first_week"] = offsets == 0
    return out


def _empty_load() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in LOAD_COLUMNS})
    out["runner"] = out["runner"].astype("str")
    out["week_start"] = out["week_start"].astype("datetime64[ns]")
    flags = ("checked_in", "acwr_flag", "weekly_jump", "return_after_break")
    for col in (*flags, "long_run_spike", "load_spike"):
        out[col] = out[col].astype(bool)
    return out


def _weekly(history: pd.DataFrame, kb: KnowledgeBase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(weekly grid, per-check-in long-run columns): the shared work of both public functions."""
    checkins = _checkins(history)
    spikes = _long_run_spikes(checkins, kb)
    if checkins.empty:
        return _empty_load(), spikes
    # One check-in per runner and week is stored; if a frame holds more, the latest counts.
    per_week = checkins.join(spikes).drop_duplicates(["runner", "week_start"], keep="last")
    grid = _grid(per_week)
    km = grid["weekly_km"]
    grid["previous_km"] = km.shift(1).where(~grid["first_week"])
    ac = kb.load.acute_chronic
    grid["chronic_km"] = (
        grid.groupby("runner", sort=False)["previous_km"]
        .rolling(ac.chronic_weeks, min_periods=ac.min_chronic_weeks)
        .mean()
        .to_numpy()  # the grid is grouped by runner already, so the order matches
    )
    grid["acute_chronic"] = km / grid["chronic_km"].where(grid["chronic_km"] > 0)
    ratio = grid["acute_chronic"].to_numpy(dtype="float64")
    grid["acwr_flag"] = ratio > ac.flag_above  # NaN compares False
    wj = kb.load.weekly_jump
    jump = km.to_numpy() > grid["previous_km"].to_numpy() * (1 + wj.flag_above)
    # A jump needs a real week (min_km) that is also above the usual when the usual is known:
    # a light week followed by a normal one is not a spike while the ratio says steady.
    usual = np.isnan(ratio) | (ratio > ac.sweet_spot_high)
    grid["weekly_jump"] = jump & (km.to_numpy() >= wj.min_km) & usual
    _returns(grid, kb)
    grid["long_run_spike"] = grid["long_run_spike"].fillna(False).astype(bool)
    back = grid["return_after_break"].to_numpy() & (
        km.to_numpy() > kb.load.return_after_break.spike_above * grid["before_break_km"].to_numpy()
    )
    grid["load_spike"] = grid["acwr_flag"] | grid["weekly_jump"] | back
    return grid[LOAD_COLUMNS], spikes


def _returns(grid: pd.DataFrame, kb: KnowledgeBase) -> None:
    """missed_weeks (weeks without a check-in right before each week), before_break_km (the mean
    distance of the last `compare_weeks` weeks with one, before this week) and
    return_after_break, added to the weekly grid in place."""
    cfg = kb.load.return_after_break
    runner = grid["runner"]
    seen = grid["week_start"].where(grid["checked_in"])
    last_seen = seen.groupby(runner, sort=False).shift(1)
    last_seen = last_seen.groupby(runner, sort=False).ffill()
    grid["missed_weeks"] = ((grid["week_start"] - last_seen) // WEEK - 1).astype("float64")
    # Mean of up to compare_weeks earlier weeks with a distance, by running sums (the grid is
    # sorted by runner, so each runner's weeks are one block): no per-runner window objects.
    has_km = grid[grid["weekly_km"].notna()]
    km = has_km["weekly_km"].to_numpy(dtype="float64")
    codes = pd.factorize(has_km["runner"])[0]
    pos = np.arange(len(km))
    first = np.r_[True, codes[1:] != codes[:-1]] if len(km) else np.zeros(0, dtype=bool)
    start = np.maximum.accumulate(np.where(first, pos, 0))
    sums = np.r_[0.0, np.cumsum(km)]
    lo = np.maximum(pos - cfg.compare_weeks, start)
    count = pos - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        before = np.where(count > 0, (sums[pos] - sums[lo]) / count, np.nan)
    grid["before_break_km"] = pd.Series(before, index=has_km.index).reindex(grid.index)
    grid["return_after_break"] = (
        (grid["missed_weeks"] >= cfg.min_missed_weeks)
        & (grid["weekly_km"] >= kb.load.weekly_jump.min_km)
        & grid["before_break_km"].notna()
    ).to_numpy(dtype=bool)


def weekly_load(history: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Load per runner per ISO week, missed weeks included as NaN rows (`checked_in` False).

    acute_chronic is this week's km over the mean km of the previous `chronic_weeks` weeks
    (NaN unless `min_chronic_weeks` of them have a distance, or when that mean is 0);
    weekly_jump compares with the calendar week before (False when either is missing, below
    [weekly_jump] min_km, or when the ratio is known and within the steady build);
    return_after_break: a week of at least min_km after [return_after_break] min_missed_weeks
    weeks without a check-in, with before_break_km the mean of the last compare_weeks weeks
    that have a distance;
    long_run_spike compares the longest run with the longest of the check-ins dated in the
    `window_days` days before; load_spike = acwr_flag | weekly_jump | a return above
    spike_above x before_break_km.
    """
    return _weekly(history, kb or knowledge_base())[0]


def with_load_flags(history: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The history (same index and order) plus load_spike, long_run_spike and acute_chronic.

    The flag columns are the derived factors of data/factors.toml, so the result goes straight
    into score_checkins.
    """
    kb = kb or knowledge_base()
    load, spikes = _weekly(history, kb)
    keys = pd.DataFrame(
        {"runner": history["runner"].astype("str"), "week_start": week_starts(history["date"])}
    )
    weekly = keys.merge(
        load[["runner", "week_start", "acute_chronic", "load_spike"]],
        on=["runner", "week_start"],
        how="left",
    )  # a left merge keeps the history's row order
    out = history.copy()
    out["acute_chronic"] = weekly["acute_chronic"].to_numpy(dtype="float64")
    out["load_spike"] = weekly["load_spike"].fillna(False).to_numpy(dtype=bool)
    out["long_run_spike"] = spikes["long_run_spike"].reindex(history.index).to_numpy(dtype=bool)
    return out


def explanations(kb: KnowledgeBase | None = None) -> dict[str, str]:
    """One line per flag column (FLAG_SECTIONS), from data/load.toml."""
    kb = kb or knowledge_base()
    return {flag: getattr(kb.load, section).explain for flag, section in FLAG_SECTIONS.items()}


def _fmt(template: str, values: pd.Series) -> pd.Series:
    """printf-style formatting of a whole float column at once."""
    return pd.Series(np.char.mod(template, values.to_numpy(dtype="float64")), index=values.index)


def _titles(flag: str, rows: pd.DataFrame, kb: KnowledgeBase, units: str = "km") -> pd.Series:
    """The week's numbers behind a raised flag, as a short title; distances in `units`."""
    if flag == "acwr_flag":
        above = f" (above {kb.load.acute_chronic.flag_above:g})"
        return _fmt("This week %.2f times your usual distance", rows["acute_chronic"]) + above

    def shown(column: str) -> pd.Series:
        return to_display_distance(rows[column], units).round(1)

    unit = unit_label(units)
    if flag == "weekly_jump":
        up = (rows["weekly_km"] / rows["previous_km"] - 1) * 100
        return (
            _fmt("Distance up %.0f%% on the week before (", up)
            + _fmt("%g → ", shown("previous_km"))
            + _fmt(f"%g {unit}) and above your usual", shown("weekly_km"))
        )
    if flag == "return_after_break":
        return (
            _fmt("Back after %.0f weeks without a check-in: ", rows["missed_weeks"])
            + _fmt(f"%g {unit}, against ", shown("weekly_km"))
            + _fmt(f"%.0f {unit} a week before the break", shown("before_break_km"))
        )
    days = kb.load.long_run.window_days
    return _fmt(f"Longest run %g {unit}, beyond ", shown("longest_run_km")) + _fmt(
        f"%g {unit} in the {days} days before", shown("long_run_base_km")
    )


def raised_flags(
    load: pd.DataFrame, kb: KnowledgeBase | None = None, units: str = "km"
) -> pd.DataFrame:
    """Every raised flag of a weekly_load frame: runner, week_start, flag, title, explain.

    Newest week first. The title carries the week's numbers, distances in the runner's
    `units` (km or miles; the frame stays in km); the explanation says what the signal means
    (load rose fast; it is not a diagnosis).
    """
    kb = kb or knowledge_base()
    explain = explanations(kb)
    parts = [
        pd.DataFrame(
            {
                "runner": load.loc[load[flag], "runner"],
                "week_start": load.loc[load[flag], "week_start"],
                "flag": flag,
                "order": i,
                "title": _titles(flag, load[load[flag]], kb, units).astype("str"),
                "explain": explain[flag],
            }
        )
        for i, flag in enumerate(FLAG_SECTIONS)
    ]
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["week_start", "order"], ascending=[False, True], kind="stable")
    return out.drop(columns="order").reset_index(drop=True)
