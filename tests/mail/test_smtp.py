"""The SMTP client's failures in plain words, against real servers; the password never shows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from logic.mail.config import SMTP_URL_VAR, MailConfig, mail_config
from logic.mail.notify import send_test_email
from logic.mail.sender import deliver_due
from logic.mail.smtp import MailError
from logic.storage.outbox import Email, Outbox
from logic.storage.store import Store
from tests.support.smtp import SmtpServer, free_port

SECRET = "s3cret-Pa55word"
# AUTH without TLS, on purpose, on loopback: aiosmtpd warns on every connection.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def config(url: str) -> MailConfig:
    found = mail_config({SMTP_URL_VAR: url}, Path("/nonexistent"))
    assert found is not None
    return found


@pytest.fixture
def auth_server() -> Iterator[SmtpServer]:
    server = SmtpServer.start(users={"coach@example.org": SECRET})
    yield server
    server.stop()


def test_the_right_password_sends(auth_server: SmtpServer) -> None:
    send_test_email(config(auth_server.url("coach@example.org", SECRET)), "me@club.test")
    [got] = auth_server.received
    assert got.recipients == ["me@club.test"]
    assert got.subject == "Stride Check: test email"


def test_a_wrong_password_is_named_and_never_shown(
    auth_server: SmtpServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    wrong = "wrong-" + SECRET
    cfg = config(auth_server.url("coach@example.org", wrong))
    with pytest.raises(MailError) as caught:
        send_test_email(cfg, "me@club.test")
    text = caught.value.message
    assert text.startswith(f"The mail server 127.0.0.1:{auth_server.port} refused the username")
    assert "535" in text and "Check [smtp] username and password" in text
    assert not caught.value.permanent  # an admin can fix it: the outbox keeps trying
    # Through the outbox too: neither the log nor the database holds the password.
    store = Store(f"sqlite:///{tmp_path / 'stride.db'}")
    Outbox(store).queue([Email("k", "test", "me@club.test", "Hi", "Body", "<k@club.test>")])
    with caplog.at_level(logging.DEBUG):
        report = deliver_due(store, cfg.smtp)
    assert report.retried == 1
    stored = Outbox(store).emails().to_string() + Outbox(store).attempts().to_string()
    store.dispose()
    for where in (text, caplog.text, stored, repr(cfg), str(cfg.smtp)):
        assert wrong not in where and SECRET not in where
    assert "refused the username or password" in caplog.text
    assert auth_server.received == []


def test_an_unreachable_host_is_named() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(MailError) as caught:
        send_test_email(config(f"smtp://127.0.0.1:{port}?from=a@b.test"), "me@club.test")
    assert caught.value.message == (
        f"Cannot reach the mail server 127.0.0.1:{port}: the connection was refused."
    )


def test_an_unknown_host_is_named() -> None:
    with pytest.raises(MailError, match=r"Cannot find the mail server no-such-host\.invalid"):
        send_test_email(config("smtp://no-such-host.invalid:25?from=a@b.test"), "me@club.test")


def test_a_server_without_starttls_is_refused(smtp_server: SmtpServer) -> None:
    """starttls=true against a plain server: nothing goes out unencrypted."""
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        send_test_email(config(smtp_server.url(starttls="true")), "me@club.test")
    assert smtp_server.received == []


def test_tls_refused_on_a_plain_port(smtp_server: SmtpServer) -> None:
    url = f"smtps://127.0.0.1:{smtp_server.port}?from=coach@example.org"
    with pytest.raises(MailError, match=r"The TLS handshake with the mail server .* failed"):
        send_test_email(config(url), "me@club.test")
    assert smtp_server.received == []


def test_a_refused_recipient_is_permanent(smtp_server: SmtpServer) -> None:
    import smtplib

    from logic.mail.smtp import explain

    err = smtplib.SMTPRecipientsRefused({"x@club.test": (550, b"5.1.1 No such user")})
    found = explain(err, config(smtp_server.url()).smtp)
    assert found.permanent
    assert found.message.endswith(
        "refused the address x@club.test (it said: 550 5.1.1 No such user)."
    )
