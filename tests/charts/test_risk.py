"""Spec-level tests of the chart builders (no browser): ``chart.to_dict()`` only."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import pandas as pd
import pytest

from logic.charts.base import (
    BAND_COLORS,
    BANDS,
    CONDITION_COLORS,
    CONDITION_PALETTE,
    band_scale,
    condition_colors,
)
from logic.charts.risk import (
    LABEL_GAP,
    NARROW,
    TREND_FOCUS_PARAM,
    WIDE,
    _spread,
    band_for_score,
    factor_chart,
    risk_bar_chart,
    risk_summary,
    risk_trend_chart,
    threshold_table,
    top_conditions,
    validate_thresholds,
)

THRESHOLDS = {"moderate": 30.0, "high": 55.0}
NAMES = {
    "patellofemoral": "Patellofemoral pain (runner's knee)",
    "gluteal_tendinopathy": "Gluteal tendinopathy",
    "hip_flexor": "Hip flexor strain",
    "piriformis": "Piriformis syndrome",
    "it_band": "Iliotibial band syndrome",
    "hamstring": "High hamstring tendinopathy",
}


# ----------------------------------------------------------------------------- helpers


def _values(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    data = layer.get("data", spec.get("data"))
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def _mark(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def _layers(spec: dict[str, Any], mark: str) -> list[dict[str, Any]]:
    return [layer for layer in spec["layer"] if _mark(layer) == mark]


def _scores() -> pd.DataFrame:
    scores = [12.0, 40.0, 71.5, 30.0, 55.0, 3.0]
    return pd.DataFrame(
        {
            "condition": list(NAMES),
            "name": list(NAMES.values()),
            "score": scores,
            "band": [band_for_score(s, THRESHOLDS) for s in scores],
        }
    )


def _factors() -> pd.DataFrame:
    rows = [
        ("patellofemoral", "looks_like", "downhill", "Pain running downhill", 12.0, "Pain pattern"),
        ("patellofemoral", "building_up", "more_hills", "More hills", 10.0, "Training load"),
        ("it_band", "building_up", "more_mileage", "More distance", 11.0, "Training load"),
        ("it_band", "looks_like", "downhill", "Pain running downhill", 30.0, "Pain pattern"),
        ("it_band", "looks_like", "outer_knee", "Outer knee", 10.5, "Pain pattern"),
        ("hamstring", "looks_like", "top_speed", "Pain when sprinting", 4.0, "Pain pattern"),
    ]
    cols = ["condition", "part", "factor", "label", "points", "section"]
    return pd.DataFrame(rows, columns=cols)


def _parts() -> pd.DataFrame:
    """The bars of _factors: it_band first (highest concern), each part's score its points."""
    rows = [
        ("it_band", "looks_like", 40.5, "IT band 43 = 41 + 3 (¼ of 11)"),
        ("it_band", "building_up", 11.0, "IT band 43 = 41 + 3 (¼ of 11)"),
        ("patellofemoral", "looks_like", 12.0, "Knee 15 = 12 + 3 (¼ of 10)"),
        ("patellofemoral", "building_up", 10.0, "Knee 15 = 12 + 3 (¼ of 10)"),
        ("hamstring", "looks_like", 4.0, "Hamstring 4 = 4 + 0"),
        ("hamstring", "building_up", 0.0, "Hamstring 4 = 4 + 0"),
    ]
    df = pd.DataFrame(rows, columns=["condition", "part", "score", "heading"])
    df.insert(1, "name", df["condition"].map(NAMES))
    df.insert(
        3, "part_name", df["part"].map({"looks_like": "Looks like", "building_up": "Building up"})
    )
    return df


def _history() -> pd.DataFrame:
    weeks = pd.to_datetime(["2025-09-01", "2025-09-08", "2025-09-22", "2025-09-29"])
    rows = []
    for i, w in enumerate(weeks):  # 2025-09-15 is missing for both
        rows.append((w, "it_band", NAMES["it_band"], 20.0 + 10 * i))
        if i != 3:  # hamstring also misses the last week
            rows.append((w, "hamstring", NAMES["hamstring"], 60.0 - 5 * i))
    return pd.DataFrame(rows, columns=["week_start", "condition", "name", "score"])


