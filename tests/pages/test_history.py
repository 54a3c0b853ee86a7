"""The history page: alerts first, the check-ins newest first, open/edit/delete, the charts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from logic import clock
from logic.knowledge import knowledge_base
from logic.profile import RunnerProfile
from logic.storage.store import get_store
from logic.weeks import day_label
from tests.support.apptest import (
    app,
    assert_no_exception,
    button,
    chart_rows,
    chart_spec,
    charts,
    on_page,
    texts,
)
from tests.support.plain_words import jargon_in, page_words

pytestmark = pytest.mark.usefixtures("db_url")

PAGE = "pages/history.py"
TODAY = clock.today()
KB = knowledge_base()


def day(weeks_ago: int) -> str:
    return (TODAY - dt.timedelta(weeks=weeks_ago)).isoformat()


def seed(*weeks: dict) -> list[int]:
    """Check-ins of Ann, one per given week; returns their ids in the order given."""
    store = get_store()
    return [store.save_checkin({"runner": "Ann", **w}) for w in weeks]


def history_page(runner: str = "Ann") -> object:
    at = on_page(app(runner).run(), PAGE)
    assert_no_exception(at)
    return at


QUIET = {"weekly_km": 30.0, "longest_run_km": 12.0, "ostrc_participation": 0}
KNEE = {
    "pain_locations": "outer_knee",
    "pain_level": 10,
    "weekly_km": 45.0,
    "longest_run_km": 20.0,
    "ostrc_participation": 2,
    "ostrc_training": 2,
    "ostrc_performance": 1,
    "ostrc_pain": 2,
}


def test_a_rise_since_last_week_is_shown_first() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    warnings = texts(at.warning)
    # Outer-knee pain at 10 looks like IT band syndrome (65) and is high whatever else; the
    # load signals (a 45 km week after 30, a 20 km run after 12 km ones) are one jump, counted
    # once (8), on top of 6 for no strength or mobility work: 65 + 0.25 x 14 = 68.5, from 6.
    # Worsening first (pain where there was none), then the score rise.
    assert warnings[:2] == [
        "New pain: outside of the knee, 10 out of 10.",
        "IT band syndrome rose 63 points, from low to high.",
    ]
    order = [el.type for el in at.main]
    assert order.index("warning") < order.index("dataframe") < order.index("vega_lite_chart")


def test_no_alert_across_a_missed_week() -> None:
    seed({"date": day(2), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    assert not [t for t in texts(at.warning) if "rose" in t]


def test_the_checkins_are_listed_newest_first() -> None:
    ids = seed({"date": day(3), **QUIET}, {"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    table = at.dataframe[0].value
    assert len(table) == 3
    assert table["date"].tolist() == sorted(table["date"].tolist(), reverse=True)
    assert table["risk"].iloc[0] == "IT band 69 · high"  # 65 pain + a quarter of 6 + 8 load
    assert table["week"].iloc[0] == dt.date.fromisoformat(day(0)).isocalendar().week
    assert table["needs_clinician"].tolist() == [True, False, False]  # pain 10
    assert table["severity"].iloc[0] == 17 + 17 + 8 + 17
    assert table["severity"].iloc[1] == 0
    picker = at.selectbox(key="hist_pick")
    assert picker.value == ids[2]  # the newest is picked first
    # The day as Results and History write it: "Mon 30 Nov 2026 · IT band 50".
    assert [o.split(" · ")[0] for o in picker.options] == [
        day_label(dt.date.fromisoformat(day(w))) for w in (0, 1, 3)
    ]


def test_the_table_shows_four_key_columns_and_the_rest_on_demand() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    key, more = at.dataframe[0], at.dataframe[1]
    assert list(key.proto.column_order) == ["date", "top_concern", "pain_level", "needs_clinician"]
    assert "severity" in list(more.proto.column_order)
    assert any("More columns" in e.label for e in at.expander)


def test_the_trend_shows_the_top_three_and_the_others_one_tap_away() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    pills = at.pills[0]
    assert len(pills.value) == 3 and "it_band" in pills.value  # the knee week's top concern
    before = chart_rows(charts(at)[0]).dropna(subset=["condition"])
    assert set(before["condition"]) == set(pills.value)
    assert "Latest risk scores" in chart_spec(charts(at)[0])["description"]
    other = next(c for c in KB.condition_ids if c not in pills.value)
    pills.select(other).run()
    assert_no_exception(at)
    after = chart_rows(charts(at)[0]).dropna(subset=["condition"])
    assert set(after["condition"]) == {*pills.value}
    assert other in set(after["condition"]) and len(set(after["condition"])) == 4


def test_delete_asks_first_then_deletes() -> None:
    ids = seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    at.selectbox(key="hist_pick").select(ids[0]).run()
    button(at, "Delete").click().run()
    assert_no_exception(at)
    assert any("Delete the check-in of" in t for t in texts(at.warning))
    assert get_store().get_checkin(ids[0]) is not None  # not yet
    button(at, "Keep it").click().run()
    assert get_store().get_checkin(ids[0]) is not None
    assert not any("Delete the check-in of" in t for t in texts(at.warning))
    at.selectbox(key="hist_pick").select(ids[0]).run()
    button(at, "Delete").click().run()
    at.selectbox(key="hist_pick").select(ids[1]).run()  # picking another one withdraws it
    assert not any("Delete the check-in of" in t for t in texts(at.warning))
    at.selectbox(key="hist_pick").select(ids[0]).run()
    button(at, "Delete").click().run()
    button(at, "Yes, delete it").click().run()
    assert_no_exception(at)
    assert get_store().get_checkin(ids[0]) is None
    assert get_store().get_checkin(ids[1]) is not None
    assert any("Deleted the check-in of" in t for t in texts(at.success))
    assert len(at.dataframe[0].value) == 1


def test_open_goes_to_the_results_of_that_checkin() -> None:
    ids = seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    at.selectbox(key="hist_pick").select(ids[0]).run()
    button(at, "Open results").click().run()
    assert_no_exception(at)
    assert at.session_state["result_id"] == ids[0]
    assert at.title[0].value == "Your results"


def test_edit_hands_the_checkin_to_the_form() -> None:
    ids = seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    at.selectbox(key="hist_pick").select(ids[0]).run()
    button(at, "Edit").click().run()
    assert_no_exception(at)
    # The check-in page took the hand-over: it edits that check-in, with its own date.
    assert at.session_state["ci_editing"] == ids[0]
    assert at.title[0].value == "Edit check-in"
    assert at.date_input(key="ci_date").value.isoformat() == day(1)


def test_load_and_severity_sections() -> None:
    seed(
        {"date": day(4), **QUIET},
        {"date": day(3), **QUIET},
        {"date": day(2), **QUIET},
        {"date": day(1), **QUIET},
        {"date": day(0), **KNEE},
    )
    at = history_page()
    _trend, distance, ratio, severity = charts(at)
    km = chart_rows(distance).dropna(subset=["weekly_km"])
    assert sorted(km["weekly_km"].unique()) == [30.0, 45.0]
    ratios = chart_rows(ratio).dropna(subset=["acute_chronic"])
    assert ratios["acute_chronic"].round(2).tolist() == [1.0, 1.5]
    # 45 after 30 is a 50% week-on-week jump, and 20 km beyond 12: both flags, explained.
    flags = [t for t in texts(at.warning) if "above last week" in t or "longer than" in t]
    assert len(flags) == 2
    jump = "**Distance up 50% on the week before (30 → 45 km) and above your usual.**"
    assert any(t.startswith(jump) for t in flags)
    assert any("not diagnoses" in t for t in texts(at.caption))
    sev = chart_rows(severity).dropna(subset=["severity"])
    assert sev["severity"].tolist() == [0.0, 0.0, 0.0, 0.0, 59.0]
    assert sev["kind"].tolist()[-1] == "Problem that limited training"


def test_the_period_control_limits_the_charts() -> None:
    seed({"date": day(20), **QUIET}, {"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    weeks = chart_rows(charts(at)[0])["week_start"].dropna().unique()
    assert len(weeks) == 21  # 6 months: every week from 20 weeks ago, gaps included
    at.segmented_control(key="hist_period").set_value("12 weeks").run()
    assert_no_exception(at)
    weeks = chart_rows(charts(at)[0])["week_start"].dropna().unique()
    assert len(weeks) == 2


def test_without_checkins_the_page_points_to_the_form() -> None:
    get_store().add_runner("Zed")
    at = history_page("Zed")
    assert any("No check-ins yet" in t for t in texts(at.info))
    links = [el for el in at.main if el.type == "page_link"]
    assert links and "check-in" in links[0].proto.label
    assert not charts(at)
    assert "not medical advice" in texts(at.caption)[-1]


def test_the_disclaimer_closes_the_page() -> None:
    seed({"date": day(0), **QUIET})
    at = history_page()
    assert "not medical advice" in texts(at.caption)[-1]


# --- issue 12: two answers, plain words ---------------------------------------------------------


def test_the_picked_week_shows_looks_like_and_building_up() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    at = history_page()
    line = next(t for t in texts(at.markdown) if "Looks like" in t)
    # Outer-knee pain at 10 looks most like IT band syndrome; the week's jump builds up there too.
    assert re.search(r"\*\*Looks like\*\* \(.*\): IT band \d+ · high", line), line
    assert re.search(r"\*\*Building up\*\* \(.*\): \S.* \d+ · (low|moderate|high)", line), line


def test_the_history_page_speaks_plainly() -> None:
    seed(*({"date": day(w), **QUIET} for w in range(4, 0, -1)), {"date": day(0), **KNEE})
    at = history_page()
    assert jargon_in(at) == []


def test_an_emergency_in_the_latest_week_is_the_first_thing_on_the_page() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **QUIET, "warning_signs": "saddle_numbness"})
    at = history_page()
    first = at.main[0]
    assert first.type == "error", [el.type for el in at.main][:5]
    assert first.value.startswith("**Get urgent care today.**")
    assert "Numbness between the legs" in first.value
    assert "New warning sign: numbness between the legs." in texts(at.warning)


def test_a_red_flag_from_the_weeks_shows_with_its_reason() -> None:
    hurt = {**QUIET, "pain_locations": "buttock", "pain_level": 5}
    seed({"date": day(2), **hurt}, {"date": day(1), **hurt}, {"date": day(0), **hurt})
    at = history_page()
    flags = [t for t in texts(at.error) if "See a clinician" in t]
    assert len(flags) == 1 and "for 3 weeks in a row" in flags[0]
    assert at.dataframe[0].value["needs_clinician"].iloc[0]


def test_distances_are_drawn_in_the_runners_unit() -> None:
    seed({"date": day(1), **QUIET}, {"date": day(0), **KNEE})
    get_store().save_profile("Ann", RunnerProfile(units="miles"))
    at = history_page()
    distance = next(c for c in charts(at) if "weekly_km" in chart_rows(c).columns)
    miles = chart_rows(distance).dropna(subset=["weekly_km"])["weekly_km"].round(2)
    assert sorted(miles.unique()) == [18.64, 27.96]  # 30 and 45 km
    assert chart_spec(distance)["layer"][0]["encoding"]["y"]["title"] == "mi"


def test_a_miles_runner_reads_every_distance_in_miles() -> None:
    """Issue 13: the load flags' numbers, the distance chart and its description are in the
    runner's unit; storage stays in km."""
    seed(*({"date": day(w), **QUIET} for w in range(4, 0, -1)), {"date": day(0), **KNEE})
    get_store().save_profile("Ann", RunnerProfile(units="miles"))
    at = history_page()
    words = page_words(at)
    assert any("27.96 mi" in w or "28 mi" in w for w in words), [w for w in words if "mi" in w]
    assert [w for w in words if re.search(r"\d\s*km\b|/km\b|\bkm\)", w)] == []
