"""Training-load signals: hand-computed ratios, gaps, the 30-day long-run window, flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logic.analysis.load import (
    LOAD_COLUMNS,
    explanations,
    raised_flags,
    weekly_load,
    with_load_flags,
)
from logic.analysis.scoring import score_checkins
from logic.knowledge import knowledge_base

MONDAY = pd.Timestamp("2025-03-03")  # a Monday


def weeks(km: list[float | None], longest: list[float | None] | None = None) -> pd.DataFrame:
    """One check-in per week (on the Wednesday) from MONDAY on; None is a check-in without
    a distance, not a missed week."""
    n = len(km)
    frame = pd.DataFrame(
        {
            "runner": "Ann",
            "date": MONDAY + pd.to_timedelta(np.arange(n) * 7 + 2, unit="D"),
            "weekly_km": pd.array(km, dtype="Float64").astype("float64"),
            "longest_run_km": pd.array(longest or [None] * n, dtype="Float64").astype("float64"),
        }
    )
    return frame


def test_acute_chronic_is_this_week_over_the_mean_of_the_four_before() -> None:
    load = weekly_load(weeks([20, 30, 40, 40, 90, 40]))
    ratio = load["acute_chronic"].to_numpy()
    # Weeks 0-2 have fewer than 3 earlier weeks with a distance: no ratio yet.
    assert np.isnan(ratio[:3]).all()
    assert ratio[3] == pytest.approx(40 / 30)  # (20 + 30 + 40) / 3
    assert ratio[4] == pytest.approx(90 / 32.5)  # (20 + 30 + 40 + 40) / 4
    assert ratio[5] == pytest.approx(40 / 50)  # (30 + 40 + 40 + 90) / 4
    assert load["acwr_flag"].tolist() == [False, False, False, False, True, False]
    assert load["chronic_km"].iloc[4] == pytest.approx(32.5)


def test_a_missed_week_is_a_nan_row_and_does_not_count_as_zero() -> None:
    history = weeks([20, 30, 40, 40, 44]).drop(index=2)  # week 2 missed
    load = weekly_load(history)
    assert len(load) == 5
    assert load["week_start"].tolist() == list(pd.date_range(MONDAY, periods=5, freq="7D"))
    assert load["checked_in"].tolist() == [True, True, False, True, True]
    assert np.isnan(load["weekly_km"].iloc[2])
    assert np.isnan(load["acute_chronic"].iloc[2])
    # Week 3 has only two earlier weeks with a distance: still no ratio.
    assert np.isnan(load["acute_chronic"].iloc[3])
    # Week 4: weeks 0, 1 and 3 have distances (3 of 4): 44 / 30.
    assert load["acute_chronic"].iloc[4] == pytest.approx(44 / 30)
    # No week-on-week jump across the missed week, even though 40 > 0 * 1.3.
    assert not load["weekly_jump"].iloc[3]


def test_a_week_without_a_distance_is_not_a_zero_week() -> None:
    load = weekly_load(weeks([20, 30, None, 40, 40]))
    assert load["checked_in"].all()
    assert np.isnan(load["acute_chronic"].iloc[2])
    assert not load["weekly_jump"].iloc[3]  # the week before has no distance
    assert np.isnan(load["acute_chronic"].iloc[3])  # 2 earlier distances only


@pytest.mark.parametrize(("this", "jumped"), [(26.0, False), (26.1, True), (10.0, False)])
def test_weekly_jump_is_more_than_thirty_percent_on_the_week_before(
    this: float, jumped: bool
) -> None:
    load = weekly_load(weeks([20, this]))
    assert load["weekly_jump"].tolist() == [False, jumped]
    assert load["load_spike"].tolist() == [False, jumped]


def test_long_run_spike_looks_back_thirty_days_by_date_not_by_rows() -> None:
    history = pd.DataFrame(
        {
            "runner": "Ann",
            "date": pd.to_datetime(["2025-01-01", "2025-01-29", "2025-01-31", "2025-03-20"]),
            "weekly_km": [40.0, 40.0, 40.0, 40.0],
            "longest_run_km": [20.0, 10.0, 21.9, 15.0],
        }
    )
    flagged = with_load_flags(history)
    # Jan 29: Jan 1 is 28 days back, 10 is no spike. Jan 31: 30 days back still counts,
    # so 21.9 is within 10% of 20. Mar 20: nothing in the 30 days before, so no base.
    assert flagged["long_run_spike"].tolist() == [False, False, False, False]
    history.loc[2, "longest_run_km"] = 22.1  # > 1.1 * 20
    assert with_load_flags(history)["long_run_spike"].tolist() == [False, False, True, False]
    history.loc[2, "date"] = pd.Timestamp("2025-02-01")  # Jan 1 is now 31 days back
    history.loc[2, "longest_run_km"] = 11.5  # > 1.1 * 10 (Jan 29)
    assert with_load_flags(history)["long_run_spike"].tolist() == [False, False, True, False]


def test_runners_are_computed_apart() -> None:
    ann = weeks([20, 30, 40, 40, 90])
    bob = weeks([100, 100, 100, 100, 50]).assign(runner="Bob")
    mixed = pd.concat([ann, bob]).sample(frac=1, random_state=4)  # interleaved, any order
    load = weekly_load(mixed)
    assert len(load) == 10
    by_runner = load.set_index(["runner", "week_start"])["acute_chronic"]
    assert by_runner["Ann", MONDAY + pd.Timedelta(weeks=4)] == pytest.approx(90 / 32.5)
    assert by_runner["Bob", MONDAY + pd.Timedelta(weeks=4)] == pytest.approx(0.5)
    # Bob's first week is not compared with Ann's last one.
    assert not load.set_index(["runner", "week_start"])["weekly_jump"]["Bob", MONDAY]


def test_with_load_flags_keeps_the_index_and_feeds_the_scores() -> None:
    history = weeks([20, 30, 40, 40, 90], [10, 10, 12, 12, 20])
    history.index = [50, 10, 40, 30, 20]
    flagged = with_load_flags(history.iloc[::-1])
    assert flagged.index.tolist() == [20, 30, 40, 10, 50]
    assert flagged["load_spike"].dtype == bool and flagged["long_run_spike"].dtype == bool
    assert flagged["acute_chronic"].dtype == "float64"
    assert flagged.loc[20, "load_spike"] and flagged.loc[20, "long_run_spike"]
    assert flagged.loc[20, "acute_chronic"] == pytest.approx(90 / 32.5)
    assert flagged.loc[10, "load_spike"]  # 30 after 20: a 50% jump
    assert not flagged.loc[30, "load_spike"]
    # Both flags on week 4 are one jump, counted once: IT band gets the larger, 8 (load spike),
    # not 8 + 6 (long-run spike).
    scores = score_checkins(flagged)
    plain = score_checkins(history)
    assert scores.loc[20, "it_band"] - plain.loc[20, "it_band"] == pytest.approx(8)
    assert scores.loc[30, "it_band"] == pytest.approx(plain.loc[30, "it_band"])


def test_the_latest_checkin_of_a_week_counts_when_there_are_two() -> None:
    history = weeks([20, 30])
    extra = history.iloc[[1]].assign(date=history["date"].iloc[1] + pd.Timedelta(days=2))
    extra["weekly_km"] = 21.0
    load = weekly_load(pd.concat([history, extra], ignore_index=True))
    assert load["weekly_km"].tolist() == [20.0, 21.0]
    assert not load["weekly_jump"].iloc[1]


def test_empty_history_gives_an_empty_frame_with_the_columns() -> None:
    load = weekly_load(weeks([]))
    assert load.empty and list(load.columns) == LOAD_COLUMNS
    assert with_load_flags(weeks([])).empty
    assert raised_flags(load).empty


def test_flags_are_explained_from_load_toml() -> None:
    kb = knowledge_base()
    assert explanations() == {
        "acwr_flag": kb.load.acute_chronic.explain,
        "weekly_jump": kb.load.weekly_jump.explain,
        "return_after_break": kb.load.return_after_break.explain,
        "long_run_spike": kb.load.long_run.explain,
    }
    load = weekly_load(weeks([20, 30, 40, 40, 90], [10, 10, 12, 12, 20]))
    flags = raised_flags(load)
    # Week 4: all three; week 2: 40 after 30 and a 12 km run after 10 km ones; week 1: 30 after 20.
    assert flags["flag"].tolist() == [
        "acwr_flag",
        "weekly_jump",
        "long_run_spike",
        "weekly_jump",
        "long_run_spike",
        "weekly_jump",
    ]
    assert flags["title"].iloc[0] == "This week 2.77 times your usual distance (above 1.5)"
    assert flags["title"].iloc[1] == (
        "Distance up 125% on the week before (40 → 90 km) and above your usual"
    )
    assert flags["title"].iloc[2] == "Longest run 20 km, beyond 12 km in the 30 days before"
    assert flags["explain"].iloc[2] == kb.load.long_run.explain
    assert (flags["week_start"].diff().dropna() <= pd.Timedelta(0)).all()  # newest first
    # Issue 13: a miles runner reads the same flags in miles (the frame stays in km).
    miles = raised_flags(load, units="miles")["title"]
    assert miles.iloc[0] == flags["title"].iloc[0]  # a ratio has no unit
    assert miles.iloc[1] == (
        "Distance up 125% on the week before (24.9 → 55.9 mi) and above your usual"
    )
    assert miles.iloc[2] == "Longest run 12.4 mi, beyond 7.5 mi in the 30 days before"
    assert not miles.str.contains("km").any()


# --- signals that do not contradict each other (issue 12) ---------------------------------------


def test_a_jump_needs_a_real_week_behind_it() -> None:
    load = weekly_load(weeks([4, 8, 12]))
    # 4 -> 8 km doubles but is below min_km; 8 -> 12 km is 50% up and 12 km is enough.
    assert load["weekly_jump"].tolist() == [False, False, True]
    assert knowledge_base().load.weekly_jump.min_km == 10


def test_up_from_a_light_week_but_below_the_usual_is_not_a_spike() -> None:
    load = weekly_load(weeks([40, 40, 40, 20, 34]))
    last = load.iloc[-1]
    assert last["weekly_km"] / last["previous_km"] - 1 == pytest.approx(0.7)  # up 70%...
    assert last["acute_chronic"] == pytest.approx(34 / 35)  # ...but below the usual 35 km
    assert not last["weekly_jump"] and not last["load_spike"]
    assert raised_flags(load).empty
    # Above the usual as well, the same jump is a spike.
    assert weekly_load(weeks([20, 20, 20, 20, 34]))["weekly_jump"].iloc[-1]


def gap(km: list[float], missed: int, back: float) -> pd.DataFrame:
    """Weekly check-ins, `missed` weeks with no check-in at all, then one week back."""
    frame = weeks([*km, *([0.0] * missed), back])
    return frame.drop(index=range(len(km), len(km) + missed)).reset_index(drop=True)


def test_a_return_after_missed_weeks_has_its_own_signal() -> None:
    load = weekly_load(gap([30, 30, 30, 30], missed=2, back=35))
    last = load[load["checked_in"]].iloc[-1]
    assert last["missed_weeks"] == 2 and last["before_break_km"] == 30
    assert last["return_after_break"] and last["load_spike"]
    assert np.isnan(last["acute_chronic"]) and not last["weekly_jump"]  # nothing else sees it
    flags = raised_flags(load)
    assert flags["flag"].tolist() == ["return_after_break"]
    assert flags["title"].iloc[0] == (
        "Back after 2 weeks without a check-in: 35 km, against 30 km a week before the break"
    )
    scored = score_checkins(with_load_flags(gap([30, 30, 30, 30], missed=2, back=35)))
    plain = score_checkins(gap([30, 30, 30, 30], missed=2, back=35))
    assert scored["it_band"].iloc[-1] > plain["it_band"].iloc[-1]


def test_an_easy_return_or_a_single_missed_week_is_no_spike() -> None:
    easy = weekly_load(gap([30, 30, 30, 30], missed=3, back=15))
    last = easy[easy["checked_in"]].iloc[-1]
    assert last["return_after_break"] and not last["load_spike"]  # said, not scored
    one = weekly_load(gap([30, 30, 30, 30], missed=1, back=35))
    assert not one["return_after_break"].any()


def test_what_a_runner_reads_is_in_plain_words() -> None:
    kb = knowledge_base()
    load = weekly_load(gap([20, 30, 40, 40, 90], missed=2, back=60))
    texts = [
        *raised_flags(load)["title"],
        *explanations().values(),
        *(d.label for d in kb.load.derived.values()),
    ]
    assert len(texts) > 6
    for text in texts:
        for word in ("acute", "chronic", "ostrc", "weekly_km", "longest_run_km", "ratio"):
            assert word not in text.lower(), text
