"""The Admin page: an account gets a runner's check-ins only when the admin links them, and a
password typed for someone never stays in its field."""

from __future__ import annotations

import pytest

from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from tests.support.apptest import assert_no_exception, button, on_page, signed_in, texts

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin_id(db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    root = Accounts(get_store()).create_user("root", role="admin", password=PASSWORD)
    get_store().save_checkin({"runner": "Ann", "date": "2026-11-23", "pain_level": 7})
    return root.id


def admin_page(user_id: int):
    at = signed_in(user_id)
    at = on_page(at.run(), "pages/admin.py")
    assert_no_exception(at)
    return at


def add_runner(at, username: str, display: str, link: str = ""):
    inputs = {t.label: t for t in at.text_input}
    inputs["Username"].input(username)
    inputs["Name shown in the app (for runners: their runner name)"].input(display)
    inputs["First password (10+ characters)"].input(PASSWORD)
    boxes = {s.label: s for s in at.selectbox}
    boxes["Role"].select("runner")
    boxes["Link to runner (runners)"].select(link)
    button(at, "Add").click().run()
    assert_no_exception(at)
    return at


def test_a_new_account_named_like_a_runner_does_not_get_their_checkins(admin_id: int) -> None:
    accounts = Accounts(get_store())
    at = add_runner(admin_page(admin_id), "ann2", "Ann")
    assert any("already exists" in t and "Link to runner" in t for t in texts(at.error))
    assert accounts.by_username("ann2") is None
    # The explicit choice links them.
    at = add_runner(admin_page(admin_id), "ann", "Ann Lee", link="Ann")
    assert "Runner “ann” added." in texts(at.success)
    user = accounts.by_username("ann")
    assert user is not None and user.runner == "Ann"
    # A linked runner is no longer offered.
    boxes = {s.label: s for s in admin_page(admin_id).selectbox}
    assert "Ann" not in boxes["Link to runner (runners)"].options


def test_the_new_password_field_is_empty_after_setting_it(admin_id: int) -> None:
    accounts = Accounts(get_store())
    accounts.create_user("cole", role="coach", password=PASSWORD)
    at = admin_page(admin_id)
    at.selectbox(key="admin_pick").select("cole").run()
    field = next(t for t in at.text_input if t.label == "New password")
    field.input(NEW_PASSWORD)
    button(at, "Set password").click().run()
    assert_no_exception(at)
    assert "Password set." in texts(at.success)
    assert accounts.authenticate("cole", NEW_PASSWORD).user is not None
    field = next(t for t in at.text_input if t.label == "New password")
    assert field.value == ""


def test_a_refused_password_is_explained_and_not_kept_either(admin_id: int) -> None:
    Accounts(get_store()).create_user("cole", role="coach", password=PASSWORD)
    at = admin_page(admin_id)
    at.selectbox(key="admin_pick").select("cole").run()
    next(t for t in at.text_input if t.label == "New password").input(" " * 10)
    button(at, "Set password").click().run()
    assert_no_exception(at)
    assert any("only spaces" in t for t in texts(at.error))
    assert next(t for t in at.text_input if t.label == "New password").value == ""
    assert Accounts(get_store()).authenticate("cole", PASSWORD).user is not None
