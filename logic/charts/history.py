"""Altair charts of a runner's weeks: distance, acute:chronic ratio and OSTRC severity.

Plain Python like logic.charts.risk (whose colours these reuse). Each builder takes a small weekly
frame (one row per week, already aggregated) and puts the weeks on a time axis, so a week
without a check-in is an empty slot or a break in the line, never silently bridged.
All charts follow the container's width and stay readable at 390 px.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from logic.charts.risk import BAND_COLORS, require_columns
from logic.knowledge import AcuteChronic
from logic.weeks import WEEK

__all__ = [
    "LOAD_KINDS",
    "SEVERITY_KINDS",
    "acute_chronic_chart",
    "severity_chart",
    "weekly_distance_chart",
]

HEIGHT = 200
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
BREAK = "break-paths-show-domains"  # null values break a line instead of bridging the gap
_INK = "#4A5561"
_BAR = "#0072B2"

# Legend entries (colour key) of the distance chart and of the severity chart.
LOAD_KINDS: dict[str, str] = {
    "Weekly distance": _BAR,
    "Load spike": BAND_COLORS["moderate"],
    "Longest run": _INK,
    "Longest-run spike": BAND_COLORS["high"],
}
SEVERITY_KINDS: dict[str, str] = {
    "No problem": BAND_COLORS["low"],
    "Problem": BAND_COLORS["moderate"],
    "Substantial problem": BAND_COLORS["high"],
}


def week_x(weeks: pd.Series, field: str = "week_start") -> alt.X:
    """A week axis: a tick per Monday on short spans, months (or years) on long ones."""
    weeks = weeks.dropna()
    span = (weeks.max() - weeks.min()) / WEEK if len(weeks) else 0
    style = {"labelAngle": 0, "labelOverlap": "greedy", "grid": False}
    if span <= 12:  # Vega's own week ticks fall on Sundays: put them on the Mondays
        mondays = [alt.DateTime(year=t.year, month=t.month, date=t.day) for t in weeks.unique()]
        axis = alt.Axis(format="%d %b", values=mondays or alt.Undefined, **style)
    else:
        axis = alt.Axis(format="%b %Y" if span > 52 else "%d %b", tickCount=6, **style)
    return alt.X(f"{field}:T", title=None, axis=axis)


def _dot(weeks: pd.Series, size: float) -> float:
    """Dots shrink on long spans, so five years of weeks do not turn into one smear."""
    return size if len(weeks) <= 60 else size / 3


def _legend(kinds: dict[str, str], title: str = "") -> alt.Color:
    return alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(kinds), range=list(kinds.values())),
        legend=alt.Legend(title=title or None, orient="top", direction="horizontal", columns=2),
    )


def _finish(*layers: alt.Chart) -> alt.LayerChart:
    return alt.layer(*layers).properties(width="container", height=HEIGHT, autosize=FIT_X)


def weekly_distance_chart(load: pd.DataFrame) -> alt.LayerChart:
    """Bars of weekly km (orange in load-spike weeks) with a dot for the longest run (red when
    it is a long-run spike). `load` is logic.analysis.load.weekly_load output for one runner; weeks
    without a distance have no bar, so missed weeks show as gaps."""
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
    color = _legend(LOAD_KINDS)
    tooltip = [
        alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
        alt.Tooltip("weekly_km:Q", title="Distance (km)", format=".1f"),
        alt.Tooltip("longest_run_km:Q", title="Longest run (km)", format=".1f"),
        alt.Tooltip("kind:N", title="Signal"),
    ]
    y = alt.Y("weekly_km:Q", title="km", scale=alt.Scale(zero=True))
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
    return _finish(bar_layer, dot_layer)


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
        .mark_text(align="left", baseline="top", dx=4, dy=3, fontSize=11, color=_INK)
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
        .mark_text(align="right", baseline="bottom", dx=-2, dy=-2, fontSize=11, color=_INK)
        .encode(y=alt.Y("value:Q", scale=y_scale), x=alt.value("width"), text="text:N")
    )
    tooltip = [
        alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
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
    return _finish(shade, shade_text, rule, rule_text, line, dots, spikes)


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
        alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
        alt.Tooltip("severity:Q", title="Severity", format=".0f"),
        alt.Tooltip("kind:N", title="Problem"),
    ]
    base = alt.Chart(data).encode(x=week_x(data["week_start"]), y=y, tooltip=tooltip)
    line = base.mark_line(invalid=BREAK, color="#B8C0CA", strokeWidth=2)
    kinds = list(SEVERITY_KINDS)
    sizes = [_dot(data["week_start"], size) for size in (50, 50, 120)]
    dots = (
        base.transform_filter("isValid(datum.kind)")
        .mark_point(filled=True, opacity=1)
        .encode(
            color=_legend(SEVERITY_KINDS),
            # Shape and size repeat the colour: a substantial week stands out without it.
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=["circle", "circle", "triangle-up"]),
            ),
            size=alt.Size("kind:N", scale=alt.Scale(domain=kinds, range=sizes), legend=None),
        )
    )
    return _finish(line, dots)
