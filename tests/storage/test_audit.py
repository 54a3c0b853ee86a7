"""The audit trail (logic/storage/audit.py): every edit and delete of a check-in, role change
and team change leaves a row with who, when, before and after, written in the change's own
transaction; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from logic.knowledge import knowledge_base
from logic.storage import audit, notes
from logic.storage.accounts import Accounts
from logic.storage.audit import Actor
from logic.storage.store import Store

COACH = Actor("Coach A", 2, "coach")
ADMIN = Actor("Root", 1, "admin")
PASSWORD = "correct horse battery"


def trail(store: Store) -> pd.DataFrame:
    with store.read() as conn:
        return audit.trail(conn)


def test_edits_and_deletes_keep_the_state_before(store: Store) -> None:
    week = store.save_checkin(
        {"runner": "ann", "team": "A", "date": "2026-11-23", "warning_signs": "swelling"}
    )
    notes.add_note(store, week, "see the physio this week", COACH)
    store.update_checkin(week, {"pain_level": 6}, actor=COACH)
    store.save_checkin(
        {"runner": "ann", "date": "2026-11-24", "pain_level": 9, "warning_signs": "swelling"},
        replace=True,
    )
    store.delete_checkin(week, actor=ADMIN)
    rows = trail(store)
    assert rows["action"].tolist() == ["checkin.delete", "checkin.replace", "checkin.edit"]
    assert rows["actor"].tolist() == ["Root", "this device", "Coach A"]
    assert (rows["subject"] == f"check-in {week}").all() and (rows["runner"] == "ann").all()
    edit = rows.iloc[2]
    assert json.loads(edit["before"])["pain_level"] == 0
    assert json.loads(edit["after"])["pain_level"] == 6
    # A red-flag check-in deleted: its whole content, notes too, stays in the trail.
    gone = json.loads(rows.iloc[0]["before"])
    assert gone["warning_signs"] == "swelling" and gone["pain_level"] == 9
    assert gone["date"] == "2026-11-24"
    assert [n["body"] for n in gone["notes"]] == ["see the physio this week"]
    assert pd.isna(rows.iloc[0]["after"])
    assert notes.notes_of_runners(store, ["ann"]).empty  # the notes went with the check-in
    assert rows["at"].notna().all()


def test_an_import_that_replaces_records_every_replaced_week(store: Store) -> None:
    first = store.save_checkin({"runner": "ann", "date": "2026-11-16", "pain_level": 1})
    second = store.save_checkin({"runner": "bob", "date": "2026-11-16", "pain_level": 2})
    frame = pd.DataFrame(
        {"runner": ["ann", "bob", "cat"], "date": ["2026-11-17"] * 3, "pain_level": [4, 5, 6]}
    )
    result = store.import_checkins(frame, on_conflict="replace", actor=ADMIN)
    assert (result.replaced, result.inserted) == (2, 1)
    rows = trail(store).sort_values("subject")
    assert rows["subject"].tolist() == [f"check-in {first}", f"check-in {second}"]
    before = [json.loads(b)["pain_level"] for b in rows["before"]]
    after = [json.loads(a)["pain_level"] for a in rows["after"]]
    assert before == [1, 2] and after == [4, 5]


def test_role_and_team_changes_are_recorded(store: Store) -> None:
    accounts = Accounts(store)
    root = accounts.create_user("root", role="admin", password=PASSWORD)
    ann = accounts.create_user("ann", role="runner", password=PASSWORD, team="A")
    store.add_runner("zed", None)  # a runner without an account
    actor = Actor("root", root.id, "admin")
    accounts.set_role(ann.id, "coach", ["B"], actor=actor)
    accounts.set_runner_team("zed", "B", actor=actor)
    accounts.set_runner_team("zed", "B", actor=actor)  # no change: no row
    accounts.set_active(ann.id, False, actor=actor)
    rows = trail(store)
    assert rows["action"].tolist() == ["account.active", "team.change", "role.change"]
    role = rows.iloc[2]
    assert json.loads(role["before"])["role"] == "runner"
    assert json.loads(role["after"]) == {
        "username": "ann",
        "runner": "ann",
        "role": "coach",
        "coaches": ["B"],
    }
    team = rows.iloc[1]
    assert (team["subject"], team["runner"]) == ("zed", "zed")
    assert json.loads(team["before"]) == {"team": None} and json.loads(team["after"]) == {
        "team": "B"
    }
    assert (rows["actor"] == "root").all()


def test_the_change_and_its_trace_commit_together(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    week = store.save_checkin({"runner": "ann", "team": "A", "date": "2026-11-23"})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the trail could not be written")

    monkeypatch.setattr("logic.storage.store.record", broken)
    monkeypatch.setattr("logic.storage.accounts.record", broken)
    with pytest.raises(RuntimeError):
        store.delete_checkin(week, actor=ADMIN)
    with pytest.raises(RuntimeError):
        store.update_checkin(week, {"pain_level": 7}, actor=ADMIN)
    with pytest.raises(RuntimeError):
        Accounts(store).set_runner_team("ann", "B", actor=ADMIN)
    kept = store.get_checkin(week)
    assert kept is not None and kept["pain_level"] == 0  # nothing changed without its row
    assert Accounts(store).runner_team("ann") == "A"
    assert trail(store).empty


def test_an_unknown_action_is_refused(store: Store) -> None:
    with store.transaction("test") as conn, pytest.raises(ValueError, match=r"checkin\.edit"):
        audit.record(conn, ADMIN, "checkin.eaten", "check-in 1")


def test_each_row_says_what_changed_in_one_line(store: Store) -> None:
    week = store.save_checkin({"runner": "ann", "team": "A", "date": "2026-11-23"})
    store.update_checkin(week, {"pain_level": 9, "warning_signs": "swelling"}, actor=ADMIN)
    notes.add_note(store, week, "see the physio", COACH)
    store.delete_checkin(week, actor=ADMIN)
    Accounts(store).set_runner_team("ann", "B", actor=ADMIN)
    assert audit.summaries(trail(store)).tolist() == [
        "team A → B",
        "was: check-in of 2026-11-23, pain 9, warning signs swelling, 1 note",
        "pain_level 0 → 9; warning_signs — → swelling",
    ]


def test_the_page_says_what_changed_in_the_check_in_forms_words(store: Store) -> None:
    """The Admin page's text names fields and values as the check-in form does; the stored
    names stay in the export (summaries without a knowledge base)."""
    kb = knowledge_base()
    week = store.save_checkin(
        {"runner": "ann", "team": "A", "date": "2026-11-23", "weekly_km": 30.0}
    )
    store.update_checkin(
        week,
        {"weekly_km": 42.5, "warning_signs": "swelling", "ostrc_training": 2},
        actor=ADMIN,
    )
    store.delete_checkin(week, actor=ADMIN)
    Accounts(store).set_runner_team("ann", "B", actor=ADMIN)
    shown = audit.summaries(trail(store), kb).tolist()
    signs = kb.labels("warning_signs")["swelling"]
    training = kb.checkin.columns["ostrc_training"]
    assert shown == [
        "Team: A → B",
        f"was: check-in of 2026-11-23, pain 0, warning signs {signs}",
        f"{kb.checkin.columns['weekly_km'].label}: 30.0 → 42.5; "
        f"{kb.checkin.columns['warning_signs'].label}: — → {signs}; "
        f"{training.label}: — → {training.options[2]}",
    ]
    assert not any(name in " ".join(shown) for name in ("weekly_km", "warning_signs", "ostrc_"))


def test_set_values_and_account_fields_are_labelled() -> None:
    kb = knowledge_base()
    labels = audit.Labels.of(kb)
    names = kb.labels("pain_locations")
    assert labels.value("pain_locations", "front_knee;buttock") == (
        f"{names['front_knee']}, {names['buttock']}"
    )
    assert labels.value("pain_locations", "") == "—"
    assert labels.value("active", False) == "no"
    assert labels.name("coaches") == "Coaches teams"
    assert labels.name("not_a_column") == "not_a_column"  # an unknown field keeps its name


def test_the_shown_trail_has_the_pages_columns_newest_first(store: Store) -> None:
    store.save_checkin({"runner": "ann", "team": "A", "date": "2026-11-23"})
    for team in ("B", "C", "D"):
        Accounts(store).set_runner_team("ann", team, actor=ADMIN)
    shown = audit.shown_trail(trail(store), knowledge_base(), rows=2)
    assert list(shown.columns) == audit.SHOWN_COLUMNS
    assert shown["change"].tolist() == ["Team: C → D", "Team: B → C"]
    assert shown["what"].tolist() == ["team changed"] * 2
