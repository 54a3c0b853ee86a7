"""OIDC sign-in (st.login) against a real OpenID provider, driven in Chromium.

The provider is the OpenID Certified `oidc-provider` package (npm) on Debian's Node, started
on loopback by tests/oidc/provider.mjs; `npm ci` installs it from tests/oidc/package-lock.json
when tests/oidc/node_modules is missing. The app runs in team mode with an `[auth]` section
pointing at it (`--secrets.files`: Streamlit reads the secrets from there).

Its accounts (the login typed into the provider's form): ann (Ann@Club.test, verified) and
coach (coach@club.test, verified) have Stride Check accounts; stranger (verified) has none;
mallory claims coach@club.test without the provider having verified it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from logic.storage.accounts import Accounts
from logic.storage.store import Store
from logic.storage.tables import users
from scripts.appserver import REPO_ROOT, AppServer, free_port, sqlite_url
from tests.support.browser import assert_clean, main, open_app, wait_for_app

pytestmark = pytest.mark.browser

OIDC_DIR = REPO_ROOT / "tests" / "oidc"
CLIENT_ID = "stride-check"
CLIENT_SECRET = "test-only-client-secret"
SIGN_IN = "Sign in with your club account"
REFUSED = {  # login at the provider -> what the app says
    "stranger": "this address has no active Stride Check account",
    "mallory": "Your identity provider has not verified this email address",
}
# The provider's development login page asks for a web font; this machine has no internet.
PROVIDER_PAGE = [r"fonts\.googleapis\.com"]
MIN_NODE = 20
NODE_MISSING = (
    "The OIDC browser tests need Node.js and npm (Debian's nodejs and npm packages): "
    "`bash scripts/test.sh` installs them, or run `apt-get install -y nodejs npm`."
)


def node_and_provider() -> str:
    """The node binary, with tests/oidc/node_modules installed from the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(NODE_MISSING, pytrace=False)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < MIN_NODE:
        pytest.fail(
            f"node {version.strip()}: oidc-provider 9 needs Node.js {MIN_NODE} or later "
            "(its jose library uses the global WebCrypto API).",
            pytrace=False,
        )
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=OIDC_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {OIDC_DIR} failed:\n{done.stdout}\n{done.stderr}")
    return node


class Provider:
    """tests/oidc/provider.mjs on a free loopback port, in its own process group."""

    def __init__(self, node: str, redirect_uri: str, log: Path) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [node, "provider.mjs", str(self.port), CLIENT_ID, CLIENT_SECRET, redirect_uri],
                cwd=OIDC_DIR,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while f"ready {self.issuer}" not in log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the OIDC provider did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)


def auth_section(app_port: int, issuer: str, *, cookie_secret: bool = True) -> str:
    lines = [
        "[auth]",
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"',
        'cookie_secret = "test-only-cookie-secret-of-more-than-32-bytes"' if cookie_secret else "",
        f'client_id = "{CLIENT_ID}"',
        f'client_secret = "{CLIENT_SECRET}"',
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"',
    ]
    return "\n".join(line for line in lines if line) + "\n"


def seed(url: str) -> None:
    store = Store(url)
    try:
        accounts = Accounts(store)
        accounts.create_user("ann", role="runner", email="ann@club.test", team="A")
        accounts.create_user("coach", role="coach", email="coach@club.test", coach_of=["A"])
    finally:
        store.dispose()


def usernames(url: str) -> list[str]:
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return sorted(conn.execute(sa.select(users.c.username)).scalars())
    finally:
        store.dispose()


class OidcApp:
    def __init__(self, server: AppServer, provider: Provider, db_url: str) -> None:
        self.server, self.provider, self.db_url = server, provider, db_url


