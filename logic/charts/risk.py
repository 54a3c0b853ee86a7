"""Altair chart builders for Stride Check.

Plain Python (no Streamlit import): every builder takes small, already
aggregated pandas data and returns an Altair chart, so the spec can be tested
with ``chart.to_dict()`` without a browser.

The palette, the bands and the shared legends are logic.charts.base's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import altair as alt
import pandas as pd

from logic.analysis.scoring import band_index, whole
from logic.charts.base import (
    BAND_COLORS,
    BAND_LABELS,
    BANDS,
    BREAK,
    LABEL_LIMIT,
    MUTED,
    NOTE_FONT,
    SECTION_COLORS,
    band_legend,
    band_scale,
    condition_colors,
    condition_legend,
    finish,
    ink,
    require_columns,
    week_axis,
    week_tooltip,
)
from logic.weeks import week_grid, week_starts

__all__ = [
    "TREND_FOCUS_PARAM",
    "band_for_score",
    "factor_chart",
    "risk_bar_chart",
    "risk_summary",
    "risk_trend_chart",
    "threshold_table",
    "top_conditions",
    "trend_summary",
    "validate_thresholds",
]

#: Name of the legend-bound selection parameter in ``risk_trend_chart``.
TREND_FOCUS_PARAM = "trend_focus"


# --------------------------------------------------------------------------- helpers


def validate_thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    """Check a ``{"moderate": x, "high": y}`` mapping and return it as floats.

    Requires ``0 <= moderate < high <= 100``.
    """
    missing = [b for b in BANDS[1:] if b not in thresholds]
    if missing:
        raise ValueError(f"thresholds: missing band(s) {', '.join(map(repr, missing))}")
    out = {b: float(thresholds[b]) for b in BANDS[1:]}
    if not 0.0 <= out["moderate"] < out["high"] <= 100.0:
        raise ValueError(
            f"thresholds: need 0 <= moderate < high <= 100, got {out['moderate']}, {out['high']}"
        )
    return out


def band_for_score(score: float, thresholds: Mapping[str, float]) -> str:
    """Band id of ``score``, by the same rule as the scores (logic.analysis.scoring.band_index)."""
    th = validate_thresholds(thresholds)
    return BANDS[int(band_index(score, th["moderate"], th["high"]))]


def threshold_table(thresholds: Mapping[str, float]) -> pd.DataFrame:
    """One row per threshold: ``band``, ``value``, ``text`` (e.g. ``"Moderate ≥ 30"``)
    and ``color`` (the band colour, used with ``scale=None`` so the rules never
    merge into a band legend)."""
    th = validate_thresholds(thresholds)
    return pd.DataFrame(
        {
            "band": list(th),
            "value": list(th.values()),
            "text": [f"{BAND_LABELS[b]} ≥ {v:g}" for b, v in th.items()],
            "color": [BAND_COLORS[b] for b in th],
        }
    )


def _check_bands(values: Iterable[object], *, what: str) -> None:
    bad = sorted({str(v) for v in values if v not in BAND_COLORS})
    if bad:
        raise ValueError(f"{what}: unknown band value(s) {bad}; expected one of {list(BANDS)}")


# --------------------------------------------------------------------------- risk bars


def risk_bar_chart(scores: pd.DataFrame, thresholds: Mapping[str, float]) -> alt.LayerChart:
    """Horizontal risk bars, one per condition, highest score first.

    ``scores`` columns: ``condition`` (id), ``name`` (display name), ``score``
    (0-100), ``band`` (``low``/``moderate``/``high``). Bars are coloured by band
    (legend on top); the condition name sits *above* its bar (instead of a
    y axis) so long names stay readable on a phone; the score is printed at
    the end of the bar. Thresholds are dashed vertical rules labelled at the top.
    The x domain is fixed to 0-100. Width follows the container.
    """
    require_columns(scores, ("condition", "name", "score", "band"), what="risk_bar_chart")
    _check_bands(scores["band"], what="risk_bar_chart")
    data = scores.loc[:, ["condition", "name", "score", "band"]].copy()
    data["score"] = pd.to_numeric(data["score"], errors="raise").astype(float).clip(0, 100)
    if data["score"].isna().any():
        raise ValueError("risk_bar_chart: 'score' has missing values")
    data["band_label"] = data["band"].map(BAND_LABELS)
    data["score_text"] = pd.Series(whole(data["score"]), index=data.index).astype(int).astype(str)
    data = data.sort_values(["score", "name"], ascending=[False, True], kind="stable")
    data = data.reset_index(drop=True)
    order = data["condition"].tolist()

    x_scale = alt.Scale(domain=[0, 100], nice=False, clamp=True)
    y = alt.Y("condition:N", sort=order, axis=None, scale=alt.Scale(paddingInner=0, paddingOuter=0))
    tooltip = [
        alt.Tooltip("name:N", title="Condition"),
        alt.Tooltip("score:Q", title="Score", format=".0f"),
        alt.Tooltip("band_label:N", title="Band"),
    ]
    base = alt.Chart(data)
    bars = base.mark_bar(size=16, cornerRadiusEnd=3, yOffset=8).encode(
        x=alt.X(
            "score:Q",
            scale=x_scale,
            title="Risk score (0-100)",
            axis=alt.Axis(values=[0, 20, 40, 60, 80, 100], grid=False),
        ),
        y=y,
        color=alt.Color("band:N", scale=band_scale(), legend=band_legend()),
        tooltip=tooltip,
    )
    names = base.mark_text(
        align="left", baseline="bottom", dy=-4, fontSize=13, limit=LABEL_LIMIT
    ).encode(x=alt.datum(0, scale=x_scale), y=y, text="name:N", tooltip=tooltip)
    names = ink(names, "names")
    values = base.mark_text(
        align="left", baseline="middle", dx=4, yOffset=8, fontSize=12, fontWeight="bold"
    ).encode(x=alt.X("score:Q", scale=x_scale), y=y, text="score_text:N", tooltip=tooltip)
    values = ink(values, "values")

    rules_df = threshold_table(thresholds)
    rules_base = alt.Chart(rules_df)
    rules = rules_base.mark_rule(strokeDash=[4, 3], strokeWidth=1.5).encode(
        x=alt.X("value:Q", scale=x_scale),
        stroke=alt.Stroke("color:N", scale=None),
        tooltip=[alt.Tooltip("text:N", title="Threshold")],
    )
    rule_text = rules_base.mark_text(
        align="center", baseline="bottom", dy=-2, fontSize=NOTE_FONT
    ).encode(x=alt.X("value:Q", scale=x_scale), y=alt.value(0), text="text:N")
    rule_text = ink(rule_text, "thresholds")

    n = max(len(data), 1)
    said = risk_summary(scores)
    return finish(
        rules,
        rule_text,
        bars,
        names,
        values,
        height=48 * n,
        description=f"Risk score by condition, highest first. {said}",
    )


def risk_summary(scores: pd.DataFrame) -> str:
    """Every condition's score and band in words, highest first (the bar chart's key
    numbers, for its description and the text beside it)."""
    if scores.empty:
        return "No scores."
    data = scores.sort_values(["score", "name"], ascending=[False, True], kind="stable")
    # The same rounding as the bar labels (half up): pandas' round (half to even) made
    # 34.5 read "34" here beside a bar labelled "35".
    shown = pd.Series(whole(data["score"]), index=data.index).astype("int64").astype("str")
    band = data["band"].map(BAND_LABELS).str.lower()
    return "Scores: " + "; ".join(data["name"] + " " + shown + " (" + band + ")") + "."


# --------------------------------------------------------------------------- factors


def _check_sums(data: pd.DataFrame, bars: pd.DataFrame) -> None:
    """Raise ValueError unless every part's points add up to its score (within SUM_TOLERANCE)
    and every point belongs to a part that is shown: the Why chart must add up."""
    sums = data.groupby(["condition", "part"])["points"].sum().rename("sum")
    check = bars.join(sums, on=["condition", "part"]).fillna({"sum": 0.0})
    off = check[(check["sum"] - check["score"]).abs() > SUM_TOLERANCE]
    shown = pd.MultiIndex.from_frame(bars[["condition", "part"]])
    stray = sums[~sums.index.isin(shown)]
    problems = (
        off["condition"]
        + " "
        + off["part"]
        + ": the points add up to "
        + off["sum"].round(2).astype("str")
        + ", the score is "
        + off["score"].astype("str")
    ).tolist() + [f"{c} {p}: points of a part that is not shown" for c, p in stray.index]
    if problems:
        raise ValueError(
            "factor_chart: each part's points must add up to its score; " + "; ".join(problems)
        )


WHY_ROW = 40  # px per row of the Why chart: a heading, or a part's label over its bar
#: How far a part's segments may add up away from its score before factor_chart refuses them
#: (the scores are shown to a tenth).
SUM_TOLERANCE = 0.05


def factor_chart(factors: pd.DataFrame, parts: pd.DataFrame) -> alt.LayerChart:
    """Why each condition scored what it did: per condition a heading with the sum that makes
    its score, then one bar per part whose segments (one per factor) add up to the part.

    ``parts`` (logic.analysis.results.why_parts), one row per condition and part, in the order
    to show: ``condition``, ``name``, ``part`` (id), ``part_name``, ``score`` (0-100, the part
    as the page shows it), ``heading`` (per condition, e.g. "Runner's knee 56 = 48 + 8 (¼ of
    32)"). ``factors`` (why_factors): ``condition``, ``part``, ``factor``, ``label``, ``points``
    (> 0, as they count in the part), ``section``. Every part's points must add up to its score:
    a chart whose bars do not add up to the numbers beside them is refused (ValueError), since a
    runner adding up the bars must get the number the page shows. Segments are coloured by
    section (legend below), largest first; tooltips give factor, points and section.
    """
    require_columns(
        factors, ("condition", "part", "factor", "label", "points", "section"), what="factor_chart"
    )
    require_columns(
        parts, ("condition", "name", "part", "part_name", "score", "heading"), what="factor_chart"
    )
    data = factors.loc[:, ["condition", "part", "factor", "label", "points", "section"]].copy()
    data["points"] = pd.to_numeric(data["points"], errors="raise").astype(float)
    if (data["points"] <= 0).any():
        raise ValueError("factor_chart: 'points' must be > 0")
    bars = parts.loc[:, ["condition", "name", "part", "part_name", "score", "heading"]].copy()
    bars["score"] = pd.to_numeric(bars["score"], errors="raise").astype(float)
    _check_sums(data, bars)
    bars["key"] = bars["condition"] + "|" + bars["part"]
    bars["text"] = (
        bars["part_name"]
        + " "
        + pd.Series(whole(bars["score"]), index=bars.index).astype("int64").astype("str")
    )
    # Each condition's heading row ("<id>|") comes just before its parts' rows.
    heads = bars.drop_duplicates("condition").assign(key=lambda d: d["condition"] + "|")
    keys = [
        k
        for c, key in zip(heads["condition"], heads["key"], strict=True)
        for k in [key, *bars.loc[bars["condition"] == c, "key"]]
    ]  # six conditions at most
    data = data.merge(
        bars[["condition", "part", "key", "name", "part_name"]],
        how="inner",
        on=["condition", "part"],
    )
    data = data.sort_values(
        ["key", "points", "label"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    sections = list(dict.fromkeys(data["section"]))
    palette = [SECTION_COLORS[i % len(SECTION_COLORS)] for i in range(len(sections))]

    x_scale = alt.Scale(domain=[0, 100], nice=False, clamp=True)
    y = alt.Y("key:N", sort=keys, axis=None, scale=alt.Scale(paddingInner=0, paddingOuter=0))
    segments = (
        alt.Chart(data)
        .mark_bar(size=16, yOffset=8, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "points:Q",
                stack="zero",
                scale=x_scale,
                title="Points",
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100], grid=False),
            ),
            y=y,
            color=alt.Color(
                "section:N",
                scale=alt.Scale(domain=sections, range=palette),
                legend=alt.Legend(
                    title="Where it comes from",
                    orient="bottom",
                    direction="vertical",
                    labelLimit=LABEL_LIMIT,
                ),
            ),
            order=alt.Order("points:Q", sort="descending"),
            tooltip=[
                alt.Tooltip("name:N", title="Condition"),
                alt.Tooltip("part_name:N", title="Counts for"),
                alt.Tooltip("label:N", title="Reason"),
                alt.Tooltip("points:Q", title="Points", format=".1f"),
                alt.Tooltip("section:N", title="Where it comes from"),
            ],
        )
    )
    part_text = ink(
        alt.Chart(bars)
        .mark_text(align="left", baseline="bottom", dy=-3, fontSize=12, limit=LABEL_LIMIT)
        .encode(x=alt.datum(0, scale=x_scale), y=y, text="text:N"),
        "parts",
    )
    head_text = ink(
        alt.Chart(heads)
        .mark_text(
            align="left",
            baseline="bottom",
            dy=12,
            fontSize=13,
            fontWeight="bold",
            limit=LABEL_LIMIT,
        )
        .encode(x=alt.datum(0, scale=x_scale), y=y, text="heading:N"),
        "sums",
    )
    said = "; ".join(
        heads["heading"]
        + " ("
        + bars.groupby("condition", sort=False)["text"]
        .agg(", ".join)
        .reindex(heads["condition"])
        .to_numpy()
        + ")"
    )
    return finish(
        segments,
        part_text,
        head_text,
        height=WHY_ROW * max(len(keys), 1),
        description=f"Where each condition's points come from, part by part: {said}.",
    )


# --------------------------------------------------------------------------- trend


def _complete_weeks(history: pd.DataFrame) -> pd.DataFrame:
    """Reindex every condition to a complete weekly range (missing weeks -> NaN score).

    ``week_start`` is normalised to the Monday of its ISO week; duplicates of the
    same condition and week are averaged. Conditions keep their order of first
    appearance. The range spans the first to the last
    week over *all* conditions, so a condition missing at the edges gets NaN too.
    """
    df = history.loc[:, ["week_start", "condition", "name", "score"]].copy()
    df["week_start"] = week_starts(df["week_start"])
    df["score"] = pd.to_numeric(df["score"], errors="raise").astype(float)
    if df.empty:
        return df
    # Conditions keep the caller's order of first appearance (legend order); the
    # display name is the latest one given.
    order = list(dict.fromkeys(df["condition"]))
    names = df.drop_duplicates("condition", keep="last").set_index("condition")["name"]
    df = df.groupby(["condition", "week_start"], as_index=False, sort=True)["score"].mean()
    all_weeks = week_grid(df["week_start"].min(), df["week_start"].max())
    full = pd.MultiIndex.from_product([order, all_weeks], names=["condition", "week_start"])
    out = df.set_index(["condition", "week_start"]).reindex(full).reset_index()
    out["name"] = out["condition"].map(names)
    return out[["week_start", "condition", "name", "score"]]


def top_conditions(history: pd.DataFrame, n: int = 3) -> list[str]:
    """The `n` condition ids a runner's trend shows first: the highest scores of the latest
    week that has any, ties by the highest score over the whole span, then the given order."""
    require_columns(history, ("week_start", "condition", "score"), what="top_conditions")
    scored = history.dropna(subset=["score"])
    if scored.empty:
        return list(dict.fromkeys(history["condition"]))[:n]
    latest = scored[scored["week_start"] == scored["week_start"].max()]
    order = list(dict.fromkeys(history["condition"]))
    ranks = pd.DataFrame(
        {
            "last": latest.groupby("condition")["score"].max(),
            "peak": scored.groupby("condition")["score"].max(),
        }
    ).reindex(order)
    ranks["order"] = range(len(order))
    ranks = ranks.sort_values(["last", "peak", "order"], ascending=[False, False, True])
    return ranks.index[:n].tolist()


def trend_summary(history: pd.DataFrame, show: Iterable[str] | None = None) -> str:
    """The trend's key numbers as one sentence (the chart's description and its caption):
    each shown condition's latest score and its change since the first week shown."""
    data = history.dropna(subset=["score"]).sort_values("week_start", kind="stable")
    if show is not None:
        data = data[data["condition"].isin(list(show))]
    if data.empty:
        return "No scores to show yet."
    label = "short_name" if "short_name" in data.columns else "name"
    ends = data.groupby("condition", sort=False).agg(
        name=(label, "last"), first=("score", "first"), last=("score", "last")
    )
    ends = ends.sort_values("last", ascending=False, kind="stable")
    change = (ends["last"].round() - ends["first"].round()).astype("int64")
    delta = change.map(lambda d: "no change" if d == 0 else f"{d:+d}")
    parts = ends["name"] + " " + ends["last"].round().astype("int64").astype("str")
    return "Latest risk scores: " + "; ".join(parts + " (" + delta + " over the period)") + "."


