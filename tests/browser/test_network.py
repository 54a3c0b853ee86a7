"""What the running server lets in (issue 11, findings 4, 5 and 10).

1. Personal mode listens on loopback only (.streamlit/config.toml server.address): the app
   started without --server.address has no listening socket on another address, and a
   connection to the machine's other addresses is refused.
2. The server refuses an upload over the app's limit before the app sees it: a 6 MB upload to
   Streamlit's upload endpoint, from a real session with its XSRF token, gets 413.
3. The very first request of a freshly started server, for each page URL (helpers included),
   shows the app's own navigation for that role: never Streamlit's old pages-directory mode,
   a helper module, a traceback or another role's page. Streamlit (checked on 1.67) decides
   "pages directory or not" once per process, on the first script run, so "first request"
   needs a fresh server: one per URL for a visitor who is not signed in (team mode) and for
   personal mode, and one per role for the signed-in roles. With local sign-in a browser
   session is signed in only after the form, so for a runner, a coach and an admin the first
   request is the deep link they opened, and they sign in on whatever it shows.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from logic import clock
from logic.storage.accounts import Accounts
from logic.storage.store import Store
from scripts.appserver import AppServer, sqlite_url
from tests.support.browser import assert_clean, main, nav_to, open_app, wait_for_app

pytestmark = pytest.mark.browser

# --- 1. loopback only ---------------------------------------------------------------------------


def _proc_address(hex_addr: str) -> str:
    """An address of /proc/net/tcp{,6} (little-endian 32-bit words, hex) as text."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on `port` (Linux's /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            addr, _, hex_port = fields[1].partition(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(_proc_address(addr))
    return found


def other_addresses() -> set[str]:
    """This machine's non-loopback IPv4 addresses that route somewhere (no packet is sent)."""
    found = set()
    for target in ("192.0.2.1", "10.255.255.254", "172.31.255.254", "198.51.100.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((target, 9))
            except OSError:
                continue
            address = probe.getsockname()[0]
        if not address.startswith("127."):
            found.add(address)
    return found


def test_personal_mode_listens_on_loopback_only(tmp_path: Path) -> None:
    # No --server.address: the project's .streamlit/config.toml decides, as in `streamlit run`.
    with AppServer(db_url=sqlite_url(tmp_path / "app.db"), address=None) as server:
        assert server.port is not None
        listening = listening_addresses(server.port)
        assert listening, f"nothing listens on port {server.port}: /proc/net not read?"
        assert all(a.startswith("127.") or a == "::1" for a in listening), listening
        # From another address of this machine (the one the Wi-Fi neighbours would use).
        for address in other_addresses():
            with socket.socket() as client:
                client.settimeout(5)
                with pytest.raises(OSError):
                    client.connect((address, server.port))


# --- 2. uploads over the limit ------------------------------------------------------------------

UPLOAD_ROUTE = "/_stcore/upload_file/"
PUT_JS = """async ([url, token, size]) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(size).fill(65)], {type: 'text/csv'}), 'big.csv');
    const response = await fetch(url, {method: 'PUT', body: form,
                                       headers: {'X-Xsrftoken': token}});
    return response.status;
}"""


def test_the_server_refuses_an_upload_over_the_limit(
    app_server_factory: Callable, page_factory: Callable, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path / "upload.db")
    store = Store(url)
    store.add_runner("Ann Ridge")
    store.dispose()
    server = app_server_factory(db_url=url)
    page = page_factory("desktop")
    open_app(page, server.base_url, "/data")
    body = main(page)
    body.get_by_role("combobox", name="Who is checking in?").click()
    page.get_by_role("option", name="Ann Ridge", exact=True).click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="Import & export")).to_be_visible()

    # A real upload through the page: its URL names this session and file, its header
    # carries the XSRF token (the cookie goes along by itself).
    with page.expect_request(lambda r: UPLOAD_ROUTE in r.url and r.method == "PUT") as sent:
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            {"name": "small.csv", "mimeType": "text/csv", "buffer": b"runner,date\n"}
        )
    request = sent.value
    token = request.headers.get("x-xsrftoken", "")
    assert token, request.headers
    wait_for_app(page)

    small = page.evaluate(PUT_JS, [request.url, token, 1000])
    assert small in (200, 204), f"a small upload to the same URL got {small}"
    big = page.evaluate(PUT_JS, [request.url, token, 6_000_000])
    assert big == 413, f"a 6 MB upload got {big}, not 413 (Payload Too Large)"
    assert_clean(page, ignore_console=[r"status of 413"])


# --- 3. the first request of a fresh server -----------------------------------------------------

