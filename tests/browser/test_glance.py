"""Pages that read at a glance, in a real browser: the phone's row of page links, the Team page
hidden from a solo runner, and axe-core's WCAG 2.1 A and AA rules on every page, at desktop and
phone width, in the light and the dark theme.

axe-core comes from npm: tests/a11y/package-lock.json, installed with `npm ci` when
tests/a11y/node_modules is missing (as tests/browser/test_oidc.py installs its provider), and
injected into each page by Playwright.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from logic.storage.store import Store
from pages.shared.common import PAGES, PHONE_NAV, PHONE_NAV_BELOW
from scripts.appserver import VIEWPORTS, wait_for_paint
from scripts.screenshots import SAMPLE_RUNNER, choose_runner, seed_database
from tests.support.browser import assert_clean, main, open_app, wait_for_app

pytestmark = pytest.mark.browser

A11Y_DIR = Path(__file__).resolve().parent.parent / "a11y"
AXE_JS = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
    }));
}"""
# Every page of personal mode once the sample runner (who has a team) is picked: url path.
SEEDED_PAGES = ["checkin", "results", "history", "data", "team", "about"]


def axe_script() -> Path:
    """axe.min.js, with tests/a11y/node_modules installed from the lock file when missing."""
    if not AXE_JS.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("The accessibility tests need npm (Debian's npm package).", pytrace=False)
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=A11Y_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {A11Y_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return AXE_JS


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (charts drawn)."""
    wait_for_paint(page)
    page.add_script_tag(path=str(axe_script()))
    return page.evaluate(RUN_AXE, WCAG)


def phone_link(page: Any, name: str) -> Any:
    return page.locator(f".st-key-{PHONE_NAV} a").filter(has_text=PAGES[name][0])


@pytest.fixture
def seeded(app_server_factory: Any, tmp_path: Path) -> Any:
    """A private app whose database holds the sample runner (six weeks, on a team)."""
    server = app_server_factory()
    seed_database(server.db_url)
    return server


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_wcag_violation_on_any_page(
    seeded: Any, page_factory: Any, viewport: str, theme: str
) -> None:
    page = page_factory(viewport, color_scheme=theme)
    open_app(page, seeded.base_url)
    found = {"welcome": violations(page)}  # the first screen: who is checking in?
    choose_runner(page, SAMPLE_RUNNER)
    for name in SEEDED_PAGES:
        if viewport == "phone":
            phone_link(page, name).first.click()
        else:
            page.locator('[data-testid="stTopNavLink"]').filter(has_text=PAGES[name][0]).click()
        wait_for_app(page)
        expect(main(page).get_by_role("heading", level=1).first).to_be_visible()
        found[name] = violations(page)
        assert_clean(page)
    bad = {name: v for name, v in found.items() if v}
    assert not bad, f"axe at {viewport}, {theme} theme:\n{json.dumps(bad, indent=1)}"


def test_every_page_is_one_tap_away_at_the_top_of_a_phone_screen(
    seeded: Any, page_factory: Any
) -> None:
    page = page_factory("phone")
    open_app(page, seeded.base_url)
    choose_runner(page, SAMPLE_RUNNER)
    assert VIEWPORTS["phone"]["width"] < PHONE_NAV_BELOW
    for start in SEEDED_PAGES:
        phone_link(page, start).first.click()
        wait_for_app(page)
        # Streamlit's own top bar is folded away at this width; our row is on the first screen.
        expect(page.locator('[data-testid="stTopNavLink"]').filter(visible=True)).to_have_count(0)
        row = page.locator(f".st-key-{PHONE_NAV}")
        expect(row).to_be_visible()
        assert row.bounding_box()["y"] < 200
        titles = [PAGES[n][0] for n in SEEDED_PAGES]
        shown = page.locator(f".st-key-{PHONE_NAV} a").all_inner_texts()
        assert [t for t in titles if any(t in s for s in shown)] == titles
        for link in page.locator(f".st-key-{PHONE_NAV} a").all():
            box = link.bounding_box()
            assert box["height"] >= 44, f"{link.inner_text()}: {box}"  # a thumb's target
    assert_clean(page)


def test_desktop_keeps_streamlits_top_bar_and_no_second_row(seeded: Any, page_factory: Any) -> None:
    page = page_factory("desktop")
    open_app(page, seeded.base_url, "/about")
    expect(page.locator('[data-testid="stTopNavLink"]').filter(visible=True).first).to_be_visible()
    expect(page.locator(f".st-key-{PHONE_NAV}")).to_be_hidden()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_solo_runner_sees_no_team_page_and_no_team_import(
    app_server_factory: Any, page_factory: Any, viewport: str
) -> None:
    server = app_server_factory()
    store = Store(server.db_url)
    try:
        store.add_runner("Solo", None)
    finally:
        store.dispose()
    page = page_factory(viewport)
    open_app(page, server.base_url)
    choose_runner(page, "Solo")
    links = (
        page.locator(f".st-key-{PHONE_NAV} a")
        if viewport == "phone"
        else page.locator('[data-testid="stTopNavLink"]')
    )
    expect(links.filter(has_text="Import & export")).to_be_visible()
    expect(links.filter(has_text="Team")).to_have_count(0)
    links.filter(has_text="Import & export").first.click()
    wait_for_app(page)
    expect(main(page).get_by_text("Team import")).to_have_count(0)
    assert_clean(page)
