"""Accounts: hashes not passwords, no hint whether a name exists, throttled failures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from logic import clock
from logic.storage import accounts as acc
from logic.storage.accounts import AccountError, Accounts, wait_after
from logic.storage.store import Store

PASSWORD = "correct horse battery"
ATTACKER = "203.0.113.7"
HOME = "198.51.100.20"
OTHER = "192.0.2.33"


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
        waits = [
            accounts.authenticate(name, "bad password!", ATTACKER).wait_seconds for _ in range(3)
        ]
        assert waits == [0, 0, 2]
        blocked = accounts.authenticate(name, PASSWORD if name == "ann" else "x", ATTACKER)
        assert blocked.user is None and not blocked.checked
        assert blocked.message is not None and "Try again in 2 seconds" in blocked.message
    # Once the wait is over the right password works again and the count resets.
    with clock.freeze(clock.now() + dt.timedelta(seconds=3)):
        assert accounts.authenticate("ann", PASSWORD, ATTACKER).user is not None
    assert accounts.throttle_counts("ann", ATTACKER)["pair"] == (0, 0)


def test_wait_grows_and_is_capped() -> None:
    assert [wait_after(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    for rule in (acc.PAIR_RULE, acc.ADDRESS_RULE, acc.NAME_RULE):
        assert wait_after(500, rule) == rule.cap_seconds <= 60


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


# --- throttling: atomic, per name and per address, never a lockout -------------------------


class _SpyHasher:
    """The real hasher, noting every password it really checks."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.checked: list[str] = []

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.checked.append(password)
        return self.real.verify(stored, password)