# ----------------------------------------------------------------------------- bands


def test_band_colors_are_three_distinct_colours_in_band_order() -> None:
    assert BANDS == ("low", "moderate", "high")
    assert tuple(BAND_COLORS) == BANDS
    assert len(set(BAND_COLORS.values())) == 3
    assert BAND_COLORS == {"low": "#009E73", "moderate": "#E69F00", "high": "#D55E00"}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0.0, "low"),
        (29.49, "low"),  # shown as 29
        (29.99, "moderate"),  # shown as 30, so banded as 30 (logic.analysis.scoring.band_index)
        (30.0, "moderate"),
        (54.4, "moderate"),
        (54.9, "high"),
        (55.0, "high"),
        (100.0, "high"),
    ],
)
def test_band_for_score_uses_inclusive_thresholds(score: float, band: str) -> None:
    assert band_for_score(score, THRESHOLDS) == band


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({"moderate": 30.0}, "high"),
        ({"high": 55.0}, "moderate"),
        ({"moderate": 60.0, "high": 55.0}, "moderate < high"),
        ({"moderate": 30.0, "high": 120.0}, "<= 100"),
    ],
)
def test_validate_thresholds_rejects_bad_input(thresholds: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_thresholds(thresholds)


def test_band_scale_maps_bands_to_colours() -> None:
    scale = band_scale().to_dict()
    assert scale == {
        "domain": ["low", "moderate", "high"],
        "range": ["#009E73", "#E69F00", "#D55E00"],
    }
    with pytest.raises(ValueError, match="extreme"):
        band_scale(["low", "extreme"])


def test_threshold_table() -> None:
    table = threshold_table(THRESHOLDS)
    assert table.to_dict("records") == [
        {"band": "moderate", "value": 30.0, "text": "Moderate ≥ 30", "color": "#E69F00"},
        {"band": "high", "value": 55.0, "text": "High ≥ 55", "color": "#D55E00"},
    ]


# ----------------------------------------------------------------------------- risk bars


def test_risk_bars_sorted_by_score_with_bands() -> None:
    spec = risk_bar_chart(_scores(), THRESHOLDS).to_dict()
    (bars,) = _layers(spec, "bar")
    rows = _values(spec, bars)
    assert [r["condition"] for r in rows] == [
        "hip_flexor",
        "it_band",
        "gluteal_tendinopathy",
        "piriformis",
        "patellofemoral",
        "hamstring",
    ]
    assert [r["score"] for r in rows] == [71.5, 55.0, 40.0, 30.0, 12.0, 3.0]
    assert [r["band"] for r in rows] == ["high", "high", "moderate", "moderate", "low", "low"]
    enc = bars["encoding"]
    assert enc["x"]["field"] == "score"
    assert enc["x"]["scale"]["domain"] == [0, 100]
    assert enc["y"]["sort"] == [r["condition"] for r in rows]
    assert enc["color"]["field"] == "band"
    assert enc["color"]["scale"] == band_scale().to_dict()
    assert enc["color"]["legend"]["title"] == "Band"
    assert {t["field"] for t in enc["tooltip"]} == {"name", "score", "band_label"}


def test_risk_bars_threshold_rules_sit_at_threshold_values() -> None:
    spec = risk_bar_chart(_scores(), {"moderate": 25.0, "high": 60.0}).to_dict()
    (rules,) = _layers(spec, "rule")
    assert rules["encoding"]["x"]["field"] == "value"
    values = _values(spec, rules)
    assert [(r["band"], r["value"]) for r in values] == [("moderate", 25.0), ("high", 60.0)]
    assert [r["color"] for r in values] == [BAND_COLORS["moderate"], BAND_COLORS["high"]]
    texts = [layer for layer in _layers(spec, "text") if _values(spec, layer) == values]
    assert len(texts) == 1 and texts[0]["encoding"]["text"]["field"] == "text"
    assert [r["text"] for r in values] == ["Moderate ≥ 25", "High ≥ 60"]


def test_risk_bars_show_names_above_bars_and_fit_phone() -> None:
    spec = risk_bar_chart(_scores(), THRESHOLDS).to_dict()
    assert spec["width"] == "container"
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["height"] == 48 * 6
    name_layers = [
        layer for layer in _layers(spec, "text") if layer["encoding"]["text"]["field"] == "name"
    ]
    assert len(name_layers) == 1
    assert name_layers[0]["mark"]["limit"] > 0  # long names are truncated, never overflow


def test_risk_bars_validate_columns_and_bands() -> None:
    with pytest.raises(ValueError, match="'band'"):
        risk_bar_chart(_scores().drop(columns="band"), THRESHOLDS)
    with pytest.raises(ValueError, match="'name', 'score'"):
        risk_bar_chart(_scores().drop(columns=["name", "score"]), THRESHOLDS)
    bad = _scores()
    bad.loc[0, "band"] = "severe"
    with pytest.raises(ValueError, match="severe"):
        risk_bar_chart(bad, THRESHOLDS)


def test_risk_bars_reject_missing_scores() -> None:
    bad = _scores()
    bad.loc[2, "score"] = float("nan")
    with pytest.raises(ValueError, match="'score'"):
        risk_bar_chart(bad, THRESHOLDS)


def test_risk_bars_accept_empty_scores() -> None:
    spec = risk_bar_chart(_scores().iloc[0:0], THRESHOLDS).to_dict()
    assert _values(spec, _layers(spec, "bar")[0]) == []


# ----------------------------------------------------------------------------- factors


def _text_layer(spec: dict[str, Any], field: str) -> dict[str, Any]:
    (layer,) = [x for x in _layers(spec, "text") if x["encoding"]["text"]["field"] == field]
    return layer


def shown_parts(spec: dict[str, Any]) -> tuple[dict[str, float], dict[str, int]]:
    """What a runner reads off the Why chart: each bar's summed segments and the number in
    its label ("Looks like 41"), by row key "<condition>|<part>"."""
    (bars,) = _layers(spec, "bar")
    summed: dict[str, float] = {}
    for row in _values(spec, bars):
        summed[row["key"]] = summed.get(row["key"], 0.0) + row["points"]
    labels = {
        row["key"]: int(row["text"].rsplit(" ", 1)[1])
        for row in _values(spec, _text_layer(spec, "text"))
    }
    return summed, labels


def test_factor_chart_shows_each_part_as_a_bar_that_adds_up_to_its_label() -> None:
    spec = factor_chart(_factors(), _parts()).to_dict()
    (bars,) = _layers(spec, "bar")
    enc = bars["encoding"]
    # Per condition: its heading row, then one row per part, in the order of `parts`.
    assert enc["y"]["sort"] == [
        "it_band|",
        "it_band|looks_like",
        "it_band|building_up",
        "patellofemoral|",
        "patellofemoral|looks_like",
        "patellofemoral|building_up",
        "hamstring|",
        "hamstring|looks_like",
        "hamstring|building_up",
    ]
    rows = _values(spec, bars)
    # Within a part the biggest factor first.
    assert [r["factor"] for r in rows if r["key"] == "it_band|looks_like"] == [
        "downhill",
        "outer_knee",
    ]
    summed, labels = shown_parts(spec)
    assert labels == {
        "it_band|looks_like": 41,  # 40.5 rounds half up, as the page shows it
        "it_band|building_up": 11,
        "patellofemoral|looks_like": 12,
        "patellofemoral|building_up": 10,
        "hamstring|looks_like": 4,
        "hamstring|building_up": 0,  # labelled, with no bar
    }
    parts = _parts()
    keys = parts["condition"] + "|" + parts["part"]
    expected = dict(zip(keys, parts["score"], strict=True))
    assert summed == pytest.approx({k: v for k, v in expected.items() if v > 0})
    heads = _values(spec, _text_layer(spec, "heading"))
    assert [h["heading"] for h in heads] == [
        "IT band 43 = 41 + 3 (¼ of 11)",
        "Knee 15 = 12 + 3 (¼ of 10)",
        "Hamstring 4 = 4 + 0",
    ]
    assert all(layer["name"].startswith("ink_") for layer in _layers(spec, "text"))
    # One scale for every bar: 0-100, the same as the risk bars.
    assert enc["x"]["scale"]["domain"] == [0, 100] and enc["x"]["stack"] == "zero"
    assert enc["color"]["field"] == "section"
    assert enc["color"]["scale"]["domain"] == ["Pain pattern", "Training load"]
    # Section colours never reuse band colours.
    assert not set(enc["color"]["scale"]["range"]) & set(BAND_COLORS.values())
    assert enc["order"] == {"field": "points", "type": "quantitative", "sort": "descending"}
    assert [t["field"] for t in enc["tooltip"]] == [
        "name",
        "part_name",
        "label",
        "points",
        "section",
    ]
    assert "IT band 43 = 41 + 3 (¼ of 11) (Looks like 41, Building up 11)" in spec["description"]


def test_factor_chart_refuses_bars_that_do_not_add_up() -> None:
    short = _factors()
    short.loc[4, "points"] = 9.0  # it_band looks like: 39, labelled 40.5
    with pytest.raises(ValueError, match="it_band looks_like: the points add up to 39"):
        factor_chart(short, _parts())
    with pytest.raises(ValueError, match="hamstring looks_like: points of a part that is not"):
        factor_chart(_factors(), _parts().iloc[:4])


def test_factor_chart_accepts_empty_factors() -> None:
    spec = factor_chart(_factors().iloc[0:0], _parts().iloc[0:0]).to_dict()
    assert _values(spec, _layers(spec, "bar")[0]) == []


def test_factor_chart_validates() -> None:
    with pytest.raises(ValueError, match="'section'"):
        factor_chart(_factors().drop(columns="section"), _parts())
    with pytest.raises(ValueError, match="'heading'"):
        factor_chart(_factors(), _parts().drop(columns="heading"))
    bad = _factors()
    bad.loc[0, "points"] = 0.0
    with pytest.raises(ValueError, match="> 0"):
        factor_chart(bad, _parts())


# ----------------------------------------------------------------------------- trend


def _trend_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    lines = _layers(spec, "line")
    return _values(spec, lines[0])


def test_trend_fills_missing_weeks_with_null_scores() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS).to_dict()
    rows = _trend_rows(spec)
    by_key = {(r["condition"], r["week_start"][:10]): r["score"] for r in rows}
    weeks = ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29"]
    assert sorted({w for _, w in by_key}) == weeks
    assert len(rows) == 2 * len(weeks)  # complete weekly range for each condition
    assert by_key[("it_band", "2025-09-15")] is None
    assert by_key[("hamstring", "2025-09-15")] is None
    assert by_key[("hamstring", "2025-09-29")] is None
    assert by_key[("it_band", "2025-09-29")] == 50.0
    assert by_key[("hamstring", "2025-09-22")] == 50.0
    assert {r["name"] for r in rows if r["condition"] == "hamstring"} == {NAMES["hamstring"]}


