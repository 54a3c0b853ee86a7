"""Accounts: hashes not passwords, no hint whether a name exists, throttled failures."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logic import clock
from logic.storage import accounts as acc
from logic.storage.accounts import AccountError, Accounts, wait_after
from logic.storage.store import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path) -> Accounts:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    yield Accounts(store)
    store.dispose()


def test_passwords_are_stored_as_argon2_hashes(accounts: Accounts) -> None:
    user = accounts.create_user("ann", role="runner", password=PASSWORD, team="Ridge")
    with accounts.store.engine.connect() as conn:
        stored = conn.execute(sa.select(acc.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert user.runner == "ann" and user.role == "runner"
    assert accounts.store.list_runners().to_dict("records") == [{"runner": "ann", "team": "Ridge"}]


def test_right_and_wrong_passwords(accounts: Accounts) -> None:
    accounts.create_user("ann", role="runner", password=PASSWORD)
    ok = accounts.authenticate("ann", PASSWORD)
    assert ok.user is not None and ok.user.username == "ann" and ok.message is None
    wrong = accounts.authenticate("ann", "nope nope nope")
    nobody = accounts.authenticate("nobody", "nope nope nope")
    assert wrong.user is None and nobody.user is None
    # The same words whether or not the account exists.
    assert wrong.message == nobody.message == "Wrong username or password."


def test_inactive_accounts_cannot_sign_in(accounts: Accounts) -> None:
    accounts.create_user("root", role="admin", password=PASSWORD)
    user = accounts.create_user("ann", role="runner", password=PASSWORD)
    accounts.set_active(user.id, False)
    assert accounts.authenticate("ann", PASSWORD).message == "Wrong username or password."


def test_repeated_failures_slow_down_for_any_name(accounts: Accounts) -> None:
    accounts.create_user("ann", role="runner", password=PASSWORD)
    for name in ("ann", "ghost"):
        waits = [accounts.authenticate(name, "bad password!").wait_seconds for _ in range(3)]
        assert waits == [0, 0, 2]
        blocked = accounts.authenticate(name, PASSWORD if name == "ann" else "x")
        assert blocked.user is None
        assert blocked.message is not None and "Try again in" in blocked.message
    # Once the wait is over the right password works again and the count resets.
    with clock.freeze(clock.now() + dt.timedelta(seconds=3)):
        assert accounts.authenticate("ann", PASSWORD).user is not None
    assert accounts._failures("ann") == (0, None)


def test_wait_grows_and_is_capped() -> None:
    assert [wait_after(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    assert wait_after(50) == acc.MAX_WAIT_SECONDS


def test_short_passwords_and_taken_names_are_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="at least 10 characters"):
        accounts.create_user("ann", role="runner", password="short")
    accounts.create_user("ann", role="runner", password=PASSWORD)
    with pytest.raises(AccountError, match="taken"):
        accounts.create_user("ann", role="coach", password=PASSWORD)


def test_coaches_teams_and_roles(accounts: Accounts) -> None:
    admin = accounts.create_user("root", role="admin", password=PASSWORD)
    coach = accounts.create_user("cat", role="coach", password=PASSWORD, coach_of=["A", "B"])
    assert coach.teams == ("A", "B")
    assert accounts.list_teams() == ["A", "B"]
    accounts.set_role(coach.id, "coach", coach_of=["B"])
    assert accounts.get(coach.id).teams == ("B",)
    with pytest.raises(AccountError, match="last active admin"):
        accounts.set_active(admin.id, False)
    listing = accounts.list_users().set_index("username")
    assert listing.loc["cat", "teams"] == "B" and listing.loc["root", "role"] == "admin"


def test_sso_accounts_are_found_by_email(accounts: Accounts) -> None:
    accounts.create_user("dee", role="coach", email="Dee@Example.org", coach_of=["A"])
    assert accounts.by_email("dee@example.org").username == "dee"
    assert accounts.authenticate("dee", "anything at all").user is None


def test_runner_teams_change_only_through_set_runner_team(accounts: Accounts) -> None:
    ann = accounts.create_user("ann", role="runner", password=PASSWORD, team="A")
    assert accounts.runner_team("ann") == "A"
    accounts.set_runner_team("ann", "B")
    assert accounts.runner_team("ann") == "B" and "B" in accounts.list_teams()
    accounts.set_runner_team("ann", None)
    assert accounts.runner_team("ann") is None and accounts.runner_team(None) is None
    with pytest.raises(AccountError, match="no runner 'nobody'"):
        accounts.set_runner_team("nobody", "A")
    assert accounts.get(ann.id).role == "runner"


def test_the_admin_page_question_names_the_account_and_every_change() -> None:
    coach = acc.User(1, "coachA", "Coach A", "coach", None, True, ("A",))
    runner = acc.User(2, "ann", "Ann", "runner", "Ann R", True)
    assert acc.change_summary(coach, "coach", ["A"]) is None
    assert acc.change_summary(coach, "admin", ["A"]) == (
        "Make coachA an admin and remove them as coach of A?"
    )
    assert acc.change_summary(coach, "coach", ["B", "C"]) == (
        "Remove coachA as coach of A and make them coach of B and C?"
    )
    assert acc.change_summary(runner, "coach", ["B"], "A", "A") == "Make ann a coach of B?"
    assert acc.change_summary(runner, "runner", [], "A", None) == (
        "Move runner Ann R from team A to no team?"
    )
    assert acc.change_summary(runner, "admin", [], None, "B") == (
        "Make ann an admin and move runner Ann R to team B?"
    )
