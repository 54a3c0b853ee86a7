"""Property-based fuzzing of CSV import and export (hypothesis).

Every input ends in one of two ways: a clean import, or a clear error (CsvError /
CheckinValidationError / StorageError, or an ImportPlan with `.errors`) whose messages name a
line, a column or the whole file. Never another exception type, and never a partial write: the
import path runs `plan_import` + `apply_import` against a real SQLite `Store` and checks that
the number of stored check-ins is unchanged, or grew by exactly the plan's new rows.

Inputs: random bytes; files in latin-1 and UTF-16; huge cells; spreadsheet formulas
(=cmd|' /C calc'!A0, +, -, @); HTML and script tags; SQL fragments; duplicated headers;
a million-row file (refused by the upload limit, with a message).

`FUZZ_CASES` counts the hypothesis examples run in this module; the last test prints it
(`pytest -s`) so the lead can report the number of fuzz cases tried.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logic.checkins import CheckinValidationError, parse_checkins
from logic.io.csv_io import FORMULA_PREFIXES, CsvError, checkins_to_csv, load_checkins_csv
from logic.io.importing import (
    UPLOAD_LIMIT_BYTES,
    ImportPlan,
    apply_import,
    download_bytes,
    export_csv,
    plan_import,
)
from logic.knowledge import knowledge_base
from logic.storage.store import StorageError, Store

CSV_DEFAULT_FIELD_LIMIT = 131_072  # csv.field_size_limit() before logic.io.csv_io raises it

KB = knowledge_base()
COLUMNS = list(KB.checkin.columns)
TODAY = dt.date(2026, 6, 1)
FUZZ_CASES: Counter[str] = Counter()  # test name -> examples run

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=1",
    "''=1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>x</b>",
    "'; DROP TABLE checkins; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM runners;--",
    "Zoë",
    "名前",
    "🏃",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "NA",
    "null",
    " ",
    "",
]
VALID_CELLS = {
    "date": ["2024-01-01", "2025-03-10", "2026-05-31", "1999-12-31", "2030-01-01", "2024-02-30"],
    "pain_level": ["0", "3", "10", "11", "-1", "2.5", "1e3", "nan", "inf"],
    "pain_locations": ["front_knee", "front_knee;outer_hip", "elbow", ";;"],
    "weekly_km": ["0", "42.5", "-5", "1e309", "abc"],
}

# A message is "clear" when it says where: a line, a column, or what is wrong with the file.
WHERE = re.compile(
    r"\bline \d+|\bcolumn\b|\bcheck-in \d+|^the file is|^the file could not be read|"
    r"^cannot read the file|^the text is not valid Unicode",
)


def _count(case: str) -> None:
    FUZZ_CASES[case] += 1


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    db = tmp_path_factory.mktemp("fuzz_db") / "fuzz.db"
    s = Store(f"sqlite:///{db}")
    yield s
    s.dispose()


def stored_rows(store: Store) -> int:
    return len(store.all_checkins())


def assert_clear(messages: list[str]) -> None:
    assert messages, "an error without any message"
    for m in messages:
        assert isinstance(m, str) and m.strip(), messages
        assert WHERE.search(m), f"message names no line/column: {m!r}"


def load_or_clear_error(data: bytes | str | Path, **kwargs: object) -> pd.DataFrame | None:
    """load_checkins_csv either returns or raises CsvError with located messages."""
    try:
        loaded = load_checkins_csv(data, **kwargs)  # type: ignore[arg-type]
    except CsvError as exc:
        assert_clear(exc.problems)
        return None
    return loaded.frame


def import_all_or_nothing(
    store: Store, data: bytes, runner: str | None = None, *, max_bytes: int | None = None
) -> ImportPlan | None:
    """plan + apply: a clean import of exactly plan.new rows, or errors and nothing written."""
    before = stored_rows(store)
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    try:
        plan = plan_import(data, store, runner=runner, today=TODAY, kb=KB, **kwargs)
    except StorageError as exc:  # only when the database cannot be read
        assert str(exc).strip()
        assert stored_rows(store) == before
        return None
    if not plan.ok:
        assert_clear(plan.errors)
        assert stored_rows(store) == before, "a refused file wrote rows"
        return plan
    try:
        result = apply_import(plan, store, "skip")
    except StorageError as exc:
        assert str(exc).strip()
        assert stored_rows(store) == before, "a failed import wrote some rows"
        return plan
    assert result.inserted == plan.new
    assert stored_rows(store) == before + plan.new
    return plan


FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

# --- random bytes and encodings ------------------------------------------------------------


@FAST
@given(data=st.binary(max_size=600))
def test_random_bytes_load_cleanly_or_fail_clearly(data: bytes) -> None:
    _count("random_bytes_load")
    load_or_clear_error(data)


@FAST
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=300).map(lambda b: b"runner,date,pain_level\n" + b),
        st.binary(max_size=200).map(lambda b: b"runner,date\nAnn,2024-01-01\n" + b),
    )
)
def test_random_bytes_never_half_import(store: Store, data: bytes) -> None:
    _count("random_bytes_import")
    import_all_or_nothing(store, data)


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _cell(column: str) -> st.SearchStrategy[str]:
    options = [st.sampled_from(HOSTILE), st.text(max_size=20)]
    if column in VALID_CELLS:
        options.insert(0, st.sampled_from(VALID_CELLS[column]))
    if column == "runner":
        options.insert(0, st.sampled_from(["Ann", "Bob", "<b>x</b>", "'; DROP TABLE checkins; --"]))
    return st.one_of(*options)


@st.composite
def hostile_csv(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A CSV with (mostly) check-in columns, maybe duplicated, and hostile cells."""
    header = draw(
        st.lists(
            st.one_of(
                st.sampled_from(["runner", "date", "pain_level", "pain_locations", "weekly_km"]),
                st.sampled_from(["team", "=cmd|' /C calc'!A0", "<script>", "runner"]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    if draw(st.booleans()):
        header = ["runner", "date", *[h for h in header if h not in ("runner", "date")]]
    n = draw(st.integers(0, 6))
    rows = [[draw(_cell(h)) for h in header] for _ in range(n)]
    return header, rows


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    table=hostile_csv(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]),
)
def test_hostile_files_import_all_or_nothing(
    store: Store, table: tuple[list[str], list[list[str]]], encoding: str
) -> None:
    _count("hostile_csv_import")
    header, rows = table
    data = _csv_text(header, rows).encode(encoding, errors="replace")
    plan = import_all_or_nothing(store, data)
    if encoding == "utf-16" and plan is not None:
        assert not plan.ok  # never silently read as something else
        assert any("UTF-16" in e or "NUL" in e for e in plan.errors), plan.errors
    if plan is not None and plan.ok and plan.rows:
        names = set(get_runners(store))
        assert set(plan.frame["runner"]) <= names  # SQL fragments are stored as plain text


def get_runners(store: Store) -> list[str]:
    return store.list_runners()["runner"].tolist()


def test_latin1_and_utf16_files_are_refused_with_the_line_and_encoding(store: Store) -> None:
    text = "runner,date,pain_level\nZoë,2024-01-01,3\n"
    latin = import_all_or_nothing(store, text.encode("latin-1"))
    assert latin is not None and not latin.ok
    assert any("line 2" in e and "UTF-8" in e for e in latin.errors), latin.errors
    utf16 = import_all_or_nothing(store, text.encode("utf-16"))
    assert utf16 is not None and not utf16.ok
    assert any("UTF-16" in e for e in utf16.errors), utf16.errors


def test_sql_fragments_are_stored_as_text_and_the_table_survives(store: Store) -> None:
    name = "'; DROP TABLE checkins; --"
    data = f'runner,date,pain_level\n"{name}",2024-01-03,2\n'.encode()
    plan = import_all_or_nothing(store, data, runner=name)
    assert plan is not None and plan.ok
    history = store.history(name)  # the table is still there
    assert history["runner"].tolist() == [name]


def test_duplicated_headers_are_named(store: Store) -> None:
    data = b"runner,date,runner,pain_level,pain_level\nAnn,2024-01-01,Ann,1,2\n"
    plan = import_all_or_nothing(store, data)
    assert plan is not None and not plan.ok
    text = " ".join(plan.errors)
    assert "'runner': appears 2 times (columns 1, 3)" in text
    assert "'pain_level': appears 2 times (columns 4, 5)" in text
    with pytest.raises(CsvError, match="appears 2 times"):
        load_checkins_csv(data)


# --- huge cells ------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    size=st.sampled_from([65, 1_000, 100_000, 1_000_000]),
    column=st.sampled_from(["runner", "team", "date", "pain_level", "pain_locations"]),
    char=st.sampled_from(["A", "=", "<", "é"]),
)
def test_huge_cells_are_refused_naming_line_and_column(
    store: Store, size: int, column: str, char: str
) -> None:
    _count("huge_cells")
    cells = {"runner": "Ann", "date": "2024-01-01", "team": "", "pain_level": "1"}
    cells["pain_locations"] = ""
    cells[column] = char * size
    header = list(cells)
    data = _csv_text(header, [[cells[h] for h in header]]).encode()
    plan = import_all_or_nothing(store, data)
    assert plan is not None and not plan.ok, "a huge cell was accepted"
    assert any(e.startswith("line 2") and repr(column) in e for e in plan.errors), plan.errors
    assert all(len(e) < 1_000 for e in plan.errors)  # the cell is cut short in the message


def test_a_cell_over_the_csv_field_limit_still_gets_its_line() -> None:
    data = "runner,date\n" + "A" * (CSV_DEFAULT_FIELD_LIMIT + 1) + ",2024-01-01\n"
    with pytest.raises(CsvError) as err:
        load_checkins_csv(data)
    assert err.value.problems[0].startswith("line 2, column 'runner'"), err.value.problems


# --- a million rows ----------------------------------------------------------------------------

ROW = b"Ann,2024-01-01,3\n"
HEADER = b"runner,date,pain_level\n"


def test_a_million_row_file_is_refused_by_the_upload_limit(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    path.write_bytes(HEADER + ROW * 1_000_000)  # ~17 MB, written in well under a second
    size = path.stat().st_size
    assert size > UPLOAD_LIMIT_BYTES
    started = time.perf_counter()
    before = stored_rows(store)
    for source in (path, io.BytesIO(path.read_bytes())):
        plan = plan_import(source, store, runner="Ann", today=TODAY)
        assert not plan.ok and stored_rows(store) == before
        assert len(plan.errors) == 1
        assert "allowed: files up to 5 MB" in plan.errors[0], plan.errors
    with pytest.raises(CsvError, match=r"the limit is 5\.0 MB"):
        load_checkins_csv(path, max_bytes=UPLOAD_LIMIT_BYTES)
    assert time.perf_counter() - started < 10


def test_a_million_row_file_loads_without_a_limit_and_one_bad_cell_is_found(
    tmp_path: Path,
) -> None:
    """The CLI reads files of any size: a million rows load, and one bad cell at the very
    end is reported by its line, alone."""
    rows = 1_000_000
    path = tmp_path / "million.csv"
    path.write_bytes(HEADER + ROW * rows)
    frame = load_or_clear_error(path)
    assert frame is not None and len(frame) == rows
    bad = HEADER + ROW * (rows - 1) + b"Ann,2024-01-01,eleven\n"
    with pytest.raises(CsvError) as err:
        load_checkins_csv(bad)
    assert err.value.problems == [
        f"line {rows + 1}, column 'pain_level': got 'eleven'; allowed: "
        + KB.checkin.columns["pain_level"].allowed()
    ]


# --- formulas in exported CSV ------------------------------------------------------------------

risky_text = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from((*FORMULA_PREFIXES, "'=", "''+")),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
        max_size=30,
    ),
)


