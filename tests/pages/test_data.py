"""The Import & export page: download your history; upload a CSV, see problems by line or a
preview, and only the confirm button writes (all rows in one transaction, or none).

Uploads go through AppTest's own st.file_uploader support (`at.file_uploader[0].set_value`),
the same widget state the browser sends; downloads are read where Streamlit stores them.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import logic.storage.store
from logic import clock
from logic.io.csv_io import UTF8_BOM
from logic.io.importing import UPLOAD_LIMIT_BYTES, export_csv, export_filename
from logic.knowledge import knowledge_base
from logic.storage.store import get_store
from tests.support.apptest import app, assert_no_exception, button, on_page, signed_in, texts

pytestmark = pytest.mark.usefixtures("db_url")

PAGE = "pages/data.py"
HEADER = "runner,date,pain_level,weekly_km"
UPLOADER = "data_upload_{}"


def data_page(runner: str = "Ann") -> AppTest:
    at = on_page(app(runner).run(), PAGE)
    assert_no_exception(at)
    return at


def upload(at: AppTest, text: str | bytes, name: str = "weeks.csv") -> AppTest:
    content = text.encode() if isinstance(text, str) else text
    at.file_uploader[0].set_value((name, content, "text/csv"))
    at.run()
    assert_no_exception(at)
    return at


def unescaped(values: list[str]) -> str:
    return " ".join(values).replace("\\", "")


def weeks(runner: str = "Ann") -> list[tuple[str, int]]:
    h = get_store().history(runner)
    return list(zip(h["date"].dt.strftime("%Y-%m-%d"), h["pain_level"], strict=True))


def save(**row: Any) -> None:
    get_store().save_checkin({"runner": "Ann", **row})


# --- export -------------------------------------------------------------------------------------


def test_export_downloads_the_whole_history_as_csv(downloads: dict) -> None:
    save(date="2026-01-07", pain_level=2, team="=cmd|' /C calc'!A0")
    save(date="2026-02-04", pain_level=5, weekly_km=42.5)
    get_store().save_checkin({"runner": "Bob", "date": "2026-01-07"})  # not Ann's
    at = data_page()
    button_ = at.download_button(key="data_export")
    assert button_.label == "Download my 2 check-ins (CSV)"
    assert not button_.proto.disabled
    name = export_filename("Ann", clock.today())
    data, mime = downloads[name]
    assert mime == "text/csv"
    assert data.startswith(UTF8_BOM)  # Excel then reads UTF-8 names right
    assert data[len(UTF8_BOM) :].decode() == export_csv(get_store().history("Ann"))
    # Read back by pandas, independently of our reader: Ann's two weeks, every column.
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == list(knowledge_base().checkin.columns)
    assert back["runner"].tolist() == ["Ann", "Ann"]
    assert back["date"].tolist() == ["2026-01-07", "2026-02-04"]
    assert back["pain_level"].tolist() == [2, 5]
    assert back["team"].iloc[0] == "'=cmd|' /C calc'!A0"  # neutralised for spreadsheets


def test_export_is_disabled_with_a_note_when_there_is_nothing_yet() -> None:
    get_store().add_runner("Ann")
    at = data_page()
    button_ = at.download_button(key="data_export")
    assert button_.proto.disabled
    assert any("Nothing to export yet" in c for c in texts(at.caption))


def test_help_lists_the_columns_and_offers_a_template(downloads: dict) -> None:
    at = data_page()
    shown = texts(at.markdown)
    assert any("Files up to 5 MB" in m for m in shown)
    help_ = next(m for m in shown if m.startswith("- `runner` (required)"))
    names = [line.split("`")[1] for line in help_.splitlines()]
    assert names == list(knowledge_base().checkin.columns)
    plain = help_.replace("\\", "")
    assert "- `pain_level` · Worst pain this week (0-10) · a whole number from 0 to 10; " in plain
    template = downloads["stride-check-template-Ann.csv"][0].decode("utf-8-sig")
    header, example = template.splitlines()
    assert header.split(",") == list(knowledge_base().checkin.columns)
    assert example.startswith(f"Ann,{clock.today():%Y-%m-%d},")


# --- import: problems -----------------------------------------------------------------------------


def test_a_bad_file_lists_every_problem_by_line_and_writes_nothing() -> None:
    save(date="2026-01-07", pain_level=2)
    at = upload(data_page(), f"{HEADER}\nAnn,2026-01-05,3,\n\nBob,2026-01-12,x,\n", "bad*.csv")
    assert len(at.error) == 1
    shown = unescaped(texts(at.error))
    assert "bad*.csv cannot be imported: 2 problems. Nothing was saved." in shown
    assert "line 4, column 'runner': got 'Bob'; allowed: only your own name 'Ann'" in shown
    assert "line 4, column 'pain_level': got 'x'; allowed: a whole number from 0 to 10" in shown
    assert not at.button and not at.dataframe  # no preview, no import button
    assert weeks() == [("2026-01-07", 2)]
    assert weeks("Bob") == []


def test_a_file_over_the_limit_is_refused() -> None:
    big = (HEADER + "\n").encode() + b"Ann,2026-01-05,3,\n" * (UPLOAD_LIMIT_BYTES // 18 + 1)
    at = upload(data_page(), big)
    assert "allowed: files up to 5 MB" in unescaped(texts(at.error))
    assert at.file_uploader[0].proto.max_upload_size_mb == 5  # the browser refuses it first
    assert weeks() == []


# --- import: preview, then confirm ------------------------------------------------------------


def test_preview_then_confirm_writes_and_resets_the_uploader() -> None:
    at = upload(data_page(), f"{HEADER}\nAnn,2026-01-05,3,40\nAnn,2026-01-12,1,\n")
    assert not at.error
    preview = at.dataframe[0].value
    assert preview["status"].tolist() == ["new", "new"]
    assert preview["week"].tolist() == ["Week 2 · 5 Jan–11 Jan 2026", "Week 3 · 12 Jan–18 Jan 2026"]
    assert (
        "**2** check-ins in the file: **2** new weeks, **0** already stored."
        in " ".join(texts(at.markdown))  # the recorded-runs section follows the CSV import
    )
    assert not at.radio  # nothing stored yet: no skip/replace question
    assert weeks() == []  # the preview wrote nothing

    button(at, "Import 2 check-ins").click()
    at.run()
    assert_no_exception(at)
    assert weeks() == [("2026-01-05", 3), ("2026-01-12", 1)]
    assert texts(at.success) == ["Imported weeks\\.csv: 2 new, 0 replaced, 0 skipped."]
    assert at.file_uploader[0].key == UPLOADER.format(1)  # a new, empty uploader
    assert at.file_uploader[0].value is None
    assert not at.button
    assert at.download_button(key="data_export").label == "Download my 2 check-ins (CSV)"


@pytest.mark.parametrize(
    ("choice", "label", "result", "expected"),
    [
        ("Skip them", "Import 1 check-in", "1 new, 0 replaced, 1 skipped", [2, 6]),
        ("Replace them", "Import 2 check-ins", "1 new, 1 replaced, 0 skipped", [5, 6]),
    ],
)
def test_weeks_already_stored_are_skipped_or_replaced(
    choice: str, label: str, result: str, expected: list[int]
) -> None:
    save(date="2026-01-07", pain_level=2)
    at = upload(data_page(), f"{HEADER}\nAnn,2026-01-05,5,\nAnn,2026-01-12,6,\n")
    assert at.dataframe[0].value["status"].tolist() == ["already stored", "new"]
    assert (
        "**2** check-ins in the file: **1** new week, **1** already stored."
        in " ".join(texts(at.markdown))  # the recorded-runs section follows the CSV import
    )
    assert at.radio[0].label == "Weeks already stored"
    assert at.radio[0].options == ["Skip them", "Replace them"]
    assert at.radio[0].value == "Skip them"
    at.radio[0].set_value(choice)
    at.run()
    button(at, label).click()
    at.run()
    assert_no_exception(at)
    assert texts(at.success) == [f"Imported weeks\\.csv: {result}."]
    assert [p for _, p in weeks()] == expected


def test_every_week_already_stored_and_skip_leaves_nothing_to_import() -> None:
    save(date="2026-01-07", pain_level=2)
    at = upload(data_page(), f"{HEADER}\nAnn,2026-01-05,5,\n")
    assert button(at, "Import 0 check-ins").disabled
    assert any("Replace them" in i for i in texts(at.info))
    at.radio[0].set_value("Replace them")
    at.run()
    assert not button(at, "Import 1 check-in").disabled


def test_a_database_failure_during_the_import_saves_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save(date="2026-01-07", pain_level=2)
    at = upload(data_page(), f"{HEADER}\nAnn,2026-01-05,5,\nAnn,2026-01-12,6,\n")
    at.radio[0].set_value("Replace them")
    at.run()
    real = logic.storage.store._executemany

    def insert_then_fail(conn: sa.Connection, stmt: Any, frame: pd.DataFrame) -> None:
        real(conn, stmt, frame)
        if stmt.is_update:  # the new week went in; replacing the stored one fails
            raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(logic.storage.store, "_executemany", insert_then_fail)
    button(at, "Import 2 check-ins").click()
    at.run()
    assert_no_exception(at)
    shown = " ".join(texts(at.error))
    assert shown.startswith("Nothing was imported. Could not import: the database")
    assert "busy" in shown
    assert weeks() == [("2026-01-07", 2)]  # the inserted week was rolled back too
    assert not at.success
    assert at.file_uploader[0].key == UPLOADER.format(0)  # the file stays, to try again


# --- team mode: a signed-in runner ------------------------------------------------------------


def test_a_signed_in_runner_cannot_import_another_runners_weeks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logic.storage.accounts import Accounts

    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    ann = Accounts(get_store()).create_user(
        "ann", role="runner", password="correct horse pw", team="A"
    )
    Accounts(get_store()).create_user("bob", role="runner", password="correct horse pw", team="A")
    at = on_page(signed_in(ann.id).run(), PAGE)
    assert_no_exception(at)
    at = upload(at, f"{HEADER}\nann,2026-01-05,5,\nbob,2026-01-12,6,\n")
    assert "line 3, column 'runner': got 'bob'; allowed: only your own name 'ann'" in unescaped(
        texts(at.error)
    )
    assert weeks("bob") == [] and weeks("ann") == []


def test_team_import_shows_only_once_there_is_a_team_to_import_for() -> None:
    get_store().add_runner("Ann", None)
    at = data_page()
    assert not [t for t in at.toggle if t.key == "data_team_import"]  # a solo runner
    get_store().add_runner("Bob", "Hill")
    at = data_page()
    assert [t for t in at.toggle if t.key == "data_team_import"]


def test_the_preview_shows_the_key_columns_and_every_column_on_demand() -> None:
    at = upload(data_page(), f"{HEADER}\nAnn,2026-11-02,3,40\n")
    key, every = at.dataframe[0], at.dataframe[1]
    assert list(key.proto.column_order) == ["date", "status", "pain_level"]
    assert {"week", "weekly_km"} <= set(every.value.columns)
    assert any("Every column" in e.label for e in at.expander)


def _in_order(node: Any) -> list[Any]:
    """The page's elements top to bottom (containers opened in place)."""
    kids = getattr(node, "children", None)
    if not kids:
        return [node]
    return [leaf for k in sorted(kids) for leaf in _in_order(kids[k])]


