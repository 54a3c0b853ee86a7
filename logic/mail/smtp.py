"""Talking to the SMTP server, and saying in plain words what went wrong.

Every failure becomes a MailError whose text names the server (host:port, never the user or
the password) and quotes the server's own reply where there is one. `permanent` says whether
trying again can help: a refused recipient cannot; a refused password can, once an admin fixes
it, so it is retried like a server that is down.
"""

from __future__ import annotations

import base64
import contextlib
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from logic import clock
from logic.errors import StrideCheckError
from logic.mail.config import SmtpSettings

__all__ = ["MailError", "build_message", "send_message"]


class MailError(StrideCheckError):
    """An email the server did not accept, in plain words (never with the password)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def build_message(
    settings: SmtpSettings, recipient: str, subject: str, body: str, message_id: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(clock.now().timestamp(), localtime=False)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    msg.set_content(body)
    return msg


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def _scrub(text: str, settings: SmtpSettings) -> str:
    """Belt and braces: no form of the password survives in a message."""
    if settings.password is None:
        return text
    secret = settings.password.get_secret_value()
    if not secret:
        return text
    forms = {secret, base64.b64encode(secret.encode()).decode()}
    if settings.username:
        plain = f"\0{settings.username}\0{secret}".encode()
        forms.add(base64.b64encode(plain).decode())
    for form in forms:
        text = text.replace(form, "***")
    return text


def explain(exc: BaseException, settings: SmtpSettings) -> MailError:
    """The failure as a sentence a club admin can act on."""
    where = settings.where
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        text = (
            f"The mail server {where} refused the username or password "
            f"(it said: {_reply(exc)}). Check [smtp] username and password."
        )
        permanent = False
    elif isinstance(exc, smtplib.SMTPNotSupportedError) or (
        isinstance(exc, smtplib.SMTPException) and "STARTTLS" in str(exc)
    ):
        text = (
            f"The mail server {where} does not offer STARTTLS, so the connection was not "
            "encrypted and nothing was sent. Use the server's TLS port, or ask its operator."
        )
        permanent = False
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, reply = next(iter(exc.recipients.items()))
        said = f"{reply[0]} {reply[1].decode('utf-8', 'replace')}".strip()
        text = f"The mail server {where} refused the address {address} (it said: {said})."
        permanent = reply[0] >= 500
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        text = (
            f"The mail server {where} refused the sender address {exc.sender} "
            f"(it said: {_reply(exc)}). Check [smtp] from."
        )
        permanent = False
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"The mail server {where} refused the email (it said: {_reply(exc)})."
        permanent = exc.smtp_code >= 500
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        text = f"The mail server {where} closed the connection before the email was accepted."
        permanent = False
    elif isinstance(exc, ssl.SSLError):
        text = (
            f"The TLS handshake with the mail server {where} failed ({exc.reason or exc}): "
            "the server refused TLS on this port, or its certificate is not trusted. "
            "Check [smtp] port and starttls / ssl."
        )
        permanent = False
    elif isinstance(exc, socket.gaierror):
        text = f"Cannot find the mail server {settings.host}: no such host name."
        permanent = False
    elif isinstance(exc, ConnectionRefusedError):
        text = f"Cannot reach the mail server {where}: the connection was refused."
        permanent = False
    elif isinstance(exc, TimeoutError | socket.timeout):
        text = f"Cannot reach the mail server {where}: it did not answer in time."
        permanent = False
    elif isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        text = f"Cannot reach the mail server {where}: {reason}."
        permanent = False
    else:
        text = f"Sending through {where} failed: {exc}."
        permanent = False
    return MailError(_scrub(text, settings), permanent=permanent)


def send_message(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Deliver one message; returns once the server accepted it, else raises MailError.

    Once the server has accepted the message nothing after it (QUIT, closing) counts as a
    failure: a failure then would send the email again."""
    conn: smtplib.SMTP | None = None
    try:
        if settings.security == "ssl":
            context = ssl.create_default_context()
            conn = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            conn.ehlo()
            if not conn.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("STARTTLS extension not supported")
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if settings.username and settings.password is not None:
            conn.login(settings.username, settings.password.get_secret_value())
        refused = conn.send_message(msg)
        if refused:  # some of several recipients; we send to one at a time
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPException, OSError) as exc:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        raise explain(exc, settings) from None
    with contextlib.suppress(smtplib.SMTPException, OSError):
        conn.quit()
    with contextlib.suppress(OSError):
        conn.close()
