"""The profile page: set once what the weekly check-in no longer asks."""

from __future__ import annotations

import pytest

from logic.profile import RunnerProfile
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from tests.support.apptest import app, assert_no_exception, button, on_page, signed_in, texts

pytestmark = pytest.mark.usefixtures("db_url")


def test_a_runner_sets_sex_age_units_and_team() -> None:
    get_store().add_runner("Ann")
    at = on_page(app("Ann").run(), "pages/profile.py")
    assert_no_exception(at)
    assert at.title[0].value == "Your profile"
    at.segmented_control(key="profile_sex").set_value("female")
    at.segmented_control(key="profile_age").set_value("40_59")
    at.segmented_control(key="profile_units").set_value("miles")
    at.text_input[0].input("Ridge Runners")
    assert not at.checkbox  # reminders are emails: a solo runner has no address
    button(at, "Save profile").click().run()
    assert_no_exception(at)
    assert "Profile saved." in texts(at.success)
    assert get_store().get_profile("Ann") == RunnerProfile(
        sex="female", age_band="40_59", units="miles", team="Ridge Runners"
    )
    assert at.session_state["team"] == "Ridge Runners"


def test_the_checkin_then_fills_sex_from_the_profile_and_speaks_miles() -> None:
    get_store().save_profile("Bea", RunnerProfile(sex="male", units="miles"))
    at = app("Bea").run()
    assert at.number_input(key="ci_weekly_km").label == "Distance this week (mi)"
    at.number_input(key="ci_weekly_km").set_value(10.0)
    at.slider(key="ci_pain_level").set_value(2)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    row = get_store().latest_checkin("Bea")
    assert row["sex"] == "male" and row["weekly_km"] == pytest.approx(16.09344)


def test_the_profile_shows_what_is_stored() -> None:
    get_store().save_profile("Cy", RunnerProfile(sex="other", units="miles", reminders=False))
    at = on_page(app("Cy").run(), "pages/profile.py")
    assert at.segmented_control(key="profile_sex").value == "other"
    assert at.segmented_control(key="profile_units").value == "miles"
    button(at, "Save profile").click().run()
    assert get_store().get_profile("Cy").reminders is False  # kept though not shown


def test_a_team_runner_cannot_move_team_from_the_profile(monkeypatch) -> None:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    user = Accounts(get_store()).create_user(
        "ann", role="runner", password="correct horse battery", team="A"
    )
    at = on_page(signed_in(user.id).run(), "pages/profile.py")
    assert_no_exception(at)
    assert not at.text_input  # the team is the admin's to set
    at.segmented_control(key="profile_units").set_value("miles")
    button(at, "Save profile").click().run()
    assert_no_exception(at)
    profile = get_store().get_profile("ann")
    assert profile.units == "miles" and profile.team == "A"
