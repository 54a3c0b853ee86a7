"""Every button on History, Results and Team, clicked as each role, shows no exception.

Roles: a runner in personal mode; a runner, a coach and an admin in team mode (one server per
mode, each with a fresh, throwaway database seeded with weeks up to today). Each button is
clicked once (back on the page when the last one left it); the first button that appears
after a click is clicked too: Delete's "Yes, delete it". Download buttons are left out (they
only download). After every click the page must be clean: no Streamlit exception, no app
error message, no console error (tests.support.browser.assert_clean).

This is the check for the bug of a coach's History offering Edit, which switched to a page
outside their navigation and showed StreamlitPageNotFoundError with a traceback.

Also: the first visitor of a new server who opens a page by its URL gets the app's
navigation, not Streamlit's old pages-directory mode (which listed every file of pages/).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from logic.storage.accounts import Accounts
from logic.storage.store import Store
from scripts.appserver import sqlite_url
from tests.support.browser import assert_clean, main, nav_to, open_app, wait_for_app

pytestmark = pytest.mark.browser

TEAM_ENV = {"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "local"}
PASSWORD = "every-button-2026"
RUNNERS = {"Ann Ridge": "A", "Bob Scree": "A"}
ACCOUNTS = {  # username -> role, runner name
    "ann": ("runner", "Ann Ridge"),
    "coach_a": ("coach", None),
    "root": ("admin", None),
}
# The pages each role is checked on (those of the three it has).
PAGES = {
    "personal": ("History", "Results", "Team"),
    "runner": ("History", "Results"),
    "coach": ("Team", "History", "Results"),
    "admin": ("Team", "History", "Results"),
}
# Buttons of Streamlit's own making, or that only download or ask for a file.
BUTTONS = (
    '[data-testid="stMain"] button:visible'
    ':not([data-testid="stBaseButton-elementToolbar"])'
    ':not([data-testid="stDownloadButton"] button)'
    ':not([data-testid="stFileUploader"] button)'
)


def today() -> dt.date:
    """The real date at the start of the test: the one place to swap for a clock."""
    return dt.date.today()


def seed(path: Path, *, team_mode: bool) -> str:
    """Two runners of team A with six weekly check-ins up to today (load, pain and the
    optional questions, so every chart and section is drawn); in team mode also a runner,
    a coach of A and an admin account."""
    url = sqlite_url(path)
    store = Store(url)
    try:
        if team_mode:
            for username, (role, runner) in ACCOUNTS.items():
                Accounts(store).create_user(
                    username,
                    role=role,
                    password=PASSWORD,
                    runner=runner,
                    team="A" if role == "runner" else None,
                    coach_of=["A"] if role == "coach" else (),
                )
        start = today()
        rows = [
            {
                "runner": runner,
                "team": team,
                "date": (start - dt.timedelta(weeks=i)).isoformat(),
                "pain_level": 3 + i % 4,
                "pain_locations": "outer_knee;outer_hip",
                "pain_triggers": "downhill;stairs",
                "weekly_km": 40 + 6 * i,
                "longest_run_km": 12 + i,
                "ostrc_participation": i % 3,
            }
            for runner, team in RUNNERS.items()
            for i in range(6)
        ]
        store.import_checkins(pd.DataFrame(rows))
    finally:
        store.dispose()
    return url


def labels(page: Page) -> list[str]:
    """The labelled buttons of the main area (a chart's or table's own icons are left out)."""
    found = page.locator(BUTTONS).all_inner_texts()
    # An icon and its label come as "💬\n\nReply": one space between words, as matched below.
    return list(dict.fromkeys(" ".join(t.split()) for t in found if t.strip()))


def click(page: Page, label: str) -> None:
    words = r"\s*".join(re.escape(word) for word in label.split())
    exact = re.compile(rf"^\s*{words}\s*$")
    button = page.locator(BUTTONS).filter(has_text=exact).first
    button.scroll_into_view_if_needed()
    button.click()
    wait_for_app(page)


def click_everything(page: Page, title: str, where: str) -> list[str]:
    """Click each button of the page `title` once, back on that page when a button left it,
    then the first button a click brought up (a confirmation); returns what was clicked."""
    nav_to(page, title)
    assert_clean(page)
    url = page.url
    clicked = []
    for label in labels(page):
        if page.url != url:
            nav_to(page, title)  # the last button opened another page
        before = set(labels(page))
        click(page, label)
        clicked.append(f"{where} {title}: {label}")
        assert_clean(page)
        new = [b for b in labels(page) if b not in before] if page.url == url else []
        if new:  # one step deeper: the first (primary) choice, e.g. "Yes, delete it"
            click(page, new[0])
            clicked.append(f"{where} {title}: {label} -> {new[0]}")
            assert_clean(page)
    return clicked


def sign_in(page: Page, base_url: str, username: str) -> None:
    open_app(page, base_url)
    body = main(page)
    body.get_by_role("textbox", name="Username").fill(username)
    body.get_by_role("textbox", name="Password").fill(PASSWORD)
    body.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    # Straight to the role's first page (no "Welcome ... Continue" step).
    role, runner = ACCOUNTS[username]
    home = "Weekly check-in" if role == "runner" or runner else "Team"
    expect(body.get_by_role("heading", name=home, exact=True)).to_be_visible()


def test_every_button_as_every_role(
    app_server_factory: Callable, page_factory: Callable, tmp_path: Path
) -> None:
    personal = app_server_factory(db_url=seed(tmp_path / "personal.db", team_mode=False))
    team = app_server_factory(db_url=seed(tmp_path / "team.db", team_mode=True), env=TEAM_ENV)
    clicked: list[str] = []

    page = page_factory("desktop")
    open_app(page, personal.base_url, "/history")
    body = main(page)
    body.get_by_role("combobox", name="Who is checking in?").click()
    page.get_by_role("option", name="Ann Ridge").click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="History", exact=True)).to_be_visible()
    for title in PAGES["personal"]:
        clicked += click_everything(page, title, "personal runner")

    for username, (role, _runner) in ACCOUNTS.items():
        page = page_factory("desktop")
        sign_in(page, team.base_url, username)
        for title in PAGES[role]:
            clicked += click_everything(page, title, role)

    # The walk reached the buttons it is about (so it cannot pass by clicking nothing).
    for expected in (
        "personal runner History: Edit",
        "personal runner History: Delete -> Yes, delete it",
        "runner History: Edit",
        "coach History: Open results",
        "admin History: Delete -> Yes, delete it",
    ):
        assert expected in clicked, clicked
    assert not [c for c in clicked if c.startswith(("coach History: Edit", "admin History: Edit"))]
    # A coach never deletes a runner's check-in: there is no button to click.
    assert not [c for c in clicked if c.startswith("coach History: Delete")]


def test_the_first_visitor_of_a_new_server_gets_the_roles_navigation(
    app_server_factory: Callable, page_factory: Callable, tmp_path: Path
) -> None:
    server = app_server_factory(db_url=seed(tmp_path / "team.db", team_mode=True), env=TEAM_ENV)
    page = page_factory("desktop")
    open_app(page, server.base_url, "/admin")  # the process's very first script run
    body = main(page)
    expect(body.get_by_role("heading", name="Sign in to Stride Check")).to_be_visible()
    links = page.locator('[data-testid="stTopNavLink"]')
    expect(links).to_have_count(2)
    assert [t.split()[-1] for t in links.all_inner_texts()] == ["in", "About"]
    expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_count(0)
    assert_clean(page)
