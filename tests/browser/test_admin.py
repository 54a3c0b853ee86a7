"""Real-browser journey of the Admin page (issue 11, finding 2).

An admin changes roles and teams for three accounts in a row, switching accounts between every
edit. Before the fix, picking the admin `ra` and then `coachA` left "admin" in the Role box and
an empty Coaches box, and "Save role" made coachA an admin and removed their team A. Now each
account's widgets show its stored values, nothing is written before a confirmation naming the
account and the change, and the database is checked after every step: each change is exactly
the one the admin saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from logic.storage.accounts import Accounts, User
from logic.storage.store import Store
from scripts.appserver import DEVICE_OPTIONS, sqlite_url
from tests.support.browser import assert_clean, main, nav_to, open_app, wait_for_app

pytestmark = pytest.mark.browser

TEAM_ENV = {"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "local"}
PASSWORD = "admin-journey-2026"


def seed(path: Path) -> tuple[str, dict[str, int]]:
    """ra (admin), coachA (coach of A), ann (runner on A), bob (runner on B); team C empty."""
    url = sqlite_url(path)
    store = Store(url)
    try:
        accounts = Accounts(store)
        ids = {
            "ra": accounts.create_user("ra", role="admin", password=PASSWORD).id,
            "coachA": accounts.create_user(
                "coachA", role="coach", password=PASSWORD, coach_of=["A"]
            ).id,
            "ann": accounts.create_user("ann", role="runner", password=PASSWORD, team="A").id,
            "bob": accounts.create_user("bob", role="runner", password=PASSWORD, team="B").id,
        }
        accounts.create_team("C")
    finally:
        store.dispose()
    return url, ids


class Db:
    """Reads the app's database afresh for each check (the server writes it meanwhile)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def state(self) -> dict[str, tuple[str, tuple[str, ...], str | None]]:
        """username -> (role, coached teams, team of their runner)."""
        store = Store(self.url)
        try:
            accounts = Accounts(store)
            users = [accounts.by_username(n) for n in ("ra", "coachA", "ann", "bob")]
            return {
                u.username: (u.role, u.teams, accounts.runner_team(u.runner))
                for u in users
                if isinstance(u, User)
            }
        finally:
            store.dispose()


def widget(page: Page, key: str) -> Locator:
    return main(page).locator(f".st-key-{key}")


def choose(page: Page, key: str, option: str) -> None:
    """Pick an option of the selectbox or multiselect with this widget key."""
    box = widget(page, key).get_by_role("combobox")
    box.click()
    box.fill(option)  # typing opens the list and filters it (it is virtualised)
    page.get_by_role("option", name=option, exact=True).click()
    if page.get_by_role("listbox").count():  # a multiselect keeps its list open
        page.keyboard.press("Escape")
    wait_for_app(page)


def shows(page: Page, key: str, value: str) -> None:
    """The selectbox with this widget key shows `value` (its combobox holds it)."""
    expect(widget(page, key).get_by_role("combobox")).to_have_value(value)


def pick_account(page: Page, username: str) -> None:
    choose(page, "admin_pick", username)
    shows(page, "admin_pick", username)


def save_and_confirm(page: Page, user_id: int, question: str) -> None:
    body = main(page)
    body.get_by_role("button", name="Save changes").click()
    wait_for_app(page)
    expect(body.get_by_text(question, exact=True)).to_be_visible()
    widget(page, f"edit_confirm_{user_id}").get_by_role("button").click()
    wait_for_app(page)
    expect(body.get_by_text(f"Saved: {question[:-1]}.")).to_be_visible()
    assert_clean(page)


def test_an_admin_changes_three_accounts_in_a_row(
    app_server_factory, page_factory, tmp_path: Path
) -> None:
    url, ids = seed(tmp_path / "team.db")
    db = Db(url)
    server = app_server_factory(db_url=url, env=TEAM_ENV)
    page = page_factory("desktop", **DEVICE_OPTIONS["desktop"])
    body = main(page)
    start = db.state()
    assert start == {
        "ra": ("admin", (), None),
        "coachA": ("coach", ("A",), None),
        "ann": ("runner", (), "A"),
        "bob": ("runner", (), "B"),
    }

    open_app(page, server.base_url)
    body.get_by_role("textbox", name="Username").fill("ra")
    body.get_by_role("textbox", name="Password").fill(PASSWORD)
    body.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    nav_to(page, "Admin")
    expect(body.get_by_role("heading", name="Admin")).to_be_visible()

    # -- the report's steps: ra, then coachA; coachA's own values show --------------------------
    pick_account(page, "ra")
    shows(page, f"edit_role_{ids['ra']}", "admin")
    pick_account(page, "coachA")
    shows(page, f"edit_role_{ids['coachA']}", "coach")  # not "admin", left from ra
    expect(widget(page, f"edit_teams_{ids['coachA']}")).to_contain_text("A")
    expect(body.get_by_role("button", name="Save changes")).to_be_disabled()  # nothing to save
    assert db.state() == start

    # -- 1. coachA becomes an admin (and so no longer coaches A) -------------------------------
    choose(page, f"edit_role_{ids['coachA']}", "admin")
    save_and_confirm(page, ids["coachA"], "Make coachA an admin and remove them as coach of A?")
    after_1 = {**start, "coachA": ("admin", (), None)}
    assert db.state() == after_1

    # -- 2. ann moves from team A to team C ---------------------------------------------------
    pick_account(page, "ann")
    shows(page, f"edit_role_{ids['ann']}", "runner")
    shows(page, f"edit_team_{ids['ann']}", "A")
    choose(page, f"edit_team_{ids['ann']}", "C")
    save_and_confirm(page, ids["ann"], "Move runner ann from team A to team C?")
    after_2 = {**after_1, "ann": ("runner", (), "C")}
    assert db.state() == after_2

    # -- 3. bob becomes a coach of A (his runner stays on B) -----------------------------------
    pick_account(page, "bob")
    shows(page, f"edit_role_{ids['bob']}", "runner")
    shows(page, f"edit_team_{ids['bob']}", "B")
    choose(page, f"edit_role_{ids['bob']}", "coach")
    choose(page, f"edit_teams_{ids['bob']}", "A")
    save_and_confirm(page, ids["bob"], "Make bob a coach of A?")
    assert db.state() == {**after_2, "bob": ("coach", ("A",), "B")}

    # -- back to coachA: the stored values again, not what was on screen before ----------------
    pick_account(page, "coachA")
    shows(page, f"edit_role_{ids['coachA']}", "admin")
    expect(body.get_by_role("button", name="Save changes")).to_be_disabled()
    assert_clean(page)
