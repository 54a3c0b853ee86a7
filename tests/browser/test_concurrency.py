"""Concurrency: many runners checking in at once on one server; two servers on one database.

* 8 simulated runners (Playwright pages in one Chromium, asyncio, see
  benchmarks/load_checkins.py for the 50-runner version) create themselves and submit a
  check-in on ONE app server at the same time, on SQLite: every check-in is stored exactly once.
* Two app servers on different ports sharing one PostgreSQL database: a check-in submitted on
  either one is seen on the other's History page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from benchmarks.load_checkins import NEW_RUNNER, run_load
from logic import clock
from logic.storage.store import Store
from logic.weeks import day_label
from scripts.appserver import sqlite_url
from tests.support.browser import open_app, wait_for_app

pytestmark = pytest.mark.browser


def test_eight_runners_at_once_are_stored_exactly_once(tmp_path: Path) -> None:
    db_url = sqlite_url(tmp_path / "concurrent.db")
    report = run_load(db_url, runners=8, concurrency=8, backend="sqlite", overall_timeout=150)
    print(report.summary())
    assert not report.failures, report.summary()
    assert not report.problems(), report.summary()
    assert report.stored == {r.name: 1 for r in report.results}


# --- two servers, one PostgreSQL ----------------------------------------------------------


def _check_in_as_new_runner(page: Page, base_url: str, name: str) -> None:
    body = page.locator('[data-testid="stMain"]')
    open_app(page, base_url)
    name_box = body.get_by_role("textbox", name="Your name")
    if not name_box.count():
        picker = body.get_by_role("combobox", name="Who is checking in?")
        picker.click()
        picker.fill("New runner")  # the option list is virtualised: filter it
        page.get_by_role("option", name=NEW_RUNNER).click()
        wait_for_app(page)
    name_box.fill(name)
    body.get_by_role("button", name="Start").click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    body.get_by_role("button", name="Save check-in").click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="Your results")).to_be_visible()


def _expect_in_history(page: Page, base_url: str, name: str) -> None:
    """Open the server's History page in a new session, pick `name`, see today's check-in."""
    body = page.locator('[data-testid="stMain"]')
    open_app(page, base_url, "history")
    body.get_by_role("combobox", name="Who is checking in?").click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="History")).to_be_visible()
    expect(body.get_by_text(name, exact=True)).to_be_visible()
    expect(body.get_by_text("No check-ins yet")).to_have_count(0)
    today = clock.today()
    picked = body.get_by_role("combobox", name="Pick a check-in")
    expect(picked).to_have_value(re.compile(rf"^{re.escape(day_label(today))} · "))


@pytest.mark.postgres
def test_two_servers_on_one_postgres_see_each_others_checkins(
    app_server_factory,
    page_factory,
    fresh_postgres_url: str,
) -> None:
    server_a = app_server_factory(db_url=fresh_postgres_url)
    server_b = app_server_factory(db_url=fresh_postgres_url)
    assert server_a.port != server_b.port

    _check_in_as_new_runner(page_factory(), server_a.base_url, "Ana on A")
    _expect_in_history(page_factory(), server_b.base_url, "Ana on A")

    _check_in_as_new_runner(page_factory(), server_b.base_url, "Bo on B")
    _expect_in_history(page_factory(), server_a.base_url, "Bo on B")

    store = Store(fresh_postgres_url)
    try:
        for runner in ("Ana on A", "Bo on B"):
            assert len(store.history(runner)) == 1
    finally:
        store.dispose()
