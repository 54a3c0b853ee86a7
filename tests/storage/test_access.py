"""Access control in logic/: runners see only themselves, coaches only their teams."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from logic.io.activities import read_activities
from logic.io.importing import apply_import, plan_import
from logic.storage.access import AccessDenied, ScopedStore, Viewer
from logic.storage.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    rows = [
        ("ann", "A", "2026-11-02"),
        ("ann", "A", "2026-11-09"),
        ("bob", "A", "2026-11-09"),
        ("cat", "B", "2026-11-09"),
    ]
    ids = {}
    for runner, team, date in rows:
        ids[(runner, date)] = store.save_checkin({"runner": runner, "team": team, "date": date})
    store.ids = ids
    yield store
    store.dispose()


def test_a_runner_sees_only_their_own(store: Store) -> None:
    ann = ScopedStore(store, Viewer(role="runner", runner="ann"))
    assert ann.list_runners()["runner"].tolist() == ["ann"]
    assert set(ann.all_checkins()["runner"]) == {"ann"}
    assert len(ann.history("ann")) == 2
    for attempt in (
        lambda: ann.history("bob"),
        lambda: ann.get_checkin(store.ids[("bob", "2026-11-09")]),
        lambda: ann.latest_checkin("cat"),
        lambda: ann.save_checkin({"runner": "bob", "date": "2026-11-16"}),
        lambda: ann.delete_checkin(store.ids[("cat", "2026-11-09")]),
        lambda: ann.import_checkins(pd.DataFrame({"runner": ["bob"], "date": ["2026-11-16"]})),
        lambda: ann.add_runner("mallory"),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    assert ann.all_checkins(["bob", "cat"]).empty
    assert len(store.all_checkins()) == 4  # nothing was changed


def test_a_coach_of_team_a_sees_nothing_of_team_b(store: Store) -> None:
    coach = ScopedStore(store, Viewer(role="coach", teams=("A",)))
    assert coach.list_runners()["runner"].tolist() == ["ann", "bob"]
    assert set(coach.all_checkins()["runner"]) == {"ann", "bob"}
    assert len(coach.history("bob")) == 1
    with pytest.raises(AccessDenied, match="runners on your teams"):
        coach.history("cat")
    with pytest.raises(AccessDenied):
        coach.get_checkin(store.ids[("cat", "2026-11-09")])
    # A team import writes rows of the coach's runners only: it creates nobody (an admin
    # adds runners), and a team named in the file takes nobody into the coach's teams.
    ok = pd.DataFrame({"runner": ["bob"], "team": ["A"], "date": ["2026-11-16"]})
    assert coach.import_checkins(ok).inserted == 1
    for bad in (
        pd.DataFrame({"runner": ["dan"], "team": ["A"], "date": ["2026-11-09"]}),
        pd.DataFrame({"runner": ["eve", "cat"], "team": ["A", "A"], "date": ["2026-11-16"] * 2}),
    ):
        with pytest.raises(AccessDenied):
            coach.import_checkins(bad)
    assert not {"dan", "eve"} & set(store.list_runners()["runner"])


def test_personal_mode_and_admins_see_everyone(store: Store) -> None:
    for viewer in (Viewer.personal(), Viewer(role="admin")):
        scoped = ScopedStore(store, viewer)
        assert len(scoped.all_checkins()) == 4
        assert len(scoped.history("cat")) == 1


# --- imports never change team membership (issue 11, finding 1) ------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def club(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Runner A1 and A2 on team A, B1 on team B, Runner NoTeam on none; one check-in each."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'club.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    store = Store(url)
    for runner, team in (("A1", "A"), ("A2", "A"), ("B1", "B"), ("Runner NoTeam", None)):
        store.save_checkin({"runner": runner, "team": team, "date": "2026-11-02"})
    yield store
    store.dispose()


def teams_of(store: Store) -> dict[str, str | None]:
    runners = store.list_runners()
    return {
        r: (t if t == t else None) for r, t in zip(runners["runner"], runners["team"], strict=True)
    }


CLUB = {"A1": "A", "A2": "A", "B1": "B", "Runner NoTeam": None}
COACH_A = Viewer(role="coach", teams=("A",), name="coachA")


def rows(*cells: tuple[str, str | None]) -> pd.DataFrame:
    """(runner, team) rows, each in its own week of November 2026."""
    dates = [f"2026-11-{9 + 7 * i:02d}" for i in range(len(cells))]
    return pd.DataFrame(
        {"runner": [c[0] for c in cells], "team": [c[1] for c in cells], "date": dates}
    )


@pytest.mark.parametrize(
    "row",
    [
        ("Runner NoTeam", "A"),  # taking a runner with no team into the coach's team
        ("A2", "B"),  # moving the coach's own runner to team B
        ("A2", "New team"),  # ... or to a team nobody made
        ("B1", "A"),  # taking another team's runner
        ("Newcomer", "A"),  # creating a runner
    ],
)
def test_a_coach_cannot_take_over_or_move_runners_by_import(club: Store, row: tuple) -> None:
    coach = ScopedStore(club, COACH_A)
    with pytest.raises(AccessDenied, match=r"check-in 1, column '(runner|team)'"):
        coach.import_checkins(rows(row))
    assert teams_of(club) == CLUB
    assert len(club.all_checkins()) == 4


def test_the_plan_names_each_refused_line_and_writes_nothing(club: Store) -> None:
    """The preview refuses the rows by line (what the page shows), for the coach's import."""
    coach = ScopedStore(club, COACH_A)
    csv = "runner,date,team,pain_level\n" + "\n".join(
        [
            "A1,2026-11-09,A,1",  # fine: the coach's runner, on their team
            "Runner NoTeam,2026-11-23,A,0",
            "A2,2026-11-23,B,2",
            "B1,2026-11-23,,2",
            "Newcomer,2026-11-23,A,2",
            "A2,2026-11-16,,2",  # fine: an empty team changes nothing
        ]
    )
    plan = plan_import(csv, coach, runner=None, today=pd.Timestamp("2026-12-01").date())
    reach = "allowed: only runners already on your teams (A); an admin adds runners"
    assert plan.errors == [
        f"line 3, column 'runner': got 'Runner NoTeam'; {reach}",
        "line 4, column 'team': got 'B'; allowed: the runner's team 'A' or empty "
        "(only an admin changes teams, on the Admin page)",
        f"line 5, column 'runner': got 'B1'; {reach}",
        f"line 6, column 'runner': got 'Newcomer'; {reach}",
    ]
    with pytest.raises(ValueError, match="has problems"):
        apply_import(plan, coach)
    assert teams_of(club) == CLUB and len(club.all_checkins()) == 4


