"""Helpers for driving the app with streamlit.testing.v1.AppTest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from logic import clock
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from pages.shared import common
from pages.shared.common import FAILURE

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


def app(runner: str | None = None, team: str | None = None, timeout: float = 60) -> AppTest:
    """The whole app (navigation included), optionally with a runner already chosen."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if runner is not None:
        at.session_state["runner"] = runner
        at.session_state["team"] = team
    return at


def signed_in(user_id: int) -> AppTest:
    """The whole app in team mode, its session signed in as `user_id` as the sign-in form
    would leave it: the id, the account's session version and the time (pages/shared/common.py
    signs a session with a user id alone out)."""
    user = Accounts(get_store()).get(user_id)
    assert user is not None, f"no account {user_id}"
    at = app()
    at.session_state[common.USER_KEY] = user.id
    at.session_state[common.VERSION_KEY] = user.session_version
    at.session_state[common.LAST_SEEN_KEY] = clock.now()
    return at


def on_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return at.run()


def assert_no_exception(at: AppTest) -> None:
    """No exception shown, neither Streamlit's nor the app's short message for one."""
    assert not at.exception, [e.value for e in at.exception]
    failures = [e.value for e in at.error if str(e.value).startswith(FAILURE)]
    assert not failures, failures


def charts(at: AppTest) -> list[Any]:
    return list(at.get("vega_lite_chart"))


def chart_spec(chart: Any) -> dict[str, Any]:
    return json.loads(chart.proto.spec)


def chart_datasets(chart: Any) -> dict[str, pd.DataFrame]:
    """The named datasets Streamlit ships with an Altair chart, as DataFrames."""
    out = {}
    for named in chart.proto.datasets:
        table = pa.ipc.open_stream(named.data.data).read_all()
        out[named.name] = table.to_pandas()
    return out


def chart_rows(chart: Any) -> pd.DataFrame:
    """All rows of every dataset of a chart, stacked (columns unioned)."""
    frames = list(chart_datasets(chart).values())
    spec = chart_spec(chart)
    # Named datasets Streamlit could not turn into Arrow tables (nested GeoJSON rows) stay
    # in the spec.
    frames += [pd.DataFrame(rows) for rows in spec.get("datasets", {}).values() if rows]
    inline = _inline_values(spec)
    if inline:
        frames.append(pd.DataFrame(inline))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _inline_values(spec: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            found += [v for v in data["values"] if isinstance(v, dict)]
        for value in spec.values():
            found += _inline_values(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _inline_values(value)
    return found


def texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def button(at: AppTest, label: str) -> Any:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def fill_checkin(at: AppTest, **values: Any) -> AppTest:
    """Set check-in widgets by column name (ci_<column> keys) without running."""
    for column, value in values.items():
        key = f"ci_{column}"
        at.get_by_key(key).set_value(value)
    return at


def reachable(at: AppTest) -> set[str]:
    """Pages st.navigation offered on the last run (file stems), hidden ones included."""
    pages = at._registered_pages.values()
    return {Path(str(p["script_path"])).stem for p in pages if "url_pathname" in p}


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, tuple[bytes, str]]]:
    """file name -> (bytes, mime type) of every download button the page built."""
    seen: dict[str, tuple[bytes, str]] = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self: Any, data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        if filename is not None:
            seen[filename] = (data, mimetype)
        return real(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    yield seen
