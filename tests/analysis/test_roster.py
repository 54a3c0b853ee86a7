"""The coach's roster (logic/analysis/roster.py): one row per runner, non-responders first,
this week's pain, top concern, trend, load, availability and red flag; the filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from logic.analysis import roster
from logic.analysis.team import scored_team
from logic.knowledge import knowledge_base

KB = knowledge_base()
WEEK = dt.date(2026, 11, 30)
MONDAYS = [pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-23"), pd.Timestamp("2026-11-30")]


def checkin(i: int, runner: str, day: pd.Timestamp, **values: object) -> dict[str, object]:
    base = {"id": i, "runner": runner, "team": "A", "date": day, "pain_level": 0}
    return {**base, **values}


@pytest.fixture
def board() -> pd.DataFrame:
    rows = [
        checkin(1, "ann", MONDAYS[0], weekly_km=30, ostrc_participation=0),
        checkin(2, "ann", MONDAYS[1], weekly_km=31, pain_level=2, pain_locations="front_knee"),
        checkin(
            3, "ann", MONDAYS[2], weekly_km=70, pain_level=6,
            pain_locations="front_knee;outer_knee", ostrc_participation=1, ostrc_training=2,
        ),
        checkin(4, "bob", MONDAYS[1], pain_level=3),
        checkin(
            5, "cy", MONDAYS[2], pain_level=9, pain_locations="back_thigh",
            warning_signs="swelling", ostrc_participation=3,
        ),
        checkin(6, "dee", MONDAYS[2], ostrc_participation=2),
    ]  # fmt: skip
    members = pd.DataFrame({"runner": ["ann", "bob", "cy", "dee", "eve"], "team": ["A"] * 5})
    return roster.coach_roster(scored_team(pd.DataFrame(rows), KB), members, WEEK, KB)


def test_non_responders_head_the_roster_with_their_last_date(board: pd.DataFrame) -> None:
    assert board["runner"].tolist()[:2] == ["eve", "bob"]  # never answered, then the oldest
    assert board["status"].tolist()[:2] == ["never", "not answered · last 23 Nov"]
    assert pd.isna(board["weeks_missed"].iloc[0]) and board["weeks_missed"].iloc[1] == 1
    # Then the red flag, then the riskiest.
    assert board["runner"].tolist()[2] == "cy" and bool(board["red_flag"].iloc[2])
    # Nothing of last week is shown as this week's.
    bob = board.set_index("runner").loc["bob"]
    assert pd.isna(bob["pain"]) and bob["top"] == "" and bob["availability"] == ""


def test_this_weeks_columns(board: pd.DataFrame) -> None:
    ann = board.set_index("runner").loc["ann"]
    assert ann["pain"] == 6 and ann["where"] == "Front of the knee, Outside of the knee"
    assert ann["trend"] == roster.UP and bool(ann["rising"])
    assert ann["load"] == "spike"  # 70 km after 31: a jump of more than 30 %
    assert ann["availability"] == "modified"  # full, but training changed "quite a lot"
    assert ann["top"] in {c.short_name for c in KB.conditions.values()}
    assert ann["band"] in ("low", "moderate", "high") and ann["weeks_missed"] == 0
    by = board.set_index("runner")
    assert by.loc["cy", "availability"] == "out" and by.loc["dee", "availability"] == "modified"
    assert by.loc["dee", "trend"] == ""  # nothing to compare with


def test_a_pain_side_column_is_shown_when_it_exists() -> None:
    rows = pd.DataFrame(
        [checkin(1, "ann", MONDAYS[2], pain_level=4, pain_locations="outer_hip")]
    ).assign(pain_side="left")
    members = pd.DataFrame({"runner": ["ann"], "team": ["A"]})
    board = roster.coach_roster(scored_team(rows, KB), members, WEEK, KB)
    assert board["where"].item() == "Outside of the hip (left)"


def test_availability_follows_the_data_file() -> None:
    frame = pd.DataFrame(
        {"ostrc_participation": [0, 1, 1, 2, 3, None], "ostrc_training": [0, 0, 3, 0, 0, None]}
    )
    assert roster.availability(frame, KB).tolist() == [
        "full", "full", "modified", "modified", "out", "",
    ]  # fmt: skip


def test_filters_keep_any_match(board: pd.DataFrame) -> None:
    assert roster.counts(board) == {"red flags": 1, "not answered": 2, "rising": 1}
    assert roster.filter_roster(board, ["red flags"])["runner"].tolist() == ["cy"]
    both = roster.filter_roster(board, ["red flags", "rising"])["runner"].tolist()
    assert sorted(both) == ["ann", "cy"]
    assert len(roster.filter_roster(board, [])) == 5
    with pytest.raises(ValueError, match="unknown roster filter"):
        roster.filter_roster(board, ["sleepy"])


def test_the_table_puts_key_columns_first(board: pd.DataFrame) -> None:
    table = roster.roster_table(board)
    assert list(table.columns) == roster.TABLE_ORDER
    # A phone shows these (issue 13): runner, red flag, top concern and band, pain, last check-in.
    assert roster.TABLE_ORDER[: len(roster.PHONE_ORDER)] == roster.PHONE_ORDER
    assert roster.PHONE_ORDER == ["runner", "flag", "top", "pain", "status"]
    assert table["status"].tolist()[:2] == ["✗ never", "✗ last 23 Nov"]
    assert table.loc[table["runner"] == "cy", "flag"].item() == roster.RED_FLAG
