"""Shared fixtures for the whole suite.

* The project clock (``logic.clock``) is pinned once per session, at the instant the session
  starts (the real clock, or a faked one under ``faketime``; a STRIDE_CHECK_NOW already set
  is kept). In-process code sees it frozen, and STRIDE_CHECK_NOW carries it to the app
  servers the browser tests start, so a run that crosses midnight never shifts a day or a
  week halfway. Tests date their fixtures relative to ``clock.today()``.
* ``_clear_streamlit_caches`` (autouse): empties ``st.cache_data`` and
  ``st.cache_resource`` before and after every test, so cached results never leak
  from one test into another.
* ``db_url``: points ``STRIDE_CHECK_DATABASE_URL`` at a fresh sqlite file in the
  test's ``tmp_path`` and returns the URL.
* Browser fixtures (``app_server``, ``app_server_process``, ``app_server_factory``,
  ``browser``, ``page_factory``, ``page``) come from ``tests/support/browser.py``;
  import its helpers in tests with
  ``from tests.support.browser import assert_clean, open_app, ...``.
* ``downloads`` (tests/support/apptest.py): what each download button of an AppTest page
  holds, by file name.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as st_config

from logic import clock
from logic.storage.store import dispose_stores

# Fixture modules, registered for every test under tests/.
pytest_plugins = [
    "tests.support.apptest",
    "tests.support.browser",
    "tests.support.pg",
    "tests.support.smtp",
]

DB_ENV_VAR = "STRIDE_CHECK_DATABASE_URL"

# .streamlit/config.toml hides error details from a real server's browsers; AppTest runs keep
# them all, so a failing page shows its traceback in at.exception (streamlit_app.py adds it
# to its short message only when this is "full").
st_config.set_option("client.showErrorDetails", "full")


def pytest_configure(config: pytest.Config) -> None:
    """Pin the project clock for this process and every app server it starts."""
    pinned = clock.now()
    clock.set_now(pinned)
    os.environ[clock.ENV_VAR] = pinned.isoformat()


# Outside `streamlit run` every st.cache_data.clear() logs "No runtime found, using
# MemoryCacheStorageManager" at WARNING; that is expected in tests, so keep it out
# of every test report.
_CACHE_DATA_LOGGER = logging.getLogger("streamlit.runtime.caching.cache_data_api")


def _clear_caches() -> None:
    level = _CACHE_DATA_LOGGER.level
    _CACHE_DATA_LOGGER.setLevel(logging.ERROR)
    try:
        st.cache_data.clear()
        st.cache_resource.clear()
    finally:
        _CACHE_DATA_LOGGER.setLevel(level)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> Iterator[None]:
    _clear_caches()
    yield
    _clear_caches()
    dispose_stores()  # each test has its own database: close the last one's connections


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh sqlite database URL, also set as ``STRIDE_CHECK_DATABASE_URL``."""
    url = f"sqlite:///{tmp_path / 'stride_check.db'}"
    monkeypatch.setenv(DB_ENV_VAR, url)
    return url


@pytest.fixture(autouse=True)
def _never_the_real_database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that forgets `db_url` still never writes to the repo's data/stride_check.db."""
    if DB_ENV_VAR not in os.environ:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'stray.db'}"
        monkeypatch.setenv(DB_ENV_VAR, url)
