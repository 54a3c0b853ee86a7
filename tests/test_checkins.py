"""Validation of the check-in table: every problem named by row, column and what is allowed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from logic.checkins import CheckinValidationError, checkin_frame, parse_checkins, split_set

GOOD = {"runner": "Ann", "date": "2026-11-23"}


def problems(rows: list[dict], **kwargs) -> list[tuple[int | None, str]]:
    with pytest.raises(CheckinValidationError) as err:
        parse_checkins(checkin_frame(rows), **kwargs)
    return [(p.row, p.column) for p in err.value.problems]


def test_defaults_fill_what_is_not_given() -> None:
    frame = parse_checkins(checkin_frame([GOOD])).frame
    row = frame.iloc[0]
    assert row["pain_level"] == 0 and row["sitting_hours"] == 0
    assert row["sex"] == "unspecified"
    assert row["pain_locations"] == "" and row["warning_signs"] == ""
    assert np.isnan(row["weekly_km"])
    assert pd.isna(row["team"])
    assert row["date"] == pd.Timestamp("2026-11-23")


def test_sets_come_back_in_schema_order() -> None:
    frame = parse_checkins(
        checkin_frame([{**GOOD, "pain_locations": "back_thigh; front_knee;back_thigh"}])
    ).frame
    assert frame.iloc[0]["pain_locations"] == "front_knee;back_thigh"
    assert split_set(frame.iloc[0]["pain_locations"]) == ["front_knee", "back_thigh"]


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"runner": ""}, "runner"),
        ({"runner": "x" * 65}, "runner"),
        ({"team": "t" * 65}, "team"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "23/11/2026"}, "date"),
        ({"date": None}, "date"),
        ({"pain_level": 11}, "pain_level"),
        ({"pain_level": 2.5}, "pain_level"),
        ({"pain_level": "two"}, "pain_level"),
        ({"sitting_hours": 25}, "sitting_hours"),
        ({"weekly_km": -1}, "weekly_km"),
        ({"weekly_km": "inf"}, "weekly_km"),
        ({"strength_sessions": 15}, "strength_sessions"),
        ({"weekly_km": 20, "longest_run_km": 25}, "longest_run_km"),
        ({"pain_triggers": "uphill;flying"}, "pain_triggers"),
        ({"sex": "f"}, "sex"),
        ({"warning_signs": "bleeding"}, "warning_signs"),
    ],
)
def test_each_bad_value_is_named(change: dict, column: str) -> None:
    assert problems([GOOD, {**GOOD, **change}]) == [(1, column)]


def test_dates_may_be_dates_or_timestamps() -> None:
    frame = pd.DataFrame(
        {"runner": ["a", "b"], "date": [dt.date(2026, 1, 5), pd.Timestamp("2026-01-06 10:30")]}
    )
    parsed = parse_checkins(frame).frame
    assert list(parsed["date"]) == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06")]


def test_missing_required_and_unknown_columns() -> None:
    frame = pd.DataFrame({"runner": ["a"], "colour": ["red"]})
    with pytest.raises(CheckinValidationError) as err:
        parse_checkins(frame, extra_columns="error")
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(None, "colour"), (None, "date")}
    # Extra columns are fine where callers carry ids or computed columns.
    parse_checkins(pd.DataFrame({"runner": ["a"], "date": ["2026-01-05"], "id": [1]}))


def test_duplicated_columns_are_refused() -> None:
    frame = pd.DataFrame([["a", "2026-01-05", "b"]], columns=["runner", "date", "runner"])
    with pytest.raises(CheckinValidationError, match="column 'runner'"):
        parse_checkins(frame)


def test_every_problem_is_listed_in_row_order() -> None:
    rows = [{**GOOD, "pain_level": 11}, GOOD, {**GOOD, "date": "x", "pain_level": -1}]
    assert problems(rows) == [(0, "pain_level"), (2, "date"), (2, "pain_level")]


def _parse_outcome(frame: pd.DataFrame) -> pd.DataFrame | str:
    """The canonical table, or the full error message: what a caller can observe."""
    try:
        return parse_checkins(frame).frame
    except CheckinValidationError as err:
        return str(err)


def test_object_columns_of_repeated_objects_parse_as_by_value(monkeypatch) -> None:
    """Long object columns are factorised by cell identity first (logic.checkins
    ._identity_codes); equal strings in separate objects, None, NaN and a list cell must come
    out exactly as hashing every value would give."""
    n = 12_000
    knee = "front_knee"
    same_value_new_object = "".join(["front_", "knee"])  # equal to knee, another object
    assert same_value_new_object is not knee
    cells = np.array([knee, same_value_new_object, None, np.nan, "outer_hip; front_knee"] * 2)
    rng = np.random.default_rng(1)
    picks = rng.integers(0, len(cells), n)
    runners = np.array(["Ann", "Bo", "".join(["A", "nn"])], dtype=object)
    frame = pd.DataFrame(
        {
            "runner": pd.Series(runners[rng.integers(0, 3, n)], dtype=object),
            "date": pd.Series(np.array(["2026-11-23", "2026-11-30"], dtype=object)[picks % 2]),
            "pain_locations": pd.Series(cells.astype(object)[picks], dtype=object),
            "sex": pd.Series(np.array(["female", None], dtype=object)[picks % 2], dtype=object),
        }
    )
    assert frame["pain_locations"].dtype == object
    fast = _parse_outcome(frame)
    monkeypatch.setattr("logic.checkins._IDENTITY_MIN_ROWS", 10**12)
    slow = _parse_outcome(frame)
    assert isinstance(fast, pd.DataFrame)
    pd.testing.assert_frame_equal(fast, slow)
    # A bad cell and an unhashable one are still named by row.
    bad = frame.astype({"pain_locations": object})
    bad.loc[7, "pain_locations"] = "knee"
    bad["team"] = pd.Series(["A"] * n, dtype=object)
    bad.at[9, "team"] = ["not", "a", "cell"]
    monkeypatch.undo()
    fast_error = _parse_outcome(bad)
    monkeypatch.setattr("logic.checkins._IDENTITY_MIN_ROWS", 10**12)
    assert isinstance(fast_error, str)
    assert fast_error == _parse_outcome(bad)
    assert "row 7, column 'pain_locations'" in fast_error
    assert "row 9, column 'team'" in fast_error
