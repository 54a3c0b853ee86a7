"""Full-page screenshots of the app at desktop and phone width.

    python scripts/screenshots.py [--out screenshots/] [--pages / history ...]

Starts the app on a free loopback port with a fresh sqlite DB (or ``--db-url``),
opens each page path in headless Debian Chromium and writes
``<out>/<page>-desktop.png`` (1280x800) and ``<out>/<page>-phone.png`` (390x844),
where ``<page>`` is the path with slashes turned into dashes and ``/`` is ``home``.
Prints a warning per page that shows a Streamlit exception or overflows
horizontally; exits 1 if any did.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from _appserver import (
    REPO_ROOT,
    VIEWPORTS,
    AppServer,
    full_page_screenshot,
    horizontal_overflow,
    launch_chromium,
    open_page,
)


def seed_database(db_url: str) -> None:
    """Hook: put sample data (e.g. a sample runner and a few weekly check-ins)
    into the fresh database at ``db_url`` before the app starts.

    Runs only with ``--seed``. Nothing to seed yet; fill this in once the storage
    layer exists, e.g. ``from logic.storage import ...; save_runner(db_url, ...)``.
    """


def page_name(path: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.strip("/")).strip("-")
    return name or "home"


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
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server = AppServer(db_url=args.db_url)
    if args.seed:
        seed_database(server.db_url)
    problems = 0
    started = time.monotonic()
    with server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for path in args.pages:
                for viewport in args.viewports:
                    context = browser.new_context(viewport=VIEWPORTS[viewport])
                    try:
                        page = context.new_page()
                        open_page(page, server.url(path))
                        target = args.out / f"{page_name(path)}-{viewport}.png"
                        full_page_screenshot(page, target)
                        print(f"wrote {target}")
                        if page.locator('[data-testid="stException"]').count():
                            problems += 1
                            print(f"WARNING {path} @ {viewport}: Streamlit exception shown")
                        overflow = horizontal_overflow(page)
                        if overflow:
                            problems += 1
                            print(f"WARNING {path} @ {viewport}: {overflow}")
                    finally:
                        context.close()
        finally:
            browser.close()
    print(f"done in {time.monotonic() - started:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