def test_a_runner_cannot_move_themselves_or_create_a_team_by_import(club: Store) -> None:
    a1 = ScopedStore(club, Viewer(role="runner", runner="A1"))
    for team in ("B", "Brand new"):
        with pytest.raises(AccessDenied, match="column 'team'"):
            a1.import_checkins(rows(("A1", team)))
        plan = plan_import(
            f"runner,date,team\nA1,2026-11-09,{team}\n",
            a1,
            runner="A1",
            today=pd.Timestamp("2026-12-01").date(),
        )
        assert [e.split(";")[0] for e in plan.errors] == [f"line 2, column 'team': got '{team}'"]
    assert a1.import_checkins(rows(("A1", "A"), ("A1", None))).inserted == 2
    assert teams_of(club) == CLUB


@pytest.mark.parametrize("viewer", [Viewer.personal(), Viewer(role="admin")])
def test_admins_create_runners_by_import_but_move_nobody(club: Store, viewer: Viewer) -> None:
    scoped = ScopedStore(club, viewer)
    with pytest.raises(AccessDenied, match=r"check-in 2, column 'team'.*'B'.*'A'"):
        scoped.import_checkins(rows(("A1", "A"), ("A1", "B")))
    with pytest.raises(AccessDenied, match=r"column 'team'.*empty \(the runner has no team\)"):
        scoped.import_checkins(rows(("Runner NoTeam", "A")))
    assert scoped.import_checkins(rows(("Newcomer", "C"), ("Runner NoTeam", None))).inserted == 2
    assert teams_of(club) == {**CLUB, "Newcomer": "C"}  # created with the row's team