def _verify_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the hasher really checks (a refused attempt is never checked)."""
    spy = _SpyHasher(acc._hasher)
    monkeypatch.setattr(acc, "_hasher", spy)
    return spy.checked


def test_ten_concurrent_attempts_are_all_counted_and_few_are_checked(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_user("ann", role="runner", password=PASSWORD)
    checked = _verify_spy(monkeypatch)
    start = threading.Barrier(10)
    results: list[acc.LoginResult] = []
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            start.wait()
            results.append(accounts.authenticate("ann", f"guess number {i}", ATTACKER))
        except BaseException as exc:
            errors.append(exc)

    with clock.freeze(clock.now()):  # no time passes: only the free guesses may be checked
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        counts = accounts.throttle_counts("ann", ATTACKER)
    assert len(results) == 10 and all(r.user is None for r in results)
    assert len(checked) == sum(r.checked for r in results) == acc.PAIR_RULE.free
    failures, refused = counts["pair"]
    assert (failures, refused) == (acc.PAIR_RULE.free, 10 - acc.PAIR_RULE.free)
    assert sum(counts["address"]) == sum(counts["name"]) == 10


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 settings for tests that check hundreds of guesses (the rules under test
    are the throttle's, not argon2's)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(acc, "_hasher", cheap)
    monkeypatch.setattr(acc, "_DUMMY_HASH", cheap.hash("no such user"))


@pytest.mark.usefixtures("fast_hashing")
def test_an_attacker_elsewhere_never_locks_the_real_user_out(accounts: Accounts) -> None:
    accounts.create_user("ann", role="runner", password=PASSWORD)
    assert accounts.authenticate("ann", PASSWORD, HOME).user is not None  # a known address
    t0 = clock.now()
    # One wrong guess every 5 minutes for 4 hours, and a burst of 50 at the end.
    for step in range(48):
        with clock.freeze(t0 + dt.timedelta(minutes=5 * step)):
            accounts.authenticate("ann", "wrong guess again", ATTACKER)
    end = t0 + dt.timedelta(hours=4)
    with clock.freeze(end):
        for _ in range(50):
            assert accounts.authenticate("ann", "wrong guess again", ATTACKER).user is None
        blocked = accounts.authenticate("ann", PASSWORD, ATTACKER)
        assert blocked.user is None and 0 < blocked.wait_seconds <= 60
        # The real user, at home, signs in at once with the right password.
        at_home = accounts.authenticate("ann", PASSWORD, HOME)
        assert at_home.user is not None and at_home.user.username == "ann"
    # And the attacker's own wait is capped: the wait never outlives the cap, even stored.
    with clock.freeze(end + dt.timedelta(seconds=60)):
        assert accounts.authenticate("ann", PASSWORD, ATTACKER).user is not None


@pytest.mark.usefixtures("fast_hashing")
def test_one_address_spraying_many_names_is_slowed_down(accounts: Accounts) -> None:
    with clock.freeze(clock.now()):
        results = [accounts.authenticate(f"user{i}", "Summer2026!!", ATTACKER) for i in range(30)]
        # Each name is new, yet the address as a whole gets its free guesses and then waits.
        assert sum(r.checked for r in results) == acc.ADDRESS_RULE.free
        assert "Try again in" in (results[-1].message or "")
        # Another address is not slowed down by it.
        assert accounts.authenticate("user1", "Summer2026!!", HOME).checked


def _guesses_per_minute(accounts: Accounts, names: list[str], minutes: int, address: str) -> float:
    """A scripted attacker from one address trying once a second, cycling through `names`;
    the clock is advanced, not waited for. Returns the checked guesses per minute."""
    t0 = clock.now()
    checked = 0
    for second in range(minutes * 60):
        with clock.freeze(t0 + dt.timedelta(seconds=second)):
            name = names[second % len(names)]
            checked += accounts.authenticate(name, f"guess {second}", address).checked
    return checked / minutes


@pytest.mark.usefixtures("fast_hashing")
def test_measured_guess_rates_match_the_policy(accounts: Accounts) -> None:
    """The figures in the README: one address gets about one guess a minute, on one name or
    across names, once the free guesses are used up (rate over the first 15 minutes)."""
    minutes = 15
    one_name = _guesses_per_minute(accounts, ["ann"], minutes, "203.0.113.1")
    expected = acc.guesses_in(minutes * 60, acc.PAIR_RULE) / minutes
    assert one_name == pytest.approx(expected, abs=0.1)
    assert one_name <= 2
    many = _guesses_per_minute(accounts, [f"n{i}" for i in range(200)], minutes, "203.0.113.2")
    assert many == pytest.approx(acc.guesses_in(minutes * 60, acc.ADDRESS_RULE) / minutes, abs=0.1)
    assert many <= 2


def test_throttle_state_survives_a_new_store(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = Accounts(Store(url))
    with clock.freeze(clock.now()):
        for _ in range(5):
            first.authenticate("ann", "wrong guess again", ATTACKER)
        first.store.dispose()
        again = Accounts(Store(url))
        try:
            assert again.authenticate("ann", "wrong guess again", ATTACKER).wait_seconds > 0
        finally:
            again.store.dispose()


def _throttle_rows(accounts: Accounts) -> set[tuple[str, str]]:
    with accounts.store.read("read the sign-in counters") as conn:
        return {(r.scope, r.key) for r in conn.execute(sa.select(acc.login_throttle))}


@pytest.mark.usefixtures("fast_hashing")
def test_counters_past_the_throttle_window_are_pruned_by_the_next_attempt(
    accounts: Accounts,
) -> None:
    """Rows that no longer change anything go (no wrong guess within FORGET_AFTER, no trusted
    sign-in within TRUSTED_FOR); a row still inside either window stays."""
    accounts.create_user("ann", role="runner", password=PASSWORD)
    t0 = clock.now()
    with clock.freeze(t0):
        assert accounts.authenticate("ann", PASSWORD, HOME).user is not None  # trusted pair
        accounts.authenticate("bob", "a wrong guess", ATTACKER)
    bob = {("pair", f"{ATTACKER} bob"), ("address", ATTACKER), ("name", "bob")}
    trusted = ("pair", f"{HOME} ann")
    assert bob | {trusted} <= _throttle_rows(accounts)
    with clock.freeze(t0 + acc.FORGET_AFTER):  # the last instant bob's guess still counts
        accounts.authenticate("cat", "another guess", OTHER)
        assert bob | {trusted} <= _throttle_rows(accounts)
        assert accounts.throttle_counts("bob", ATTACKER)["pair"] == (1, 0)
    with clock.freeze(t0 + acc.FORGET_AFTER + dt.timedelta(seconds=1)):
        accounts.authenticate("cat", "another guess", OTHER)
    rows = _throttle_rows(accounts)
    assert not bob & rows and trusted in rows
    assert ("name", "cat") in rows  # the attempt's own counters are kept
    with clock.freeze(t0 + acc.TRUSTED_FOR + dt.timedelta(seconds=1)):
        accounts.authenticate("dan", "yet another guess", OTHER)
    dan = {("pair", f"{OTHER} dan"), ("address", OTHER), ("name", "dan")}
    assert _throttle_rows(accounts) == dan
