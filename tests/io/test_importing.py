"""Importing a CSV: validated and previewed first, written all at once or not at all; a runner
can only bring their own check-ins; exported files re-import as they were."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import logic.storage.store
from logic.io.csv_io import MB, UTF8_BOM
from logic.io.importing import (
    NEW,
    STORED,
    UPLOAD_LIMIT_BYTES,
    UPLOAD_LIMIT_MB,
    ImportPlan,
    apply_import,
    audit_csv,
    download_bytes,
    export_csv,
    export_filename,
    export_frame,
    notes_csv,
    notes_filename,
    plan_import,
    problems_markdown,
    template_csv,
)
from logic.knowledge import knowledge_base
from logic.storage.store import ImportResult, StorageError, Store, get_store

TODAY = dt.date(2026, 11, 27)  # a Friday
HEADER = "runner,date,pain_level,pain_locations,weekly_km"
COLUMNS = list(knowledge_base().checkin.columns)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    yield get_store(db_url)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def plan(source: object, store: Store, runner: str | None = "Ann", **kw: object) -> ImportPlan:
    return plan_import(source, store, runner=runner, today=TODAY, **kw)  # type: ignore[arg-type]


def stored(store: Store, runner: str = "Ann") -> list[tuple[str, int, float]]:
    h = store.history(runner)
    days = h["date"].dt.strftime("%Y-%m-%d")
    return list(zip(days, h["pain_level"], h["weekly_km"], strict=True))


# --- good files: preview, then one transaction --------------------------------------------------


def test_a_valid_file_is_previewed_then_written_at_once(store: Store) -> None:
    text = csv_text(
        "Ann,2026-01-05,3,front_knee,40",
        "Ann,2026-01-14,1,,",
        "Ann,2026-01-21,0,outer_hip;front_knee,55.5",
    )
    p = plan(text, store)
    assert p.ok and p.errors == []
    assert (p.rows, p.new, p.conflicts) == (3, 3, 0)
    assert p.preview["status"].tolist() == [NEW] * 3
    assert p.preview["week"].tolist() == [
        "Week 2 · 5 Jan–11 Jan 2026",
        "Week 3 · 12 Jan–18 Jan 2026",
        "Week 4 · 19 Jan–25 Jan 2026",
    ]
    given = HEADER.split(",")
    assert list(p.preview.columns) == ["status", "week", *(c for c in COLUMNS if c in given)]
    assert p.preview["pain_locations"].iloc[2] == "front_knee;outer_hip"  # canonical order
    assert store.all_checkins().empty  # planning writes nothing

    assert apply_import(p, store, "error") == ImportResult(3, 0, 0)
    assert stored(store) == [
        ("2026-01-05", 3, 40.0),
        ("2026-01-14", 1, pytest.approx(np.nan, nan_ok=True)),
        ("2026-01-21", 0, 55.5),
    ]


def test_a_failure_inside_the_transaction_writes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_checkin({"runner": "Ann", "date": "2026-01-07", "pain_level": 2})
    p = plan(csv_text("Ann,2026-01-05,7,,", "Ann,2026-01-12,1,,", "Ann,2026-01-19,1,,"), store)
    assert (p.new, p.conflicts) == (2, 1)
    real = logic.storage.store._executemany
    calls: list[int] = []

    def insert_then_fail(conn: sa.Connection, stmt: sa.Executable, frame: pd.DataFrame) -> None:
        real(conn, stmt, frame)  # the new rows really go in (inside the transaction) ...
        calls.append(len(frame))
        if len(calls) == 2:  # ... then replacing the stored week fails
            raise sa.exc.OperationalError("UPDATE checkins", {}, Exception("disk I/O error"))

    monkeypatch.setattr(logic.storage.store, "_executemany", insert_then_fail)
    with pytest.raises(StorageError, match=r"Nothing was imported\."):
        apply_import(p, store, "replace")
    assert calls == [2, 1]
    assert stored(store) == [("2026-01-07", 2, pytest.approx(np.nan, nan_ok=True))]


# --- bad files: every problem by line and column, nothing written -------------------------------


def test_one_bad_row_refuses_the_file_naming_line_and_column(store: Store) -> None:
    text = csv_text("Ann,2026-01-05,3,,", "", "Ann,2026-01-12,11,elbow,")
    p = plan(text, store)
    assert not p.ok
    assert p.errors == [
        "line 4, column 'pain_locations': got 'elbow'; allowed: any of front_knee, outer_knee, "
        "outer_hip, front_hip, buttock, back_thigh",
        "line 4, column 'pain_level': got '11'; allowed: a whole number from 0 to 10",
    ]
    assert (p.rows, p.new, p.conflicts) == (0, 0, 0)
    with pytest.raises(ValueError, match="nothing was written"):
        apply_import(p, store, "skip")
    assert store.all_checkins().empty


def test_another_runners_rows_are_refused(store: Store) -> None:
    text = csv_text("Ann,2026-01-05,3,,", "Ann,2026-01-12,1,,", "Bob,2026-01-12,1,,")
    p = plan(text, store)
    assert p.errors == ["line 4, column 'runner': got 'Bob'; allowed: only your own name 'Ann'"]
    # Also when the file has other problems: every problem at once, in line order.
    p = plan(csv_text("Bob,2026-01-05,x,,", "Ann,2026-01-12,1,,"), store)
    assert p.errors == [
        "line 2, column 'runner': got 'Bob'; allowed: only your own name 'Ann'",
        "line 2, column 'pain_level': got 'x'; allowed: a whole number from 0 to 10",
    ]
    # Names are exact: another spelling is another runner.
    assert plan(csv_text("ann,2026-01-05,3,,"), store).errors == [
        "line 2, column 'runner': got 'ann'; allowed: only your own name 'Ann'"
    ]
    assert store.all_checkins().empty
    # Without an owner (a coach's or an administrator's import) any runner may be in the file.
    both = plan(text, store, runner=None)
    assert both.ok and apply_import(both, store, "error") == ImportResult(3, 0, 0)


def test_a_plan_holding_someone_elses_rows_is_never_written(store: Store) -> None:
    p = plan(csv_text("Ann,2026-01-05,3,,"), store)
    forged = ImportPlan(
        frame=p.frame.assign(runner="Bob"), preview=p.preview, runner="Ann"
    )  # e.g. a page bug that swapped the frame
    with pytest.raises(ValueError, match="other than 'Ann'"):
        apply_import(forged, store, "error")
    assert store.all_checkins().empty


def test_two_rows_in_one_iso_week_are_refused_by_line(store: Store) -> None:
    text = (
        'runner,date,team\nAnn,2026-01-05,"Ridge\nRunners"\n\n'  # a cell over two lines
        "Ann,2026-01-11,\nAnn,2026-01-12,\nAnn,2026-01-06,\n"
    )
    p = plan(text, store)
    week = "Week 2 · 5 Jan–11 Jan 2026"
    assert p.errors == [
        f"line 5, column 'date': got '2026-01-11', the same week as line 2 for 'Ann' ({week}); "
        "allowed: one check-in per runner per ISO week",
        f"line 7, column 'date': got '2026-01-06', the same week as line 2 for 'Ann' ({week}); "
        "allowed: one check-in per runner per ISO week",
    ]
    # The same week of two runners is fine.
    assert plan(csv_text("Ann,2026-01-05,1,,", "Bob,2026-01-06,1,,"), store, runner=None).ok


def test_dates_outside_what_the_form_accepts_are_refused(store: Store) -> None:
    p = plan(csv_text("Ann,1999-12-31,1,,", "Ann,2026-11-27,1,,", "Ann,2026-11-28,1,,"), store)
    allowed = "allowed: a date from 2000-01-01 to today (2026-11-27)"
    assert p.errors == [
        f"line 2, column 'date': got '1999-12-31'; {allowed}",
        f"line 4, column 'date': got '2026-11-28'; {allowed}",
    ]
    # Year 1 is a valid YYYY-MM-DD but would not fit the database's timestamps.
    assert plan(csv_text("Ann,0001-01-01,1,,"), store).errors == [
        f"line 2, column 'date': got '0001-01-01'; {allowed}"
    ]


def test_files_over_the_limit_are_refused_without_reading_them(
    store: Store, tmp_path: Path
) -> None:
    assert UPLOAD_LIMIT_BYTES == UPLOAD_LIMIT_MB * MB == 5_000_000  # as the browser counts
    row = "Ann,2026-01-05,3,,\n"
    big = (HEADER + "\n" + row * (UPLOAD_LIMIT_BYTES // len(row) + 1)).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    size = f"{len(big):,} bytes"  # "5.0 MB" would read as the limit itself
    hint = "allowed: files up to 5 MB (split it into smaller files, e.g. one per year)"
    assert plan(big, store).errors == [f"the file is {size}; {hint}"]
    assert plan(path, store).errors == [f"the file is {size}; {hint}"]
    stream = io.BytesIO(big)
    assert plan(stream, store).errors == [f"the file is too large; {hint}"]
    assert stream.tell() == UPLOAD_LIMIT_BYTES + 1  # read up to the limit, no further
    one = csv_text("Ann,2026-01-05,3,,").encode()
    assert plan(one, store, max_bytes=len(one)).ok  # exactly at the limit is fine
    assert plan(one, store, max_bytes=len(one) - 1).errors == [
        f"the file is {len(one)} bytes; allowed: files up to {len(one) - 1} bytes (split it into "
        "smaller files, e.g. one per year)"
    ]


# --- weeks already stored: skip or replace ------------------------------------------------------


def test_weeks_already_stored_are_skipped_or_replaced(store: Store) -> None:
    store.save_checkin({"runner": "Ann", "date": "2026-01-07", "pain_level": 2, "weekly_km": 30})
    store.save_checkin({"runner": "Ann", "date": "2026-01-14", "pain_level": 4})
    store.save_checkin({"runner": "Bob", "date": "2026-01-19", "pain_level": 9})  # not Ann's
    text = csv_text("Ann,2026-01-05,5,,50", "Ann,2026-01-18,6,,", "Ann,2026-01-19,7,,70")
    p = plan(text, store)
    assert (p.rows, p.new, p.conflicts) == (3, 1, 2)
    assert p.preview["status"].tolist() == [STORED, STORED, NEW]
    assert (p.to_write("skip"), p.to_write("replace")) == (1, 3)

    assert apply_import(p, store, "skip") == ImportResult(inserted=1, replaced=0, skipped=2)
    nan = pytest.approx(np.nan, nan_ok=True)
    assert stored(store) == [("2026-01-07", 2, 30.0), ("2026-01-14", 4, nan), ("2026-01-19", 7, 70)]

    again = plan(text, store)
    assert (again.new, again.conflicts) == (0, 3)
    assert apply_import(again, store, "replace") == ImportResult(inserted=0, replaced=3, skipped=0)
    assert stored(store) == [("2026-01-05", 5, 50.0), ("2026-01-18", 6, nan), ("2026-01-19", 7, 70)]
    assert stored(store, "Bob") == [("2026-01-19", 9, nan)]


def test_a_week_stored_after_planning_stops_an_import_planned_without_conflicts(
    store: Store,
) -> None:
    p = plan(csv_text("Ann,2026-01-05,5,,", "Ann,2026-01-12,5,,"), store)
    assert p.conflicts == 0
    store.save_checkin({"runner": "Ann", "date": "2026-01-13", "pain_level": 1})  # meanwhile
    with pytest.raises(StorageError, match="Choose skip or replace"):
        apply_import(p, store, "error")
    assert stored(store) == [("2026-01-13", 1, pytest.approx(np.nan, nan_ok=True))]


class CountingStore:
    """A Store that counts its reads, to show conflicts come from one query."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[Sequence[str] | None] = []

    def all_checkins(self, runners: Sequence[str] | None = None) -> pd.DataFrame:
        self.calls.append(None if runners is None else list(runners))
        return self.store.all_checkins(runners)

    def list_runners(self) -> pd.DataFrame:
        return self.store.list_runners()

    def import_checkins(self, frame: pd.DataFrame, **kw: object) -> ImportResult:
        return self.store.import_checkins(frame, **kw)  # type: ignore[arg-type]


