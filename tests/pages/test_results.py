"""The results page: charts carry the scores, the routine, the red flag, and links."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from logic import clock
from logic.analysis.results import checkin_result
from logic.analysis.scoring import score_one
from logic.storage.store import get_store
from tests.support.apptest import (
    app,
    assert_no_exception,
    chart_rows,
    chart_spec,
    charts,
    on_page,
    texts,
)

pytestmark = pytest.mark.usefixtures("db_url")

KNEE = {
    "runner": "Ann",
    "date": clock.today().isoformat(),
    "pain_locations": "front_knee;outer_knee",
    "pain_level": 6,
    "pain_triggers": "stairs;downhill;running",
    "training_changes": "more_hills;more_road_track",
    "limitations": "tight_quads;weak_glutes",
    "sitting_hours": 8,
    "strength_sessions": 0,
    "mobility_sessions": 1,
}


def results_for(checkin: dict) -> object:
    checkin_id = get_store().save_checkin(checkin)
    at = app(checkin["runner"])
    at.session_state["result_id"] = checkin_id
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    return at


def test_risk_chart_carries_the_scores_and_bands() -> None:
    at = results_for(KNEE)
    expected = score_one(KNEE)
    bars = charts(at)[0]
    rows = chart_rows(bars).dropna(subset=["condition"]).drop_duplicates("condition")
    assert len(rows) == 6
    for row in rows.itertuples():
        assert row.score == pytest.approx(round(expected[row.condition], 1))
        assert row.band == expected[f"{row.condition}_band"]
    # The band thresholds are drawn as rules at the configured values.
    spec = str(chart_spec(bars))
    assert "rule" in spec
    thresholds = chart_rows(bars)
    assert {30.0, 55.0} <= set(thresholds.get("value", thresholds.get("threshold", [])))


def test_why_chart_and_table_list_the_factors_with_sections() -> None:
    at = results_for(KNEE)
    factors = chart_rows(charts(at)[1]).dropna(subset=["factor"])
    expected = checkin_result(KNEE).factors
    assert sorted(zip(factors["condition"], factors["factor"], strict=True)) == sorted(
        zip(expected["condition"], expected["factor"], strict=True)
    )
    table = at.dataframe[0].value
    assert set(table["section"]) <= {
        "Patellofemoral syndrome (runner's knee)",
        "Gluteal tendinopathy",
        "Hip flexor strain / tendonitis",
        "Piriformis pain",
        "IT band syndrome",
        "Hamstring pulls or tears",
        "The takeaway: shared root causes",
    }


def test_body_map_is_coloured_by_the_conditions_that_live_there() -> None:
    at = results_for(KNEE)
    regions = chart_rows(charts(at)[2]).dropna(subset=["band"])
    expected = score_one(KNEE)
    knee = regions[regions["region"] == "front_knee"].iloc[0]
    assert knee["band"] == expected["patellofemoral_band"]
    outer = regions[regions["region"] == "outer_knee"].iloc[0]
    assert outer["score"] == pytest.approx(round(expected["it_band"], 1))


def test_routine_lists_each_right_exercise_once() -> None:
    at = results_for(KNEE)
    listing = next(t for t in texts(at.markdown) if t.startswith("1. **"))
    names = re.findall(r"^\d+\. \*\*(.+?)\*\*", listing, flags=re.MULTILINE)
    expected = checkin_result(KNEE).routine
    assert names == expected["name"].tolist()
    assert len(set(names)) == len(names)
    bridge = listing[listing.index("Glute bridge") :].split("\n\n")[0]
    assert "Runner's knee" in bridge and "IT band" in bridge
    downloads = [d.label for d in at.get("download_button")]
    assert downloads == ["Download CSV", "Download Markdown"]


@pytest.mark.parametrize(
    ("change", "flagged"),
    [
        ({}, False),
        ({"pain_level": 7}, False),
        ({"pain_level": 8}, True),
        ({"warning_signs": "numbness"}, True),
    ],
)
def test_red_flag_appears_exactly_when_it_should(change: dict, flagged: bool) -> None:
    at = results_for({**KNEE, **change})
    errors = texts(at.error)
    shown = [t for t in errors if "See a clinician first" in t]
    assert bool(shown) is flagged
    if flagged:
        # Above everything else: it is the first element after the heading lines.
        order = [el.type for el in at.main]
        assert order.index("error") < order.index("vega_lite_chart"), order
        assert order.index("error") < order.index("subheader"), order
    if "warning_signs" in change:
        assert any("Numbness or tingling" in t for t in shown)


def test_no_checkin_yet_points_to_the_form() -> None:
    at = on_page(app("Zed").run(), "pages/results.py")
    assert_no_exception(at)
    assert any("Nothing to show yet" in t for t in texts(at.info))
    links = [e.proto.page for e in at.get("page_link")]
    assert "checkin" in links  # the next step, one tap away


@pytest.mark.parametrize("bad", ["abc", "-1", "1e9", "<script>", "0"])
def test_a_bad_checkin_link_says_what_is_allowed(bad: str) -> None:
    get_store().save_checkin(KNEE)
    at = app("Ann")
    at.query_params["checkin"] = bad
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    assert any("must be a check-in number" in t for t in texts(at.error))
    assert at.title[0].value == "Your results"


def test_a_link_to_a_missing_checkin_says_so() -> None:
    at = app("Ann")
    at.query_params["checkin"] = "999"
    at = on_page(at.run(), "pages/results.py")
    assert any("no check-in number 999" in t for t in texts(at.error))


def test_past_weeks_can_be_opened() -> None:
    store = get_store()
    old = {**KNEE, "date": (clock.today() - dt.timedelta(days=14)).isoformat(), "pain_level": 2}
    store.save_checkin(old)
    at = results_for(KNEE)
    picker = at.selectbox[-1]
    assert picker.label == "Show another week"
    assert len(picker.options) == 2
    picker.select_index(1).run()
    assert_no_exception(at)
    assert at.session_state["result_id"] != store.latest_checkin("Ann")["id"]


def test_a_rise_since_last_week_is_called_out_and_load_flags_count() -> None:
    store = get_store()
    today = clock.today()
    last_week = today - dt.timedelta(days=7)
    store.save_checkin({"runner": "Ann", "date": last_week.isoformat(), "weekly_km": 30})
    at = results_for({**KNEE, "weekly_km": 60.0, "longest_run_km": 20.0})
    alerts = [t for t in texts(at.warning) if "rose" in t or "moved up" in t]
    assert any("Runner's knee" in t for t in alerts), texts(at.warning)
    # 60 km after 30 km is a 100% jump: the load-spike factor shows among the reasons.
    factors = chart_rows(charts(at)[1]).dropna(subset=["factor"])
    assert "load_spike" in set(factors["factor"])
