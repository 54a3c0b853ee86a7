"""Sessions end: an admin's change to an account signs that person's open tabs out on their next
run, sign-out forgets everything the tab held, and an idle session is signed out.

Two AppTest instances are two browser tabs (two sessions) on one database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from logic import clock
from logic.session_keys import CI_VALUES
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from pages.shared.common import ACCOUNT_CHANGED, USER_KEY
from tests.support.apptest import app, assert_no_exception, button, on_page, texts

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new password"
SIGN_IN = "Sign in to Stride Check"


@pytest.fixture
def team(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.delenv("STRIDE_CHECK_IDLE_TIMEOUT_HOURS", raising=False)
    accounts = Accounts(get_store())
    ids = {
        "root": accounts.create_user("root", role="admin", password=PASSWORD).id,
        "coach_a": accounts.create_user(
            "coach_a", role="coach", password=PASSWORD, coach_of=["A"]
        ).id,
        "ann": accounts.create_user("ann", role="runner", password=PASSWORD, team="A").id,
    }
    get_store().save_checkin(
        {"runner": "ann", "team": "A", "date": clock.today().isoformat(), "pain_level": 2}
    )
    return ids


def signed_in(username: str, password: str = PASSWORD) -> AppTest:
    """A tab where `username` signed in through the sign-in form."""
    at = app().run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert_no_exception(at)
    assert USER_KEY in at.session_state, texts(at.error)
    return at


def is_signed_out(at: AppTest) -> bool:
    """No user in the session, and the page shows the sign-in form, or (a page file AppTest
    runs on its own, without the app's navigation) nothing but a request to sign in."""
    if USER_KEY in at.session_state:
        return False
    if at.title:
        return at.title[0].value == SIGN_IN
    return texts(at.info) == ["Sign in to see this page."]


def admin_tab(pick: str) -> AppTest:
    """The admin's tab on the Admin page, with account `pick` chosen."""
    at = on_page(signed_in("root"), "pages/admin.py")
    at.selectbox(key="admin_pick").set_value(pick).run()
    assert_no_exception(at)
    return at


def set_password(at: AppTest, uid: int) -> None:
    at.text_input(key=f"edit_pw_{uid}").input(NEW_PASSWORD)
    at.button(key=f"edit_setpw_{uid}").click().run()
    assert "Password set." in texts(at.success)


def save_and_confirm(at: AppTest, uid: int) -> None:
    at.button(key=f"edit_save_{uid}").click().run()
    at.button(key=f"edit_confirm_{uid}").click().run()
    assert any(t.startswith("Saved:") for t in texts(at.success)), texts(at.error)


def change_role(at: AppTest, uid: int) -> None:
    at.selectbox(key=f"edit_role_{uid}").set_value("coach").run()
    at.multiselect(key=f"edit_teams_{uid}").set_value(["A"]).run()
    save_and_confirm(at, uid)


def change_team(at: AppTest, uid: int) -> None:
    at.selectbox(key=f"edit_team_{uid}").set_value("").run()
    save_and_confirm(at, uid)


def deactivate(at: AppTest, uid: int) -> None:
    at.button(key=f"edit_off_{uid}").click().run()
    assert "ann deactivated." in texts(at.success)


CHANGES: dict[str, Callable[[AppTest, int], None]] = {
    "password": set_password,
    "role": change_role,
    "team": change_team,
    "deactivation": deactivate,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_an_admins_change_signs_the_other_tab_out(team: dict[str, int], change: str) -> None:
    tab = on_page(signed_in("ann"), "pages/history.py")
    assert tab.title[0].value == "History"
    admin = admin_tab("ann")
    CHANGES[change](admin, team["ann"])
    assert_no_exception(admin)

    tab.run()  # ann's next click, after the change
    assert_no_exception(tab)
    assert is_signed_out(tab)
    assert ACCOUNT_CHANGED in texts(tab.warning)
    assert not [t for t in texts(tab.markdown) if "ann" in t]  # nothing of ann's is left
    # The admin's own tab carries on.
    admin.run()
    assert_no_exception(admin)
    assert admin.session_state[USER_KEY] == team["root"] and admin.title[0].value == "Admin"


def test_after_a_password_reset_only_the_new_password_signs_in(team: dict[str, int]) -> None:
    set_password(admin_tab("ann"), team["ann"])
    at = app().run()
    at.text_input[0].input("ann")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert USER_KEY not in at.session_state
    assert signed_in("ann", NEW_PASSWORD).session_state[USER_KEY] == team["ann"]


def test_a_change_to_another_account_leaves_the_tab_alone(team: dict[str, int]) -> None:
    tab = on_page(signed_in("ann"), "pages/history.py")
    set_password(admin_tab("coach_a"), team["coach_a"])
    tab.run()
    assert_no_exception(tab)
    assert tab.session_state[USER_KEY] == team["ann"] and tab.title[0].value == "History"
    assert ACCOUNT_CHANGED not in texts(tab.warning)


def test_a_session_without_a_version_is_not_signed_in(team: dict[str, int]) -> None:
    """Only the sign-in form starts a session: a user id alone does not."""
    at = app()
    at.session_state[USER_KEY] = team["root"]
    at.run()
    assert_no_exception(at)
    assert is_signed_out(at)


def test_sign_out_leaves_only_what_a_fresh_session_has(team: dict[str, int]) -> None:
    fresh = app().run()
    assert_no_exception(fresh)
    at = on_page(signed_in("ann"), "pages/history.py")
    at.segmented_control(key="hist_period").set_value("12 weeks").run()
    at = on_page(at, "pages/checkin.py")  # the check-in form keeps its answers in the session
    assert_no_exception(at)
    held = set(at.session_state.keys())
    assert {USER_KEY, CI_VALUES} <= held
    # AppTest runs a page file on its own after the first run; the sidebar's Sign out button is
    # drawn by the app script, so run that.
    at = on_page(at, "streamlit_app.py")
    button(at, "Sign out").click().run()
    assert_no_exception(at)
    assert is_signed_out(at)
    assert set(at.session_state.keys()) == set(fresh.session_state.keys())
    assert not [t for t in texts(at.markdown) if "ann" in t]


def idle_tab(hours: float, team_ids: dict[str, int]) -> AppTest:
    at = on_page(signed_in("ann"), "pages/history.py")
    assert at.session_state[USER_KEY] == team_ids["ann"]
    return at


def test_an_idle_session_is_signed_out_after_12_hours(team: dict[str, int]) -> None:
    start = clock.now()
    at = idle_tab(12, team)
    # Each run counts as activity: 11 hours, then 11 more, and the session holds.
    for hours in (11, 22):
        with clock.freeze(start + dt.timedelta(hours=hours)):
            at.run()
        assert_no_exception(at)
        assert at.session_state[USER_KEY] == team["ann"], texts(at.warning)
    with clock.freeze(start + dt.timedelta(hours=22 + 12, seconds=1)):
        at.run()
    assert_no_exception(at)
    assert is_signed_out(at)
    assert "You were signed out after 12 hours without activity; please sign in again." in texts(
        at.warning
    )


def test_exactly_12_idle_hours_still_hold(team: dict[str, int]) -> None:
    start = clock.now()
    at = idle_tab(12, team)
    with clock.freeze(start + dt.timedelta(hours=12)):
        at.run()
    assert at.session_state[USER_KEY] == team["ann"]


def test_the_idle_timeout_is_configurable(
    team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_IDLE_TIMEOUT_HOURS", "0.5")
    start = clock.now()
    at = idle_tab(0.5, team)
    with clock.freeze(start + dt.timedelta(minutes=31)):
        at.run()
    assert is_signed_out(at)
    assert any("after 0.5 hours without activity" in t for t in texts(at.warning))


def test_a_broken_idle_timeout_stops_the_app_with_a_message_naming_it(
    team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_IDLE_TIMEOUT_HOURS", "forever")
    at = app().run()
    assert_no_exception(at)
    errors = texts(at.error)
    assert any("STRIDE_CHECK_IDLE_TIMEOUT_HOURS is 'forever'" in e for e in errors), errors