def _safe_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(runner=risky_text, team=st.one_of(st.none(), risky_text))
def test_exported_csv_neutralises_formulas_and_round_trips(runner: str, team: str | None) -> None:
    _count("export_formulas")
    row = pd.DataFrame({"runner": [runner], "team": [team], "date": ["2024-01-01"]})
    try:
        parsed = parse_checkins(row, kb=KB)
    except CheckinValidationError as exc:  # e.g. blank after stripping, or over 64 characters
        assert all(p.column in ("runner", "team") for p in exc.problems)
        return
    frame = parsed.frame
    text = checkins_to_csv(frame, kb=KB)
    cells = _safe_cells(text)
    header, body = cells[0], cells[1:]
    assert len(body) == 1
    for name in ("runner", "team"):
        cell = body[0][header.index(name)]
        assert not cell.startswith(FORMULA_PREFIXES), f"{name} cell {cell!r} runs as a formula"
    # What a person downloads is the same text, with a BOM.
    assert download_bytes(export_csv(frame, KB)).decode("utf-8-sig") == text
    back = load_checkins_csv(text, kb=KB).frame
    assert back["runner"].tolist() == frame["runner"].tolist()
    assert back["team"].isna().tolist() == frame["team"].isna().tolist()
    assert back["team"].dropna().tolist() == frame["team"].dropna().tolist()


def test_the_textbook_formula_is_quoted_on_export() -> None:
    row = pd.DataFrame(
        {"runner": ["=cmd|' /C calc'!A0"], "team": ["@SUM(A1)"], "date": ["2024-01-01"]}
    )
    text = checkins_to_csv(parse_checkins(row, kb=KB).frame, kb=KB)
    body = _safe_cells(text)[1]
    assert "'=cmd|' /C calc'!A0" in body
    assert "'@SUM(A1)" in body


def test_report_fuzz_cases() -> None:
    """Runs last in this module: prints the number of fuzz cases tried."""
    total = sum(FUZZ_CASES.values())
    print(f"\nfuzz cases tried (test_fuzz_csv): {total} {dict(FUZZ_CASES)}")
    assert total > 0
