"""Altair charts of a team: band shares, average risk, OSTRC prevalence and the runner heatmap.

Plain Python; colours, band scale, legends and week axis are logic.charts.base's. Every
builder takes the small frames of logic.analysis.team (one row per week x condition, per week,
or per runner x condition of one week), never raw check-ins, so a large team stays far below
Altair's row limit. All charts follow the container's width and stay readable at 390 px.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa

from logic.analysis import team
from logic.analysis.ostrc import LIMITED_TRAINING
from logic.analysis.roster import RED_FLAG
from logic.analysis.team import WeekGlance
from logic.charts.base import (
    BAND_COLORS,
    BAND_LABELS,
    BANDS,
    BREAK,
    CONDITION_COLORS,
    INK,
    NOTE_FONT,
    band_legend,
    band_scale,
    condition_legend,
    finish,
    ink,
    kind_color,
    require_columns,
    week_tooltip,
    week_x,
)
from logic.charts.risk import risk_trend_chart
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.weeks import day_label

__all__ = [
    "PREVALENCE_KINDS",
    "RUNNER_PARAM",
    "TeamView",
    "band_share_chart",
    "heatmap_chart",
    "mean_risk_chart",
    "prevalence_chart",
    "share_summary",
    "team_view",
    "vega_spec",
]

#: Name of the point selection (on the `runner` field) of the heatmap.
RUNNER_PARAM = "runner"
#: The two OSTRC prevalence lines: label -> colour.
PREVALENCE_KINDS: dict[str, str] = {
    "Any problem": BAND_COLORS["moderate"],
    LIMITED_TRAINING: BAND_COLORS["high"],
}
#: The short names of PREVALENCE_KINDS on the mean lines' labels.
_MEAN_LABELS = ("Any problem", "Limited training")
HEIGHT = 220
SHARE_LOW = "#FBE3D0"  # nobody at moderate or high risk: a pale tint of the high band
ROW = 26  # px per runner in the heatmap


def _condition_color(data: pd.DataFrame) -> alt.Color:
    """Conditions coloured as risk_trend_chart colours them (order of first appearance), with
    their display names in a legend below the chart; clicking an entry highlights it."""
    names = dict(zip(data["name"], data["condition"], strict=True))
    order = list(dict.fromkeys(data["name"]))
    return alt.Color(
        "name:N",
        scale=alt.Scale(
            domain=order,
            range=[CONDITION_COLORS[i % len(CONDITION_COLORS)] for i in range(len(order))],
        ),
        legend=condition_legend() if len(names) > 1 else None,
    )


def band_share_chart(share: pd.DataFrame) -> alt.LayerChart:
    """Share of the runners who checked in that were at moderate or high risk: one row per
    condition, one cell per week, darker the larger the share (a week nobody checked in is
    left empty). Rows never hide one another, as lines at 0 % and 100 % did. `share` is
    logic.analysis.team.band_share_by_week output: one row per week x condition."""
    cols = ("week_start", "condition", "name", "share", "moderate", "high", "runners")
    require_columns(share, cols, what="band_share_chart")
    data = share.loc[:, list(cols)].dropna(subset=["share"])
    label = "short_name" if "short_name" in share.columns else "name"
    data["label"] = share.loc[data.index, label]
    data["week_end"] = data["week_start"] + pd.Timedelta(days=7)
    data["mid"] = data["week_start"] + pd.Timedelta(hours=84)  # the text sits mid-cell
    data["text"] = (data["share"] * 100).round(0).astype("int64").astype("str") + "%"
    weeks = share["week_start"]
    order = list(dict.fromkeys(share[label]))
    tooltip = [
        alt.Tooltip("name:N", title="Condition"),
        week_tooltip(),
        alt.Tooltip("share:Q", title="Moderate or high", format=".0%"),
        alt.Tooltip("moderate:Q", title="Moderate (runners)"),
        alt.Tooltip("high:Q", title="High (runners)"),
        alt.Tooltip("runners:Q", title="Checked in"),
    ]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=110, ticks=False))
    base = alt.Chart(data).encode(x=week_x(weeks), x2="week_end:T", y=y, tooltip=tooltip)
    cells = base.mark_rect(stroke=INK, strokeWidth=0.5, strokeOpacity=0.4).encode(
        color=alt.Color(
            "share:Q",
            scale=alt.Scale(domain=[0, 1], range=[SHARE_LOW, BAND_COLORS["high"]]),
            legend=alt.Legend(
                title="Moderate or high", orient="top", format="%", values=[0, 0.5, 1]
            ),
        )
    )
    layers = [cells]
    if weeks.nunique() <= 8:  # room in each cell for its percentage
        layers.append(
            alt.Chart(data)
            .mark_text(fontSize=NOTE_FONT)
            .encode(
                x=alt.X("mid:T"),
                y=y,
                tooltip=tooltip,
                text="text:N",
                color=alt.condition("datum.share >= 0.5", alt.value("white"), alt.value("#1E1E1E")),
            )
        )
    return finish(
        *layers,
        height=ROW * max(len(order), 1),
        description="Share of the runners at moderate or high risk, by condition and week. "
        + share_summary(share),
    )


def share_summary(share: pd.DataFrame) -> str:
    """The latest week's share at moderate or high risk per condition, in words."""
    shown = share.dropna(subset=["share"])
    if shown.empty:
        return "Nobody checked in."
    latest = shown[shown["week_start"] == shown["week_start"].max()]
    label = "short_name" if "short_name" in latest.columns else "name"
    parts = latest[label] + " " + (latest["share"] * 100).round(0).astype("int64").astype("str")
    week = day_label(latest["week_start"].iloc[0])
    return f"Week of {week}: " + ", ".join(parts + "%") + "."


