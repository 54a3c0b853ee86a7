"""The sign-in page shows a throttling wait as a plain message, and lets the user in after it."""

from __future__ import annotations

import datetime as dt

import pytest

from logic import clock
from logic.storage import accounts as acc
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from tests.support.apptest import app, assert_no_exception, texts

PASSWORD = "correct horse battery"


@pytest.fixture
def ann(db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    return Accounts(get_store()).create_user("ann", role="runner", password=PASSWORD).id


def _sign_in(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert_no_exception(at)
    return at


def test_the_login_page_shows_the_wait_and_lets_the_user_in_after_it(ann: int) -> None:
    at = app().run()
    for _ in range(acc.PAIR_RULE.free):
        _sign_in(at, "ann", "not the password")
        assert "Wrong username or password." in texts(at.error)
    # During the wait even the right password is not looked at: the page says how long.
    _sign_in(at, "ann", PASSWORD)
    assert "user_id" not in at.session_state
    assert texts(at.warning) == ["Too many failed attempts. Try again in 2 seconds."]
    assert not texts(at.error)
    # AppTest has no client address: the page passes None, counted as the unknown address.
    assert Accounts(get_store()).throttle_counts("ann", None)["pair"] == (3, 1)
    with clock.freeze(clock.now() + dt.timedelta(seconds=2)):
        _sign_in(at, "ann", PASSWORD)
    assert at.session_state["user_id"] == ann
    assert at.title[0].value == "Weekly check-in"  # straight to the runner's first page


def test_the_login_page_passes_the_client_address(
    ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []
    real = Accounts.authenticate

    def spy(self, username, password, address=None):
        seen.append(address)
        return real(self, username, password, address)

    monkeypatch.setattr(Accounts, "authenticate", spy)
    monkeypatch.setattr(
        "streamlit.runtime.context.ContextProxy.ip_address", property(lambda _: "192.0.2.9")
    )
    at = app().run()
    _sign_in(at, "ann", "not the password")
    assert seen == ["192.0.2.9"]
    assert Accounts(get_store()).throttle_counts("ann", "192.0.2.9")["pair"] == (1, 0)
