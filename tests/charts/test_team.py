"""logic.charts.team: the specs carry the aggregated rows (never raw check-ins) and the right
encodings, thresholds, period means and the heatmap's runner selection."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from benchmarks.team_data import team_checkins
from logic.analysis.team import (
    band_share_by_week,
    heatmap_data,
    mean_risk_by_week,
    ostrc_prevalence_by_week,
    prevalence_means,
    scored_team,
)
from logic.charts.team import (
    PREVALENCE_KINDS,
    RED_FLAG_MARK,
    ROW,
    RUNNER_PARAM,
    band_share_chart,
    heatmap_chart,
    mean_risk_chart,
    prevalence_chart,
    team_view,
    vega_spec,
)
from logic.knowledge import knowledge_base

KB = knowledge_base()
IDS = KB.condition_ids
RUNNERS, WEEKS = 40, 16


def datasets(spec: dict[str, Any]) -> list[pd.DataFrame]:
    """Every named dataset of a spec (lists of rows, or Arrow IPC bytes from vega_spec)."""
    out = []
    for rows in spec.get("datasets", {}).values():
        if isinstance(rows, bytes):
            out.append(pa.ipc.open_stream(rows).read_all().to_pandas())
        else:
            out.append(pd.DataFrame(rows))
    return out


def marks(spec: dict[str, Any]) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    frame = team_checkins(RUNNERS, WEEKS, today=dt.date(2026, 11, 27), seed=4)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["week_start"] = frame["date"] - pd.to_timedelta(frame["date"].dt.day_of_week, unit="D")
    return scored_team(frame)


def test_share_chart_carries_one_row_per_week_and_condition(scored: pd.DataFrame) -> None:
    spec = band_share_chart(band_share_by_week(scored)).to_dict()
    (data,) = datasets(spec)
    assert len(data) == WEEKS * len(IDS) < len(scored)
    assert set(data["condition"]) == set(IDS)
    assert data["share"].between(0, 1).all()
    # One row of cells per condition: nothing hides behind anything at 0 % or 100 %.
    cells = spec["layer"][0]
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["y"]["field"] == "label"
    assert cells["encoding"]["y"]["sort"] == [KB.conditions[c].short_name for c in IDS]
    assert cells["encoding"]["color"]["field"] == "share"
    assert cells["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert spec["height"] == ROW * len(IDS)
    assert "Week of" in spec["description"]
    one = band_share_chart(band_share_by_week(scored, "it_band")).to_dict()
    assert len(datasets(one)[0]) == WEEKS


def test_mean_risk_chart_carries_weekly_means_and_the_band_thresholds(
    scored: pd.DataFrame,
) -> None:
    mean = mean_risk_by_week(scored)
    spec = mean_risk_chart(mean, KB.thresholds).to_dict()
    sizes = sorted(len(d) for d in datasets(spec))
    assert sizes[-1] == WEEKS * len(IDS)  # the lines; the rest are thresholds and band tints
    rows = pd.concat(datasets(spec), ignore_index=True)
    assert {30.0, 55.0} <= set(rows["value"].dropna())
    lines = rows.dropna(subset=["score"])
    lines = lines[lines["end_text"].isna()]  # not the labels at the lines' ends
    got = lines.set_index(["condition", "week_start"])["score"]
    want = mean.assign(week_start=mean["week_start"].dt.strftime("%Y-%m-%dT%H:%M:%S"))
    want = want.set_index(["condition", "week_start"])["score"].round()  # whole points, as shown
    assert got.sort_index().to_numpy() == pytest.approx(want.sort_index().to_numpy())


def test_prevalence_chart_has_both_lines_and_a_rule_at_each_period_mean(
    scored: pd.DataFrame,
) -> None:
    prevalence = ostrc_prevalence_by_week(scored)
    means = prevalence_means(prevalence)
    spec = prevalence_chart(prevalence, means).to_dict()
    assert marks(spec) == ["rule", "text", "line", "point"]
    lines, averages = sorted(datasets(spec), key=len, reverse=True)
    assert len(lines) == 2 * WEEKS
    assert set(lines["kind"]) == set(PREVALENCE_KINDS)
    assert len(averages) == 2
    assert averages.set_index("kind")["mean"].to_dict() == pytest.approx(
        {"Any problem": means["any_problem"], "Problem that limited training": means["substantial"]}
    )
    assert averages["text"].str.contains("mean").all()
    assert spec["layer"][0]["encoding"]["y"]["field"] == "mean"


def test_heatmap_orders_runners_and_selects_by_runner(scored: pd.DataFrame) -> None:
    week = scored["week_start"].max()
    cells = heatmap_data(scored, week, limit=12)
    spec = heatmap_chart(cells).to_dict()
    (data,) = datasets(spec)
    assert len(data) == 12 * len(IDS)
    (param,) = spec["params"]
    assert param["name"] == RUNNER_PARAM == "runner"
    assert param["select"] == {
        "type": "point",
        "fields": ["runner"],
        "on": "click",
        "toggle": False,
    }
    y = spec["layer"][0]["encoding"]["y"]
    assert y["field"] == "runner"
    assert y["sort"] == cells.drop_duplicates("runner")["runner"].tolist()  # riskiest first
    tops = cells.groupby("runner", sort=False)["score"].max().tolist()
    assert tops == sorted(tops, reverse=True)
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["low", "moderate", "high"]
    assert spec["height"] == 12 * 26


def test_heatmap_marks_the_runners_with_a_red_flag(scored: pd.DataFrame) -> None:
    week = scored["week_start"].max()
    cells = heatmap_data(scored, week).assign(needs_clinician=False)
    flagged = cells["runner"].iloc[0]
    cells.loc[cells["runner"] == flagged, "needs_clinician"] = True
    spec = heatmap_chart(cells).to_dict()
    expr = spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]
    # The axis prefixes exactly the flagged runner's name with the mark.
    assert expr.startswith(f"indexof({json.dumps([flagged])}, datum.value) >= 0")
    assert json.dumps(RED_FLAG_MARK) in expr
    others = [r for r in cells["runner"].unique() if r != flagged]
    assert not any(json.dumps(r) in expr for r in others)


def test_vega_spec_ships_each_dataset_as_arrow_bytes(scored: pd.DataFrame) -> None:
    chart = band_share_chart(band_share_by_week(scored))
    plain, packed = chart.to_dict(), vega_spec(chart)
    assert all(isinstance(v, bytes) for v in packed["datasets"].values())
    assert packed["datasets"].keys() == plain["datasets"].keys()
    (rows,) = datasets(packed)
    assert len(rows) == WEEKS * len(IDS)
    assert rows["share"].tolist() == pytest.approx(
        datasets(plain)[0]["share"].tolist(), nan_ok=True
    )


def test_team_view_charts_hold_no_raw_history_rows(scored: pd.DataFrame) -> None:
    week = scored["week_start"].max().date()
    period = (week - dt.timedelta(weeks=WEEKS - 1), week)
    names = sorted(scored["runner"].unique())
    view = team_view(scored, names, period, week, rows=25)
    sizes = {
        name: [len(d) for d in datasets(spec)]
        for name, spec in (("heatmap", view.heatmap), ("share", view.share), ("mean", view.mean))
    }
    sizes["prevalence"] = [len(d) for d in datasets(view.prevalence)]
    assert max(sizes["share"]) == WEEKS * len(IDS)
    assert max(sizes["mean"]) == WEEKS * len(IDS)
    assert max(sizes["prevalence"]) == 2 * WEEKS
    assert max(sizes["heatmap"]) == min(25, len(view.glance.checked_in)) * len(IDS)
    assert max(max(s) for s in sizes.values()) < len(scored)  # never the raw check-ins
    assert view.checkins == len(scored)
    one = team_view(scored, names, period, week, condition="hamstring", rows=25)
    assert max(len(d) for d in datasets(one.share)) == WEEKS
    assert max(len(d) for d in datasets(one.heatmap)) == min(25, len(one.glance.checked_in))


def test_chart_builders_name_a_missing_column() -> None:
    with pytest.raises(ValueError, match="band_share_chart: missing required column"):
        band_share_chart(pd.DataFrame({"week_start": []}))
    with pytest.raises(ValueError, match="'rank'"):
        heatmap_chart(pd.DataFrame({"runner": ["Ann"]}))
