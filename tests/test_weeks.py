"""logic.weeks: the week start, its label and the weeks between two dates, at the edges of weeks
and years (ISO week 53, a Sunday and the Monday after it, New Year inside a week)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from logic.weeks import (
    WEEK,
    day_label,
    day_labels,
    short_week_label,
    short_week_labels,
    week_end,
    week_grid,
    week_label,
    week_labels,
    week_start,
    week_starts,
    weeks_between,
)

# day -> the Monday of its ISO week
CASES = {
    dt.date(2026, 11, 29): dt.date(2026, 11, 23),  # a Sunday: the week before the Monday after
    dt.date(2026, 11, 30): dt.date(2026, 11, 30),  # a Monday: its own week
    dt.date(2026, 12, 31): dt.date(2026, 12, 28),  # New Year falls inside this week ...
    dt.date(2027, 1, 1): dt.date(2026, 12, 28),  # ... so 1 Jan 2027 counts for a 2026 Monday
    dt.date(2027, 1, 3): dt.date(2026, 12, 28),
    dt.date(2027, 1, 4): dt.date(2027, 1, 4),
    dt.date(2021, 1, 3): dt.date(2020, 12, 28),  # 2020 has an ISO week 53
}


@pytest.mark.parametrize(("day", "monday"), CASES.items())
def test_week_start_of_one_day(day: dt.date, monday: dt.date) -> None:
    assert week_start(day) == pd.Timestamp(monday)
    assert week_start(day.isoformat()).date() == monday
    assert week_start(pd.Timestamp(day) + pd.Timedelta(hours=23)) == pd.Timestamp(monday)
    assert week_end(day) == pd.Timestamp(monday) + pd.Timedelta(days=6)
    assert week_start(day).day_of_week == 0


def test_week_starts_of_a_column_and_an_index_agree_with_one_day() -> None:
    days = pd.Series(pd.to_datetime([d.isoformat() for d in CASES]), index=range(10, 17))
    days.iloc[0] += pd.Timedelta(hours=18)  # a time of day does not move the week
    expected = [pd.Timestamp(m) for m in CASES.values()]
    starts = week_starts(days)
    assert isinstance(starts, pd.Series) and starts.index.tolist() == list(range(10, 17))
    assert starts.tolist() == expected
    index = week_starts(pd.DatetimeIndex(days))
    assert isinstance(index, pd.DatetimeIndex) and index.tolist() == expected
    # Text dates are read as dates.
    assert week_starts(pd.Series([d.isoformat() for d in CASES])).tolist() == expected


def test_week_labels_across_new_year_and_week_53() -> None:
    assert week_label(dt.date(2026, 11, 26)) == "Week 48 · 23 Nov–29 Nov 2026"
    assert week_label(dt.date(2026, 11, 29)) == "Week 48 · 23 Nov–29 Nov 2026"
    assert week_label(dt.date(2026, 11, 30)) == "Week 49 · 30 Nov–6 Dec 2026"
    # The week of New Year 2027 is week 53 of 2026; the label ends on its Sunday's year.
    new_year = "Week 53 · 28 Dec–3 Jan 2027"
    assert week_label(dt.date(2026, 12, 31)) == week_label(dt.date(2027, 1, 1)) == new_year
    assert week_label(dt.date(2027, 1, 4)) == "Week 1 · 4 Jan–10 Jan 2027"
    assert week_label(pd.Timestamp("2021-01-03 08:00")) == "Week 53 · 28 Dec–3 Jan 2021"
    dates = pd.Series(pd.to_datetime([d.isoformat() for d in CASES]))
    assert week_labels(dates) == [week_label(d) for d in CASES]
    assert week_labels(pd.Series([], dtype="datetime64[ns]")) == []


def test_weeks_between_two_dates() -> None:
    assert weeks_between(dt.date(2026, 11, 4), dt.date(2026, 11, 22)) == [
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 2),
    ]
    assert weeks_between(dt.date(2026, 11, 22), dt.date(2026, 11, 4)) == []
    # Sunday to the Monday after: two weeks; across New Year: the 2026 week 53 once.
    assert weeks_between(dt.date(2026, 11, 29), dt.date(2026, 11, 30)) == [
        dt.date(2026, 11, 30),
        dt.date(2026, 11, 23),
    ]
    assert weeks_between(dt.date(2026, 12, 31), dt.date(2027, 1, 5)) == [
        dt.date(2027, 1, 4),
        dt.date(2026, 12, 28),
    ]
    grid = week_grid(pd.Timestamp("2020-12-20"), pd.Timestamp("2021-01-05"))
    assert grid.tolist() == [
        pd.Timestamp(d) for d in ("2020-12-14", "2020-12-21", "2020-12-28", "2021-01-04")
    ]
    assert (grid[1:] - grid[:-1] == WEEK).all()


def test_short_week_label_is_the_heading_of_a_printed_plan() -> None:
    assert short_week_label(dt.date(2026, 12, 2)) == "Week 49 · 30 Nov–6 Dec"
    assert short_week_label(pd.Timestamp("2026-12-06")) == "Week 49 · 30 Nov–6 Dec"  # the Sunday
    assert short_week_label(dt.date(2027, 1, 1)) == "Week 53 · 28 Dec–3 Jan"
    assert short_week_label(dt.date(2026, 12, 2)) in week_label(dt.date(2026, 12, 2)).replace(
        " 2026", ""
    )


def test_results_and_history_write_a_day_and_a_week_one_way() -> None:
    assert day_label(dt.date(2026, 11, 30)) == "Mon 30 Nov 2026"
    assert day_label(pd.Timestamp("2027-01-01 08:00")) == "Fri 1 Jan 2027"
    assert short_week_label(dt.date(2026, 12, 2)) == "Week 49 · 30 Nov–6 Dec"
    assert short_week_label(dt.date(2027, 1, 1)) == "Week 53 · 28 Dec–3 Jan"
    dates = pd.Series(pd.to_datetime(["2026-11-30", "2027-01-01"]), index=[7, 3])
    assert day_labels(dates).tolist() == ["Mon 30 Nov 2026", "Fri 1 Jan 2027"]
    assert day_labels(dates).index.tolist() == [7, 3]
    assert short_week_labels(dates).tolist() == [
        short_week_label(d) for d in (dt.date(2026, 11, 30), dt.date(2027, 1, 1))
    ]
