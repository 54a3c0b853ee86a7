"""Altair charts of a runner's weeks: distance, acute:chronic ratio and OSTRC severity.

Plain Python; colours, legends and the week axis are logic.charts.base's. Each builder takes
a small weekly frame (one row per week, already aggregated) and puts the weeks on a time axis,
so a week without a check-in is an empty slot or a break in the line, never silently bridged.
All charts follow the container's width and stay readable at 390 px.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from logic.charts.base import (
    BAND_COLORS,
    BREAK,
    INK,
    MUTED,
    NOTE_FONT,
    finish,
    kind_color,
    require_columns,
    week_tooltip,
    week_x,
)
from logic.knowledge import AcuteChronic

__all__ = [
    "LOAD_KINDS",
    "SEVERITY_KINDS",
    "acute_chronic_chart",
    "severity_chart",
    "weekly_distance_chart",
]

HEIGHT = 200
_BAR = "#0072B2"

# Legend entries (colour key) of the distance chart and of the severity chart.
LOAD_KINDS: dict[str, str] = {
    "Weekly distance": _BAR,
    "Load spike": BAND_COLORS["moderate"],
    "Longest run": INK,
    "Longest-run spike": BAND_COLORS["high"],
}
SEVERITY_KINDS: dict[str, str] = {
    "No problem": BAND_COLORS["low"],
    "Problem": BAND_COLORS["moderate"],
    "Substantial problem": BAND_COLORS["high"],
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
    bar_layer = (
        alt.Chart(bars)
        .mark_bar(opacity=0.55)
        .encode(
            x=week_x(weeks["week_start"]),
            x2="week_end:T",
            y=y,
            y2=alt.datum(0),  # x and x2 are a range: without y2 the bar would be a thin line
            color=color,
            tooltip=tooltip,
        )
    )
    dot_layer = (
        alt.Chart(dots)
        .mark_point(
            filled=True,
            size=_dot(weeks["week_start"], 70),
            shape="diamond",
            opacity=1,
            stroke="white",
            strokeWidth=1,
        )
        .encode(x=alt.X("mid:T"), y=alt.Y("longest_run_km:Q"), color=color, tooltip=tooltip)
    )
    return finish(bar_layer, dot_layer, height=HEIGHT)


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
    y = alt.Y("acute_chronic:Q", title="Acute:chronic", scale=y_scale)
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
    shade_text = (
        alt.Chart(bands)
        .mark_text(align="left", baseline="top", dx=4, dy=3, fontSize=NOTE_FONT, color=INK)
        .encode(y=alt.Y("hi:Q", scale=y_scale), x=alt.value(0), text="text:N")
    )
    limit = pd.DataFrame({"value": [cfg.flag_above], "text": [f"Spike above {cfg.flag_above:g}"]})
    rule = (
        alt.Chart(limit)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5, color=BAND_COLORS["high"])
        .encode(y=alt.Y("value:Q", scale=y_scale))
    )
    rule_text = (
        alt.Chart(limit)
        .mark_text(align="right", baseline="bottom", dx=-2, dy=-2, fontSize=NOTE_FONT, color=INK)
        .encode(y=alt.Y("value:Q", scale=y_scale), x=alt.value("width"), text="text:N")
    )
    tooltip = [
        week_tooltip(),
        alt.Tooltip("acute_chronic:Q", title="Acute:chronic", format=".2f"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    line = base.mark_line(invalid=BREAK, color=_BAR, strokeWidth=2)
    dots = base.mark_point(
        invalid=BREAK, filled=True, size=_dot(data["week_start"], 24), color=_BAR
    )
    spikes = (
        base.transform_filter("datum.flagged")
        .mark_point(
            filled=True, size=_dot(data["week_start"], 70), color=BAND_COLORS["high"], opacity=1
        )
        .encode(x=x, y=y)
    )
    return finish(shade, shade_text, rule, rule_text, line, dots, spikes, height=HEIGHT)


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
    data["kind"] = status.where(
        ~data["substantial"].fillna(False).astype(bool), "Substantial problem"
    )
    data.loc[data["severity"].isna(), "kind"] = None
    y_scale = alt.Scale(domain=[0, 100], nice=False)
    y = alt.Y(
        "severity:Q", title="Severity", scale=y_scale, axis=alt.Axis(values=[0, 25, 50, 75, 100])
    )
    tooltip = [
        week_tooltip(),
        alt.Tooltip("severity:Q", title="Severity", format=".0f"),
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
    return finish(line, dots, height=HEIGHT)