def test_the_stores_import_never_changes_a_stored_runners_team(club: Store) -> None:
    """Defence in depth: even the unscoped Store (CLI, scripts) keeps every stored team."""
    result = club.import_checkins(rows(("A2", "B"), ("Runner NoTeam", "A"), ("New", "C")))
    assert result.inserted == 3
    assert teams_of(club) == {**CLUB, "New": "C"}


# --- notes and deletes (issue 15) ----------------------------------------------------------------


def test_a_coach_of_another_team_never_sees_notes(store: Store) -> None:
    coach_a = ScopedStore(store, Viewer(role="coach", teams=("A",), name="Coach A", user_id=7))
    coach_b = ScopedStore(store, Viewer(role="coach", teams=("B",), name="Coach B"))
    ann_week = store.ids[("ann", "2026-11-09")]
    coach_a.add_note(ann_week, "let's talk Thursday")
    ann = ScopedStore(store, Viewer(role="runner", runner="ann", name="ann"))
    ann.add_note(ann_week, "Thursday works")
    assert coach_a.notes_of_checkin(ann_week)["author"].tolist() == ["Coach A", "ann"]
    assert ann.notes_of_runner("ann")["body"].tolist() == ["let's talk Thursday", "Thursday works"]
    for attempt in (
        lambda: coach_b.notes_of_checkin(ann_week),
        lambda: coach_b.notes_of_runner("ann"),
        lambda: coach_b.add_note(ann_week, "from the wrong coach"),
        lambda: ScopedStore(store, Viewer(role="runner", runner="bob")).notes_of_runner("ann"),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    assert len(coach_a.notes_of_runner("ann")) == 2  # nothing was added


def test_a_coach_cannot_delete_a_runners_checkin(store: Store) -> None:
    coach = ScopedStore(store, Viewer(role="coach", teams=("A",), name="Coach A"))
    bob_week = store.ids[("bob", "2026-11-09")]
    assert not coach.can_delete("bob")
    with pytest.raises(AccessDenied, match="only the runner or an admin"):
        coach.delete_checkin(bob_week)
    assert coach.get_checkin(bob_week) is not None
    # The runner and an admin can, and the trail names them.
    assert ScopedStore(store, Viewer(role="runner", runner="bob", name="bob")).delete_checkin(
        bob_week
    )
    admin = ScopedStore(store, Viewer(role="admin", name="Root"))
    assert admin.delete_checkin(store.ids[("cat", "2026-11-09")])
    trail = admin.audit_trail()
    assert trail["actor"].tolist() == ["Root", "bob"]
    assert (trail["action"] == "checkin.delete").all()
    with pytest.raises(AccessDenied):
        coach.audit_trail()


# --- recorded runs -------------------------------------------------------------------------------


def test_runs_are_imported_by_their_runner_or_an_admin_never_a_coach(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'runs.db'}")
    store.add_runner("ann", "A")
    store.add_runner("bob", "A")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "runs"
    runs = read_activities([fixtures / "run_10k_100m.gpx"]).runs
    ann = ScopedStore(store, Viewer(role="runner", runner="ann"))
    coach = ScopedStore(store, Viewer(role="coach", teams=("A",)))
    admin = ScopedStore(store, Viewer(role="admin"))
    with pytest.raises(AccessDenied, match="only import your own runs"):
        ann.import_runs("bob", runs)
    with pytest.raises(AccessDenied, match="Only the runner or an admin"):
        coach.import_runs("ann", runs)
    assert ann.import_runs("ann", runs).inserted == 1
    assert admin.import_runs("bob", runs).inserted == 1
    assert len(coach.runs("ann")) == 1  # a coach reads their team's runs
    with pytest.raises(AccessDenied):
        ScopedStore(store, Viewer(role="runner", runner="bob")).runs("ann")
    store.dispose()