def test_conflicts_of_many_runners_come_from_one_query(store: Store) -> None:
    rows = pd.DataFrame(
        {
            "runner": [f"r{i % 40}" for i in range(400)],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(400) // 40 * 7, "D"),
        }
    )
    store.import_checkins(rows.iloc[::3], on_conflict="error")  # every third one is stored
    spy = CountingStore(store)
    p = plan_import(export_csv(rows), spy, runner=None, today=TODAY)  # type: ignore[arg-type]
    assert len(spy.calls) == 1 and sorted(spy.calls[0] or []) == sorted({*rows["runner"]})
    expected = np.where(np.arange(400) % 3 == 0, STORED, NEW)
    assert p.preview["status"].tolist() == expected.tolist()
    assert (p.new, p.conflicts) == (266, 134)


# --- export --------------------------------------------------------------------------------------


@pytest.fixture
def history(store: Store) -> pd.DataFrame:
    rows = [
        {"runner": "Zoë", "date": "2026-01-05", "team": "=HYPERLINK(\"x\")", "pain_level": 4,
         "pain_locations": "outer_hip;front_knee", "weekly_km": 42.5, "longest_run_km": 20,
         "sex": "female", "warning_signs": "night_pain", "ostrc_participation": 2},
        {"runner": "Zoë", "date": "2026-02-11", "team": "+Trail, \"Cats\"",
         "training_changes": "more_hills", "sitting_hours": 7.25, "ostrc_pain": 0},
        {"runner": "Zoë", "date": "2026-03-01", "limitations": "weak_glutes;overstriding"},
    ]  # fmt: skip
    for row in rows:
        store.save_checkin(row)
    return store.history("Zoë")


