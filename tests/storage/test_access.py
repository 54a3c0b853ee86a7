"""Access control in logic/: runners see only themselves, coaches only their teams."""

from __future__ import annotations

import pandas as pd
import pytest

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
    # A team import may add new runners for the coach's team, never for another team.
    ok = pd.DataFrame({"runner": ["dan"], "team": ["A"], "date": ["2026-11-09"]})
    assert coach.import_checkins(ok).inserted == 1
    bad = pd.DataFrame({"runner": ["eve", "cat"], "team": ["A", "A"], "date": ["2026-11-16"] * 2})
    with pytest.raises(AccessDenied):
        coach.import_checkins(bad)
    assert "eve" not in set(store.list_runners()["runner"])


def test_personal_mode_and_admins_see_everyone(store: Store) -> None:
    for viewer in (Viewer.personal(), Viewer(role="admin")):
        scoped = ScopedStore(store, viewer)
        assert len(scoped.all_checkins()) == 4
        assert len(scoped.history("cat")) == 1
