"""Notes on check-ins: a coach's note on a runner's week, and the runner's replies.

Stored with the author (user id, and the name as it was then), their role and the time. Who
may read or write a note is logic.storage.access's business (the same rule as the check-in
it belongs to); these functions take a Store and trust their caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from logic.names import bad_character
from logic.storage.audit import Actor
from logic.storage.store import CheckinNotFound, InvalidCheckin, Store
from logic.storage.tables import checkin_notes, checkins

NOTE_COLUMNS = ["id", "checkin_id", "runner", "date", "author", "author_role", "body", "created_at"]
MAX_NOTE = 2000


def clean_body(body: str) -> str:
    """The note's text, trimmed; refused (naming the field and the limit) when empty, too long
    or holding control characters other than line breaks."""
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidCheckin("note: write something first (1 to 2000 characters).")
    if len(text) > MAX_NOTE:
        raise InvalidCheckin(f"note: {len(text)} characters; allowed: at most {MAX_NOTE}.")
    text = unicodedata.normalize("NFKC", text)
    found = bad_character(text.replace("\n", " ").replace("\t", " "))
    if found is not None:  # a bidi override could make a note read as something else
        raise InvalidCheckin(
            f"note: contains an invisible or control character ({found}); remove it and "
            "send the note again."
        )
    return text


def add_note(store: Store, checkin_id: int, body: str, author: Actor) -> int:
    """Add a note to a check-in and return its id; CheckinNotFound when it is gone."""
    text = clean_body(body)
    with store.transaction("save the note") as conn:
        runner = conn.execute(
            sa.select(checkins.c.runner).where(checkins.c.id == int(checkin_id))
        ).scalar()
        if runner is None:
            raise CheckinNotFound(int(checkin_id))
        stmt = (
            sa.insert(checkin_notes)
            .values(
                checkin_id=int(checkin_id),
                runner=runner,
                author_id=author.user_id,
                author=author.name,
                author_role=author.role,
                body=text,
            )
            .returning(checkin_notes.c.id)
        )
        return int(conn.execute(stmt).scalar_one())


def _select() -> sa.Select:
    n = checkin_notes.c
    return (
        sa.select(
            n.id,
            n.checkin_id,
            n.runner,
            checkins.c.date,
            n.author,
            n.author_role,
            n.body,
            n.created_at,
        )
        .join(checkins, checkins.c.id == n.checkin_id)
        .order_by(n.created_at, n.id)
    )


def _frame(rows: Sequence[sa.Row]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=NOTE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["id"] = frame["id"].astype("int64")
    frame["checkin_id"] = frame["checkin_id"].astype("int64")
    return frame.astype({c: "str" for c in ("runner", "author", "author_role", "body")})


def notes_of_checkin(store: Store, checkin_id: int) -> pd.DataFrame:
    """The notes of one check-in, oldest first: NOTE_COLUMNS."""
    with store.read("read the notes") as conn:
        rows = conn.execute(_select().where(checkin_notes.c.checkin_id == int(checkin_id))).all()
    return _frame(rows)


def notes_of_runners(store: Store, runners: Sequence[str]) -> pd.DataFrame:
    """Every note on the check-ins of `runners`, oldest first: NOTE_COLUMNS."""
    names = [r.strip() for r in runners]
    rows: list[sa.Row] = []
    with store.read("read the notes") as conn:
        for start in range(0, len(names), 500):  # bounded IN lists
            chunk = names[start : start + 500]
            rows += conn.execute(_select().where(checkin_notes.c.runner.in_(chunk))).all()
    return _frame(rows).sort_values(["created_at", "id"], kind="stable").reset_index(drop=True)


def note_counts(store: Store, runners: Sequence[str]) -> pd.Series:
    """Notes per check-in id of `runners` (only check-ins that have one)."""
    notes = notes_of_runners(store, runners)
    return notes.groupby("checkin_id").size()
