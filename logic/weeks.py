"""ISO weeks: a check-in counts for the whole Monday-to-Sunday week it falls in.

The one home of the week start (for one day and for whole columns), its label and the weeks
between two dates, so storage, import, analysis, the form and the charts agree on which week a
day belongs to. Plain pandas, importable from every layer of logic/.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "DAY_D3",
    "DAY_FORMAT",
    "DAY_MOMENT",
    "WEEK",
    "day_label",
    "day_labels",
    "short_week_label",
    "short_week_labels",
    "week_end",
    "week_grid",
    "week_label",
    "week_labels",
    "week_start",
    "week_starts",
    "weeks_between",
]

WEEK = pd.Timedelta(days=7)
#: The one way a day is written on the runner's pages ("Mon 30 Nov 2026"): strftime here,
#: and the same pattern in d3 (charts, DAY_D3) and moment.js (tables, DAY_MOMENT).
DAY_FORMAT = "%a %-d %b %Y"
DAY_D3 = "%a %-d %b %Y"
DAY_MOMENT = "ddd D MMM YYYY"
_SIX_DAYS = pd.Timedelta(days=6)

Dates = TypeVar("Dates", pd.Series, pd.DatetimeIndex)


def week_start(day: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """The Monday (midnight) of `day`'s ISO week; `.date()` of it is the stored key."""
    stamp = pd.Timestamp(day).normalize()
    return stamp - pd.Timedelta(days=stamp.day_of_week)


def week_end(day: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """The Sunday (midnight) of `day`'s ISO week: the last day a period of whole weeks covers."""
    return week_start(day) + _SIX_DAYS


def week_starts(dates: Dates) -> Dates:
    """week_start for a whole column (or index) at once; a Series keeps its index."""
    if isinstance(dates, pd.DatetimeIndex):
        days = dates.normalize()
        return days - pd.to_timedelta(days.day_of_week, unit="D")
    days = pd.to_datetime(dates).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def week_label(day: dt.date | pd.Timestamp) -> str:
    """'Week 48 · 23 Nov–29 Nov 2026': the ISO week number and its Monday to Sunday."""
    monday, sunday = week_start(day), week_end(day)
    return f"Week {monday.isocalendar()[1]} · {monday:%-d %b}–{sunday:%-d %b %Y}"


def week_labels(dates: pd.Series | pd.DatetimeIndex) -> list[str]:
    """week_label for a whole column at once, formatted once per distinct week."""
    codes, mondays = pd.factorize(week_starts(pd.Series(dates)), use_na_sentinel=False)
    mondays = pd.Series(mondays)
    sunday = mondays + _SIX_DAYS
    week = mondays.dt.isocalendar().week.astype("str")
    labels = "Week " + week + " · " + mondays.dt.strftime("%-d %b") + "–"
    labels = labels + sunday.dt.strftime("%-d %b %Y")
    return np.asarray(labels.astype(object), dtype=object)[codes].tolist()


def day_label(day: dt.date | pd.Timestamp) -> str:
    """'Mon 30 Nov 2026': a check-in's day as Results and History write it."""
    return f"{pd.Timestamp(day):{DAY_FORMAT}}"


def day_labels(dates: pd.Series) -> pd.Series:
    """day_label for a whole column at once (a str Series with the same index)."""
    return pd.to_datetime(dates).dt.strftime(DAY_FORMAT).astype("str")


def short_week_label(day: dt.date | pd.Timestamp) -> str:
    """'Week 49 · 30 Nov–6 Dec': a week on Results and History, next to a day_label that
    carries the year."""
    monday, sunday = week_start(day), week_end(day)
    return f"Week {monday.isocalendar()[1]} · {monday:%-d %b}–{sunday:%-d %b}"


def short_week_labels(dates: pd.Series) -> pd.Series:
    """short_week_label for a whole column at once (a str Series with the same index)."""
    mondays = week_starts(pd.Series(dates))
    sundays = mondays + _SIX_DAYS
    week = mondays.dt.isocalendar().week.astype("str")
    text = "Week " + week + " · " + mondays.dt.strftime("%-d %b") + "–"
    return (text + sundays.dt.strftime("%-d %b")).astype("str")


def week_grid(first: dt.date | pd.Timestamp, last: dt.date | pd.Timestamp) -> pd.DatetimeIndex:
    """The Mondays of the ISO weeks from `first` to `last`, oldest first (empty when last < first),
    so a week without a check-in still has its slot."""
    return pd.date_range(week_start(first), week_start(last), freq="7D")


def weeks_between(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> list[dt.date]:
    """The Mondays of the ISO weeks from `start` to `end`, newest first (a week picker's order)."""
    return [d.date() for d in week_grid(start, end)[::-1]]