def test_trend_lines_break_at_nulls() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS).to_dict()
    for layer in _layers(spec, "line") + _layers(spec, "point"):
        # "filter" would draw a straight line across the gap.
        assert layer["mark"]["invalid"] == "break-paths-show-domains"
    assert "invalid" not in spec.get("config", {}).get("mark", {})


def test_trend_normalises_week_start_to_monday() -> None:
    hist = pd.DataFrame(
        {
            "week_start": pd.to_datetime(["2025-09-03", "2025-09-17"]),  # Wednesdays
            "condition": ["it_band", "it_band"],
            "name": [NAMES["it_band"]] * 2,
            "score": [10.0, 20.0],
        }
    )
    rows = _trend_rows(risk_trend_chart(hist, THRESHOLDS).to_dict())
    assert [(r["week_start"][:10], r["score"]) for r in rows] == [
        ("2025-09-01", 10.0),
        ("2025-09-08", None),
        ("2025-09-15", 20.0),
    ]


def test_trend_threshold_rules_and_band_tints() -> None:
    spec = risk_trend_chart(_history(), {"moderate": 35.0, "high": 70.0}).to_dict()
    (rules,) = _layers(spec, "rule")
    assert rules["encoding"]["y"]["field"] == "value"
    assert [r["value"] for r in _values(spec, rules)] == [35.0, 70.0]
    (tints,) = _layers(spec, "rect")
    tint_rows = _values(spec, tints)
    assert [(r["band"], r["lo"], r["hi"]) for r in tint_rows] == [
        ("low", 0.0, 35.0),
        ("moderate", 35.0, 70.0),
        ("high", 70.0, 100.0),
    ]
    assert [r["color"] for r in tint_rows] == [BAND_COLORS[b] for b in BANDS]
    (line,) = _layers(spec, "line")
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 100]
    # The thresholds are named on the axis, not by text that lines could cross.
    axis = line["encoding"]["y"]["axis"]
    assert axis["values"] == [0.0, 35.0, 70.0, 100.0]
    assert "'Moderate 35'" in axis["labelExpr"] and "'High 70'" in axis["labelExpr"]
    (labels,) = _layers(spec, "text")  # the only text: each line's name at its end
    assert labels["encoding"]["text"]["field"] == "end_text"