def test_an_exported_file_reimports_identically(store: Store, history: pd.DataFrame) -> None:
    text = export_csv(history)
    assert text.splitlines()[0] == ",".join(COLUMNS)  # the check-in table's columns, no id
    assert "'=HYPERLINK" in text  # a formula is neutralised for spreadsheets ...
    # Zoë's first week names the team she was on before ("+Trail..." is hers now): an import
    # never changes team membership, so that line is refused until its team is emptied.
    assert [e.split(";")[0] for e in plan(text, store, runner="Zoë").errors] == [
        "line 2, column 'team': got '=HYPERLINK(\"x\")'"
    ]
    store.import_checkins(
        history.assign(team=history["team"].dropna().iloc[-1]), on_conflict="replace"
    )
    history = store.history("Zoë")  # every week on her team now
    text = export_csv(history)
    assert "'+Trail" in text
    for source in (text, download_bytes(text)):  # ... with and without Excel's BOM
        p = plan(source, store, runner="Zoë")
        assert p.ok, p.errors
        assert (p.rows, p.conflicts) == (3, 3)
        want = export_frame(history).astype({"date": "datetime64[ns]"})
        got = p.frame.astype({"date": "datetime64[ns]"})
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert got["team"].iloc[0] == '+Trail, "Cats"'  # ... and comes back as it was
    before = store.history("Zoë")
    assert apply_import(p, store, "replace") == ImportResult(0, 3, 0)
    after = store.history("Zoë")
    pd.testing.assert_frame_equal(export_frame(after), export_frame(before))
    assert after["id"].tolist() == before["id"].tolist()  # replaced in place


