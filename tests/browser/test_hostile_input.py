"""Hostile input end to end: HTML/script in names renders as text, uploads over the limit are
refused, XSRF protection stays on, and no password, hash or database secret reaches a page
or a log line.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit.config as st_config

from logic.io.importing import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB, plan_import
from logic.storage.accounts import Accounts
from logic.storage.store import Store, dispose_stores, get_store
from logic.texts import escape_markdown
from tests.support.apptest import ROOT, app, assert_no_exception, button, on_page, signed_in, texts

NAME = "<script>alert(1)</script><b>x</b>"
TEAM = "<img src=x onerror=alert(1)>"
MARKDOWN_NAME = "Ann *Star* _Trail_ [x](http://e.test) \\$1"
PASSWORD = "correct horse battery"
WRONG = "wrong horse battery!"
NEW_RUNNER = "➕ New runner…"  # pages/shared/common.py

# --- (1) no raw HTML anywhere --------------------------------------------------------------

RAW_HTML = re.compile(r"unsafe_allow_html\s*=\s*True|\bst\.html\s*\(|components\.(v1\.)?html")


# The three exceptions: the check-in page's stylesheet (the Save bar pinned to the bottom of the
# screen), the app's own (caption contrast, chart ink, the phone's page links) and the phone
# tables' (which of a table's two forms shows at this width): constants with no text from
# anyone in them.
CONSTANT_STYLES = {
    ("pages/checkin.py", "st.html(STYLE)"),
    ("pages/shared/common.py", "st.html(STYLE)"),
    ("pages/shared/tables.py", "st.html(STYLE)"),
}
STYLE_KEYS = {
    "pages/checkin.py": {"SAVE_BAR"},
    "pages/shared/common.py": {"PHONE_NAV", "PHONE_NAV_BELOW"},
    "pages/shared/tables.py": {"WIDE", "PHONE", "PHONE_NAV_BELOW"},
}


def test_no_raw_html_in_the_app_sources() -> None:
    files = [ROOT / "streamlit_app.py", *(ROOT / "pages").rglob("*.py")]
    files += (ROOT / "logic").rglob("*.py")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if RAW_HTML.search(line)
        and (str(path.relative_to(ROOT)), line.strip()) not in CONSTANT_STYLES
    ]
    assert len(files) > 10
    assert not found, "raw HTML output found:\n" + "\n".join(found)
    # The exceptions stay constants: nothing but their own keys is formatted into them.
    for path, keys in STYLE_KEYS.items():
        source = (ROOT / path).read_text(encoding="utf-8")
        style = source[source.index("STYLE = ") : source.index("</style>")]
        assert set(re.findall(r"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})", style)) <= keys, path


# --- element walking -------------------------------------------------------------------------


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _nodes(child)


def page_text(at: Any, *, skip_password_inputs: bool = True) -> str:
    """Every element's proto and value as text (password inputs' typed value left out:
    that is the user's own input in their own browser, not something the app shows)."""
    parts: list[str] = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        is_input = getattr(node, "type", None) == "text_input"
        if skip_password_inputs and is_input and getattr(proto, "type", None) == 1:
            continue  # TextInput.PASSWORD
        try:
            value = node.value
        except Exception:  # containers and some elements have no value
            continue
        parts.append(str(value))
    return "\n".join(parts)


def html_allowed_anywhere(at: Any) -> list[str]:
    return [
        str(getattr(node, "value", ""))[:80]
        for node in _nodes(at._tree)
        if getattr(getattr(node, "proto", None), "allow_html", False)
    ]


# --- (2) AppTest: a hostile runner name shows as literal text --------------------------------


