"""The check-in form's values: defaults from last week, and a form back to a check-in row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from logic.analysis.ostrc import OSTRC_COLUMNS
from logic.checkins import CheckinValidationError, checkin_frame, parse_checkins, split_set
from logic.knowledge import ColumnSpec, KnowledgeBase, knowledge_base
from logic.profile import RunnerProfile, from_display_distance, to_display_distance
from logic.weeks import day_labels, short_week_labels

IDENTITY_COLUMNS = ("runner", "team")
# Asked once on the profile page, not every week; the check-in row still gets it on save.
PROFILE_COLUMNS = ("sex",)
# Stored in km; typed and shown in the runner's unit (logic/profile.py).
DISTANCE_COLUMNS = ("weekly_km", "longest_run_km")
LONGEST_RUN_TOO_LONG = "Your longest run can't be longer than the week's total distance."
# Warning signs and the OSTRC answers describe one week only: they start empty each week, so
# nobody re-reports an old problem by not touching the form.
NOT_CARRIED_OVER = ("date", "warning_signs", *OSTRC_COLUMNS)


def form_columns(kb: KnowledgeBase | None = None) -> list[str]:
    """Check-in columns the form asks for (who is checking in is chosen elsewhere, and the
    profile holds what does not change weekly)."""
    kb = kb or knowledge_base()
    skip = (*IDENTITY_COLUMNS, *PROFILE_COLUMNS)
    return [c for c in kb.checkin.columns if c not in skip]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def form_defaults(
    previous: Mapping[str, Any] | None,
    today: dt.date,
    kb: KnowledgeBase | None = None,
    *,
    new_week: bool = True,
    units: str = "km",
) -> dict[str, Any]:
    """Widget values: last check-in's answers where there is one, the schema defaults otherwise.

    `new_week=False` keeps every answer of `previous` (editing a stored check-in). Distances
    come in the runner's `units`.
    """
    kb = kb or knowledge_base()
    skip = NOT_CARRIED_OVER if new_week else ("date",)
    values: dict[str, Any] = {}
    for name in form_columns(kb):
        spec = kb.checkin.columns[name]
        old = _plain(previous.get(name)) if previous and name not in skip else None
        if spec.type == "set":
            values[name] = [v for v in split_set(old) if v in spec.values]
        elif spec.type == "date":
            values[name] = today
        elif spec.type in ("integer", "number"):
            value = old if old is not None else spec.default
            if value is not None:
                value = int(value) if spec.type == "integer" else float(value)
            if value is not None and name in DISTANCE_COLUMNS:
                value = round(float(to_display_distance(value, units)), 1)
            values[name] = value
        else:
            values[name] = old if old is not None else spec.default
    return values


def carried_over(values: Mapping[str, Any], kb: KnowledgeBase | None = None) -> list[str]:
    """The form columns whose start value came from last week (not the schema default), so
    the form can mark them and clear them in one tap."""
    kb = kb or knowledge_base()
    blank = form_defaults(None, dt.date(2000, 1, 1), kb)
    return [c for c in form_columns(kb) if c != "date" and values.get(c) != blank[c]]


def blank_values(today: dt.date, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """A fresh form: nothing carried over."""
    return form_defaults(None, today, kb)


def offered_values(
    column: str,
    kb: KnowledgeBase | None = None,
    *,
    profile: RunnerProfile | None = None,
    keep: Collection[str] = (),
) -> list[str]:
    """The values of a set or choice column the form offers this runner: a value limited to
    some sexes (data/checkin.toml `sexes`, e.g. a missed period) only where the profile's sex
    is one of them or not given. Values in `keep` (an answer already stored) stay offered."""
    kb = kb or knowledge_base()
    sex = (profile or RunnerProfile()).sex or kb.checkin.columns["sex"].default
    return [
        value
        for value, spec in kb.checkin.columns[column].values.items()
        if spec.sexes is None or sex in spec.sexes or value in keep
    ]


def needs_pain_confirm(values: Mapping[str, Any]) -> bool:
    """Areas ticked while the worst pain is 0: often last week's areas left behind."""
    return bool(values.get("pain_locations")) and not values.get("pain_level")


