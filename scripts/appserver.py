"""Start/stop the Stride Check Streamlit app and drive it with Debian's Chromium.

One copy of this code, shared by ``tests/support/browser.py`` (pytest fixtures)
and ``scripts/screenshots.py``. It has no pytest dependency.

Typical use::

    with AppServer(db_url="sqlite:////tmp/x.db") as server:
        print(server.base_url)  # http://127.0.0.1:PORT

Only loopback (127.0.0.1) is used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = REPO_ROOT / "streamlit_app.py"
DB_ENV_VAR = "STRIDE_CHECK_DATABASE_URL"
HOST = "127.0.0.1"

#: Viewports used by the browser tests and the screenshot script.
VIEWPORTS: dict[str, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}

#: Extra browser-context options (besides ``viewport``) that make a viewport behave like
#: the device, e.g. ``browser.new_context(viewport=VIEWPORTS[v], **DEVICE_OPTIONS[v])``.
#: Streamlit (checked on 1.67) tells a phone by its *user agent*, not its width: only then
#: does tapping a page link in the sidebar menu close the sidebar again. With a desktop
#: user agent at 390 px the open sidebar keeps covering the page after navigating.
DEVICE_OPTIONS: dict[str, dict[str, Any]] = {
    "desktop": {},
    "phone": {
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
        ),
        "is_mobile": True,
        "has_touch": True,
    },
}

#: Debian's chromium can be overridden with this env var (path to a binary).
CHROMIUM_ENV_VAR = "STRIDE_CHECK_CHROMIUM"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No network but loopback here: stop Chromium from trying anything else.
    "--disable-quic",
    # Containers often have a tiny /dev/shm; use /tmp instead (harmless otherwise).
    "--disable-dev-shm-usage",
]


class AppServerError(RuntimeError):
    """The Streamlit server did not come up (message carries its output)."""


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """SQLAlchemy URL for a sqlite file at an absolute ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (bind to port 0 and ask the OS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class AppServer:
    """``streamlit run`` in a subprocess on a free loopback port.

    ``db_url`` goes into ``STRIDE_CHECK_DATABASE_URL``; when omitted a fresh sqlite
    file in a private temp dir is used. ``env`` adds/overrides environment
    variables for the server process, ``args`` adds ``streamlit run`` options, and ``port``
    fixes the port (else a free one is picked). Output goes to ``log_path`` (read it with
    :meth:`output`), never to a pipe, so a chatty server can never block.
    """

    def __init__(
        self,
        *,
        db_url: str | None = None,
        script: str | os.PathLike[str] = DEFAULT_SCRIPT,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        port: int | None = None,
        startup_timeout: float = 60.0,
        address: str | None = HOST,
    ) -> None:
        self._tmpdir = tempfile.TemporaryDirectory(prefix="stride-check-app-")
        tmp = Path(self._tmpdir.name)
        self.db_url = db_url or sqlite_url(tmp / "app.db")
        self.script = Path(script)
        self.extra_env = dict(env or {})
        self.extra_args = list(args or [])  # more `streamlit run` options, e.g. --secrets.files
        self.fixed_port = port  # when a setting must name the port before start (redirect_uri)
        self.startup_timeout = startup_timeout
        # None: no --server.address, so .streamlit/config.toml decides (its loopback default
        # is what tests/browser/test_network.py checks).
        self.address = address
        self.log_path = tmp / "server.log"
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise AppServerError("server not started")
        return f"http://{HOST}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of an app path such as ``"/"`` or ``"history"``."""
        return self.base_url + "/" + path.lstrip("/")

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> AppServer:
        if not self.script.exists():
            raise AppServerError(f"app script not found: {self.script}")
        # A port picked by free_port() can be grabbed by someone else before
        # Streamlit binds it; retry with a new port in that (rare) case.
        for attempt in range(3):
            self.port = self.fixed_port or free_port()
            self._spawn()
            try:
                self._wait_healthy()
                return self
            except AppServerError:
                in_use = "already in use" in self.output()
                self.stop()
                if not in_use or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _spawn(self) -> None:
        env = os.environ.copy()
        env.update(self.extra_env)
        env[DB_ENV_VAR] = self.db_url
        env.setdefault("PYTHONUNBUFFERED", "1")
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(self.script),
            "--server.port", str(self.port),
            *(["--server.address", self.address] if self.address else []),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # No file watching / auto-rerun while tests drive the app.
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            *self.extra_args,
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: easy to stop cleanly
            )

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        health = f"{self.base_url}/_stcore/health"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise AppServerError(
                    f"streamlit exited with code {code} before becoming healthy.\n"
                    f"--- server output ---\n{self.output()}"
                )
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:
                    if resp.status == 200 and resp.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise AppServerError(
            f"streamlit did not answer {health} within {self.startup_timeout:.0f}s.\n"
            f"--- server output ---\n{self.output()}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        # Signal only the process group we created for this server.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def close(self) -> None:
        """Stop the server and delete its temp dir (log and default DB)."""
        self.stop()
        self._tmpdir.cleanup()

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- browser ---------------------------------------------------------------


def chromium_path() -> str | None:
    """Path of the Chromium binary to drive, or None when there is none."""
    override = os.environ.get(CHROMIUM_ENV_VAR)
    if override:
        return override
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM_MISSING = (
    "Chromium not found (looked at $STRIDE_CHECK_CHROMIUM, /usr/bin/chromium and PATH). "
    "Browser tests need Debian's chromium: `bash scripts/test.sh` installs it, or run "
    "`apt-get update && apt-get install -y chromium`. Playwright's own browser download "
    "does not work on this network."
)


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch headless Debian Chromium (Playwright gives it a fresh profile dir)."""
    path = chromium_path()
    if path is None:
        raise RuntimeError(CHROMIUM_MISSING)
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


# What wait_for_app (and the async twin in benchmarks/load_checkins.py) waits on.
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
RUN_DONE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"],'
    '[data-testid="stApp"][data-test-script-state="compilationError"]'
)
SKELETON = '[data-testid="stSkeleton"]'


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit is connected and the script run has finished.

    Streamlit (checked on 1.67) exposes its state as attributes of the
    ``[data-testid="stApp"]`` root: ``data-test-connection-state`` (``CONNECTED``
    once the websocket is up) and ``data-test-script-state`` (``initial`` before
    the first run, then ``running`` / ``notRunning`` / ``rerunRequested`` /
    ``compilationError``). Streamlit's own e2e tests wait on the same attributes.

    Call it after ``page.goto`` and after every interaction that reruns the
    script (click, fill + Enter, ...): the initial short delay lets a rerun that
    was just triggered flip the state to ``running`` before we look.
    """
    page.wait_for_timeout(200)
    page.wait_for_selector(CONNECTED, state="attached", timeout=timeout)
    page.wait_for_selector(RUN_DONE, state="attached", timeout=timeout)
    # The state flips to notRunning a tick before the last elements paint.
    page.wait_for_timeout(100)
    page.wait_for_selector(RUN_DONE, state="attached", timeout=timeout)
    # Widgets whose code is loaded lazily (text inputs, sliders, ...) show a grey
    # ``stSkeleton`` box, without label, until their JS chunk arrives, which can be after
    # the run has finished, most often on a browser's first page.
    page.wait_for_selector(SKELETON, state="detached", timeout=timeout)


def nav_to(page: Page, title: str | None = None, *, href: str | None = None) -> None:
    """Follow an app nav link in the same session (a page.goto would start a new session).

    The link is matched by its text or its href. Desktop has the links in the top bar; at
    phone width they are in the sidebar menu, which Streamlit closes again after navigating
    (with a phone user agent): wait for that too.
    """

    def links(testid: str) -> Any:
        found = page.locator(f'[data-testid="{testid}"]' + (f'[href="{href}"]' if href else ""))
        return found.filter(has_text=title) if title else found

    top = links("stTopNavLink")
    if top.count() and top.first.is_visible():
        top.first.click()
    else:
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        link = links("stSidebarNavLink").first
        link.wait_for(state="visible")
        link.click()
        page.wait_for_selector('[data-testid="stSidebar"][data-collapsed="true"]', state="attached")
    wait_for_app(page)


_OVERFLOW_JS = """() => {
    const vw = window.innerWidth;
    const slack = 1;  // sub-pixel rounding
    const wide = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > vw + slack) {
        wide.push(`document scrollWidth ${doc.scrollWidth} > innerWidth ${vw}`);
    }
    // Streamlit scrolls inside these layout containers, not the document.
    const ids = ['stApp', 'stAppViewContainer', 'stMain', 'stMainBlockContainer',
                 'stBottom', 'stBottomBlockContainer'];
    // The sidebar only while it is open: collapsed, it is a 40px sliver whose
    // content is a few px wider than itself, which nobody can see.
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    if (sidebar && sidebar.getAttribute('data-collapsed') !== 'true') {
        ids.push('stSidebarContent');
    }
    for (const id of ids) {
        for (const el of document.querySelectorAll(`[data-testid="${id}"]`)) {
            if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + slack) {
                wide.push(`${id} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
            }
        }
    }
    if (!wide.length) return null;
    const describe = (el) => {
        let d = el.tagName.toLowerCase();
        const tid = el.getAttribute('data-testid');
        if (tid) d += `[data-testid="${tid}"]`;
        if (el.id) d += '#' + el.id;
        const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).slice(0, 2).join('.');
        if (cls) d += '.' + cls;
        const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
        return text ? `${d} "${text}"` : d;
    };
    // Where the overflow starts: elements sticking out whose parent does not.
    const culprits = [];
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= vw + slack) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.display === 'none') continue;
        const parent = el.parentElement;
        if (parent && parent.getBoundingClientRect().right > vw + slack) continue;
        culprits.push(`${describe(el)} (right edge ${Math.round(r.right)}px,`
                      + ` width ${Math.round(r.width)}px)`);
        if (culprits.length >= 8) break;
    }
    return wide.join('; ') + (culprits.length ? '\\n  wider than the viewport: '
        + culprits.join('\\n    ') : '');
}"""


def horizontal_overflow(page: Page) -> str | None:
    """Describe horizontal overflow of the app at the current viewport, or None.

    Looks at the document and Streamlit's layout containers (``stMain`` ...),
    because Streamlit scrolls inside ``stMain``: a too-wide element there never
    widens ``document.documentElement``. Scrollers inside widgets (dataframes,
    code blocks) are not counted: they scroll by design.
    """
    return page.evaluate(_OVERFLOW_JS)


def wait_for_paint(page: Page, timeout: float = 15_000) -> None:
    """Wait until web fonts are loaded and every Vega-Lite chart has drawn its svg/canvas.

    Streamlit reports the run as finished before vega-embed has drawn the charts.
    """
    page.wait_for_function(
        """() => document.fonts.status === 'loaded' && Array.from(
            document.querySelectorAll('[data-testid="stVegaLiteChart"]')
        ).every((c) => c.querySelector('svg.marks, canvas'))""",
        timeout=timeout,
    )


def full_page_screenshot(page: Page, path: str | os.PathLike[str]) -> None:
    """Screenshot the whole app, not just the first screen.

    Streamlit scrolls inside its own container (the document itself is one
    viewport tall), so Playwright's ``full_page=True`` would only capture what is
    on screen. Grow the viewport to the content height, shoot, then restore.
    """
    viewport = page.viewport_size or VIEWPORTS["desktop"]
    wait_for_paint(page)
    content_height = page.evaluate(
        """() => {
            // The page scrolls in stMain (and in the sidebar when it is open).
            // A collapsed sidebar is a 40px sliver with very tall wrapped text:
            // leave it out.
            let h = document.documentElement.scrollHeight;
            const main = document.querySelector('[data-testid="stMain"]');
            const sidebar = document.querySelector('[data-testid="stSidebar"]');
            const boxes = [main];
            if (sidebar && sidebar.getAttribute('data-collapsed') !== 'true') {
                boxes.push(sidebar.querySelector('[data-testid="stSidebarContent"]'));
            }
            for (const el of boxes) {
                if (el) h = Math.max(h, el.scrollHeight + el.getBoundingClientRect().top);
            }
            return Math.ceil(h);
        }"""
    )
    height = max(viewport["height"], min(int(content_height), 20_000))
    try:
        if height > viewport["height"]:
            page.set_viewport_size({"width": viewport["width"], "height": height})
            page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)


def open_page(page: Page, url: str, timeout: float = 30_000) -> Any:
    """``page.goto(url)`` then :func:`wait_for_app`; returns the response."""
    response = page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    wait_for_app(page, timeout=timeout)
    return response