def test_html_and_script_in_names_render_as_text(db_url: str) -> None:
    at = app().run()
    assert_no_exception(at)
    at.selectbox[0].select(NEW_RUNNER).run()
    at.text_input[0].input(NAME)
    at.text_input[1].input(TEAM)
    button(at, "Start").click().run()
    assert_no_exception(at)
    assert at.session_state["runner"] == NAME
    assert at.session_state["team"] == TEAM
    # The check-in page names the runner and team as typed (escaped Markdown source; the
    # browser test below checks what shows), and saving works.
    name, team = escape_markdown(NAME), escape_markdown(TEAM)
    assert any(name in t and team in t for t in texts(at.markdown)), texts(at.markdown)
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    stored = get_store().history(NAME)
    assert stored["runner"].tolist() == [NAME] and stored["team"].tolist() == [TEAM]

    for path in ("pages/results.py", "pages/history.py"):
        page = on_page(at, path)
        assert_no_exception(page)
        shown = " ".join(texts(page.markdown))
        assert name in shown, (path, texts(page.markdown))
        # st.markdown only renders raw HTML with unsafe_allow_html: the tags stay text.
        assert not html_allowed_anywhere(page), (path, html_allowed_anywhere(page))


# --- (3) the browser: no script, no img, no dialog --------------------------------------------


@pytest.mark.browser
def test_hostile_names_stay_text_in_the_browser(
    tmp_path: Path, app_server_factory: Any, page_factory: Any
) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import assert_clean, open_app

    url = f"sqlite:///{tmp_path / 'xss.db'}"
    seed = Store(url)
    checkin_id = seed.save_checkin(
        {"runner": NAME, "team": TEAM, "date": "2026-01-05", "pain_level": 3}
    )
    markdown_id = seed.save_checkin(
        {"runner": MARKDOWN_NAME, "date": "2026-01-05", "pain_level": 3}
    )
    seed.dispose()
    server = app_server_factory(db_url=url)
    page = page_factory("desktop")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, server.base_url, f"/results?checkin={checkin_id}")
    expect(page.get_by_text(NAME, exact=False).first).to_be_visible()
    found = page.evaluate(
        """(name) => ({
            scripts: Array.from(document.querySelectorAll('script'))
                .filter(s => s.textContent.includes('alert(1)')).length,
            imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
            bold: Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"] b'))
                .filter(b => b.textContent === 'x').length,
            text: document.body.innerText.includes(name),
        })""",
        NAME,
    )
    assert found == {"scripts": 0, "imgs": 0, "bold": 0, "text": True}, found
    page.wait_for_timeout(300)  # an injected handler would have fired by now
    assert dialogs == []
    assert_clean(page)
    # Markdown in a name stays literal too: no emphasis, no link.
    open_app(page, server.base_url, f"/results?checkin={markdown_id}")
    main = page.locator('[data-testid="stMain"]')
    line = main.locator('[data-testid="stMarkdownContainer"]', has_text="Star").first
    expect(line).to_be_visible()
    # Shown as typed, except for invisible word joiners that keep a URL from becoming a link.
    bold = line.locator("strong")
    expect(bold).to_have_count(1)  # bold as the page means it
    assert bold.inner_text().replace("\u2060", "") == MARKDOWN_NAME
    expect(line.locator("em, a, .katex")).to_have_count(0)
    assert_clean(page)


# --- uploads over the limit ---------------------------------------------------------------------