@pytest.fixture
def oidc_app(
    tmp_path: Path, app_server_factory: Callable[..., AppServer]
) -> Iterator[Callable[..., OidcApp]]:
    """start(cookie_secret=True) -> the app in OIDC team mode, with its own provider."""
    node = node_and_provider()
    providers: list[Provider] = []

    def start(*, cookie_secret: bool = True) -> OidcApp:
        app_port = free_port()
        provider = Provider(
            node, f"http://127.0.0.1:{app_port}/oauth2callback", tmp_path / "provider.log"
        )
        providers.append(provider)
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(auth_section(app_port, provider.issuer, cookie_secret=cookie_secret))
        db_url = sqlite_url(tmp_path / "oidc.db")
        seed(db_url)
        server = app_server_factory(
            db_url=db_url,
            env={"STRIDE_CHECK_MODE": "team", "STRIDE_CHECK_LOGIN": "oidc"},
            args=["--secrets.files", str(secrets)],
            port=app_port,
        )
        return OidcApp(server, provider, db_url)

    yield start
    for provider in providers:
        provider.stop()


def sign_in_at_provider(page: Page, app: OidcApp, login: str) -> None:
    """From the app's sign-in page through the provider's login form and back to the app."""
    main(page).get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{app.provider.issuer}/interaction/**")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password: a development form")
    page.locator('button[type="submit"]').click()
    page.wait_for_url(f"{app.server.base_url}/**")
    wait_for_app(page)


def test_a_known_email_lands_on_its_home_page_and_sign_out_ends_the_session(
    oidc_app: Callable[..., OidcApp], page: Page
) -> None:
    app = oidc_app()
    open_app(page, app.server.base_url)
    expect(main(page).get_by_role("heading", name="Sign in to Stride Check")).to_be_visible()
    sign_in_at_provider(page, app, "ann")  # the provider says Ann@Club.test: case differs
    expect(main(page).get_by_role("heading", name="Weekly check-in")).to_be_visible()
    assert page.url.rstrip("/") in (app.server.base_url, app.server.url("checkin"))
    expect(page.get_by_text("Signed in as")).to_contain_text("ann")
    assert_clean(page, ignore_console=PROVIDER_PAGE)

    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the provider's session too (its end_session_endpoint asks first).
    page.wait_for_url(f"{app.provider.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{app.server.base_url}/**")
    wait_for_app(page)
    expect(main(page).get_by_role("heading", name="Sign in to Stride Check")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(main(page).get_by_role("heading", name="Sign in to Stride Check")).to_be_visible()
    assert not any(c["name"].startswith("_streamlit_user") for c in page.context.cookies())


def test_a_coach_lands_on_the_team_page(oidc_app: Callable[..., OidcApp], page: Page) -> None:
    app = oidc_app()
    open_app(page, app.server.base_url)
    sign_in_at_provider(page, app, "coach")
    expect(page.get_by_text("Signed in as")).to_contain_text("(coach)")
    assert page.url.rstrip("/") in (app.server.base_url, app.server.url("team"))
    expect(main(page).get_by_role("button", name=SIGN_IN)).to_have_count(0)
    assert_clean(page, ignore_console=PROVIDER_PAGE)


@pytest.mark.parametrize("login", sorted(REFUSED))
def test_an_unknown_or_unverified_email_is_refused_and_creates_nothing(
    oidc_app: Callable[..., OidcApp], page: Page, login: str
) -> None:
    app = oidc_app()
    before = usernames(app.db_url)
    open_app(page, app.server.base_url)
    sign_in_at_provider(page, app, login)
    expect(main(page).get_by_text(REFUSED[login])).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    links = page.locator('[data-testid="stTopNavLink"]').all()
    nav = [link.inner_text().split()[-1] for link in links]
    assert nav == ["in", "About"]  # "🔑 Sign in", "ℹ️ About": nothing else
    assert_clean(page, ignore_console=PROVIDER_PAGE)
    page.goto(app.server.url("checkin"))
    wait_for_app(page)
    expect(main(page).get_by_role("heading", name="Weekly check-in")).to_have_count(0)
    assert usernames(app.db_url) == before


def test_a_missing_cookie_secret_stops_with_a_message_naming_it(
    oidc_app: Callable[..., OidcApp], page: Page
) -> None:
    app = oidc_app(cookie_secret=False)
    open_app(page, app.server.base_url)
    expect(main(page).get_by_text("cookie_secret")).to_be_visible()
    expect(main(page).get_by_role("button", name=SIGN_IN)).to_have_count(0)
