"""A runner's red-flag check-in in a real browser: their coach's email arrives at a real SMTP
server (aiosmtpd) within a minute, naming the runner and the week, with a link and no health
details."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from logic import clock
from logic.mail.config import BASE_URL_VAR, SMTP_URL_VAR
from logic.storage.store import Store
from logic.weeks import week_start
from scripts.appserver import sqlite_url
from tests.support.browser import assert_clean, main, open_app, wait_for_app
from tests.support.smtp import PASSWORD, SmtpServer, make_club

pytestmark = pytest.mark.browser
BASE = "https://stride.example.org"


def test_a_red_flag_check_in_emails_the_coach_within_a_minute(
    app_server_factory, page_factory, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path / "club.db")
    store = Store(url)
    make_club(store, passwords=True)
    store.dispose()
    env = {
        "STRIDE_CHECK_MODE": "team",
        "STRIDE_CHECK_LOGIN": "local",
        SMTP_URL_VAR: smtp_server.url(),
        BASE_URL_VAR: BASE,
    }
    server = app_server_factory(db_url=url, env=env)
    page = page_factory("desktop")
    body = main(page)

    open_app(page, server.base_url)
    body.get_by_role("textbox", name="Username").fill("bob")
    body.get_by_role("textbox", name="Password").fill(PASSWORD)
    body.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    proceed = body.get_by_role("link", name=re.compile("Continue"))
    heading = body.get_by_role("heading", name="Weekly check-in")
    expect(heading.or_(proceed)).to_be_visible(timeout=30_000)
    if proceed.count():  # the welcome step, where it still exists
        proceed.click()
        wait_for_app(page)
    expect(heading).to_be_visible(timeout=30_000)
    body.get_by_role("button", name="Visible swelling").click()
    wait_for_app(page)
    saved_at = time.monotonic()
    body.get_by_role("button", name="Save check-in").click()
    wait_for_app(page)
    assert_clean(page, check_overflow=False)

    [got] = smtp_server.wait_for(1, timeout=60)
    delay = time.monotonic() - saved_at
    print(f"red-flag email arrived {delay:.1f} s after the click on Save")  # the README's figure
    assert delay < 60
    week_no = week_start(clock.today()).isocalendar()[1]
    assert got.recipients == ["cora@club.test"]
    assert got.subject == f"Stride Check: red flag for Bob (Week {week_no})"
    assert re.search(rf"{re.escape(BASE)}/results\?checkin=\d+", got.body)
    assert "swelling" not in got.body.lower()  # the details stay in the app
    time.sleep(1)
    assert len(smtp_server.received) == 1  # once
