"""The runner profile in storage (migration 0008), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from logic.profile import RunnerProfile
from logic.storage.store import Store


def test_unknown_runner_has_no_profile(store: Store) -> None:
    assert store.get_profile("Nobody") is None


def test_a_new_runner_gets_the_defaults(store: Store) -> None:
    store.add_runner("Ann", "Hares")
    assert store.get_profile("Ann") == RunnerProfile(team="Hares")


def test_profile_round_trips_and_creates_the_runner(store: Store) -> None:
    profile = RunnerProfile("female", "40_59", "miles", "Hares", False)
    assert store.save_profile(" Ann ", profile) == "Ann"
    assert store.get_profile("Ann") == profile
    assert store.list_runners().to_dict("records") == [{"runner": "Ann", "team": "Hares"}]


def test_keep_team_leaves_the_stored_team(store: Store) -> None:
    store.add_runner("Ann", "Hares")
    store.save_profile("Ann", RunnerProfile(units="miles", team="Foxes"), keep_team=True)
    assert store.get_profile("Ann") == RunnerProfile(units="miles", team="Hares")


def test_the_database_refuses_values_the_profile_does_not_allow(store: Store) -> None:
    store.add_runner("Ann")
    with store.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("UPDATE runners SET units = 'furlongs' WHERE name = 'Ann'"))
