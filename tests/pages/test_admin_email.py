"""The Admin page's email section: off without settings, a test email that reports the server's
answer in plain words, the password never on the page; and the check-in page's red-flag hook
and reminder switch."""

from __future__ import annotations

import pytest

from logic import clock
from logic.mail.config import SMTP_URL_VAR
from logic.mail.sender import wait_idle
from logic.storage.accounts import Accounts
from logic.storage.outbox import Email, Outbox
from logic.storage.store import get_store
from tests.support.apptest import (
    assert_no_exception,
    button,
    fill_checkin,
    on_page,
    signed_in,
    texts,
)
from tests.support.smtp import PASSWORD, SmtpServer, free_port, make_club

SECRET = "s3cret-Pa55word"
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def admin_id(db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.delenv(SMTP_URL_VAR, raising=False)
    return Accounts(get_store()).create_user("root", role="admin", password=PASSWORD).id


def admin_page(user_id: int):
    at = on_page(signed_in(user_id).run(), "pages/admin.py")
    assert_no_exception(at)
    return at


def send_test(at, to: str):
    [field] = [t for t in at.text_input if t.label == "Send a test email to"]
    field.input(to)
    button(at, "Send a test email").click().run()
    assert_no_exception(at)
    return at


def plain(values: list[str]) -> list[str]:
    """Texts as a person reads them: without Markdown escapes and word joiners."""
    return [v.replace("\\", "").replace("\u2060", "") for v in values]


def all_text(at) -> str:
    parts = [*texts(at.markdown), *texts(at.error), *texts(at.success), *texts(at.info)]
    parts += [*texts(at.caption), *texts(at.warning)]
    return "\n".join(parts)


def test_email_off_says_so(admin_id: int) -> None:
    at = admin_page(admin_id)
    assert any(t.startswith("Email is off: there is no [smtp]") for t in texts(at.info))
    assert not [b for b in at.button if b.label == "Send a test email"]


def test_broken_settings_name_the_key(admin_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SMTP_URL_VAR, "smtp://relay:25")
    at = admin_page(admin_id)
    assert any(
        f"Environment variable {SMTP_URL_VAR}: parameter from is missing" in t
        for t in plain(texts(at.error))
    )


def test_a_test_email_arrives(
    admin_id: int, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SMTP_URL_VAR, smtp_server.url())
    at = admin_page(admin_id)
    assert any(f"through 127.0.0.1:{smtp_server.port}" in t for t in plain(texts(at.markdown)))
    assert any("emails cannot link to the app" in t for t in texts(at.warning))
    at = send_test(at, "root@club.test")
    assert plain(texts(at.success)) == [
        "The mail server accepted the test email to root@club.test."
    ]
    [got] = smtp_server.received
    assert got.recipients == ["root@club.test"] and got.subject == "Stride Check: test email"


def test_a_wrong_password_is_reported_without_the_password(
    admin_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = SmtpServer.start(users={"coach@example.org": SECRET})
    try:
        wrong = "wrong-" + SECRET
        monkeypatch.setenv(SMTP_URL_VAR, server.url("coach@example.org", wrong))
        at = send_test(admin_page(admin_id), "root@club.test")
        [error] = texts(at.error)
        assert "refused the username or password" in error and "535" in error
        page = all_text(at) + "".join(str(t.value) for t in at.text_input)
        assert wrong not in page and SECRET not in page
        assert server.received == []
    finally:
        server.stop()


def test_an_unreachable_server_is_reported(admin_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv(SMTP_URL_VAR, f"smtp://127.0.0.1:{port}?from=a@club.test")
    at = send_test(admin_page(admin_id), "root@club.test")
    assert plain(texts(at.error)) == [
        f"Cannot reach the mail server 127.0.0.1:{port}: the connection was refused."
    ]


def test_a_red_flag_check_in_emails_the_coach(
    db_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.setenv(SMTP_URL_VAR, smtp_server.url())
    ids = make_club(get_store())
    at = on_page(signed_in(ids["bob"]).run(), "pages/checkin.py")
    assert_no_exception(at)
    fill_checkin(at, date=clock.today(), warning_signs=["night_pain"])
    button(at, "Save check-in").click().run()
    assert_no_exception(at)
    [got] = smtp_server.wait_for(1)
    assert got.recipients == ["cora@club.test"]
    assert "red flag for Bob" in got.subject
    assert wait_idle()
    assert Outbox(get_store()).counts()["sent"] == 1


def test_the_reminder_switch_saves_the_profile(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.setenv(SMTP_URL_VAR, "smtp://relay:25?from=a@club.test")
    ids = make_club(get_store())
    at = on_page(signed_in(ids["bob"]).run(), "pages/profile.py")
    at.checkbox(key="profile_reminders").uncheck()
    button(at, "Save profile").click().run()
    assert_no_exception(at)
    profile = get_store().get_profile("Bob")
    assert profile is not None and profile.reminders is False


def test_emails_left_waiting_go_out_on_the_first_run_after_a_restart(
    db_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pages.shared import mail
    from tests.support.apptest import app

    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.setenv(SMTP_URL_VAR, smtp_server.url())
    monkeypatch.setattr(mail, "_resumed", False)  # a fresh server process
    waiting = Email("left", "test", "ann@club.test", "Waiting", "Body", "<left@club.test>")
    Outbox(get_store()).queue([waiting])
    assert_no_exception(app().run())  # nobody signed in: the sign-in page
    [got] = smtp_server.wait_for(1)
    assert got.subject == "Waiting"
    assert wait_idle()
    assert_no_exception(app().run())  # a second run does not send it again
    assert wait_idle() and len(smtp_server.received) == 1