def test_trend_without_focus_has_legend_bound_selection() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [TREND_FOCUS_PARAM]
    assert params[0]["bind"] == "legend"
    assert params[0]["select"]["fields"] == ["condition"]
    (line,) = _layers(spec, "line")
    assert line["encoding"]["opacity"]["condition"]["param"] == TREND_FOCUS_PARAM
    assert line["encoding"]["color"]["field"] == "condition"
    assert "labelExpr" in line["encoding"]["color"]["legend"]
    assert NAMES["it_band"] in line["encoding"]["color"]["legend"]["labelExpr"]
    scale = line["encoding"]["color"]["scale"]
    assert scale["domain"] == ["it_band", "hamstring"]  # order of first appearance
    assert not set(scale["range"]) & set(BAND_COLORS.values())


def test_trend_focus_highlights_one_condition() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS, focus="hamstring").to_dict()
    assert "params" not in spec
    lines = _layers(spec, "line")
    assert len(lines) == 2
    muted, focused = lines
    assert muted["transform"] == [{"filter": "!(datum.condition === 'hamstring')"}]
    assert focused["transform"] == [{"filter": "datum.condition === 'hamstring'"}]
    assert focused["mark"]["strokeWidth"] > muted["mark"]["strokeWidth"]
    assert "color" not in muted["encoding"] and muted["mark"]["color"] != "#0072B2"
    assert focused["encoding"]["color"]["field"] == "condition"
    # Only the focused condition is coloured, so only it is in the legend.
    assert focused["encoding"]["color"]["scale"]["domain"] == ["hamstring"]


