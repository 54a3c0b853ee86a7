"""The check-in page, driven through the whole app with AppTest."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from logic import clock
from logic.form import LONGEST_RUN_TOO_LONG
from logic.profile import RunnerProfile
from logic.storage.store import StorageError, Store, get_store
from tests.support.apptest import app, assert_no_exception, button, fill_checkin, texts

pytestmark = pytest.mark.usefixtures("db_url")


def test_a_new_runner_is_asked_who_they_are_first() -> None:
    at = app().run()
    assert_no_exception(at)
    assert any("tell us who you are" in t for t in texts(at.info))
    at.selectbox(key="inline_pick").select("➕ New runner…").run()
    at.text_input[0].input("Ann Trail")
    at.text_input[1].input("Ridge Runners")
    button(at, "Start").click().run()
    assert_no_exception(at)
    assert at.session_state["runner"] == "Ann Trail"
    assert at.title[0].value == "Weekly check-in"
    runners = get_store().list_runners()
    assert runners.to_dict("records") == [{"runner": "Ann Trail", "team": "Ridge Runners"}]


def test_an_empty_name_is_refused_next_to_the_field() -> None:
    at = app().run()
    at.selectbox(key="inline_pick").select("➕ New runner…").run()
    button(at, "Start").click().run()
    assert any("1-64 characters" in t for t in texts(at.error))
    assert get_store().list_runners().empty


def test_submitting_stores_the_checkin_and_opens_results(db_url: str) -> None:
    get_store().save_profile("Ann", RunnerProfile(sex="female", team="Ridge Runners"))
    at = app("Ann", "Ridge Runners").run()
    # Sex is on the profile, not asked every week.
    assert not [w for w in at.get("button_group") if getattr(w, "key", None) == "ci_sex"]
    assert_no_exception(at)
    fill_checkin(
        at,
        pain_locations=["front_knee"],
        pain_side="left",
        pain_level=5,
        pain_triggers=["stairs", "downhill"],
        training_changes=["more_hills"],
        weekly_km=42.0,
        longest_run_km=18.0,
        sitting_hours=9.0,
        strength_sessions=1,
        mobility_sessions=2,
        limitations=["tight_quads"],
        ostrc_participation=1,
        ostrc_training=2,
    )
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    history = get_store().history("Ann")
    assert len(history) == 1
    row = history.iloc[0]
    assert row["pain_locations"] == "front_knee" and row["pain_side"] == "left"
    assert row["pain_triggers"] == "downhill;stairs"
    assert row["pain_level"] == 5 and row["weekly_km"] == 42.0 and row["sex"] == "female"
    assert row["team"] == "Ridge Runners"
    assert row["ostrc_participation"] == 1 and row["ostrc_training"] == 2
    assert pd.isna(row["ostrc_pain"])
    assert row["date"].date() == clock.today()
    assert at.session_state["result_id"] == int(row["id"])


def test_the_form_starts_from_the_previous_checkin() -> None:
    get_store().save_checkin(
        {
            "runner": "Ben",
            "date": (clock.today() - dt.timedelta(days=7)).isoformat(),
            "pain_locations": "outer_knee",
            "pain_level": 3,
            "weekly_km": 50,
            "limitations": "stiff_hips;weak_glutes",
            "warning_signs": "swelling",
        }
    )
    at = app("Ben").run()
    assert_no_exception(at)
    assert at.pills(key="ci_pain_locations").value == ["outer_knee"]
    assert at.slider(key="ci_pain_level").value == 3
    assert at.number_input(key="ci_weekly_km").value == 50
    assert at.pills(key="ci_limitations").value == ["stiff_hips", "weak_glutes"]
    # Warning signs describe one week: they are asked afresh.
    assert at.pills(key="ci_warning_signs").value == []
    assert at.date_input(key="ci_date").value == clock.today()


def test_resubmitting_a_week_asks_before_replacing() -> None:
    at = app("Cat").run()
    fill_checkin(at, pain_level=2)
    button(at, "Save check-in").click().run()
    at = app("Cat").run()
    fill_checkin(at, pain_level=6)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert any("already checked in for this week" in t for t in texts(at.warning))
    assert get_store().history("Cat")["pain_level"].tolist() == [2]
    button(at, "Keep the old one").click().run()
    assert get_store().history("Cat")["pain_level"].tolist() == [2]
    button(at, "Save check-in").click().run()
    button(at, "Replace it").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    assert get_store().history("Cat")["pain_level"].tolist() == [6]


def test_impossible_values_are_named_next_to_their_field_and_not_saved() -> None:
    at = app("Dan").run()
    fill_checkin(at, weekly_km=10.0, longest_run_km=30.0)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    errors = texts(at.error)
    assert LONGEST_RUN_TOO_LONG in errors, errors
    assert not any("weekly_km" in t or "Allowed" in t for t in errors), errors
    assert any("need a fix" in t for t in errors)
    assert get_store().history("Dan").empty


def test_a_database_error_keeps_what_the_runner_typed() -> None:
    def broken(self, row, *, replace=False, actor=None):
        raise StorageError("The database at test.db is read-only.")

    at = app("Eve").run()
    fill_checkin(at, pain_locations=["buttock"], pain_level=4, sitting_hours=11.0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "save_checkin", broken)
        button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert any("was not saved" in t and "read-only" in t for t in texts(at.error))
    assert at.title[0].value == "Weekly check-in"
    assert at.pills(key="ci_pain_locations").value == ["buttock"]
    assert at.slider(key="ci_pain_level").value == 4
    assert at.slider(key="ci_sitting_hours").value == 11.0
    # Once the database is back, the same answers save.
    button(at, "Save check-in").click().run()
    assert at.title[0].value == "Your results", texts(at.error) + texts(at.warning)
    assert get_store().history("Eve")["pain_locations"].tolist() == ["buttock"]


def test_no_warning_or_second_menu() -> None:
    at = app("Fay").run()
    assert_no_exception(at)
    assert not at.warning


def test_editing_a_checkin_onto_a_taken_week_asks_then_replaces_it() -> None:
    store = get_store()
    two_weeks_ago = clock.today() - dt.timedelta(days=14)
    last_week = clock.today() - dt.timedelta(days=7)
    moved = store.save_checkin({"runner": "Hal", "date": two_weeks_ago.isoformat()})
    store.save_checkin({"runner": "Hal", "date": last_week.isoformat(), "pain_level": 3})
    at = app("Hal")
    at.session_state["ci_edit_id"] = moved
    at.run()
    fill_checkin(at, date=last_week, pain_level=7)
    button(at, "Save changes").click().run()
    assert_no_exception(at)
    assert any("already checked in for this week" in t for t in texts(at.warning))
    assert len(store.history("Hal")) == 2  # nothing changed yet
    button(at, "Replace it").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    history = store.history("Hal")
    assert history["id"].tolist() == [moved]
    assert history["date"].dt.date.tolist() == [last_week]
    assert history["pain_level"].tolist() == [7]


def test_editing_a_past_checkin_keeps_its_id_and_week() -> None:
    store = get_store()
    old_day = clock.today() - dt.timedelta(days=14)
    checkin_id = store.save_checkin(
        {
            "runner": "Gus",
            "date": old_day.isoformat(),
            "pain_level": 2,
            "warning_signs": "swelling",
            "ostrc_pain": 1,
        }
    )
    at = app("Gus")
    at.session_state["ci_edit_id"] = checkin_id
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "Edit check-in"
    assert at.date_input(key="ci_date").value == old_day
    assert at.pills(key="ci_warning_signs").value == ["swelling"]
    assert at.radio(key="ci_ostrc_pain").value == 1
    fill_checkin(at, pain_level=6)
    button(at, "Save changes").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    history = store.history("Gus")
    assert history["id"].tolist() == [checkin_id]
    assert history["pain_level"].tolist() == [6]
    assert history["date"].dt.date.tolist() == [old_day]
    # Back on the check-in page, a new week starts again.
    at.switch_page("pages/checkin.py")
    at.run()
    assert at.title[0].value == "Weekly check-in"
    assert at.pills(key="ci_warning_signs").value == []


def _last_week(runner: str, **values) -> int:
    day = clock.today() - dt.timedelta(days=7)
    return get_store().save_checkin({"runner": runner, "date": day.isoformat(), **values})


def test_carried_answers_are_marked_and_one_tap_clears_them() -> None:
    _last_week("Ida", pain_locations="outer_knee", pain_level=3, strength_sessions=2)
    at = app("Ida").run()
    assert_no_exception(at)
    assert at.radio(key="ci_start").value == "same"
    assert any("Last week's answer" in t for t in texts(at.caption))
    at.radio(key="ci_start").set_value("blank").run()
    assert_no_exception(at)
    assert at.pills(key="ci_pain_locations").value == []
    assert at.slider(key="ci_pain_level").value == 0
    assert at.number_input(key="ci_strength_sessions").value == 0
    assert not any("Last week's answer" in t for t in texts(at.caption))
    at.radio(key="ci_start").set_value("same").run()
    assert at.pills(key="ci_pain_locations").value == ["outer_knee"]


def test_a_repeat_checkin_changing_only_the_pain_saves_the_rest_as_last_week() -> None:
    _last_week("Jo", pain_locations="front_knee", pain_side="right", pain_level=3, weekly_km=30)
    at = app("Jo").run()
    fill_checkin(at, pain_level=5)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    row = get_store().latest_checkin("Jo")
    assert row["pain_level"] == 5 and row["pain_side"] == "right" and row["weekly_km"] == 30


def test_areas_ticked_with_pain_0_ask_before_saving() -> None:
    at = app("Kim").run()
    fill_checkin(at, pain_locations=["buttock"], pain_side="both", pain_level=0)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    assert any("worst pain is 0" in t for t in texts(at.warning))
    assert get_store().history("Kim").empty
    button(at, "Clear them and save").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    row = get_store().latest_checkin("Kim")
    assert row["pain_locations"] == "" and row["pain_side"] is None


def test_keeping_the_areas_with_pain_0_saves_them() -> None:
    at = app("Lou").run()
    fill_checkin(at, pain_locations=["buttock"], pain_level=0)
    button(at, "Save check-in").click().run()
    button(at, "Keep them and save").click().run()
    assert at.title[0].value == "Your results"
    assert get_store().latest_checkin("Lou")["pain_locations"] == "buttock"


@pytest.mark.parametrize(
    ("sex", "offered"), [("female", True), (None, True), ("male", False), ("other", False)]
)
def test_a_missed_period_is_asked_only_of_a_female_runner_or_one_who_did_not_say(
    sex: str | None, offered: bool
) -> None:
    get_store().save_profile("Pat", RunnerProfile(sex=sex))
    at = app("Pat").run()
    assert_no_exception(at)
    options = at.pills(key="ci_warning_signs").options
    assert ("No period for three months or more" in options) is offered
    assert "Numbness between the legs" in options


def test_editing_keeps_a_stored_missed_period_when_the_profile_says_male() -> None:
    store = get_store()
    day = (clock.today() - dt.timedelta(days=14)).isoformat()
    checkin_id = store.save_checkin(
        {"runner": "Sam", "date": day, "warning_signs": "missed_periods"}
    )
    store.save_profile("Sam", RunnerProfile(sex="male"))
    at = app("Sam")
    at.session_state["ci_edit_id"] = checkin_id
    at.run()
    assert_no_exception(at)
    assert at.pills(key="ci_warning_signs").value == ["missed_periods"]


def test_a_week_already_checked_in_says_so_at_once_and_opens_it() -> None:
    day = clock.today()
    checkin_id = get_store().save_checkin(
        {"runner": "Max", "date": day.isoformat(), "pain_level": 4}
    )
    at = app("Max").run()
    assert_no_exception(at)
    week = day.isocalendar().week
    banner = [t for t in texts(at.warning) if "You checked in for week" in t]
    assert banner == [f"You checked in for week {week} on {day:%A}: edit it?"]
    button(at, "Edit that check-in").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Edit check-in"
    assert at.session_state["ci_editing"] == checkin_id
    assert not [t for t in texts(at.warning) if "You checked in for week" in t]
    # An earlier, free week: no banner.
    fill_checkin(at, date=day - dt.timedelta(days=21)).run()
    assert not [t for t in texts(at.warning) if "You checked in for week" in t]


def test_distances_are_typed_and_shown_in_miles_and_stored_in_km() -> None:
    store = get_store()
    store.save_profile("Ned", RunnerProfile(units="miles"))
    _last_week("Ned", weekly_km=16.09344)
    at = app("Ned").run()
    assert_no_exception(at)
    weekly = at.number_input(key="ci_weekly_km")
    assert weekly.label == "Distance this week (mi)" and weekly.value == 10.0
    fill_checkin(at, weekly_km=20.0, longest_run_km=5.0, pain_level=1)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    row = store.latest_checkin("Ned")
    assert row["weekly_km"] == pytest.approx(32.18688)
    assert row["longest_run_km"] == pytest.approx(8.04672)


def test_the_answers_are_in_a_form_and_the_map_in_a_fragment() -> None:
    """A tap on a question sends nothing until Save: every question but the date, the start
    choice and the body map's own widgets sits inside the form."""
    at = app("Oli").run()
    in_form = {
        w.key for w in at.get("slider") + at.get("number_input") + at.get("radio") if w.form_id
    }
    assert {"ci_pain_level", "ci_weekly_km", "ci_sitting_hours", "ci_ostrc_pain"} <= in_form