def test_download_helpers() -> None:
    assert download_bytes("a,b\n") == UTF8_BOM + b"a,b\n"
    assert export_filename("Zoë O'Brien / Ridge", dt.date(2026, 3, 1)) == (
        "stride-check-checkins-Zo-O-Brien-Ridge-2026-03-01.csv"
    )
    nameless = export_filename("ÅÄÖ", dt.date(2026, 3, 1))
    assert nameless == "stride-check-checkins-runner-2026-03-01.csv"


def test_the_template_is_every_column_and_an_example_that_imports(store: Store) -> None:
    text = template_csv("Ann", dt.date(2026, 11, 23))
    header, example = text.splitlines()
    assert header.split(",") == COLUMNS
    assert example.startswith("Ann,2026-11-23,")
    p = plan(text, store)
    assert p.ok and p.rows == 1


def test_problems_are_escaped_markdown_and_capped() -> None:
    shown = problems_markdown(["line 2, column 'team': got '*x* $1 <b>'; allowed: 1-64"])
    assert shown == r"- line 2, column 'team'\: got '\*x\* \$1 \<b\>'; allowed\: 1\-64"
    many = problems_markdown([f"line {i}" for i in range(60)], limit=50)
    assert many.count("\n- ") == 50 and many.endswith("- … and 10 more")


def test_notes_and_the_audit_trail_export_as_guarded_csv() -> None:
    notes = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-11-23"]),
            "author": ["Coach A"],
            "author_role": ["coach"],
            "created_at": pd.to_datetime(["2026-11-24 08:30"], utc=True),
            "body": ['=HYPERLINK("x")\nskip the hills'],
        }
    )
    text = notes_csv(notes)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["checkin_date", "author", "author_role", "written_at", "note"]
    assert back["note"].item().startswith("'=")  # a formula is shown, never run
    assert back["written_at"].item() == "2026-11-24 08:30:00 UTC"
    assert notes_filename("Ann Ridge", dt.date(2026, 12, 2)) == (
        "stride-check-notes-Ann-Ridge-2026-12-02.csv"
    )
    trail = pd.DataFrame(
        {
            "id": [2],
            "at": pd.to_datetime(["2026-12-01 10:00"], utc=True),
            "actor": ["Root"],
            "action": ["checkin.delete"],
            "subject": ["check-in 7"],
            "runner": ["ann"],
            "before": ['{"pain_level": 9}'],
            "after": [None],
        }
    )
    rows = pd.read_csv(io.StringIO(audit_csv(trail)), keep_default_na=False)
    assert rows.loc[0, "after"] == "" and rows.loc[0, "before"] == '{"pain_level": 9}'
    assert rows.loc[0, "at"] == "2026-12-01 10:00:00 UTC"
