"""Every account carries a session version: a change that should end that person's open
sessions (a new password, another role or coach's teams, another team, deactivation) bumps
it, in the same transaction as the change; nothing else does. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from logic.storage.accounts import AccountError, Accounts

PASSWORD = "correct horse battery"


def versions(accounts: Accounts) -> dict[str, int]:
    frame = accounts.list_users()
    return {
        name: accounts.get(int(i)).session_version
        for name, i in zip(frame["username"], frame["id"], strict=True)
    }


def test_each_change_that_ends_sessions_bumps_only_that_account(accounts: Accounts) -> None:
    root = accounts.create_user("root", role="admin", password=PASSWORD)
    coach = accounts.create_user("coach", role="coach", password=PASSWORD, coach_of=["A"])
    ann = accounts.create_user("ann", role="runner", password=PASSWORD, team="A")
    accounts.create_user("bob", role="runner", password=PASSWORD, team="A")
    start = versions(accounts)

    def bumped(change) -> set[str]:
        before = versions(accounts)
        change()
        after = versions(accounts)
        assert all(after[n] >= before[n] for n in before)
        return {n for n in before if after[n] != before[n]}

    assert bumped(lambda: accounts.set_password(ann.id, "a brand new password")) == {"ann"}
    assert bumped(lambda: accounts.set_role(coach.id, "coach", ["A", "B"])) == {"coach"}
    assert bumped(lambda: accounts.set_role(ann.id, "coach", ["A"])) == {"ann"}
    assert bumped(lambda: accounts.set_runner_team("ann", "B")) == {"ann"}
    assert bumped(lambda: accounts.set_active(coach.id, False)) == {"coach"}
    assert bumped(lambda: accounts.set_active(coach.id, True)) == {"coach"}
    # Reading, signing in and creating other things leave every version alone.
    assert bumped(lambda: accounts.authenticate("bob", PASSWORD)) == set()
    assert bumped(lambda: accounts.authenticate("bob", "a wrong password")) == set()
    assert bumped(lambda: accounts.create_team("C")) == set()
    assert bumped(lambda: accounts.create_user("cy", role="runner", password=PASSWORD)) == set()
    assert versions(accounts)["bob"] == start["bob"]
    assert accounts.get(root.id).session_version == start["root"]


def test_a_refused_change_bumps_nothing(accounts: Accounts) -> None:
    root = accounts.create_user("root", role="admin", password=PASSWORD)
    before = accounts.get(root.id).session_version
    with pytest.raises(AccountError, match="last active admin"):
        accounts.set_active(root.id, False)
    with pytest.raises(AccountError, match="last active admin"):
        accounts.set_role(root.id, "runner")
    with pytest.raises(AccountError, match="at least 10 characters"):
        accounts.set_password(root.id, "short")
    assert accounts.get(root.id).session_version == before


def test_a_runner_moved_to_another_team_ends_every_account_of_that_runner(
    accounts: Accounts,
) -> None:
    """A coach who also runs is linked to a runner too: moving that runner bumps them."""
    cora = accounts.create_user(
        "cora", role="coach", password=PASSWORD, coach_of=["A"], runner="cora", team="A"
    )
    before = accounts.get(cora.id).session_version
    accounts.set_runner_team("cora", "B")
    assert accounts.get(cora.id).session_version == before + 1