def test_trend_unknown_focus_is_ignored() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS, focus="achilles").to_dict()
    assert [p["name"] for p in spec["params"]] == [TREND_FOCUS_PARAM]


def test_trend_validates_columns() -> None:
    with pytest.raises(ValueError, match="'week_start'"):
        risk_trend_chart(_history().drop(columns="week_start"), THRESHOLDS)
    with pytest.raises(ValueError, match="DataFrame"):
        risk_trend_chart([], THRESHOLDS)  # type: ignore[arg-type]


def test_trend_handles_single_week_and_empty() -> None:
    one = _history().iloc[:1]
    rows = _trend_rows(risk_trend_chart(one, THRESHOLDS).to_dict())
    assert len(rows) == 1 and not math.isnan(rows[0]["score"])
    spec = risk_trend_chart(_history().iloc[0:0], THRESHOLDS).to_dict()
    assert _trend_rows(spec) == []


# ----------------------------------------------------------------------------- at a glance


def test_each_condition_keeps_its_own_colour_whatever_else_is_shown() -> None:
    colours = list(CONDITION_PALETTE.values())
    assert set(CONDITION_PALETTE) == set(NAMES) and len(set(colours)) == len(colours)
    assert not set(colours) & set(BAND_COLORS.values())  # a line never reads as a band

    def palette(spec: dict[str, Any]) -> dict[str, str]:
        (line,) = _layers(spec, "line")
        scale = line["encoding"]["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True))

    both = palette(risk_trend_chart(_history(), THRESHOLDS).to_dict())
    one = palette(risk_trend_chart(_history(), THRESHOLDS, show=["hamstring"]).to_dict())
    assert one == {"hamstring": CONDITION_PALETTE["hamstring"]} == {"hamstring": both["hamstring"]}
    assert condition_colors(["it_band", "new_one"]) == [
        CONDITION_PALETTE["it_band"],
        CONDITION_COLORS[0],
    ]


def test_top_conditions_are_the_latest_highest_scores() -> None:
    history = _history()  # latest week: IT band 50, hamstring missing
    assert top_conditions(history, 1) == ["it_band"]
    assert top_conditions(history, 3) == ["it_band", "hamstring"]
    assert top_conditions(history.iloc[0:0], 3) == []


def test_trend_lines_are_labelled_at_their_end_with_a_legend_beside_and_a_description() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS).to_dict()
    (labels,) = _layers(spec, "text")
    assert labels["name"].startswith("ink_")  # drawn in the theme's text colour
    ends = {r["condition"]: r for r in _values(spec, labels)}
    assert ends["it_band"]["end_text"] == "Iliotibial band syndrome 50"
    assert ends["it_band"]["week_start"].startswith("2025-09-29")
    assert ends["hamstring"]["week_start"].startswith("2025-09-22")  # its own last week
    assert set(ends) == {"it_band", "hamstring"}  # every line has its label
    (line,) = _layers(spec, "line")
    legend = line["encoding"]["color"]["legend"]
    # Issue 13: the legend sits beside the chart (right), neither above nor below it.
    assert legend["orient"] == "right"
    assert "Iliotibial band syndrome 50 (+30 over the period)" in spec["description"]


