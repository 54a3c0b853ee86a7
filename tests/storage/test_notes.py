"""Notes on check-ins (logic/storage/notes.py): stored with author, role and time, oldest
first; refused when empty, too long or holding control characters; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from logic.storage import notes
from logic.storage.audit import Actor
from logic.storage.store import CheckinNotFound, InvalidCheckin, Store

COACH = Actor("Coach A", 2, "coach")
ANN = Actor("ann", 3, "runner")


def test_a_note_and_its_reply(store: Store) -> None:
    week = store.save_checkin({"runner": "ann", "team": "A", "date": "2026-11-23"})
    other = store.save_checkin({"runner": "bob", "team": "A", "date": "2026-11-23"})
    notes.add_note(store, week, "  let's talk Thursday,\nskip the hills  ", COACH)
    notes.add_note(store, week, "Thursday works", ANN)
    notes.add_note(store, other, "well done", COACH)
    thread = notes.notes_of_checkin(store, week)
    assert thread["body"].tolist() == ["let's talk Thursday,\nskip the hills", "Thursday works"]
    assert thread["author"].tolist() == ["Coach A", "ann"]
    assert thread["author_role"].tolist() == ["coach", "runner"]
    assert (thread["runner"] == "ann").all() and thread["created_at"].notna().all()
    assert str(thread["date"].iloc[0].date()) == "2026-11-23"
    assert len(notes.notes_of_runners(store, ["ann", "bob"])) == 3
    assert notes.note_counts(store, ["ann"]).to_dict() == {week: 2}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("   ", "write something"),
        ("x" * 2001, "at most 2000"),
        ("hi\u202eevil", r"U\+202E RIGHT-TO-LEFT OVERRIDE\); remove it"),
    ],
)
def test_a_bad_note_is_refused_naming_why(store: Store, body: str, problem: str) -> None:
    week = store.save_checkin({"runner": "ann", "date": "2026-11-23"})
    with pytest.raises(InvalidCheckin, match=problem):
        notes.add_note(store, week, body, COACH)
    assert notes.notes_of_checkin(store, week).empty


def test_a_note_on_a_missing_checkin(store: Store) -> None:
    with pytest.raises(CheckinNotFound):
        notes.add_note(store, 999, "hello", COACH)
