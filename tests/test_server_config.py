"""The Streamlit server settings that security rests on (.streamlit/config.toml).

* Personal mode listens on loopback only: nobody on the same Wi-Fi reaches the app.
* The server refuses uploads the app would refuse: Streamlit counts server.maxUploadSize in
  mebibytes (checked on 1.67: streamlit/web/server/starlette/starlette_routes.py multiplies
  it by 1024 * 1024), the app in millions of bytes (logic/io/csv_io.py MB), so the smallest
  whole number of mebibytes that still lets the app's own limit through.

The running server is checked too, in tests/browser/test_network.py.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from streamlit import config as st_config

from logic.io.importing import UPLOAD_LIMIT_BYTES

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"
MIB = 1024 * 1024  # Streamlit's megabyte for server.maxUploadSize


def server_section() -> dict[str, object]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8")).get("server", {})


def test_the_app_listens_on_loopback_only() -> None:
    assert server_section().get("address") == "127.0.0.1"


def test_the_server_upload_limit_matches_the_app_limit() -> None:
    size = server_section().get("maxUploadSize")
    assert isinstance(size, int), "server.maxUploadSize must be set (Streamlit's default: 200)"
    assert size == math.ceil(UPLOAD_LIMIT_BYTES / MIB), (
        f"server.maxUploadSize = {size} MiB; the app takes {UPLOAD_LIMIT_BYTES:,} bytes"
    )
    # Every file the app takes gets through the server; the server refuses anything bigger
    # than the app's limit plus less than one MiB, which the app then refuses by name.
    assert UPLOAD_LIMIT_BYTES <= size * MIB < UPLOAD_LIMIT_BYTES + MIB


def test_streamlit_reads_these_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit itself, not just our parser, sees the values in the project's config file."""
    monkeypatch.chdir(ROOT)  # Streamlit reads ./.streamlit/config.toml
    try:
        st_config.get_config_options(force_reparse=True)
        assert st_config.get_option("server.address") == "127.0.0.1"
        assert st_config.get_option("server.maxUploadSize") == server_section()["maxUploadSize"]
    finally:
        monkeypatch.undo()
        st_config.get_config_options(force_reparse=True)


def test_no_launcher_binds_every_interface() -> None:
    """Only the reverse-proxy set-up of team mode (README) binds 0.0.0.0, by hand."""
    launchers = [*(ROOT / "scripts").rglob("*.py"), *(ROOT / "scripts").rglob("*.sh")]
    for path in [*launchers, ROOT / "pyproject.toml", CONFIG]:
        text = path.read_text(encoding="utf-8")
        assert "0.0.0.0" not in text and "STREAMLIT_SERVER_ADDRESS" not in text, path