def test_trend_legend_starts_after_the_end_labels_and_folds_away_on_a_phone() -> None:
    spec = risk_trend_chart(_history(), THRESHOLDS).to_dict()
    (line,) = _layers(spec, "line")
    legend = line["encoding"]["color"]["legend"]
    offset = legend["offset"]["expr"]
    assert WIDE in offset and f">= {NARROW}" in WIDE and "containerSize()[0]" in WIDE
    wide, narrow = (float(v) for v in re.fullmatch(r".* \? (\S+) : (\S+)", offset).groups())
    # Beside the plot, past the longest end label ("Iliotibial band syndrome 50", 27
    # characters of 12 px text, at least 0.45 em each), so no name is drawn over another.
    assert wide >= 7 + 27 * 12 * 0.45 and narrow == 0
    # On a phone every size of the legend is 0: the plot keeps the width, the end labels name
    # the lines in the same colours.
    for key in ("labelFontSize", "symbolSize", "padding", "labelOpacity", "symbolOpacity"):
        assert legend[key]["expr"].startswith(f"{WIDE} ? ") and legend[key]["expr"].endswith(
            " : 0"
        ), key
    assert 390 < NARROW < 700  # a phone (390 px) folds it away; a desktop column (704) does not


def test_end_labels_never_overlap() -> None:
    spread = _spread(pd.Series([40.0, 41.0, 39.0, 0.0], index=list("abcd")))
    placed = sorted(spread.to_numpy())
    assert all(b - a >= LABEL_GAP - 1e-9 for a, b in itertools.pairwise(placed))
    assert list(spread.sort_values().index) == ["d", "c", "a", "b"]  # the order of the scores
    assert spread.min() >= 2  # above the axis line


def test_risk_bars_say_their_numbers_in_words() -> None:
    spec = risk_bar_chart(_scores(), THRESHOLDS).to_dict()
    said = risk_summary(_scores())
    assert said.startswith("Scores: Hip flexor strain 72 (high); Iliotibial band syndrome 55")
    assert said in spec["description"]
    assert all(layer["name"].startswith("ink_") for layer in _layers(spec, "text"))


def test_risk_summary_rounds_like_the_bar_labels() -> None:
    """34.5 is labelled "35" on its bar: the words beside the chart must say 35 too."""
    scores = _scores().assign(score=[12.0, 40.0, 71.5, 34.5, 55.0, 28.5])
    said = risk_summary(scores)
    spec = risk_bar_chart(scores, THRESHOLDS).to_dict()
    (labels,) = [rows for rows in spec["datasets"].values() if "score_text" in rows[0]]
    shown = {row["name"]: row["score_text"] for row in labels}
    for name, text in shown.items():
        assert f"{name} {text} (" in said
    assert (shown[NAMES["piriformis"]], shown[NAMES["hamstring"]]) == ("35", "29")
