"""Property-based fuzzing of `score_checkins` (hypothesis).

Any frame, however hostile its cells (formulas, HTML, SQL fragments, huge text, NaN, inf,
huge numbers, wrong types, duplicated columns), either scores cleanly (every score in
[0, 100], a band per condition, on the input's index) or raises CheckinValidationError whose
problems each name a row and a column. Never another exception type.

`FUZZ_CASES` counts the examples run; the last test prints it (`pytest -s`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.analysis.scoring import SCORE_MAX, score_checkins
from logic.checkins import CheckinValidationError
from logic.knowledge import knowledge_base

KB = knowledge_base()
SPECS = KB.checkin.columns
CONDITIONS = KB.condition_ids
FUZZ_CASES: Counter[str] = Counter()
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

HOSTILE_TEXT = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE checkins; --",
    "",
    " ",
    "x" * 10_000,
    "front_knee;<b>x</b>",
    "front_knee;;front_knee",
]
weird = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=15),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.just(pd.NA),
    st.just(pd.NaT),
    st.tuples(st.sampled_from(["front_knee", "nope"])),  # hashable containers
)


def _valid_value_uncached(name: str) -> st.SearchStrategy[Any]:
    spec = SPECS[name]
    if name == "runner":
        return st.sampled_from([*HOSTILE_TEXT[:7], "Ann"])
    if spec.type == "text":
        return st.one_of(st.none(), st.sampled_from(HOSTILE_TEXT[:7]))
    if spec.type == "date":
        return st.dates(dt.date(2000, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)
    if spec.type in ("set", "choice"):
        values = list(spec.values)
        if spec.type == "choice":
            return st.one_of(st.none(), st.sampled_from(values))
        return st.lists(st.sampled_from(values), max_size=len(values), unique=True).map(
            KB.checkin.set_separator.join
        )
    lo = spec.min if spec.min is not None else 0
    hi = spec.max if spec.max is not None else 1_000
    if spec.type == "integer":
        return st.one_of(st.none(), st.integers(int(lo), int(hi)))
    return st.one_of(st.none(), st.floats(float(lo), float(hi), allow_nan=False))


VALUE = {name: _valid_value_uncached(name) for name in SPECS}
OPTIONAL = [c for c in SPECS if c not in ("runner", "date")]


@st.composite
def valid_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 4))
    optional = draw(st.lists(st.sampled_from(OPTIONAL), max_size=6, unique=True))
    names = ["runner", "date", *optional]
    frame = pd.DataFrame({c: draw(st.lists(VALUE[c], min_size=n, max_size=n)) for c in names})
    if {"weekly_km", "longest_run_km"} <= set(frame.columns):  # the longest run fits the week
        frame["longest_run_km"] = frame["longest_run_km"].where(
            ~(frame["longest_run_km"] > frame["weekly_km"]), frame["weekly_km"]
        )
    return frame


@st.composite
def hostile_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 4))
    names = draw(
        st.lists(st.sampled_from([*SPECS, "extra", "<script>", "runner"]), min_size=0, max_size=8)
    )
    columns = {f"c{i}": draw(st.lists(weird, min_size=n, max_size=n)) for i in range(len(names))}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    frame.columns = pd.Index(names, dtype=object)  # duplicated names allowed
    return frame


def assert_scores(scores: pd.DataFrame, frame: pd.DataFrame) -> None:
    assert scores.index.equals(frame.index)
    for cid in CONDITIONS:
        values = scores[cid].to_numpy(dtype=float)
        assert np.isfinite(values).all()
        assert ((values >= 0) & (values <= SCORE_MAX)).all()
        assert set(scores[f"{cid}_band"].astype(str)) <= {"low", "moderate", "high"}
    assert scores["needs_clinician"].isin([True, False]).all()


@SETTINGS
@given(frame=hostile_frames())
def test_hostile_frames_score_or_fail_with_located_problems(frame: pd.DataFrame) -> None:
    FUZZ_CASES["hostile_frames"] += 1
    try:
        scores = score_checkins(frame, KB)
    except CheckinValidationError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.column, p
            text = p.describe(first_line=2)
            assert text.startswith(("line ", "column ")), text
            assert len(text) < 1_000  # huge cells are cut short
        return
    assert_scores(scores, frame)


@SETTINGS
@given(frame=valid_frames())
def test_valid_frames_always_score_in_range(frame: pd.DataFrame) -> None:
    FUZZ_CASES["valid_frames"] += 1
    assert_scores(score_checkins(frame, KB), frame)


@SETTINGS
@given(frame=valid_frames(), name=st.sampled_from(HOSTILE_TEXT[:7]))
def test_names_never_change_a_score(frame: pd.DataFrame, name: str) -> None:
    FUZZ_CASES["names_never_change_a_score"] += 1
    renamed = frame.assign(runner=name)
    a, b = score_checkins(frame, KB), score_checkins(renamed, KB)
    pd.testing.assert_frame_equal(a, b)


def _outcome(frame: pd.DataFrame) -> pd.DataFrame | str:
    try:
        return score_checkins(frame, KB)
    except CheckinValidationError as exc:
        return str(exc)


@SETTINGS
@given(frame=hostile_frames(), repeat=st.integers(2, 60))
def test_identity_factorising_changes_nothing(frame: pd.DataFrame, repeat: int) -> None:
    """Object columns that repeat the same cells are factorised by identity first (see
    logic.checkins._identity_codes): the outcome must be what hashing every value gives."""
    FUZZ_CASES["identity_factorising"] += 1
    tiled = frame.iloc[np.tile(np.arange(len(frame)), repeat)].reset_index(drop=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("logic.checkins._IDENTITY_MIN_ROWS", 1)
        fast = _outcome(tiled)
        mp.setattr("logic.checkins._IDENTITY_MIN_ROWS", 10**12)
        slow = _outcome(tiled)
    if isinstance(slow, str):
        assert fast == slow
    else:
        assert isinstance(fast, pd.DataFrame)
        pd.testing.assert_frame_equal(fast, slow)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(value=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30))
def test_extreme_numbers_are_refused_or_capped(value: float) -> None:
    FUZZ_CASES["extreme_numbers"] += 1
    frame = pd.DataFrame(
        {"runner": ["Ann"], "date": ["2024-01-01"], "weekly_km": [value], "pain_level": [value]}
    )
    try:
        scores = score_checkins(frame, KB)
    except CheckinValidationError as exc:
        assert {p.column for p in exc.problems} <= {"weekly_km", "pain_level"}
        return
    assert not (isinstance(value, float) and math.isinf(value)), "inf was accepted"
    assert_scores(scores, frame)


@pytest.mark.parametrize(
    ("column", "cell"),
    [("runner", ["Ann"]), ("date", ["2024-01-01"]), ("team", {"a": 1}), ("pain_locations", {})],
)
def test_a_list_or_dict_cell_is_a_located_problem(column: str, cell: object) -> None:
    frame = pd.DataFrame({"runner": ["Ann", "Bo"], "date": ["2024-01-01", "2024-01-08"]})
    frame["team"] = "A"
    frame["pain_locations"] = ""
    frame[column] = pd.Series([frame[column].iloc[0], cell], dtype=object)
    with pytest.raises(CheckinValidationError) as err:
        score_checkins(frame, KB)
    assert [(p.row, p.column) for p in err.value.problems] == [(1, column)]


def test_report_fuzz_cases() -> None:
    total = sum(FUZZ_CASES.values())
    print(f"\nfuzz cases tried (test_fuzz_scoring): {total} {dict(FUZZ_CASES)}")
    assert total > 0