TEAM_ENV = {"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "local"}
PASSWORD = "first-request-2026"
ACCOUNTS = {"ann": "runner", "coach_a": "coach", "root": "admin"}  # username -> role
URLS = [
    "checkin", "results", "history", "data", "team", "admin", "profile", "about", "login",
    "common", "checkin_form",  # the helpers: never served as pages
]  # fmt: skip
# Fresh server per URL (the first request decides Streamlit's mode for the whole process):
# the helpers, the page nobody but an admin has, and the sign-in page that crashed. The
# per-role test below opens every URL, the first of them on a fresh server.
FRESH_PER_URL = ["common", "checkin_form", "admin", "login"]
HEADING = {
    "checkin": "Weekly check-in",
    "results": "Your results",
    "history": "History",
    "data": "Import & export",
    "team": "Team",
    "admin": "Admin",
    "profile": "Your profile",
    "about": "About Stride Check",
    "login": "Sign in to Stride Check",
}
TITLES = {
    "checkin": "Check-in",
    "results": "Results",
    "history": "History",
    "data": "Import & export",
    "team": "Team",
    "admin": "Admin",
    "profile": "Profile",
    "about": "About",
    "login": "Sign in",
}
NAV = {  # role -> its navigation, in order (pages/shared/common.py BY_ROLE)
    "visitor": ["login", "about"],
    "personal": ["checkin", "results", "history", "data", "team", "profile", "about"],
    "runner": ["checkin", "results", "history", "data", "profile", "about"],
    "coach": ["team", "history", "results", "data", "about"],
    "admin": ["team", "admin", "history", "results", "data", "about"],
}


def seed(path: Path, *, team_mode: bool) -> str:
    url = sqlite_url(path)
    store = Store(url)
    try:
        if team_mode:
            for username, role in ACCOUNTS.items():
                Accounts(store).create_user(
                    username,
                    role=role,
                    password=PASSWORD,
                    runner="Ann Ridge" if role == "runner" else None,
                    team="A" if role == "runner" else None,
                    coach_of=["A"] if role == "coach" else (),
                )
        today = clock.today()
        rows = [
            {"runner": runner, "team": "A", "pain_level": 3,
             "date": (today - dt.timedelta(weeks=i)).isoformat()}
            for runner in ("Ann Ridge", "Bob Scree")
            for i in range(2)
        ]  # fmt: skip
        store.import_checkins(pd.DataFrame(rows))
    finally:
        store.dispose()
    return url


def assert_role_view(page: Page, role: str, *, headings: set[str], where: str) -> None:
    """The role's own navigation in the top bar, one of its own pages (or the sign-in,
    welcome) in the main area, nothing in the sidebar's page list (Streamlit's old
    pages-directory mode lists files there), and no exception or app error."""
    # Streamlit's own note when a URL names no page of this navigation (it then runs the
    # home page): a helper's name, or a page of another role.
    assert_clean(page, ignore_console=[r"does not seem to exist\. Running the app's main page"])
    titles = [TITLES[n] for n in NAV[role]]
    top = page.locator('[data-testid="stTopNavLink"]')
    expect(top).to_have_count(len(titles))  # a sign-in reruns twice: wait for the second
    links = top.all_inner_texts()
    assert len(links) == len(titles) and all(
        t in link for t, link in zip(titles, links, strict=True)
    ), f"{where}: navigation {links}, expected {titles}"
    assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0, where
    heading = main(page).locator("h1").first
    # Waits out the last rerun's stale heading; fails naming the heading it found.
    one_of = re.compile("^(" + "|".join(re.escape(h) for h in sorted(headings)) + ")$")
    expect(heading, f"{where}: not one of {sorted(headings)}").to_have_text(one_of)


def visitor_headings() -> set[str]:
    return {HEADING["login"], HEADING["about"]}


@pytest.mark.parametrize("path", FRESH_PER_URL)
@pytest.mark.parametrize("mode", ["team visitor", "personal"])
def test_the_first_request_of_a_fresh_server_gets_the_apps_navigation(
    mode: str, path: str, app_server_factory: Callable, page_factory: Callable, tmp_path: Path
) -> None:
    team = mode == "team visitor"
    server = app_server_factory(
        db_url=seed(tmp_path / "app.db", team_mode=team), env=TEAM_ENV if team else None
    )
    page = page_factory("desktop")
    open_app(page, server.base_url, f"/{path}")  # the process's very first script run
    if team:
        assert_role_view(page, "visitor", headings=visitor_headings(), where=f"/{path}")
    else:
        own = {HEADING[n] for n in NAV["personal"]} | {"Welcome to Stride Check"}
        assert_role_view(page, "personal", headings=own, where=f"/{path}")


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_each_role_signs_in_from_any_first_url(
    username: str, app_server_factory: Callable, page_factory: Callable, tmp_path: Path
) -> None:
    role = ACCOUNTS[username]
    server = app_server_factory(db_url=seed(tmp_path / "team.db", team_mode=True), env=TEAM_ENV)
    own = {HEADING[n] for n in NAV[role]}
    for path in URLS:  # the first one is the process's very first request
        where = f"{role} at /{path}"
        page = page_factory("desktop")
        open_app(page, server.base_url, f"/{path}")
        assert_role_view(page, "visitor", headings=visitor_headings(), where=where)
        body = main(page)
        # A URL outside the visitor's navigation: Streamlit's own "Page not found" dialog over
        # the home page (the sign-in). Close it as a person would.
        dialog = page.get_by_role("dialog")
        if dialog.count():
            expect(dialog).to_contain_text("Page not found")
            page.keyboard.press("Escape")
            expect(dialog).to_have_count(0)
        if not body.get_by_role("textbox", name="Username").count():
            nav_to(page, "Sign in")
        body.get_by_role("textbox", name="Username").fill(username)
        body.get_by_role("textbox", name="Password").fill(PASSWORD)
        body.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
        assert_role_view(page, role, headings=own, where=where)
        page.context.close()
