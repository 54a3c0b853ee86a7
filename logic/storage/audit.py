"""The audit trail: who changed a check-in, a role or a team, when, and what it was before.

Every write that changes one of those calls `record` on the connection of its own
transaction, so the change and its trace are committed together or not at all. Rows are only
ever added. Before and after are JSON text (dates as YYYY-MM-DD), the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from logic.knowledge import KnowledgeBase
from logic.storage.tables import audit_log

AUDIT_COLUMNS = ["id", "at", "actor", "action", "subject", "runner", "before", "after"]
# What each action means, for the Admin page and the export.
ACTIONS = {
    "checkin.edit": "check-in edited",
    "checkin.replace": "check-in replaced",
    "checkin.delete": "check-in deleted",
    "role.change": "role changed",
    "team.change": "team changed",
    "account.active": "account (de)activated",
}


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the trail names them (the name as it was then)."""

    name: str
    user_id: int | None = None
    role: str = "personal"


# Personal mode and the command line: one device, nobody signed in.
DEVICE = Actor("this device")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def to_json(state: Mapping[str, Any] | None) -> str | None:
    """A row (a check-in dict, an account's role) as stable JSON text; None stays None."""
    if state is None:
        return None
    return json.dumps({k: _plain(v) for k, v in state.items()}, ensure_ascii=False, default=str)


def record(
    conn: sa.Connection,
    actor: Actor,
    action: str,
    subject: str,
    *,
    runner: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add one row to the trail on `conn`, inside the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {list(ACTIONS)}")
    conn.execute(
        sa.insert(audit_log).values(
            actor_id=actor.user_id,
            actor=actor.name,
            action=action,
            subject=subject,
            runner=runner,
            before=to_json(before),
            after=to_json(after),
        )
    )


def record_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Several prepared rows (actor_id, actor, action, subject, runner, before, after) at once."""
    if rows:
        conn.execute(sa.insert(audit_log), rows)


def trail(conn: sa.Connection, limit: int | None = None) -> pd.DataFrame:
    """The trail, newest first: AUDIT_COLUMNS (`at` as a UTC timestamp)."""
    stmt = sa.select(*(audit_log.c[c] for c in AUDIT_COLUMNS)).order_by(audit_log.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = conn.execute(stmt).all()
    frame = pd.DataFrame.from_records(rows, columns=AUDIT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["id"] = frame["id"].astype("int64")
    return frame


# Fields of an account's trail rows, titled as the Admin page titles them.
ACCOUNT_LABELS = {"role": "Role", "coaches": "Coaches teams", "active": "Active"}
SHOWN_COLUMNS = ["at", "actor", "what", "runner", "change", "subject"]


@dataclass(frozen=True)
class Labels:
    """How the page names a stored field and its values: the check-in form's words."""

    names: Mapping[str, str]
    values: Mapping[str, Mapping[Any, str]]  # set/choice codes, an integer's option index
    separator: str = ";"

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Labels:
        cols = kb.checkin.columns
        values: dict[str, Mapping[Any, str]] = {c: kb.labels(c) for c in cols if cols[c].values}
        values |= {c: dict(enumerate(cols[c].options)) for c in cols if cols[c].options}
        names = {**ACCOUNT_LABELS, **{c: spec.label for c, spec in cols.items()}}
        return cls(names, values, kb.checkin.set_separator)

    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(map(str, value)) or "—"
        named = self.values.get(key)
        if not named:
            return str(value)
        if isinstance(value, str):
            parts = [p for p in value.split(self.separator) if p]
            return ", ".join(named.get(p, p) for p in parts) or "—"
        return str(named.get(value, value))


RAW = Labels({}, {})  # the stored names: the CSV export's words


def _change(action: str, before: str | None, after: str | None, labels: Labels) -> str:
    old = json.loads(before) if isinstance(before, str) else {}
    new = json.loads(after) if isinstance(after, str) else {}
    if action == "checkin.delete":
        signs = old.get("warning_signs") or ""
        notes = old.get("notes") or []
        parts = [f"check-in of {old.get('date')}", f"pain {old.get('pain_level')}"]
        parts += [f"warning signs {labels.value('warning_signs', signs)}"] if signs else []
        parts += [f"{len(notes)} note{'' if len(notes) == 1 else 's'}"] if notes else []
        return "was: " + ", ".join(parts)
    keys = [k for k in new if k not in ("id", "week_start") and old.get(k) != new.get(k)]
    sep = ": " if labels is not RAW else " "
    return "; ".join(
        f"{labels.name(k)}{sep}{labels.value(k, old.get(k))} → {labels.value(k, new.get(k))}"
        for k in keys
    )


def summaries(trail: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.Series:
    """One line per row of the trail saying what changed ("Worst pain this week (0-10): 3 → 5",
    "Team: A → B", "was: check-in of 2026-11-23, pain 9, warning signs Swelling, 1 note") in
    the check-in form's words when `kb` is given, else in the stored column names. The export
    keeps the whole before and after. Per row (each row is its own JSON): call it on the rows
    shown."""
    labels = Labels.of(kb) if kb is not None else RAW
    return pd.Series(
        [
            _change(a, b, c, labels)
            for a, b, c in zip(trail["action"], trail["before"], trail["after"], strict=True)
        ],
        index=trail.index,
        dtype="str",
    )


def shown_trail(trail: pd.DataFrame, kb: KnowledgeBase, rows: int) -> pd.DataFrame:
    """The newest `rows` of the trail as the Admin page shows them: SHOWN_COLUMNS, the action
    in words (`what`) and the change in the check-in form's labels (`change`)."""
    shown = trail.head(rows)
    return shown.assign(what=shown["action"].map(ACTIONS), change=summaries(shown, kb))[
        SHOWN_COLUMNS
    ].reset_index(drop=True)