# --- distances from recorded runs (issue 14) ------------------------------------------------


def _recorded_runs(runner: str, km: list[float], weeks_ago: int = 0) -> None:
    from logic.storage.runs import RunStore
    from logic.weeks import week_start

    monday = week_start(clock.today()) - pd.Timedelta(weeks=weeks_ago)
    dates = monday + pd.to_timedelta(range(len(km)), unit="D")
    runs = pd.DataFrame(
        {
            "start_utc": (dates + pd.Timedelta(hours=7)).tz_localize("UTC"),
            "local_date": dates,
            "sport": "run",
            "distance_km": km,
            "moving_s": [k * 360 for k in km],
            "elapsed_s": [k * 360 for k in km],
            "elevation_gain_m": [k * 5 for k in km],
            "source": "watch.fit",
            "content_hash": [f"{runner}{weeks_ago}{i}" for i in range(len(km))],
        }
    )
    get_store().add_runner(runner)
    RunStore(get_store()).import_runs(runner, runs)


def test_recorded_runs_prefill_the_distances_and_the_runner_can_override_them() -> None:
    _recorded_runs("Ann", [8.0, 12.5, 6.0, 16.0])
    at = app("Ann").run()
    assert_no_exception(at)
    assert at.number_input(key="ci_weekly_km").value == 42.5
    assert at.number_input(key="ci_longest_run_km").value == 16.0
    assert any("from 4 recorded runs" in t for t in texts(at.caption))
    at.number_input(key="ci_weekly_km").set_value(45.0)
    at.slider(key="ci_pain_level").set_value(1)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    row = get_store().latest_checkin("Ann")
    assert row["weekly_km"] == 45.0 and row["longest_run_km"] == 16.0


def test_recorded_distances_are_shown_in_miles_for_a_runner_in_miles() -> None:
    get_store().save_profile("Bea", RunnerProfile(units="miles"))
    _recorded_runs("Bea", [16.09344])
    at = app("Bea").run()
    assert at.number_input(key="ci_weekly_km").value == 10.0
    assert any("from 1 recorded run " in t for t in texts(at.caption))


def test_without_recorded_runs_the_form_says_nothing_about_them() -> None:
    _recorded_runs("Cy", [10.0], weeks_ago=3)  # runs, but not this week
    at = app("Cy").run()
    assert not [t for t in texts(at.caption) if "recorded run" in t]