def test_uploads_over_the_limit_are_refused_in_logic(db_url: str) -> None:
    store = get_store()
    too_big = b"runner,date\n" + b"Ann,2024-01-01\n" * (UPLOAD_LIMIT_BYTES // 15 + 1)
    assert len(too_big) > UPLOAD_LIMIT_BYTES
    plan = plan_import(too_big, store, runner="Ann")
    assert not plan.ok
    assert plan.errors == [
        f"the file is {len(too_big):,} bytes; allowed: files up to {UPLOAD_LIMIT_MB} MB "
        "(split it into smaller files, e.g. one per year)"
    ]
    assert store.history("Ann").empty


def test_uploads_over_the_limit_are_refused_on_the_page(db_url: str) -> None:
    at = on_page(app("Ann").run(), "pages/data.py")
    assert_no_exception(at)
    assert f"Files up to {UPLOAD_LIMIT_MB} MB" in " ".join(texts(at.markdown))
    too_big = b"runner,date\n" + b"Ann,2024-01-01\n" * (UPLOAD_LIMIT_BYTES // 15 + 1)
    at.file_uploader[0].set_value(("big.csv", too_big, "text/csv"))
    at.run()
    assert_no_exception(at)
    errors = " ".join(texts(at.error)).replace("\\", "")
    assert "cannot be imported" in errors and f"files up to {UPLOAD_LIMIT_MB} MB" in errors
    assert "Nothing was saved" in errors
    assert not [b for b in at.button if b.label.startswith("Import ")]
    assert get_store().history("Ann").empty


# --- XSRF ---------------------------------------------------------------------------------------


def test_xsrf_protection_stays_on(monkeypatch: pytest.MonkeyPatch) -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config.get("server", {}).get("enableXsrfProtection", True) is True
    monkeypatch.chdir(ROOT)  # Streamlit reads ./.streamlit/config.toml
    try:
        st_config.get_config_options(force_reparse=True)
        assert st_config.get_option("server.enableXsrfProtection") is True
        assert st_config.get_option("server.headless") is True  # proof the project file loaded
    finally:
        monkeypatch.undo()
        st_config.get_config_options(force_reparse=True)
    # Nothing that launches the app turns it off on the command line or in the environment.
    scripts = [*(ROOT / "scripts").rglob("*.py"), *(ROOT / "scripts").rglob("*.sh")]
    launchers = [*scripts, ROOT / "README.md", ROOT / "pyproject.toml"]
    for path in launchers:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"enableXsrfProtection[=\s\"']*false", text, re.I), path
        assert "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION" not in text, path


@pytest.mark.browser
def test_the_running_server_refuses_an_upload_without_the_xsrf_token(app_server: str) -> None:
    """The live server, not just the config: a forged upload gets 403 (400 with XSRF off)."""
    import urllib.error
    import urllib.request

    forged = urllib.request.Request(
        f"{app_server.rstrip('/')}/_stcore/upload_file/some-session/some-file",
        method="PUT",
        data=b"runner,date\nEve,2026-01-05\n",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=30)
    assert refused.value.code == 403
    assert b"XSRF" in refused.value.read()


# --- secrets never reach a page or a log ----------------------------------------------------


@pytest.fixture
def team_mode(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    accounts = Accounts(get_store())
    ann = accounts.create_user("ann", role="runner", password=PASSWORD)
    root = accounts.create_user("root", role="admin", password=PASSWORD + " admin")
    return {"ann": ann.id, "root": root.id}


SQL_LOGGERS = ("sqlalchemy",)  # they log every result row at DEBUG


def _capture_all_logs(caplog: pytest.LogCaptureFixture, *, sql_debug: bool) -> Iterator[None]:
    """caplog at DEBUG for every logger, including those that do not propagate (streamlit);
    SQLAlchemy's loggers too only when `sql_debug`."""
    caplog.set_level(logging.DEBUG)
    names = [n for n in logging.root.manager.loggerDict if not n.startswith("hypothesis")]
    patched: list[tuple[logging.Logger, int]] = []
    for name in ["streamlit", "sqlalchemy", "logic", *names]:
        logger = logging.getLogger(name)
        is_sql = name.startswith(SQL_LOGGERS)
        if not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
        patched.append((logger, logger.level))
        logger.setLevel(logging.DEBUG if sql_debug or not is_sql else logging.WARNING)
    yield
    for logger, level in patched:
        logger.setLevel(level)
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG except SQLAlchemy's (left at WARNING, as a deployment runs)."""
    yield from _with(caplog, sql_debug=False)


@pytest.fixture
def all_logs_sql_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, SQLAlchemy's included."""
    yield from _with(caplog, sql_debug=True)


def _with(caplog: pytest.LogCaptureFixture, *, sql_debug: bool) -> Iterator[Any]:
    for _ in _capture_all_logs(caplog, sql_debug=sql_debug):
        yield caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() + repr(r.args) for r in caplog.records) + caplog.text


def _hashes(db_url: str) -> list[str]:
    """The stored hashes, read with sqlite3 itself so that reading them logs nothing."""
    import sqlite3

    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        rows = conn.execute("SELECT password_hash FROM users").fetchall()
    finally:
        conn.close()
    return [h for (h,) in rows if h]


def assert_secret_free(text: str, secrets: list[str], where: str) -> None:
    assert "$argon2" not in text, f"a password hash in {where}"
    for secret in secrets:
        assert secret not in text, f"{secret[:12]}… in {where}"


def test_passwords_and_hashes_never_reach_logs_or_pages(
    team_mode: dict[str, Any],
    db_url: str,
    all_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hashes = _hashes(db_url)
    assert len(hashes) == 2 and all(h.startswith("$argon2") for h in hashes)
    at = app().run()
    assert_no_exception(at)
    assert at.title[0].value == "Sign in to Stride Check"
    shown: list[str] = []
    for password in (WRONG, PASSWORD):
        at.text_input[0].input("ann")
        at.text_input[1].input(password)
        at.button[0].click().run()
        assert_no_exception(at)
        if password == WRONG:
            assert texts(at.error) == ["Wrong username or password."]
        shown.append(page_text(at))
    assert at.session_state["user_id"] == team_mode["ann"]
    assert at.title[0].value == "Weekly check-in"
    for page in ("pages/results.py", "pages/history.py", "pages/data.py", "pages/about.py"):
        shown.append(page_text(on_page(at, page)))
    out = capsys.readouterr()
    logs = log_text(all_logs)
    secrets = [PASSWORD, WRONG, *hashes]
    assert_secret_free("\n".join(shown), secrets, "a page")
    assert_secret_free(logs, secrets, "the logs")
    assert_secret_free(out.out + out.err, secrets, "stdout/stderr")


def test_a_signed_in_name_is_shown_as_typed_in_the_sidebar(team_mode: dict[str, Any]) -> None:
    accounts = Accounts(get_store())
    coach = accounts.create_user(
        "rae", role="coach", password=PASSWORD, display_name=MARKDOWN_NAME, coach_of=["A"]
    )
    at = signed_in(coach.id).run()
    assert_no_exception(at)
    shown = texts(at.sidebar.markdown)
    assert f"Signed in as **{escape_markdown(MARKDOWN_NAME)}** (coach)" in shown, shown


def test_the_admin_page_never_shows_a_hash(
    team_mode: dict[str, Any], db_url: str, all_logs: pytest.LogCaptureFixture
) -> None:
    hashes = _hashes(db_url)
    at = on_page(signed_in(team_mode["root"]).run(), "pages/admin.py")
    assert_no_exception(at)
    assert at.title[0].value == "Admin"
    people = at.dataframe[0].value
    assert set(people["username"]) == {"ann", "root"}
    assert not [c for c in people.columns if "hash" in str(c).lower() or "pass" in str(c).lower()]
    assert_secret_free(people.to_csv(), hashes, "the admin table")
    assert_secret_free(page_text(at), [PASSWORD, *hashes], "the admin page")
    assert_secret_free(log_text(all_logs), [PASSWORD, *hashes], "the logs")


def test_hashes_stay_out_of_the_logs_even_with_sql_debug_logging(
    team_mode: dict[str, Any], db_url: str, all_logs_sql_debug: pytest.LogCaptureFixture
) -> None:
    hashes = _hashes(db_url)
    at = app().run()
    at.text_input[0].input("ann")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.session_state["user_id"] == team_mode["ann"]
    assert_secret_free(log_text(all_logs_sql_debug), [PASSWORD, *hashes], "the logs")


def test_a_database_password_never_reaches_the_page_or_logs(
    monkeypatch: pytest.MonkeyPatch,
    all_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dispose_stores()
    monkeypatch.setenv(
        "STRIDE_CHECK_DATABASE_URL", "postgresql+psycopg://u:s3cretpw@127.0.0.1:1/db"
    )
    at = app("Ann").run()
    assert at.error, "no error shown for an unreachable database"
    errors = " ".join(texts(at.error))
    assert "database" in errors.lower()
    text = page_text(at)
    for e in at.exception:
        text += str(e.value) + " ".join(e.stack_trace)
    out = capsys.readouterr()
    logs = log_text(all_logs)
    assert "s3cretpw" not in text
    assert "s3cretpw" not in logs
    assert "s3cretpw" not in out.out + out.err
