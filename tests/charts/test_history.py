"""Spec and data of the history charts (no browser): chart.to_dict() only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from logic.analysis.load import weekly_load
from logic.analysis.ostrc import LIMITED_TRAINING
from logic.charts.base import BAND_COLORS, MAX_TICKS, kind_color
from logic.charts.history import (
    LOAD_KINDS,
    LONG_RUN_KINDS,
    SEVERITY_KINDS,
    acute_chronic_chart,
    distance_summary,
    ratio_gap_text,
    ratio_gaps,
    severity_chart,
    weekly_distance_chart,
)
from logic.knowledge import knowledge_base

MONDAY = pd.Timestamp("2025-03-03")
AC = knowledge_base().load.acute_chronic


def load_frame() -> pd.DataFrame:
    """Weeks 0-6, week 5 missed; week 4 jumps and has a long-run spike."""
    history = pd.DataFrame(
        {
            "runner": "Ann",
            "date": MONDAY + pd.to_timedelta(np.arange(7) * 7 + 2, unit="D"),
            "weekly_km": [20.0, 30.0, 40.0, 40.0, 90.0, 50.0, 40.0],
            "longest_run_km": [10.0, 10.0, 10.0, 10.0, 20.0, 12.0, 12.0],
        }
    ).drop(index=5)
    return weekly_load(history)


def layers(chart: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    spec = chart.to_dict()
    return spec, spec["layer"]


def mark(layer: dict[str, Any]) -> dict[str, Any]:
    m = layer["mark"]
    return {"type": m} if isinstance(m, str) else m


def rows(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    data = layer.get("data", spec.get("data"))
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def test_distance_bars_leave_the_missed_week_empty_and_mark_spikes() -> None:
    spec, (bars, dots) = layers(weekly_distance_chart(load_frame()))
    # The longest run is a thick stroke across its week, and its legend shows a stroke.
    assert mark(bars)["type"] == "bar" and mark(dots)["type"] == "rule"
    assert mark(dots)["strokeWidth"] >= 3
    assert dots["encoding"]["x2"]["field"] == "week_end"
    legend = dots["encoding"]["stroke"]["legend"]
    assert legend["symbolType"] == "stroke" and legend["symbolStrokeWidth"] >= 3
    assert dots["encoding"]["stroke"]["scale"]["domain"] == list(LONG_RUN_KINDS)
    assert "Latest week 40 km" in spec["description"]
    bar_rows = rows(spec, bars)
    assert [r["week_start"][:10] for r in bar_rows] == [
        "2025-03-03",
        "2025-03-10",
        "2025-03-17",
        "2025-03-24",
        "2025-03-31",
        "2025-04-14",  # 7 Apr missed: no bar
    ]
    assert [r["weekly_km"] for r in bar_rows] == [20, 30, 40, 40, 90, 40]
    # 30 after 20 and 40 after 30 are jumps over 30%; 90 is a jump and an acute:chronic spike.
    plain, spike = "Weekly distance", "Load spike"
    assert [r["kind"] for r in bar_rows] == [plain, spike, spike, plain, spike, plain]
    dot_rows = rows(spec, dots)
    assert [r["kind"] for r in dot_rows].count("Longest-run spike") == 1
    spike = next(r for r in dot_rows if r["kind"] == "Longest-run spike")
    assert spike["longest_run_km"] == 20 and spike["week_start"][:10] == "2025-03-31"
    assert bars["encoding"]["x2"]["field"] == "week_end"
    assert bars["encoding"]["y2"] == {"datum": 0}  # bars stand on zero, not thin lines at y
    colors = bars["encoding"]["color"]["scale"]
    assert colors["domain"] == list(LOAD_KINDS) and colors["range"] == list(LOAD_KINDS.values())
    assert spec["width"] == "container"


def test_acute_chronic_chart_shades_the_steady_range_and_flags_spikes() -> None:
    spec, parts = layers(acute_chronic_chart(load_frame(), AC))
    gaps, shade = (p for p in parts if mark(p)["type"] == "rect")
    # Each empty stretch says why, in the chart and in its description.
    assert [r["why"] for r in rows(spec, gaps)] == [
        "Needs 3 earlier weeks with a distance",
        "No distance this week",
    ]
    assert "needs 3 earlier weeks" in spec["description"]
    assert rows(spec, shade) == [
        {"lo": 0.8, "hi": 1.3, "text": "Steady build 0.8–1.3"},
    ]
    rule = next(p for p in parts if mark(p)["type"] == "rule")
    assert rows(spec, rule)[0]["value"] == 1.5
    assert mark(rule)["color"] == BAND_COLORS["high"]
    line = next(p for p in parts if mark(p)["type"] == "line")
    assert mark(line)["invalid"] == "break-paths-show-domains"
    ratios = {r["week_start"][:10]: r["acute_chronic"] for r in rows(spec, line)}
    assert ratios["2025-04-07"] is None  # the missed week: a break, not a bridge
    assert ratios["2025-03-24"] == pytest.approx(40 / 30)
    assert ratios["2025-03-31"] == pytest.approx(90 / 32.5)
    flagged = [r["week_start"][:10] for r in rows(spec, line) if r["flagged"]]
    assert flagged == ["2025-03-31"]
    red = [p for p in parts if p.get("transform") == [{"filter": "datum.flagged"}]]
    assert len(red) == 1 and mark(red[0])["color"] == BAND_COLORS["high"]
    y = line["encoding"]["y"]["scale"]
    assert y["domain"] == [0, pytest.approx(min(3.0, 90 / 32.5 * 1.1))]


def test_acute_chronic_chart_without_any_ratio_still_draws() -> None:
    load = load_frame().assign(acute_chronic=np.nan)
    _spec, parts = layers(acute_chronic_chart(load, AC))
    line = next(p for p in parts if mark(p)["type"] == "line")
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 2.0]


def test_severity_chart_has_every_week_and_marks_substantial_ones() -> None:
    scored = pd.DataFrame(
        {
            "week_start": MONDAY + pd.to_timedelta([0, 7, 21, 28], unit="D"),
            "severity": [0.0, 33.0, 100.0, np.nan],
            "substantial": [False, False, True, False],
        }
    )
    spec, (line, dots) = layers(severity_chart(scored))
    data = rows(spec, line)
    assert [r["week_start"][:10] for r in data] == [
        "2025-03-03",
        "2025-03-10",
        "2025-03-17",
        "2025-03-24",
        "2025-03-31",
    ]
    assert [r["severity"] for r in data] == [0.0, 33.0, None, 100.0, None]
    assert [r["kind"] for r in data] == [
        "No problem",
        "Problem",
        None,
        "Problem that limited training",
        None,
    ]
    assert dots["encoding"]["color"]["scale"]["domain"] == list(SEVERITY_KINDS)
    shapes = dots["encoding"]["shape"]["scale"]
    assert dict(zip(shapes["domain"], shapes["range"], strict=True))[
        "Problem that limited training"
    ] == ("triangle-up")
    assert SEVERITY_KINDS["Problem that limited training"] == BAND_COLORS["high"]
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 100]


@pytest.mark.parametrize(
    ("weeks", "fmt", "ticks"),
    [(6, "%-d %b", True), (18, "%-d %b", True), (30, "%-d %b", False), (120, "%b %Y", False)],
)
def test_week_axis_suits_the_span(weeks: int, fmt: str, ticks: bool) -> None:
    scored = pd.DataFrame(
        {
            "week_start": pd.date_range(MONDAY, periods=weeks, freq="7D"),
            "severity": 10.0,
            "substantial": False,
        }
    )
    _spec, (line, _dots) = layers(severity_chart(scored))
    axis = line["encoding"]["x"]["axis"]
    assert axis["format"] == fmt
    assert ("values" in axis) is ticks  # Monday ticks only where they fit
    if ticks:  # every week, or every few weeks: never more dates than a phone can show
        assert len(axis["values"]) == min(weeks, -(-weeks // -(-weeks // MAX_TICKS)))
        assert len(axis["values"]) <= MAX_TICKS


def test_dots_shrink_on_long_spans() -> None:
    def sizes(weeks: int) -> list[float]:
        scored = pd.DataFrame(
            {
                "week_start": pd.date_range(MONDAY, periods=weeks, freq="7D"),
                "severity": 10.0,
                "substantial": False,
            }
        )
        return severity_chart(scored).to_dict()["layer"][1]["encoding"]["size"]["scale"]["range"]

    assert sizes(26) == [50, 50, 120]
    assert sizes(260) == pytest.approx([50 / 3, 50 / 3, 40])


def test_every_stretch_without_a_ratio_says_why() -> None:
    gaps = ratio_gaps(load_frame().iloc[0:0], AC)
    assert gaps.empty and ratio_gap_text(gaps) == ""
    load = load_frame()
    gaps = ratio_gaps(load, AC)
    assert gaps["why"].tolist() == [
        f"Needs {AC.min_chronic_weeks} earlier weeks with a distance",
        "No distance this week",
    ]
    assert gaps["start"].iloc[0] == load["week_start"].iloc[0]
    assert (gaps["end"] - gaps["start"]).iloc[0] == pd.Timedelta(weeks=AC.min_chronic_weeks)
    text = ratio_gap_text(gaps)
    assert text.startswith("No ratio Mon 3 Mar 2025 to Sun 23 Mar 2025: needs 3 earlier")


def test_distance_and_severity_say_their_numbers_in_words() -> None:
    load = load_frame()
    assert distance_summary(load) == (
        "Latest week 40 km, longest run 12 km; biggest week 90 km (week of Mon 31 Mar 2025)."
    )
    assert distance_summary(load.iloc[0:0]) == "No distances yet."


def test_kind_legends_keep_their_longest_label_whole() -> None:
    """Vega-Lite cuts legend labels at 160 px by default: "Problem that limited trai…" on
    the History and Team problem charts. ~7 px a character at the legend's 11 px font."""
    legend = kind_color({"Any problem": "#000", LIMITED_TRAINING: "#111"}).to_dict()["legend"]
    assert legend["labelLimit"] >= 7 * len(LIMITED_TRAINING)
