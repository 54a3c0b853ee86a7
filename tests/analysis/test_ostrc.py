"""OSTRC-style severity: option scores, the questionnaire's short-cuts, substantial problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logic.analysis.ostrc import any_problem, severity, substantial
from logic.knowledge import DATA_DIR, load_knowledge_base

NA = None


def answers(*rows: tuple) -> pd.DataFrame:
    """(participation, training, performance, pain) per row, stored as the database does."""
    columns = ["ostrc_participation", "ostrc_training", "ostrc_performance", "ostrc_pain"]
    frame = pd.DataFrame(list(rows), columns=columns, dtype="float64")
    return frame.astype("Int64").set_axis([f"c{i}" for i in range(len(rows))])


def test_severity_is_the_sum_of_the_option_scores() -> None:
    frame = answers((1, 1, 2, 3), (2, 0, 0, 0), (1, 3, 3, 3), (2, 2, 1, 1))
    assert severity(frame).tolist() == [8 + 8 + 17 + 25, 17, 8 + 25 * 3, 17 + 17 + 8 + 8]
    assert severity(frame).index.tolist() == ["c0", "c1", "c2", "c3"]


def test_short_cuts_no_problem_is_zero_and_cannot_take_part_is_one_hundred() -> None:
    frame = answers((0, NA, NA, NA), (0, 3, 3, 3), (3, NA, NA, NA), (3, 0, 0, 0))
    assert severity(frame).tolist() == [0.0, 0.0, 100.0, 100.0]


def test_unanswered_is_nan() -> None:
    frame = answers((NA, NA, NA, NA), (NA, 1, 1, 1), (1, 1, NA, 1), (2, NA, NA, NA))
    assert severity(frame).isna().all()
    empty = pd.DataFrame(index=[0, 1])  # frames from before the questions existed
    assert severity(empty).isna().all()
    assert not substantial(empty).any() and not any_problem(empty).any()


def test_substantial_problem() -> None:
    frame = answers(
        (3, NA, NA, NA),  # cannot take part
        (1, 2, 0, 0),  # training changed quite a lot
        (2, 0, 3, 0),  # performance held back very much
        (2, 1, 1, 3),  # a lot of pain, but training and performance only a little
        (0, 2, 2, 2),  # "no problem" ends the questionnaire: the rest does not count
        (NA, NA, NA, NA),
    )
    assert substantial(frame).tolist() == [True, True, True, False, False, False]


def test_any_problem() -> None:
    frame = answers((0, NA, NA, NA), (1, 0, 0, 0), (1, NA, NA, NA), (NA, 2, 2, 2), (3, NA, NA, NA))
    # Participation above "no problem" is a problem even when the rest is unanswered.
    assert any_problem(frame).tolist() == [False, True, True, False, True]


def test_the_numbers_come_from_rules_toml(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    rules = data / "rules.toml"
    text = rules.read_text()
    text = text.replace("option_scores = [0, 8, 17, 25]", "option_scores = [0, 5, 10, 25]")
    text = text.replace("substantial_from_option = 2", "substantial_from_option = 3")
    rules.write_text(text)
    kb = load_knowledge_base(data)
    frame = answers((1, 1, 2, 3), (1, 2, 2, 0))
    assert severity(frame, kb).tolist() == [5 + 5 + 10 + 25, 5 + 10 + 10]
    assert substantial(frame, kb).tolist() == [False, False]
    assert np.allclose(severity(frame).to_numpy(), [58.0, 42.0])
    assert substantial(frame).tolist() == [True, True]


@pytest.mark.parametrize("dtype", ["float64", "Int64", "object"])
def test_any_numeric_dtype_works(dtype: str) -> None:
    frame = answers((1, 1, 1, 1), (NA, NA, NA, NA)).astype(dtype)
    assert severity(frame).iloc[0] == 32.0
    assert np.isnan(severity(frame).iloc[1])