def risk_trend_chart(
    history: pd.DataFrame,
    thresholds: Mapping[str, float],
    focus: str | None = None,
    show: Iterable[str] | None = None,
) -> alt.LayerChart:
    """Weekly score lines, one per condition, with band thresholds.

    ``history`` (long form) columns: ``week_start`` (datetime64), ``condition``,
    ``name``, ``score`` (0-100), and optionally ``short_name`` (the end labels and the legend
    use it when given). Weeks are completed to a gap-free weekly range
    per condition inside this function, so a week without a check-in becomes a
    null score and the line is *broken* there (mark ``invalid`` is set to
    ``"break-paths-show-domains"`` explicitly; ``"filter"`` would bridge the
    gap). Every week also gets a point, so an isolated week stays visible.

    Each condition keeps its CONDITION_PALETTE colour whatever else is shown; each line is
    labelled at its last point with its name and score; the legend sits to the right.
    Background bands are tinted with the band colours; thresholds are dashed
    horizontal rules, named on the y axis (where no line can cross the name).

    - ``show``: the condition ids to draw (None: all; ids not in ``history`` are ignored).
    - ``focus`` = a condition id: that line is drawn thick and coloured on top,
      the others thin and grey (no params at all). An id that is not in
      ``history`` is ignored (same as ``None``).
    - ``focus`` = None: every line coloured, plus a legend-bound point
      selection ``TREND_FOCUS_PARAM`` ("trend_focus", field ``condition``):
      clicking a legend entry dims the other lines, client-side only. Render
      with ``on_select="ignore"`` (the default) so it never triggers a rerun.
    """
    require_columns(history, ("week_start", "condition", "name", "score"), what="risk_trend_chart")
    th = validate_thresholds(thresholds)
    short = (
        history.drop_duplicates("condition", keep="last").set_index("condition")["short_name"]
        if "short_name" in history.columns
        else None
    )
    data = _complete_weeks(history)
    if show is not None:
        wanted = set(show)
        data = data[data["condition"].isin(wanted)].reset_index(drop=True)
    # Whole points, as the table and the bands use: 29.8 sits on the 30 line, not below it.
    data["score"] = data["score"].round()
    data["label"] = data["condition"].map(short) if short is not None else data["name"]
    data["label"] = data["label"].fillna(data["name"])
    conditions = list(dict.fromkeys(data["condition"]))
    names = data.drop_duplicates("condition").set_index("condition")["label"].to_dict()
    if focus is not None and focus not in conditions:
        focus = None

    y_scale = alt.Scale(domain=[0, 100], nice=False)
    weeks = data["week_start"].dropna()
    # Two days of air at either end.
    x_domain = (
        [
            alt.DateTime(year=d.year, month=d.month, date=d.day)
            for d in (weeks.min() - pd.Timedelta(days=2), weeks.max() + pd.Timedelta(days=2))
        ]
        if len(weeks)
        else alt.Undefined
    )
    x = alt.X("week_start:T", title=None, axis=week_axis(weeks), scale=alt.Scale(domain=x_domain))
    # The thresholds are named on the axis: a label inside the plot gets crossed by lines.
    named = {v: f"{BAND_LABELS[b]} {v:g}" for b, v in th.items()}
    y = alt.Y(
        "score:Q",
        scale=y_scale,
        title=None,  # the section's heading says it: a phone keeps the width for the lines
        axis=alt.Axis(
            values=sorted({0.0, 100.0, *named}),
            labelExpr=" : ".join(f"datum.value === {v:g} ? '{t}'" for v, t in named.items())
            + " : datum.label",
        ),
    )
    tooltip = [
        alt.Tooltip("name:N", title="Condition"),
        week_tooltip(),
        alt.Tooltip("score:Q", title="Score", format=".0f"),
    ]
    palette = dict(zip(conditions, condition_colors(conditions), strict=True))
    # In focus mode only the focused condition is coloured, so only it is in the legend.
    shown = [focus] if focus is not None else conditions
    ends = data.dropna(subset=["score"]).drop_duplicates("condition", keep="last")
    ends = ends.assign(
        end_text=ends["label"] + " " + ends["score"].astype("int64").astype("str"),
        label_y=_spread(ends["score"]),
    )
    color = alt.Color(
        "condition:N",
        scale=alt.Scale(domain=shown, range=[palette[c] for c in shown]),
        legend=_beside_legend(_name_label_expr(names), ends["end_text"]),
    )

    # Background band tints and threshold rules.
    band_rows = pd.DataFrame(
        {
            "band": list(BANDS),
            "lo": [0.0, th["moderate"], th["high"]],
            "hi": [th["moderate"], th["high"], 100.0],
            "color": [BAND_COLORS[b] for b in BANDS],
        }
    )
    tints = (
        alt.Chart(band_rows)
        .mark_rect(opacity=0.08)
        .encode(
            y=alt.Y("lo:Q", scale=y_scale),
            y2="hi:Q",
            fill=alt.Fill("color:N", scale=None),
        )
    )
    rules_df = threshold_table(th)
    rules = (
        alt.Chart(rules_df)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            y=alt.Y("value:Q", scale=y_scale),
            stroke=alt.Stroke("color:N", scale=None),
        )
    )
    # Each line's last scored week, labelled "IT band 42" (the theme's text colour).
    end_labels = ink(
        alt.Chart(ends)
        .mark_text(align="left", baseline="middle", dx=END_DX, fontSize=END_FONT)
        .encode(x=x, y=alt.Y("label_y:Q", scale=y_scale), text="end_text:N", detail="condition:N"),
        "ends",
    )

    line_kw = {"invalid": BREAK, "interpolate": "linear"}
    point_kw = {"invalid": BREAK, "filled": True}
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    if focus is not None:
        is_focus = f"datum.condition === '{_js_str(focus)}'"
        others = base.transform_filter(f"!({is_focus})")
        mine = base.transform_filter(is_focus)
        layers = [
            tints,
            rules,
            others.mark_line(**line_kw, color=MUTED, strokeWidth=1.5, opacity=0.6).encode(
                detail="condition:N", order=alt.Order("week_start:T")
            ),
            others.mark_point(**point_kw, color=MUTED, size=16, opacity=0.6).encode(
                detail="condition:N"
            ),
            mine.mark_line(**line_kw, strokeWidth=3.5).encode(
                color=color, order=alt.Order("week_start:T")
            ),
            mine.mark_point(**point_kw, size=60).encode(color=color),
            end_labels.transform_filter(is_focus),
        ]
    else:
        pick = alt.selection_point(
            name=TREND_FOCUS_PARAM, fields=["condition"], bind="legend", toggle="true"
        )
        dim = alt.condition(pick, alt.value(1.0), alt.value(0.15))
        layers = [
            tints,
            rules,
            base.mark_line(**line_kw, strokeWidth=2.5)
            .encode(color=color, opacity=dim, order=alt.Order("week_start:T"))
            .add_params(pick),
            base.mark_point(**point_kw, size=36).encode(color=color, opacity=dim),
            end_labels.encode(opacity=dim),
        ]
    summary = trend_summary(history, conditions)
    # Vega's fit-x sizing counts the end labels: the plot narrows to leave them room.
    return finish(*layers, height=240, description=f"Risk over the weeks. {summary}")