def mean_risk_chart(mean: pd.DataFrame, thresholds: Mapping[str, float]) -> alt.LayerChart:
    """Team average risk per condition, week by week, with the band thresholds: the history
    page's trend chart drawn over analysis.team.mean_risk_by_week (one row per week x condition)."""
    require_columns(mean, ("week_start", "condition", "name", "score"), what="mean_risk_chart")
    cols = ["week_start", "condition", "name", "short_name", "score"]
    return risk_trend_chart(mean.loc[:, [c for c in cols if c in mean.columns]], thresholds)


def prevalence_chart(prevalence: pd.DataFrame, means: Mapping[str, float]) -> alt.LayerChart:
    """OSTRC-style prevalence per week of any problem and of substantial problems (0-100 %),
    each with a dashed rule at its mean over the period. `prevalence` is
    analysis.team.ostrc_prevalence_by_week output (one row per week), `means` prevalence_means."""
    cols = (
        "week_start",
        "answered",
        "any_problem",
        "substantial",
        "any_share",
        "substantial_share",
    )
    require_columns(prevalence, cols, what="prevalence_chart")
    kinds = list(PREVALENCE_KINDS)
    weeks = prevalence["week_start"]
    data = pd.concat(
        [
            pd.DataFrame(
                {
                    "week_start": weeks,
                    "kind": kind,
                    "share": prevalence[share],
                    "runners": prevalence[count],
                    "answered": prevalence["answered"],
                }
            )
            for kind, share, count in zip(
                kinds,
                ("any_share", "substantial_share"),
                ("any_problem", "substantial"),
                strict=True,
            )
        ],
        ignore_index=True,
    )
    averages = pd.DataFrame(
        {
            "kind": kinds,
            "short": list(_MEAN_LABELS),
            "mean": [means["any_problem"], means["substantial"]],
        }
    ).dropna()
    averages["text"] = (
        averages["short"]
        + ": mean "
        + ((averages["mean"] * 100).round(0).astype("int64").astype("str") + "%")
    )
    color = kind_color(PREVALENCE_KINDS)
    y_scale = alt.Scale(domain=[0, 1], nice=False)
    y = alt.Y(
        "share:Q",
        title="Runners who answered",
        scale=y_scale,
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    tooltip = [
        alt.Tooltip("kind:N", title="Reported"),
        week_tooltip(),
        alt.Tooltip("share:Q", title="Share", format=".0%"),
        alt.Tooltip("runners:Q", title="Runners"),
        alt.Tooltip("answered:Q", title="Answered"),
    ]
    base = alt.Chart(data).encode(x=week_x(weeks), y=y, color=color)
    lines = base.mark_line(invalid=BREAK, strokeWidth=2.5)
    points = base.mark_point(invalid=BREAK, filled=True, size=30).encode(tooltip=tooltip)
    rules = (
        alt.Chart(averages)
        .mark_rule(strokeDash=[5, 4], strokeWidth=1.5)
        .encode(y=alt.Y("mean:Q", scale=y_scale), color=color)
    )
    labels = ink(
        alt.Chart(averages)
        .mark_text(align="right", baseline="bottom", dx=-2, dy=-3, fontSize=NOTE_FONT)
        .encode(y=alt.Y("mean:Q", scale=y_scale), x=alt.value("width"), text="text:N"),
        "means",
    )
    said = "; ".join(averages["text"]) if len(averages) else "nobody answered"
    return finish(
        rules,
        labels,
        lines,
        points,
        height=HEIGHT,
        description=f"Problems reported per week, as a share of those who answered. {said}.",
    )


RED_FLAG_MARK = f"{RED_FLAG} "  # the roster's mark, before the runner's name


def heatmap_chart(cells: pd.DataFrame) -> alt.LayerChart:
    """Runners (rows, in `rank` order: riskiest first) by condition (columns), each cell
    coloured by band and printed with its score. Clicking a cell selects its runner: the point
    selection RUNNER_PARAM ("runner", field `runner`) for st.altair_chart(on_select="rerun").
    `cells` is logic.analysis.team.heatmap_data output (one row per runner x condition)."""
    cols = ("runner", "rank", "condition", "short_name", "name", "score", "band")
    require_columns(cells, cols, what="heatmap_chart")
    extra = [c for c in ("team", "needs_clinician") if c in cells.columns]
    data = cells.loc[:, [*cols, *extra]].sort_values(["rank"], kind="stable")
    data["score_text"] = data["score"].round(0).astype("int64").astype("str")
    data["band_label"] = data["band"].map(BAND_LABELS)
    # A red flag is marked before the runner's name on the axis ("⚑ ann"), so it shows
    # without a hover; the field stays `runner` (selection, tooltips, aria labels).
    flagged = data["needs_clinician"].astype(bool) if "needs_clinician" in data else None
    marked = [] if flagged is None else sorted(set(data.loc[flagged, "runner"]))
    label = (
        f"indexof({json.dumps(marked)}, datum.value) >= 0 "
        f"? {json.dumps(RED_FLAG_MARK)} + datum.value : datum.value"
    )
    runners = list(dict.fromkeys(data["runner"]))
    conditions = list(dict.fromkeys(data["short_name"]))
    pick = alt.selection_point(name=RUNNER_PARAM, fields=["runner"], on="click", toggle=False)
    y = alt.Y(
        "runner:N",
        sort=runners,
        title=None,
        axis=alt.Axis(labelLimit=120, labelFontSize=12, ticks=False, domain=False, labelExpr=label),
    )
    x = alt.X(
        "short_name:N",
        sort=conditions,
        title=None,
        axis=alt.Axis(
            orient="top",
            labelAngle=-40,
            labelAlign="left",
            labelOverlap=False,  # rotated labels do not collide: keep every condition named
            ticks=False,
            domain=False,
            labelLimit=110,
        ),
    )
    tooltip = [
        alt.Tooltip("runner:N", title="Runner"),
        alt.Tooltip("name:N", title="Condition"),
        alt.Tooltip("score:Q", title="Score", format=".0f"),
        alt.Tooltip("band_label:N", title="Band"),
    ]
    if "needs_clinician" in data.columns:
        data["red_flag"] = data["needs_clinician"].map({True: "Yes", False: "No"})
        tooltip.append(alt.Tooltip("red_flag:N", title="Red flag"))
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    cells_layer = (
        base.mark_rect(stroke="white", strokeWidth=1.5, cursor="pointer")
        .encode(
            color=alt.Color(
                "band:N",
                scale=band_scale(BANDS),
                legend=band_legend(title=None),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
        )
        .add_params(pick)
    )
    text = base.mark_text(fontSize=11, fontWeight="bold").encode(
        text="score_text:N",
        color=alt.condition("datum.band === 'moderate'", alt.value("#1E1E1E"), alt.value("white")),
    )
    top = data.sort_values("score", ascending=False, kind="stable").head(3)
    said = ", ".join(top["runner"] + " " + top["short_name"] + " " + top["score_text"])
    return finish(
        cells_layer,
        text,
        height=ROW * max(len(runners), 1),
        description=f"Risk score of each runner by condition, riskiest first. Highest: {said}.",
    )


def vega_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega-Lite dict whose named datasets are Arrow IPC stream bytes: the form
    Streamlit ships them in, which st.vega_lite_chart passes on as they are. A cached spec is
    then drawn without converting its rows on every rerun."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    for name, rows in datasets.items():
        table = pa.Table.from_pylist(rows)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        datasets[name] = sink.getvalue().to_pybytes()
    return spec


# --- the team page in one call -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    """What the team page shows for one choice of filters: small frames and Vega-Lite specs
    (plain dicts, so a cache can keep them and a rerun skips Altair's spec building)."""

    glance: WeekGlance
    watch: pd.DataFrame  # logic.analysis.team.watch_list
    heatmap: dict[str, Any] | None  # None when nobody checked in that week
    heatmap_runners: int
    share: dict[str, Any]
    share_text: str  # the share chart's key numbers in words
    mean: dict[str, Any]
    prevalence: dict[str, Any] | None  # None when nobody answered the OSTRC questions
    prevalence_means: dict[str, float]
    checkins: int  # check-ins in the period


def team_view(
    scored: pd.DataFrame,
    runners: Sequence[str],
    period: tuple[dt.date, dt.date],
    week: dt.date,
    condition: str | None = None,
    rows: int | None = 25,
    kb: KnowledgeBase | None = None,
) -> TeamView:
    """Every section of the team page from analysis.team.scored_team output: the week at a glance
    and watch list of `week` (against the whole history, so last week and the load ratios are
    there), the heatmap's `rows` riskiest runners, and the charts of `period`."""
    kb = kb or knowledge_base()
    shown = team.in_period(scored, *period)
    prevalence = team.ostrc_prevalence_by_week(shown)
    means = team.prevalence_means(prevalence)
    cells = team.heatmap_data(scored, week, condition, limit=rows, kb=kb)
    mean = team.mean_risk_by_week(shown, condition, kb)
    shares = team.band_share_by_week(shown, condition, kb)
    return TeamView(
        glance=team.week_glance(
            scored, pd.DataFrame({"runner": list(runners)}), week, condition, kb
        ),
        watch=team.watch_list(scored, week, condition, kb),
        heatmap=vega_spec(heatmap_chart(cells)) if len(cells) else None,
        heatmap_runners=int(cells["runner"].nunique()),
        share=vega_spec(band_share_chart(shares)),
        share_text=share_summary(shares),
        mean=vega_spec(mean_risk_chart(mean, kb.thresholds)),
        prevalence=vega_spec(prevalence_chart(prevalence, means))
        if prevalence["answered"].sum()
        else None,
        prevalence_means=means,
        checkins=len(shown),
    )