def test_the_disclaimer_closes_the_page_below_the_runs_section() -> None:
    """It used to sit between the CSV import and "Recorded runs", mid-page."""
    at = data_page()
    assert_no_exception(at)
    shown = [str(getattr(e, "value", "")) for e in _in_order(at.main)]
    runs = shown.index("Recorded runs")
    (said,) = [i for i, text in enumerate(shown) if "not medical advice" in text]
    assert said > runs and said == len(shown) - 1


@pytest.mark.parametrize("case", ["bad file", "unreadable database"])
def test_a_refused_file_leaves_the_rest_of_the_page_in_reading_order(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV import returns early on a bad file or a failed check: "Recorded runs" still
    follows it and the disclaimer still closes the page."""
    if case == "unreadable database":

        def broken(*args: Any, **kwargs: Any) -> None:
            raise logic.storage.store.StorageError("Could not read check-ins.")

        monkeypatch.setattr("logic.io.importing.plan_import", broken)
    at = upload(data_page(), f"{HEADER}\nAnn,not a date,3,40\n")
    shown = [str(getattr(e, "value", "")) for e in _in_order(at.main)]
    error = "cannot be imported" if case == "bad file" else "Could not check the file"
    refused = next(i for i, text in enumerate(shown) if error in text)
    (said,) = [i for i, text in enumerate(shown) if "not medical advice" in text]
    assert refused < shown.index("Recorded runs") < said == len(shown) - 1
