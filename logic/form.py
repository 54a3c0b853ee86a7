"""The check-in form's values: defaults from last week, and a form back to a check-in row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from logic.analysis.ostrc import OSTRC_COLUMNS
from logic.checkins import CheckinValidationError, checkin_frame, parse_checkins, split_set
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.weeks import day_labels, short_week_labels

IDENTITY_COLUMNS = ("runner", "team")
# Warning signs and the OSTRC answers describe one week only: they start empty each week, so
# nobody re-reports an old problem by not touching the form.
NOT_CARRIED_OVER = ("date", "warning_signs", *OSTRC_COLUMNS)


def form_columns(kb: KnowledgeBase | None = None) -> list[str]:
    """Check-in columns the form asks for (who is checking in is chosen elsewhere)."""
    kb = kb or knowledge_base()
    return [c for c in kb.checkin.columns if c not in IDENTITY_COLUMNS]


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
) -> dict[str, Any]:
    """Widget values: last check-in's answers where there is one, the schema defaults otherwise.

    `new_week=False` keeps every answer of `previous` (editing a stored check-in).
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
            values[name] = value
        else:
            values[name] = old if old is not None else spec.default
    return values


def row_from_form(
    values: Mapping[str, Any], runner: str, team: str | None, kb: KnowledgeBase | None = None
) -> dict[str, Any]:
    """A check-in row in the table's shape (sets as ;-strings, date as YYYY-MM-DD)."""
    kb = kb or knowledge_base()
    sep = kb.checkin.set_separator
    row: dict[str, Any] = {"runner": runner, "team": team or None}
    for name in form_columns(kb):
        value = values.get(name)
        spec = kb.checkin.columns[name]
        if spec.type == "set":
            row[name] = sep.join(value or [])
        elif spec.type == "date" and isinstance(value, dt.date):
            row[name] = value.isoformat()
        else:
            row[name] = value
    return row


def check_row(row: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, str]:
    """Problems of one form row, keyed by column, worded for the field they sit under."""
    try:
        parse_checkins(checkin_frame([row]), kb=kb)
    except CheckinValidationError as err:
        out: dict[str, str] = {}
        for p in err.problems:
            shown = "" if p.value is None else f"{p.value!r} is not allowed. "
            out.setdefault(p.column, f"{shown}Allowed: {p.allowed}.")
        return out
    return {}


def week_choices(history: pd.DataFrame) -> dict[str, int]:
    """Label ("Mon 30 Nov 2026 · Week 49 · 30 Nov–6 Dec") -> check-in id for a runner's history,
    newest first (the day and week as Results and History write them)."""
    past = history.sort_values("date", ascending=False)
    labels = day_labels(past["date"]) + " · " + short_week_labels(past["date"])
    return dict(zip(labels, past["id"].astype(int).tolist(), strict=True))


def edit_values(checkin: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """The form's values for editing a stored check-in: all of its own answers and its date."""
    day = checkin["date"]
    day = day.date() if isinstance(day, dt.datetime | pd.Timestamp) else day
    return form_defaults(checkin, day, kb, new_week=False)
