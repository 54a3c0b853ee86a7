"""Full-page screenshots of the app at desktop and phone width.

    python -m scripts.screenshots [--out screenshots/] [--pages / results about ...]
                                  [--seed] [--runner "Sam Summit"] [--tag TAG]
                                  [--themes light dark]

Starts the app on a free loopback port with a fresh sqlite DB (or ``--db-url``),
opens each page path in headless Debian Chromium and writes
``<out>/<page>[-<tag>]-desktop.png`` (1280x800) and ``<out>/<page>[-<tag>]-phone.png``
(390x844, with a phone user agent), where ``<page>`` is the path with slashes turned into
dashes and ``/`` is ``home``. ``--themes light dark`` shoots each page with the browser set to
each colour scheme (the app follows it) and adds ``-light`` / ``-dark`` to the file names.
Prints a warning per page that shows a Streamlit exception,
logs a browser console/page error or overflows horizontally; exits 1 if any did.

``--seed`` puts a sample runner (Sam Summit, six weekly check-ins) into the database first.
``--team-seed`` runs the app in team mode (local sign-in) with a sample club instead: an
admin ("admin"), a coach of "Ridge Runners" ("coach"), five runners (one silent, one with a
red flag), a note and a few rows of the audit trail; every password is TEAM_PASSWORD.
``--sign-in USERNAME`` signs that account in first, then reaches every page by its nav link.
The app has no login: who is checking in lives in the browser session. ``--runner NAME``
picks that runner in the "Who is checking in?" box once, then reaches every page by its
nav link in the same session (a new page load would start a new session and forget the
runner). Without ``--runner`` every page is a fresh load.

Examples::

    python -m scripts.screenshots --out /tmp/shots --pages / results about --tag empty
    python -m scripts.screenshots --out /tmp/shots --pages / results about --seed \\
        --runner "Sam Summit"
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path
from typing import Any

from logic import clock
from scripts.appserver import (
    DEVICE_OPTIONS,
    REPO_ROOT,
    VIEWPORTS,
    AppServer,
    full_page_screenshot,
    horizontal_overflow,
    launch_chromium,
    nav_to,
    open_page,
    wait_for_app,
)

SAMPLE_RUNNER = "Sam Summit"
SAMPLE_TEAM = "Ridge Runners"


def _ostrc(participation: int, training: int, performance: int, pain: int) -> dict[str, int]:
    """Answers (option 0-3) to the optional OSTRC-style questions of data/checkin.toml."""
    return {
        "ostrc_participation": participation,
        "ostrc_training": training,
        "ostrc_performance": performance,
        "ostrc_pain": pain,
    }


# Six weeks of a runner who adds hills and distance, gets an aching knee and hip, and
# reports a warning sign (swelling) at the peak. Week 0 is the current week.
_SAMPLE_WEEKS: list[dict[str, Any]] = [
    {"weeks_ago": 5, "weekly_km": 38, "longest_run_km": 14, "pain_level": 0,
     "strength_sessions": 2, "mobility_sessions": 2, "sitting_hours": 7.0},
    {"weeks_ago": 4, "weekly_km": 44, "longest_run_km": 17, "pain_level": 1,
     "pain_locations": "outer_knee", "pain_triggers": "downhill",
     "training_changes": "more_hills", "strength_sessions": 2, "mobility_sessions": 1,
     "sitting_hours": 7.5},
    {"weeks_ago": 3, "weekly_km": 52, "longest_run_km": 21, "pain_level": 3,
     "pain_locations": "outer_knee", "pain_triggers": "downhill;running",
     "training_changes": "more_mileage;more_hills", "limitations": "weak_glutes",
     "strength_sessions": 1, "mobility_sessions": 1, "sitting_hours": 8.0,
     **_ostrc(1, 1, 1, 1)},
    {"weeks_ago": 2, "weekly_km": 58, "longest_run_km": 25, "pain_level": 6,
     "pain_locations": "outer_knee;outer_hip", "pain_triggers": "downhill;stairs;sleeping",
     "training_changes": "more_mileage;more_hills", "limitations": "weak_glutes;stiff_hips",
     "strength_sessions": 0, "mobility_sessions": 1, "sitting_hours": 9.0,
     "warning_signs": "swelling", **_ostrc(2, 2, 2, 2)},
    {"weeks_ago": 1, "weekly_km": 40, "longest_run_km": 16, "pain_level": 4,
     "pain_locations": "outer_knee;outer_hip", "pain_triggers": "downhill;sleeping",
     "training_changes": "more_hills", "limitations": "weak_glutes;stiff_hips",
     "strength_sessions": 2, "mobility_sessions": 2, "sitting_hours": 8.5,
     **_ostrc(1, 1, 1, 1)},
    {"weeks_ago": 0, "weekly_km": 42, "longest_run_km": 18, "pain_level": 3,
     "pain_locations": "outer_knee;front_knee", "pain_triggers": "downhill;stairs",
     "training_changes": "more_hills", "limitations": "weak_glutes;tight_quads",
     "strength_sessions": 3, "mobility_sessions": 2, "sitting_hours": 8.0,
     **_ostrc(1, 0, 1, 1)},
]  # fmt: skip


def seed_database(db_url: str, today: dt.date | None = None) -> None:
    """Put a sample runner with six weekly check-ins into the database at ``db_url``.

    "Sam Summit" (team "Ridge Runners") has one check-in in each of the last six ISO
    weeks, the current one included; the one two weeks ago reports a warning sign. Safe to
    run twice: a week's check-in is replaced, never duplicated. Runs only with ``--seed``.
    """
    from logic.storage.store import Store

    today = today or clock.today()
    store = Store(db_url)
    try:
        store.add_runner(SAMPLE_RUNNER, SAMPLE_TEAM)
        for week in _SAMPLE_WEEKS:
            row = {k: v for k, v in week.items() if k != "weeks_ago"}
            day = today - dt.timedelta(weeks=week["weeks_ago"])
            row.update(runner=SAMPLE_RUNNER, team=SAMPLE_TEAM, date=day.isoformat(), sex="male")
            store.save_checkin(row, replace=True)
    finally:
        store.dispose()


TEAM_PASSWORD = "ridge-demo-2026"
TEAM_ENV = {"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "local"}
# name -> weeks ago of each check-in, base pain, weekly km of the newest, warning sign
_CLUB = {
    "Ann Ridge": ((0, 1, 2, 3), 3, 42, ""),
    "Bob Scree": ((0, 1, 2, 3), 8, 40, "swelling"),
    "Cat Valley": ((2, 3, 4), 2, 30, ""),  # silent for two weeks
    "Dan Moraine": ((0, 1, 2, 3), 1, 75, ""),  # a distance spike this week
    "Eve Talus": ((0, 1), 5, 35, ""),
}


def seed_team(db_url: str, today: dt.date | None = None) -> None:
    """A team-mode club for screenshots of the coach's and the admin's pages (--team-seed)."""
    from logic.storage.access import ScopedStore, Viewer
    from logic.storage.accounts import Accounts
    from logic.storage.store import Store

    today = today or clock.today()
    store = Store(db_url)
    try:
        accounts = Accounts(store)
        admin = accounts.create_user("admin", role="admin", password=TEAM_PASSWORD)
        coach = accounts.create_user(
            "coach", role="coach", password=TEAM_PASSWORD, coach_of=[SAMPLE_TEAM]
        )
        for name, (weeks, pain, km, sign) in _CLUB.items():
            store.add_runner(name, SAMPLE_TEAM)
            for n in weeks:
                newest = n == weeks[0]
                store.save_checkin(
                    {
                        "runner": name,
                        "team": SAMPLE_TEAM,
                        "date": (today - dt.timedelta(weeks=n)).isoformat(),
                        "pain_level": min(10, pain + (2 if newest and pain > 2 else 0)),
                        "pain_locations": "outer_knee;outer_hip" if pain >= 3 else "front_knee",
                        "pain_triggers": "downhill;stairs" if pain >= 3 else "",
                        "weekly_km": km if newest else 36 + n,
                        "longest_run_km": 14 + n,
                        "warning_signs": sign if newest else "",
                        **_ostrc(1 if pain < 5 else 2, 2 if pain >= 5 else 0, 1, 1),
                    }
                )
        as_coach = ScopedStore(store, Viewer.of(coach))
        ann = store.latest_checkin("Ann Ridge")
        as_coach.add_note(int(ann["id"]), "Let's talk Thursday, and skip the hills till then.")
        accounts.create_user("zoe", role="runner", password=TEAM_PASSWORD, team="Flat Earthers")
        as_admin = ScopedStore(store, Viewer.of(admin))
        accounts.set_runner_team("zoe", SAMPLE_TEAM, actor=Viewer.of(admin).actor)
        as_admin.update_checkin(int(ann["id"]), {"weekly_km": 44})
        old = store.checkin_in_week("Eve Talus", today - dt.timedelta(weeks=1))
        as_admin.delete_checkin(int(old["id"]))
    finally:
        store.dispose()


def sign_in(page: Any, username: str, password: str = TEAM_PASSWORD) -> None:
    """Sign `username` in through the form; the app lands on the role's first page."""
    main = page.locator('[data-testid="stMain"]')
    main.get_by_role("textbox", name="Username").fill(username)
    main.get_by_role("textbox", name="Password").fill(password)
    main.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    main.get_by_role("textbox", name="Username").wait_for(state="detached")
    wait_for_app(page)  # the role's first page, drawn


