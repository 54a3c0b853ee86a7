"""Names that look alike are alike, usernames ignore case, accounts take over no runner by
accident, and passwords are neither blank, huge nor common: on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from logic import passwords
from logic.storage.accounts import AccountError, Accounts
from logic.storage.store import InvalidCheckin

PASSWORD = "correct horse battery"
LOOKALIKES = {
    "zero-width space": "An\u200bn",
    "right-to-left override": "\u202eAnn",
    "zero-width joiner": "A\u200dnn",
    "escape": "An\x1bn",
    "nul": "An\x00n",
}


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LOOKALIKES)
def test_invisible_and_control_characters_are_refused_naming_the_field(
    accounts: Accounts, kind: str
) -> None:
    name = LOOKALIKES[kind]
    with pytest.raises(AccountError, match="Username: contains an invisible or control"):
        accounts.create_user(name, role="coach", password=PASSWORD)
    with pytest.raises(AccountError, match="Name: contains an invisible or control"):
        accounts.create_user("ann", role="coach", password=PASSWORD, display_name=name)
    with pytest.raises(InvalidCheckin, match="runner"):
        accounts.store.save_checkin({"runner": name, "date": "2026-11-23"})
    assert accounts.list_users().empty
    assert accounts.store.list_runners().empty


def test_names_are_stored_nfkc_normalised(accounts: Accounts) -> None:
    user = accounts.create_user("ＡＮＮ", role="runner", password=PASSWORD, display_name="Ａnn")
    assert (user.username, user.display_name, user.runner) == ("ANN", "Ann", "Ann")
    accounts.store.save_checkin({"runner": "Ａnn", "date": "2026-11-23"})
    # A line break or tab inside a name is a space: "Bo\nLee" is "Bo Lee".
    accounts.store.save_checkin({"runner": "Bo\tLee", "date": "2026-11-23"})
    accounts.store.save_checkin({"runner": "Bo\nLee", "date": "2026-11-30"})
    assert accounts.store.list_runners()["runner"].tolist() == ["Ann", "Bo Lee"]


def test_usernames_are_unique_and_found_whatever_their_case(accounts: Accounts) -> None:
    accounts.create_user("Ann", role="coach", password=PASSWORD)
    for other in ("ann", "ANN", "ＡＮＮ", " aNn "):
        with pytest.raises(AccountError, match="taken"):
            accounts.create_user(other, role="coach", password=PASSWORD)
    assert accounts.authenticate("aNN", PASSWORD).user is not None
    found = accounts.by_username("ANN")
    assert found is not None and found.username == "Ann"


def test_a_new_account_never_takes_over_a_runner_with_the_same_name(accounts: Accounts) -> None:
    accounts.store.save_checkin({"runner": "Ann", "date": "2026-11-23", "pain_level": 7})
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user("ann2", role="runner", password=PASSWORD, display_name="Ann")
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user("Ann", role="runner", password=PASSWORD)
    assert accounts.list_users().empty
    # The admin's explicit choice links the account to that runner.
    linked = accounts.create_user("ann", role="runner", password=PASSWORD, runner="Ann")
    assert linked.runner == "Ann"
    # ... and a runner belongs to one account only.
    with pytest.raises(AccountError, match="already belongs to"):
        accounts.create_user("ann3", role="runner", password=PASSWORD, runner="Ann")


def test_runners_without_an_account_are_offered_for_linking(accounts: Accounts) -> None:
    for name in ("Ann", "Bob"):
        accounts.store.save_checkin({"runner": name, "date": "2026-11-23"})
    accounts.create_user("bob", role="runner", password=PASSWORD, runner="Bob")
    assert accounts.unlinked_runners() == ["Ann"]


# --- passwords --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 10, "only spaces"),
        (" " * 40, "only spaces"),
        ("x" * (passwords.MAX_LENGTH + 1), "at most 1024"),
        ("x" * 20_000_000, "at most 1024"),
        ("short", "at least 10"),
        ("Password123", "common passwords"),
        ("qwertyuiop", "common passwords"),
        ("1234567890", "common passwords"),
        (" iloveyou123 ", "common passwords"),
    ],
    ids=["10 spaces", "40 spaces", "1025", "20 MB", "short", "common", "keys", "digits", "padded"],
)
def test_weak_passwords_are_refused(accounts: Accounts, password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.create_user("ann", role="coach", password=password)
    root = accounts.create_user("root", role="admin", password=PASSWORD)
    with pytest.raises(AccountError, match=message):
        accounts.set_password(root.id, password)
    assert accounts.authenticate("root", PASSWORD).user is not None


def test_long_but_allowed_passwords_work(accounts: Accounts) -> None:
    longest = "ü" * passwords.MAX_LENGTH
    user = accounts.create_user("ann", role="coach", password=longest)
    assert accounts.authenticate("ann", longest).user is not None
    accounts.set_password(user.id, "  spaces inside are fine  ")
    assert accounts.authenticate("ann", "  spaces inside are fine  ").user is not None


def test_the_common_password_list_ships_with_the_app() -> None:
    common = passwords.common_passwords()
    assert len(common) > 1000
    assert all(len(p) >= passwords.MIN_LENGTH and p == p.lower() for p in common)
    assert passwords.COMMON_PASSWORDS.read_text().startswith("# ")


def test_a_runner_added_on_their_own_is_normalised_too(accounts: Accounts) -> None:
    assert accounts.store.add_runner(" Ｂo ", "Ｈares") == "Bo"
    assert accounts.store.list_runners().to_dict("records") == [{"runner": "Bo", "team": "Hares"}]
    with pytest.raises(InvalidCheckin, match="runner: contains an invisible"):
        accounts.store.add_runner("B\u200bo")
