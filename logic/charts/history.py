"""Altair charts of a runner's weeks: distance, acute:chronic ratio and OSTRC severity.

Plain Python; colours, legends and the week axis are logic.charts.base's. Each builder takes
a small weekly frame (one row per week, already aggregated) and puts the weeks on a time axis,
so a week without a check-in is an empty slot or a break in the line, never silently bridged.
All charts follow the container's width and stay readable at 390 px.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from logic.analysis.ostrc import LIMITED_TRAINING
from logic.charts.base import (
    BAND_COLORS,
    BREAK,
    INK,
    MUTED,
    NOTE_FONT,
    finish,
    ink,
    kind_color,
    require_columns,
    week_tooltip,
    week_x,
)
from logic.knowledge import AcuteChronic
from logic.weeks import day_label, day_labels

__all__ = [
    "LOAD_KINDS",
    "LONG_RUN_KINDS",
    "SEVERITY_KINDS",
    "acute_chronic_chart",
    "distance_summary",
    "ratio_gap_text",
    "ratio_gaps",
    "severity_chart",
    "weekly_distance_chart",
]

HEIGHT = 200
_BAR = "#0072B2"

_LONG = "#AA4499"  # purple: apart from the bars' blue and the spikes' orange and vermillion

# Legend entries (colour key) of the distance chart and of the severity chart. The bars'
# legend shows squares, the longest run's a thick stroke: each as it is drawn.
LOAD_KINDS: dict[str, str] = {
    "Weekly distance": _BAR,
    "Load spike": BAND_COLORS["moderate"],
}
LONG_RUN_KINDS: dict[str, str] = {
    "Longest run": _LONG,
    "Longest-run spike": BAND_COLORS["high"],
}
SEVERITY_KINDS: dict[str, str] = {
    "No problem": BAND_COLORS["low"],
    "Problem": BAND_COLORS["moderate"],
    LIMITED_TRAINING: BAND_COLORS["high"],
}


def _dot(weeks: pd.Series, size: float) -> float:
    """Dots shrink on long spans, so five years of weeks do not turn into one smear."""
    return size if len(weeks) <= 60 else size / 3


def weekly_distance_chart(load: pd.DataFrame, unit: str = "km") -> alt.LayerChart:
    """Bars of weekly distance (orange in load-spike weeks) with a dot for the longest run (red
    when it is a long-run spike). `load` is logic.analysis.load.weekly_load output for one
    runner, its distances already in `unit` (the runner's: "km" or "mi"); weeks without a
    distance have no bar, so missed weeks show as gaps."""
    cols = ("week_start", "weekly_km", "longest_run_km", "load_spike", "long_run_spike")
    require_columns(load, cols, what="weekly_distance_chart")
    weeks = load[list(cols)]
    bars = weeks.dropna(subset=["weekly_km"]).assign(
        week_end=lambda d: d["week_start"] + pd.Timedelta(days=6),
        kind=lambda d: d["load_spike"].map({True: "Load spike", False: "Weekly distance"}),
    )
    dots = weeks.dropna(subset=["longest_run_km"]).assign(
        mid=lambda d: d["week_start"] + pd.Timedelta(days=3),
        kind=lambda d: d["long_run_spike"].map({True: "Longest-run spike", False: "Longest run"}),
    )
    color = kind_color(LOAD_KINDS, columns=2)
    tooltip = [
        week_tooltip(),
        alt.Tooltip("weekly_km:Q", title=f"Distance ({unit})", format=".1f"),
        alt.Tooltip("longest_run_km:Q", title=f"Longest run ({unit})", format=".1f"),
        alt.Tooltip("kind:N", title="Signal"),
    ]
    y = alt.Y("weekly_km:Q", title=unit, scale=alt.Scale(zero=True))
    x = week_x(weeks["week_start"])
    bar_layer = (
        alt.Chart(bars)
        .mark_bar(opacity=0.55)
        .encode(
            x=x,
            x2="week_end:T",
            y=y,
            y2=alt.datum(0),  # x and x2 are a range: without y2 the bar would be a thin line
            color=color,
            tooltip=tooltip,
        )
    )
    # The longest run: a thick stroke across its week at its distance, so it reads as a
    # level against the bar, and its legend shows the same stroke.
    # Its own field: a second legend (strokes), not merged into the bars' (squares).
    long_runs = dots.assign(
        week_end=lambda d: d["week_start"] + pd.Timedelta(days=6), run_kind=dots["kind"]
    )
    stroke = alt.Stroke(
        "run_kind:N",
        scale=alt.Scale(domain=list(LONG_RUN_KINDS), range=list(LONG_RUN_KINDS.values())),
        legend=alt.Legend(
            title=None, orient="bottom", symbolType="stroke", symbolStrokeWidth=4, columns=2
        ),
    )
    run_layer = (
        alt.Chart(long_runs)
        .mark_rule(strokeWidth=4, strokeCap="butt")
        .encode(
            x=alt.X("week_start:T"),
            x2="week_end:T",
            y=alt.Y("longest_run_km:Q"),
            stroke=stroke,
            tooltip=tooltip,
        )
    )
    return finish(
        bar_layer,
        run_layer,
        height=HEIGHT,
        description="Weekly distance and longest run. " + distance_summary(load, unit=unit),
    )


def distance_summary(load: pd.DataFrame, unit: str = "km") -> str:
    """The distance chart's key numbers in words: the latest week's distance and longest run,
    and the biggest week shown (figures already in `unit`)."""
    km = load.dropna(subset=["weekly_km"])
    if km.empty:
        return "No distances yet."
    last = km.iloc[-1]
    peak = km.loc[km["weekly_km"].idxmax()]
    longest = last["longest_run_km"]
    run = f", longest run {longest:.0f} {unit}" if pd.notna(longest) else ""
    return (
        f"Latest week {last['weekly_km']:.0f} {unit}{run}; biggest week "
        f"{peak['weekly_km']:.0f} {unit} "
        f"(week of {day_label(peak['week_start'])})."
    )


def ratio_gaps(load: pd.DataFrame, cfg: AcuteChronic) -> pd.DataFrame:
    """The stretches of weeks without an acute:chronic ratio, and why: [start, end, why], one
    row per stretch of consecutive weeks with the same reason."""
    require_columns(load, ("week_start", "weekly_km", "acute_chronic"), what="ratio_gaps")
    has_km = load["weekly_km"].notna()
    earlier = has_km.astype("int64").shift(1, fill_value=0).rolling(cfg.chronic_weeks, 1).sum()
    need = cfg.min_chronic_weeks
    why = pd.Series(f"Needs {need} earlier weeks with a distance", index=load.index)
    why = why.where(earlier < need, "No distance in the weeks before")
    why = why.where(has_km, "No distance this week").astype("str")
    missing = load["acute_chronic"].isna()
    why = why.where(missing)
    run = (why != why.shift()).cumsum()
    gaps = pd.DataFrame({"week_start": load["week_start"], "why": why, "run": run})[missing]
    out = gaps.groupby("run", sort=True).agg(
        start=("week_start", "first"), end=("week_start", "last"), why=("why", "first")
    )
    out["end"] = out["end"] + pd.Timedelta(days=7)
    return out.reset_index(drop=True)


def ratio_gap_text(gaps: pd.DataFrame) -> str:
    """The gaps of ratio_gaps in one sentence, for the text next to the chart."""
    if gaps.empty:
        return ""
    last = gaps["end"] - pd.Timedelta(days=1)
    spans = day_labels(gaps["start"]) + " to " + day_labels(last)
    return "No ratio " + "; ".join(spans + ": " + gaps["why"].str.lower()) + "."


def acute_chronic_chart(load: pd.DataFrame, cfg: AcuteChronic) -> alt.LayerChart:
    """The acute:chronic ratio per week: the steady-build range shaded, a rule at the flag
    threshold and red dots above it. Weeks without a ratio break the line."""
    require_columns(load, ("week_start", "acute_chronic"), what="acute_chronic_chart")
    data = load[["week_start", "acute_chronic"]].assign(
        flagged=lambda d: d["acute_chronic"] > cfg.flag_above
    )
    peak = data["acute_chronic"].max()
    top = max(2.0, min(3.0, float(peak) * 1.1)) if pd.notna(peak) else 2.0
    y_scale = alt.Scale(domain=[0, top], nice=False, clamp=True)
    y = alt.Y("acute_chronic:Q", title="This week vs usual", scale=y_scale)
    x = week_x(data["week_start"])
    bands = pd.DataFrame(
        {
            "lo": [cfg.sweet_spot_low],
            "hi": [cfg.sweet_spot_high],
            "text": [f"Steady build {cfg.sweet_spot_low:g}–{cfg.sweet_spot_high:g}"],
        }
    )
    shade = (
        alt.Chart(bands)
        .mark_rect(opacity=0.14, color=BAND_COLORS["low"])
        .encode(y=alt.Y("lo:Q", scale=y_scale), y2="hi:Q")
    )
    shade_text = ink(
        alt.Chart(bands)
        # On the right: the left is where the first weeks, without a ratio, say why.
        .mark_text(align="right", baseline="top", dx=-4, dy=3, fontSize=NOTE_FONT)
        .encode(y=alt.Y("hi:Q", scale=y_scale), x=alt.value("width"), text="text:N"),
        "steady",
    )
    limit = pd.DataFrame({"value": [cfg.flag_above], "text": [f"Spike above {cfg.flag_above:g}"]})
    rule = (
        alt.Chart(limit)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5, color=BAND_COLORS["high"])
        .encode(y=alt.Y("value:Q", scale=y_scale))
    )
    rule_text = ink(
        alt.Chart(limit)
        .mark_text(align="right", baseline="bottom", dx=-2, dy=-2, fontSize=NOTE_FONT)
        .encode(y=alt.Y("value:Q", scale=y_scale), x=alt.value("width"), text="text:N"),
        "limit",
    )
    tooltip = [
        week_tooltip(),
        alt.Tooltip("acute_chronic:Q", title="This week vs usual", format=".2f"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    line = base.mark_line(invalid=BREAK, color=_BAR, strokeWidth=2)
    dots = base.mark_point(
        invalid=BREAK, filled=True, size=_dot(data["week_start"], 24), color=_BAR
    )
    spikes = (
        base.transform_filter("datum.flagged")
        .mark_point(
            filled=True,
            size=_dot(data["week_start"], 70),
            color=BAND_COLORS["high"],
            opacity=1,
            aria=False,  # the line's dots carry these weeks for a screen reader already
        )
        .encode(x=x, y=y)
    )
    gaps = ratio_gaps(load, cfg)
    gaps["mid"] = gaps["start"] + (gaps["end"] - gaps["start"]) / 2
    gap_rect = (
        alt.Chart(gaps)
        .mark_rect(color=INK, opacity=0.12)
        .encode(x=alt.X("start:T"), x2="end:T", tooltip=[alt.Tooltip("why:N", title="No ratio")])
    )
    gap_text = ink(
        alt.Chart(gaps)
        .mark_text(angle=270, align="right", baseline="middle", dy=0, dx=-6, fontSize=NOTE_FONT)
        .encode(x=alt.X("mid:T"), y=alt.value(0), text="why:N"),
        "gaps",
    )
    ratios = data.dropna(subset=["acute_chronic"])
    if ratios.empty:
        said = "No week has a ratio yet."
    else:
        said = (
            f"Latest {ratios['acute_chronic'].iloc[-1]:.2f} times usual "
            f"(week of {day_label(ratios['week_start'].iloc[-1])}); "
            f"{int(ratios['flagged'].sum())} week(s) above {cfg.flag_above:g} times."
        )
    return finish(
        gap_rect,
        gap_text,
        shade,
        shade_text,
        rule,
        rule_text,
        line,
        dots,
        spikes,
        height=HEIGHT,
        description=(
            f"This week's distance against the average of the {cfg.chronic_weeks} weeks "
            f"before, per week. {said} {ratio_gap_text(gaps)}"
        ),
    )


def severity_chart(scored: pd.DataFrame) -> alt.LayerChart:
    """OSTRC severity (0-100) per week, dots coloured by no problem / problem / substantial
    problem. Weeks without a check-in or without the questions answered break the line."""
    require_columns(scored, ("week_start", "severity", "substantial"), what="severity_chart")
    data = scored[["week_start", "severity", "substantial"]].drop_duplicates(
        "week_start", keep="last"
    )
    if len(data):
        weeks = pd.date_range(data["week_start"].min(), data["week_start"].max(), freq="7D")
        data = data.set_index("week_start").reindex(weeks.astype(data["week_start"].dtype))
        data = data.rename_axis("week_start").reset_index()
    status = pd.Series("Problem", index=data.index).where(data["severity"] > 0, "No problem")
    data["kind"] = status.where(~data["substantial"].fillna(False).astype(bool), LIMITED_TRAINING)
    data.loc[data["severity"].isna(), "kind"] = None
    y_scale = alt.Scale(domain=[0, 100], nice=False)
    y = alt.Y(
        "severity:Q",
        title="How the week went (0 best)",
        scale=y_scale,
        axis=alt.Axis(values=[0, 25, 50, 75, 100]),
    )
    tooltip = [
        week_tooltip(),
        alt.Tooltip("severity:Q", title="Problem score (0-100)", format=".0f"),
        alt.Tooltip("kind:N", title="Problem"),
    ]
    base = alt.Chart(data).encode(x=week_x(data["week_start"]), y=y, tooltip=tooltip)
    line = base.mark_line(invalid=BREAK, color=MUTED, strokeWidth=2)
    kinds = list(SEVERITY_KINDS)
    sizes = [_dot(data["week_start"], size) for size in (50, 50, 120)]
    dots = (
        base.transform_filter("isValid(datum.kind)")
        .mark_point(filled=True, opacity=1)
        .encode(
            color=kind_color(SEVERITY_KINDS, columns=2),
            # Shape and size repeat the colour: a substantial week stands out without it.
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=["circle", "circle", "triangle-up"]),
            ),
            size=alt.Size("kind:N", scale=alt.Scale(domain=kinds, range=sizes), legend=None),
        )
    )
    answered = data.dropna(subset=["severity"])
    said = (
        f"Latest problem score {answered['severity'].iloc[-1]:.0f} of 100; "
        f"{int((answered['kind'] == LIMITED_TRAINING).sum())} week(s) with a problem that "
        "limited training."
        if len(answered)
        else "No answers yet."
    )
    return finish(line, dots, height=HEIGHT, description=f"Problem score per week. {said}")