def choose_runner(page: Any, runner: str) -> None:
    """Pick ``runner`` in a visible "Who is checking in?" box (inline prompt or sidebar).

    At phone width the sidebar is a collapsed menu: it is opened for the pick and closed
    again afterwards. Raises ``RuntimeError`` when the runner is not offered.
    """
    label = "Who is checking in?"
    main = page.locator('[data-testid="stMain"]')
    sidebar = page.locator('[data-testid="stSidebar"]')
    opened = False
    box = main.get_by_role("combobox", name=label)
    if not (box.count() and box.first.is_visible()):
        expand = page.locator('[data-testid="stExpandSidebarButton"]')
        if expand.count() and expand.first.is_visible():
            expand.first.click()
            opened = True
        box = sidebar.get_by_role("combobox", name=label)
    box = box.first
    box.wait_for(state="visible")
    if box.input_value() != runner:
        box.click()
        option = page.get_by_role("option", name=runner, exact=True)
        if not option.count():
            offered = page.get_by_role("option").all_inner_texts()
            raise RuntimeError(f"runner {runner!r} is not offered; the picker has {offered}")
        option.first.click()
        wait_for_app(page)
    if opened and sidebar.get_attribute("data-collapsed") != "true":
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
        page.wait_for_timeout(400)  # the slide-out animation


