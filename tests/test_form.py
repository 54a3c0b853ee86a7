"""Form values: defaults from last week, back to a row, and week labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from logic.form import (
    ASK_PAIN,
    BACK,
    LONGEST_RUN_TOO_LONG,
    REPLACE,
    SAVE,
    after_submit,
    carried_over,
    check_row,
    edit_values,
    form_columns,
    form_defaults,
    needs_pain_confirm,
    offered_values,
    row_from_form,
    week_choices,
)
from logic.profile import RunnerProfile

TODAY = dt.date(2026, 11, 26)


def test_defaults_without_history_are_the_schema_defaults() -> None:
    values = form_defaults(None, TODAY)
    assert values["date"] == TODAY
    assert values["pain_level"] == 0 and "sex" not in values
    assert values["pain_side"] is None
    assert values["pain_locations"] == [] and values["weekly_km"] is None


def test_defaults_carry_last_week_but_not_its_warning_signs() -> None:
    previous = {
        "date": pd.Timestamp("2026-11-18"),
        "pain_locations": "front_knee;buttock",
        "pain_level": 3,
        "weekly_km": float("nan"),
        "strength_sessions": 2,
        "warning_signs": "fever",
    }
    values = form_defaults(previous, TODAY)
    assert values["pain_locations"] == ["front_knee", "buttock"]
    assert values["pain_level"] == 3 and isinstance(values["strength_sessions"], int)
    assert values["weekly_km"] is None
    assert values["warning_signs"] == [] and values["date"] == TODAY
    # The OSTRC answers are about one week too.
    assert form_defaults({"ostrc_pain": 2}, TODAY)["ostrc_pain"] is None


def test_a_form_round_trips_to_a_valid_row() -> None:
    values = form_defaults(None, TODAY) | {"pain_triggers": ["stairs", "uphill"]}
    row = row_from_form(values, "Ann", "")
    assert row["team"] is None and row["date"] == "2026-11-26"
    assert row["pain_triggers"] == "stairs;uphill"
    assert check_row(row) == {}


def test_problems_are_keyed_by_field() -> None:
    row = row_from_form(form_defaults(None, TODAY), "", None) | {"pain_level": 12}
    problems = check_row(row)
    assert set(problems) == {"runner", "pain_level"}
    assert problems["pain_level"] == "Enter a whole number from 0 to 10."


def test_week_choices_are_newest_first() -> None:
    history = pd.DataFrame({"id": [4, 9], "date": pd.to_datetime(["2026-11-10", "2026-11-26"])})
    assert list(week_choices(history).values()) == [9, 4]


def test_edit_values_keep_the_checkins_own_date_and_warning_signs() -> None:
    stored = {
        "id": 7,
        "runner": "Ann",
        "date": dt.date(2025, 3, 5),
        "pain_locations": "outer_knee;outer_hip",
        "pain_level": 4,
        "warning_signs": "swelling",
        "weekly_km": 42.0,
        "ostrc_participation": 2,
        "ostrc_training": None,
    }
    values = edit_values(stored)
    assert values["date"] == dt.date(2025, 3, 5)
    assert values["warning_signs"] == ["swelling"]
    assert values["pain_locations"] == ["outer_knee", "outer_hip"]
    assert values["pain_level"] == 4 and values["weekly_km"] == 42.0
    assert values["ostrc_participation"] == 2 and values["ostrc_training"] is None
    assert "runner" not in values and "id" not in values
    stamped = edit_values({**stored, "date": pd.Timestamp("2025-03-05")})
    assert stamped["date"] == dt.date(2025, 3, 5)


def test_messages_are_plain_words_without_column_names() -> None:
    values = form_defaults(None, TODAY) | {"weekly_km": 10.0, "longest_run_km": 30.0}
    assert check_row(row_from_form(values, "Ann", None)) == {"longest_run_km": LONGEST_RUN_TOO_LONG}
    bad = row_from_form(form_defaults(None, TODAY), "Ann", None) | {
        "sitting_hours": 30,
        "pain_side": "middle",
        "strength_sessions": 1.5,
    }
    problems = check_row(bad)
    assert problems == {
        "sitting_hours": "Enter a number from 0 to 24.",
        "pain_side": "Pick from the answers shown.",
        "strength_sessions": "Enter a whole number from 0 to 14.",
    }
    columns = form_columns()
    for message in problems.values():
        assert "Allowed" not in message and not any(c in message for c in columns)


def test_sex_comes_from_the_profile_and_distances_go_back_to_km() -> None:
    values = form_defaults(None, TODAY) | {"weekly_km": 10.0, "longest_run_km": 5.0}
    row = row_from_form(values, "Ann", None, profile=RunnerProfile(sex="female", units="miles"))
    assert row["sex"] == "female"
    assert row["weekly_km"] == pytest.approx(16.09344)
    assert row["longest_run_km"] == pytest.approx(8.04672)
    assert row_from_form(values, "Ann", None)["sex"] == "unspecified"
    shown = form_defaults({"weekly_km": 16.09344}, TODAY, units="miles")
    assert shown["weekly_km"] == 10.0


def test_carried_answers_are_the_ones_last_week_set() -> None:
    previous = {"pain_locations": "buttock", "pain_side": "left", "strength_sessions": 2}
    values = form_defaults(previous, TODAY)
    assert carried_over(values) == ["pain_locations", "pain_side", "strength_sessions"]
    assert carried_over(form_defaults(None, TODAY)) == []


def test_areas_with_pain_0_need_a_word() -> None:
    assert needs_pain_confirm({"pain_locations": ["buttock"], "pain_level": 0})
    assert not needs_pain_confirm({"pain_locations": ["buttock"], "pain_level": 2})
    assert not needs_pain_confirm({"pain_locations": [], "pain_level": 0})


@pytest.mark.parametrize(
    ("sex", "offered"), [("female", True), (None, True), ("male", False), ("other", False)]
)
def test_a_missed_period_is_offered_only_where_the_profile_allows_it(
    sex: str | None, offered: bool
) -> None:
    values = offered_values("warning_signs", profile=RunnerProfile(sex=sex))
    assert ("missed_periods" in values) is offered
    assert "swelling" in values and "saddle_numbness" in values  # the rest for everyone


def test_a_stored_answer_stays_offered_whatever_the_profile_says() -> None:
    """Editing an old check-in of a runner whose profile changed: the answer is not lost."""
    male = RunnerProfile(sex="male")
    assert "missed_periods" in offered_values(
        "warning_signs", profile=male, keep=["missed_periods"]
    )


AREAS_AT_0 = {"pain_locations": ["buttock"], "pain_level": 0}


@pytest.mark.parametrize(
    ("action", "values", "step"),
    [
        (None, AREAS_AT_0, None),
        ("save", AREAS_AT_0, ASK_PAIN),
        ("save", {"pain_locations": ["buttock"], "pain_level": 2}, SAVE),
        ("save", {"pain_locations": [], "pain_level": 0}, SAVE),
        ("keep_areas", AREAS_AT_0, SAVE),
        ("clear_areas", {"pain_locations": [], "pain_level": 0}, SAVE),
        ("replace", AREAS_AT_0, REPLACE),
        ("keep_old", AREAS_AT_0, BACK),
    ],
)
def test_after_submit_asks_about_pain_0_only_on_a_plain_save(action, values, step) -> None:
    assert after_submit(action, values) == step