LABEL_GAP = 6.0  # score points between two end labels (about a line of 12 px text)
END_FONT = NOTE_FONT + 1  # px: the end labels
END_DX = 7  # px between a line's last point and its label
#: Below this container width (px) the chart is on a phone: the end labels name the lines and
#: the legend folds away, since beside the plot it would leave the lines a thumb's width.
NARROW = 520
#: Vega expression: the chart has room for its legend beside it. `width` is in it only so that
#: Vega re-evaluates it when the chart is resized (a phone turned sideways).
WIDE = f"(width >= 0 && containerSize()[0] >= {NARROW})"


def _end_room(end_texts: pd.Series) -> int:
    """Pixels the end labels may stick out right of the plot, so that the legend starts after
    them instead of on top of them. Half an em a character: the 11-12 px sans serif of the
    Streamlit theme averages 0.45 em (measured in Chromium), capitals a little more."""
    longest = int(end_texts.str.len().max()) if len(end_texts) else 0
    return END_DX + round(longest * END_FONT * 0.52) if longest else 0


def _beside_legend(label_expr: str, end_texts: pd.Series) -> alt.Legend:
    """The trend's legend to the right of the plot, after the end labels (issue 13: beside the
    chart, not below it); on a phone it shrinks to nothing (every size 0), the end labels
    carrying the names in the same colours, and the lines keep the width."""

    def wide(value: float) -> alt.ExprRef:
        return alt.ExprRef(expr=f"{WIDE} ? {value:g} : 0")

    return condition_legend(
        label_expr,
        orient="right",
        offset=wide(_end_room(end_texts) + 6),  # Vega's own default is 18
        padding=wide(4),
        labelFontSize=wide(END_FONT),
        labelOffset=wide(6),
        symbolSize=wide(160),
        symbolStrokeWidth=wide(3),
        labelOpacity=wide(1),
        symbolOpacity=wide(1),
    )


def _spread(scores: pd.Series) -> pd.Series:
    """Heights for the end labels: each line's last score, nudged apart so that no two labels
    overlap (at most one label per condition: a loop over six values)."""
    order = scores.sort_values(ascending=False, kind="stable")
    placed: list[float] = []
    for score in order:
        placed.append(min(float(score), placed[-1] - LABEL_GAP) if placed else float(score))
    low = min(placed, default=0.0)
    lift = max(0.0, 2.0 - low)  # keep the lowest label above the axis
    return pd.Series([p + lift for p in placed], index=order.index).reindex(scores.index)


def _js_str(value: str) -> str:
    """Escape a string for use inside a single-quoted Vega expression literal."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _name_label_expr(names: Mapping[str, str]) -> str:
    """Legend ``labelExpr`` mapping condition ids to their display names."""
    if not names:
        return "datum.label"
    parts = " : ".join(
        f"datum.label === '{_js_str(str(k))}' ? '{_js_str(str(v))}'" for k, v in names.items()
    )
    return f"{parts} : datum.label"
