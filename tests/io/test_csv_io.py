"""CSV import/export: every bad file is refused naming its line and column; good files round-trip;
spreadsheet formulas are neutralised on export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import synthetic_checkins
from logic.checkins import validate_checkins
from logic.io.csv_io import (
    MB,
    CsvError,
    checkins_to_csv,
    load_checkins_csv,
    read_checkins_csv,
)
from logic.knowledge import knowledge_base

HEADER = "runner,date,pain_level,pain_locations,pain_triggers,weekly_km"
GOOD_ROW = "ann,2026-01-05,3,front_knee,stairs;downhill,42.5"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems(source: object, **kwargs: object) -> list[str]:
    with pytest.raises(CsvError) as info:
        load_checkins_csv(source, **kwargs)  # type: ignore[arg-type]
    assert str(info.value).count("\n- ") == len(info.value.problems)  # one line per problem
    return info.value.problems


# --- good files ------------------------------------------------------------------------------


def test_good_file_reads_to_the_canonical_typed_frame() -> None:
    text = csv_text(GOOD_ROW, "bob,2026-01-06,,outer_hip ; buttock,,")
    loaded = load_checkins_csv(text)
    frame = loaded.frame
    assert list(frame.columns) == list(knowledge_base().checkin.columns)
    assert frame["runner"].tolist() == ["ann", "bob"]
    assert frame["date"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06")]
    assert frame["pain_level"].tolist() == [3, 0]  # empty -> the column's default
    assert frame["pain_triggers"].tolist() == ["downhill;stairs", ""]  # schema order
    assert frame["pain_locations"].tolist() == ["front_knee", "outer_hip;buttock"]
    assert frame["weekly_km"].iloc[0] == 42.5 and np.isnan(frame["weekly_km"].iloc[1])
    assert frame["sex"].tolist() == ["unspecified", "unspecified"]  # absent -> default
    # The raw cells, for a preview: the file's columns and order, empty cells missing.
    assert loaded.columns == HEADER.split(",")
    assert loaded.raw["pain_level"].isna().tolist() == [False, True]


def test_sources_bytes_path_file_object_and_bom_agree(tmp_path: Path) -> None:
    text = csv_text(GOOD_ROW)
    path = tmp_path / "in.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    expected = read_checkins_csv(text)
    sources = (text.encode(), path, io.BytesIO(b"\xef\xbb\xbf" + text.encode()), io.StringIO(text))
    for source in sources:
        pd.testing.assert_frame_equal(read_checkins_csv(source), expected)


def test_crlf_cr_blank_lines_and_padded_header_names_are_accepted() -> None:
    text = "\r\n" + HEADER.replace("runner", " runner ") + "\r\n\r\n" + GOOD_ROW + "\r" + GOOD_ROW
    assert len(read_checkins_csv(text)) == 2


def test_na_and_null_are_text_not_missing() -> None:
    frame = read_checkins_csv(csv_text("NA,2026-01-05,3,,,", "null,2026-01-05,3,,,"))
    assert frame["runner"].tolist() == ["NA", "null"]


def test_round_trip_of_synthetic_checkins_with_awkward_text() -> None:
    frame = synthetic_checkins(400, seed=3)
    awkward = [
        '=HYPERLINK("http://x")',
        "-Anna",
        "+1",
        "@sum",
        "'=already quoted",
        'José, "the goat"',
        "multi\nline",
        "NA",
    ]
    frame.loc[: len(awkward) - 1, "runner"] = awkward
    frame.loc[0, "team"] = "\tTabbed"
    frame.loc[1, "team"] = "line one\r\nline two"
    canonical = validate_checkins(frame)
    back = read_checkins_csv(checkins_to_csv(canonical))
    pd.testing.assert_frame_equal(back, canonical)


_TEXT = st.text(
    # Control and format characters (Cc, Cf) are refused in names (issue 11, finding 13).
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cf"), exclude_characters="\x00"),
    min_size=1,
    max_size=64,
).filter(lambda t: 0 < len(t.strip()) <= 64)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runners=st.lists(_TEXT, min_size=1, max_size=5))
def test_any_runner_name_round_trips(runners: list[str]) -> None:
    frame = pd.DataFrame({"runner": runners, "date": "2026-01-05"})
    canonical = validate_checkins(frame)
    pd.testing.assert_frame_equal(read_checkins_csv(checkins_to_csv(canonical)), canonical)


# --- bad files: bytes and structure ----------------------------------------------------------


def test_not_utf8_names_line_and_byte_offset() -> None:
    data = csv_text(GOOD_ROW, "Jos\xe9,2026-01-05,3,,,").encode("latin-1")
    [message] = problems(data)
    offset = data.index(b"\xe9")
    assert message.startswith(f"line 3 (byte offset {offset}): byte 0xE9 is not valid UTF-8")
    assert "must be saved as UTF-8" in message


def test_utf16_file_is_named_as_such() -> None:
    [message] = problems(csv_text(GOOD_ROW).encode("utf-16"))
    assert "UTF-16" in message and "UTF-8" in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"])
def test_empty_file(content: bytes) -> None:
    [message] = problems(content)
    assert message.startswith("the file is empty; expected a header line with the columns")
    assert "runner, date, team" in message


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n", HEADER + "\n\n\n"])
def test_header_only_means_no_checkins(content: str) -> None:
    assert problems(content) == [
        "line 1 (header): no check-ins in the file; expected one check-in per line after the header"
    ]


def test_duplicated_header_names() -> None:
    [message] = problems(csv_text(GOOD_ROW + ",4", header=HEADER + ",pain_level"))
    assert message.startswith("line 1 (header), column 'pain_level': appears 2 times")
    assert "(columns 3, 7)" in message


def test_unknown_columns_are_named_with_the_allowed_ones() -> None:
    found = problems(csv_text(GOOD_ROW + ",x,", header=HEADER + ",Pain Level,"))
    assert found[0].startswith("line 1 (header): column 8 has no name")
    assert found[1].startswith(
        "line 1 (header), column 'Pain Level': not a check-in column "
        "(did you mean 'pain_level'?); allowed: runner, date, team,"
    )


def test_missing_required_column() -> None:
    [message] = problems("runner,pain_level\nann,3\n")
    assert message == (
        "line 1 (header), column 'date': missing; this column is required: a date as YYYY-MM-DD"
    )


def test_semicolon_separated_file_gets_a_hint() -> None:
    [message] = problems("runner;date\nann;2026-01-05\n")
    assert "separated by commas" in message and "';'" in message


def test_rows_with_more_or_fewer_cells_name_their_lines() -> None:
    text = csv_text(GOOD_ROW + ",extra", GOOD_ROW, "ann,2026-01-05", GOOD_ROW)
    assert problems(text) == [
        "line 2: 7 cell(s), more than the 6 columns of the header "
        "(a comma inside a cell needs the cell in double quotes)",
        "line 4: 2 cell(s), fewer than the 6 columns of the header",
    ]


def test_unclosed_quote_is_reported_at_its_line() -> None:
    text = csv_text(GOOD_ROW, 'bob,2026-01-05,3,"front_knee,,', GOOD_ROW, GOOD_ROW)
    [message] = problems(text)
    assert message.startswith("line 3: ")
    assert "closing quote" in message


def test_an_unclosed_quote_in_a_big_file_is_reported_not_raised() -> None:
    # The rest of the file becomes one cell (beyond the csv module's default size limit).
    text = csv_text(*[GOOD_ROW] * 10, 'bob,2026-01-05,3,"front_knee,,', *[GOOD_ROW] * 5000)
    [message] = problems(text)
    assert message.startswith("line 12: 4 cell(s), fewer than the 6 columns")
    assert "a quoted cell runs from line 12 to line 5012: is a closing quote missing?" in message
    [message] = problems('"runner,date\n' + GOOD_ROW * 5000)
    assert message.startswith("line 1 (header): a quoted column name runs on over the next lines")
    assert message.endswith("is a closing quote missing?")


def test_nul_characters_suggest_utf16() -> None:
    [message] = problems(csv_text(GOOD_ROW, "b\x00b,2026-01-05,3,,,"))
    assert message.startswith("line 3: the file contains NUL characters")


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    data = csv_text(*[GOOD_ROW] * 25_000).encode()
    assert len(data) > MB
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        [message] = problems(source, max_bytes=MB)
        assert message.endswith("the limit is 1.0 MB")
    assert len(read_checkins_csv(path, max_bytes=2 * MB)) == 25_000


def test_missing_file_is_a_csv_error(tmp_path: Path) -> None:
    [message] = problems(tmp_path / "nope.csv")
    assert message == "cannot read the file: No such file or directory"


# --- bad files: cells ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "got", "allowed"),
    [
        ("ann,2026-01-05,3,elbow,,", "pain_locations", "'elbow'", "any of front_knee,"),
        ("ann,2026-01-05,3,,stairs;jumping,", "pain_triggers", "'stairs;jumping'", "any of "),
        ("ann,2026-01-05,11,,,", "pain_level", "'11'", "a whole number from 0 to 10"),
        ("ann,2026-01-05,2.5,,,", "pain_level", "'2.5'", "a whole number from 0 to 10"),
        ("ann,2026-13-01,3,,,", "date", "'2026-13-01'", "a date as YYYY-MM-DD"),
        ("ann,05/01/2026,3,,,", "date", "'05/01/2026'", "a date as YYYY-MM-DD"),
        ("ann,2026-01-05,3,,,lots", "weekly_km", "'lots'", "a number >= 0"),
        ("ann,2026-01-05,three,,,", "pain_level", "'three'", "a whole number from 0 to 10"),
        (",2026-01-05,3,,,", "runner", "an empty cell", "text of 1-64 characters"),
    ],
)
def test_bad_cell_names_line_column_value_and_allowed(
    row: str, column: str, got: str, allowed: str
) -> None:
    [message] = problems(csv_text(GOOD_ROW, GOOD_ROW, row))
    assert message.startswith(f"line 4, column {column!r}: got {got}; allowed: {allowed}")


def test_every_problem_is_reported_once_in_line_order() -> None:
    text = csv_text(
        GOOD_ROW,
        "ann,2026-13-01,11,elbow,,",
        "ann,2026-01-05,3,,,,",
        "ann,2026-01-05,3,,,-1",
    )
    assert [p.split(":")[0] for p in problems(text)] == [
        "line 3, column 'date'",
        "line 3, column 'pain_locations'",
        "line 3, column 'pain_level'",
        "line 4",
        "line 5, column 'weekly_km'",
    ]


def test_lines_count_blank_lines_and_multi_line_cells() -> None:
    header = HEADER + ",team"
    text = csv_text(
        GOOD_ROW + ',"Trail\nClub\nNorth"',  # lines 2-4
        "",  # line 5
        GOOD_ROW + ",",  # line 6
        "ann,2026-01-05,12,,,,",  # line 7
        header=header,
    )
    assert problems(text) == [
        "line 7, column 'pain_level': got '12'; allowed: a whole number from 0 to 10"
    ]
    # Also when a row of the wrong width forces the slow path for every line.
    assert [p.split(":")[0] for p in problems(text + "x\n")] == [
        "line 7, column 'pain_level'",
        "line 8",
    ]


def test_a_quoted_cell_swallowing_the_rest_of_the_file_gets_a_hint() -> None:
    text = csv_text('ann,2026-01-05,3,"front_knee,,', GOOD_ROW + ',"x"')
    [message] = problems(text)
    assert message.startswith("line 2")
    assert "closing quote" in message


# --- writing ---------------------------------------------------------------------------------


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(prefix: str) -> None:
    frame = pd.DataFrame(
        {
            "runner": [f"{prefix}1+cmd|'/C calc'!A0", "safe"],
            "date": pd.to_datetime(["2026-01-05", "2026-01-06"]),
            "note": [f"{prefix}x", None],
            "delta": [-1.5, 2.0],
        }
    )
    rows = _cells(checkins_to_csv(frame))
    assert rows[0] == ["runner", "date", "note", "delta"]
    assert rows[1] == [f"'{prefix}1+cmd|'/C calc'!A0", "2026-01-05", f"'{prefix}x", "-1.5"]
    assert rows[2] == ["safe", "2026-01-06", "", "2"]


def test_only_leading_formula_characters_and_header_names_are_guarded() -> None:
    frame = pd.DataFrame({"runner": ["a=b", "x-y", " =z"], "=evil": ["@", "ok", "-"]})
    rows = _cells(checkins_to_csv(frame))
    assert rows == [
        ["runner", "'=evil"],
        ["a=b", "'@"],
        ["x-y", "ok"],
        [" =z", "'-"],
    ]


def test_writer_orders_columns_formats_dates_and_missing_values() -> None:
    canonical = validate_checkins(synthetic_checkins(50, seed=5))
    scores = pd.DataFrame({"zz_score": np.arange(50) / 4, "band": pd.Categorical(["low"] * 50)})
    shuffled = pd.concat([scores, canonical[canonical.columns[::-1]]], axis=1)
    rows = _cells(checkins_to_csv(shuffled))
    assert rows[0] == [*canonical.columns, "zz_score", "band"]
    date_at = rows[0].index("date")
    assert all(len(r[date_at]) == 10 and r[date_at][4] == "-" for r in rows[1:])
    team_at = rows[0].index("team")
    assert {r[team_at] for r in rows[1:]} == {"", "Trail Club"}
    assert rows[2][-2:] == ["0.25", "low"]


def test_writer_quotes_like_the_csv_module() -> None:
    values = ["plain", "with,comma", 'with "quotes"', "line\nbreak", "", None, " sp ", "é;ü"]
    frame = pd.DataFrame({"a": values, "b": values[::-1]})
    expected = io.StringIO()
    cells = [
        ["" if v is None else v for v in pair] for pair in zip(values, values[::-1], strict=True)
    ]
    csv.writer(expected, lineterminator="\n").writerows([["a", "b"], *cells])
    assert checkins_to_csv(frame) == expected.getvalue()


def test_a_lone_carriage_return_is_quoted_too() -> None:
    # csv.writer with lineterminator="\n" would not quote it, and a reader would split there.
    text = checkins_to_csv(pd.DataFrame({"a": ["cr\ronly"], "b": ["x"]}))
    assert text == 'a,b\n"cr\ronly",x\n'
    assert _cells(text) == [["a", "b"], ["cr\ronly", "x"]]


def test_a_lone_column_keeps_its_empty_rows() -> None:
    text = checkins_to_csv(pd.DataFrame({"x": ["a", "", None]}))
    assert _cells(text) == [["x"], ["a"], [""], [""]]


def test_writer_refuses_lists_in_set_columns() -> None:
    frame = pd.DataFrame({"pain_locations": [["front_knee"], "outer_hip"]})
    with pytest.raises(TypeError, match="must hold ;-strings"):
        checkins_to_csv(frame)


def test_scored_file_reads_back_with_extra_columns_allowed() -> None:
    canonical = validate_checkins(synthetic_checkins(20, seed=2))
    text = checkins_to_csv(canonical.assign(score=1.5))
    assert problems(text)[0].startswith("line 1 (header), column 'score': not a check-in column")
    loaded = load_checkins_csv(text, extra_columns="allow")
    pd.testing.assert_frame_equal(loaded.frame, canonical)
    assert loaded.raw["score"].tolist() == ["1.5"] * 20


# --- pain_side ---------------------------------------------------------------------------------


def test_pain_side_reads_writes_and_names_a_bad_value() -> None:
    text = csv_text(
        "ann,2026-01-05,3,front_knee,,,left",
        "bob,2026-01-06,0,,,,",
        header=HEADER + ",pain_side",
    )
    frame = load_checkins_csv(text).frame
    assert frame["pain_side"].tolist()[0] == "left" and pd.isna(frame["pain_side"].iloc[1])
    written = checkins_to_csv(frame)
    back = pd.read_csv(io.StringIO(written), keep_default_na=False, dtype=str)
    assert back["pain_side"].tolist() == ["left", ""]
    found = problems(csv_text("ann,2026-01-05,3,,,,middle", header=HEADER + ",pain_side"))
    assert any("line 2" in p and "pain_side" in p and "left, right" in p for p in found), found