# What a press in the check-in's save bar leads to (pages/checkin.py acts on it).
ASK_PAIN = "ask_pain"  # areas ticked with pain 0: ask to keep or clear them before saving
BACK = "back"  # the old check-in of a taken week is kept: back to the form, nothing saved
SAVE = "save"
REPLACE = "replace"  # save over the week's stored check-in


def after_submit(action: str | None, values: Mapping[str, Any]) -> str | None:
    """The next step after the save bar's `action` ("save", "keep_areas", "clear_areas",
    "replace", "keep_old"; None when nothing was pressed), given the form's `values` (after
    a "clear_areas" callback emptied the areas). Only a plain Save asks about pain 0: both
    answers to the question save."""
    if action is None:
        return None
    if action == "keep_old":
        return BACK
    if action == "save" and needs_pain_confirm(values):
        return ASK_PAIN
    return REPLACE if action == "replace" else SAVE


def row_from_form(
    values: Mapping[str, Any],
    runner: str,
    team: str | None,
    kb: KnowledgeBase | None = None,
    *,
    profile: RunnerProfile | None = None,
) -> dict[str, Any]:
    """A check-in row in the table's shape (sets as ;-strings, date as YYYY-MM-DD, distances
    in km); `sex` comes from the runner's profile."""
    kb = kb or knowledge_base()
    profile = profile or RunnerProfile()
    sep = kb.checkin.set_separator
    row: dict[str, Any] = {"runner": runner, "team": team or None}
    row["sex"] = profile.sex or kb.checkin.columns["sex"].default
    for name in form_columns(kb):
        value = values.get(name)
        spec = kb.checkin.columns[name]
        if spec.type == "set":
            row[name] = sep.join(value or [])
        elif spec.type == "date" and isinstance(value, dt.date):
            row[name] = value.isoformat()
        elif name in DISTANCE_COLUMNS and isinstance(value, int | float):
            row[name] = float(from_display_distance(value, profile.units))
        else:
            row[name] = value
    return row


def check_row(row: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, str]:
    """Problems of one form row, keyed by column, in plain words for the field they sit under
    (no column names: CSV and CLI messages name them, as they are about files)."""
    kb = kb or knowledge_base()
    try:
        parse_checkins(checkin_frame([row]), kb=kb)
    except CheckinValidationError as err:
        out: dict[str, str] = {}
        for p in err.problems:
            spec = kb.checkin.columns.get(p.column)
            if p.column == "longest_run_km" and "weekly_km" in p.allowed:
                message = LONGEST_RUN_TOO_LONG
            else:
                message = plain_message(spec)
            out.setdefault(p.column, message)
        return out
    return {}


def _number(value: float) -> str:
    return f"{value:g}"


def plain_message(spec: ColumnSpec | None) -> str:
    """What a runner may enter in a field, in words."""
    if spec is None:
        return "Please check this answer."
    if spec.type in ("integer", "number"):
        kind = "a whole number" if spec.type == "integer" and not spec.options else "a number"
        if spec.options:
            return "Pick one of the answers."
        if spec.min is not None and spec.max is not None:
            return f"Enter {kind} from {_number(spec.min)} to {_number(spec.max)}."
        if spec.min is not None:
            return f"Enter {kind} of {_number(spec.min)} or more."
        return f"Enter {kind}."
    if spec.type == "date":
        return "Pick a date."
    if spec.type in ("set", "choice"):
        return "Pick from the answers shown."
    if spec.required:
        return f"Please fill in {spec.label.lower()}."
    return "Please check this answer."


def week_choices(history: pd.DataFrame) -> dict[str, int]:
    """Label ("Mon 30 Nov 2026 · Week 49 · 30 Nov–6 Dec") -> check-in id for a runner's history,
    newest first (the day and week as Results and History write them)."""
    past = history.sort_values("date", ascending=False)
    labels = day_labels(past["date"]) + " · " + short_week_labels(past["date"])
    return dict(zip(labels, past["id"].astype(int).tolist(), strict=True))


def edit_values(
    checkin: Mapping[str, Any], kb: KnowledgeBase | None = None, *, units: str = "km"
) -> dict[str, Any]:
    """The form's values for editing a stored check-in: all of its own answers and its date
    (distances in `units`)."""
    day = checkin["date"]
    day = day.date() if isinstance(day, dt.datetime | pd.Timestamp) else day
    return form_defaults(checkin, day, kb, new_week=False, units=units)