def follow_nav_link(page: Any, url: str) -> None:
    """Go to ``url`` by clicking its nav link (top bar, or the phone's sidebar menu)."""
    nav_to(page, href=url)
    page.wait_for_timeout(400)  # the sidebar's slide-out animation, before the screenshot


# Streamlit's known issue #7074 (open; still so on 1.67): a page loaded by its own URL
# (/results) first asks /results/_stcore/health and /results/_stcore/host-config, gets a 404
# for each, then finds the server at /. Harmless; it only adds console noise.
_KNOWN_NOISE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def _log_console(msg: Any, errors: list[str]) -> None:
    if msg.type != "error":
        return
    url = (msg.location or {}).get("url") or ""
    if "status of 404" in msg.text and _KNOWN_NOISE.search(url):
        return
    errors.append(f"{msg.text} ({url})" if url else msg.text)


def page_name(path: str, tag: str | None = None) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.strip("/")).strip("-") or "home"
    return f"{name}-{tag}" if tag else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "screenshots")
    parser.add_argument(
        "--pages", nargs="+", default=["/"], metavar="URL_PATH",
        help="app url paths to visit (default: /)",
    )  # fmt: skip
    parser.add_argument(
        "--viewports", nargs="+", default=list(VIEWPORTS), choices=list(VIEWPORTS),
    )  # fmt: skip
    parser.add_argument("--db-url", help="use this database instead of a fresh sqlite file")
    parser.add_argument("--seed", action="store_true", help="run seed_database() first")
    parser.add_argument(
        "--runner", metavar="NAME",
        help=f"pick this runner first (e.g. {SAMPLE_RUNNER!r} with --seed), then use the nav",
    )  # fmt: skip
    parser.add_argument("--tag", help="add this to the file names: <page>-<tag>-<viewport>.png")
    parser.add_argument(
        "--team-seed", action="store_true", help="team mode, with seed_team()'s sample club"
    )
    parser.add_argument("--sign-in", metavar="USERNAME", help="sign this account in first")
    parser.add_argument(
        "--themes", nargs="+", choices=["light", "dark"], default=None,
        help="the browser's colour scheme(s); adds -light/-dark to the file names",
    )  # fmt: skip
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server = AppServer(db_url=args.db_url, env=TEAM_ENV if args.team_seed else None)
    if args.seed:
        seed_database(server.db_url)
    if args.team_seed:
        seed_team(server.db_url)
    session = bool(args.runner or args.sign_in)  # one session: reach pages by the nav
    problems = 0
    started = time.monotonic()
    with server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            looks = [(v, t) for v in args.viewports for t in (args.themes or [None])]
            for viewport, theme in looks:
                # One context per viewport: with --runner the pages share one session.
                context = browser.new_context(
                    viewport=VIEWPORTS[viewport],
                    **DEVICE_OPTIONS.get(viewport, {}),
                    **({"color_scheme": theme} if theme else {}),
                )
                suffix = f"{viewport}-{theme}" if theme else viewport
                try:
                    page = context.new_page()
                    errors: list[str] = []
                    page.on("console", lambda msg, errors=errors: _log_console(msg, errors))
                    page.on("pageerror", lambda err, errors=errors: errors.append(str(err)))
                    if session:
                        open_page(page, server.url("/"))
                    if args.sign_in:
                        sign_in(page, args.sign_in)
                    if args.runner:
                        choose_runner(page, args.runner)
                    for path in args.pages:
                        if session:
                            follow_nav_link(page, server.url(path))
                        else:
                            open_page(page, server.url(path))
                        target = args.out / f"{page_name(path, args.tag)}-{suffix}.png"
                        full_page_screenshot(page, target)
                        print(f"wrote {target}")
                        if page.locator('[data-testid="stException"]').count():
                            problems += 1
                            print(f"WARNING {path} @ {suffix}: Streamlit exception shown")
                        overflow = horizontal_overflow(page)
                        if overflow:
                            problems += 1
                            print(f"WARNING {path} @ {suffix}: {overflow}")
                        if errors:
                            problems += 1
                            print(f"WARNING {path} @ {suffix}: browser errors: {errors}")
                            errors.clear()
                finally:
                    context.close()
        finally:
            browser.close()
    print(f"done in {time.monotonic() - started:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
