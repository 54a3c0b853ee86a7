"""Email on the pages: the Admin page's section, the red-flag hook after a save, and the
runner's reminder switch. Thin: every decision is logic.mail's."""

from __future__ import annotations

import logging

import streamlit as st

from logic.errors import ConfigError, StrideCheckError
from logic.mail.config import BASE_URL_VAR, SMTP_URL_VAR, MailConfig, mail_config
from logic.mail.notify import queue_red_flag, send_test_email
from logic.mail.sender import kick
from logic.mail.smtp import MailError
from logic.storage.outbox import Outbox
from logic.texts import escape_markdown
from pages.shared import common

LOG = logging.getLogger("stride_check.mail")
TEST_RESULT = "admin_mail_result"
SECURITY = {"starttls": "STARTTLS", "ssl": "TLS", "none": "not encrypted"}
EMAIL_OFF = (
    "Email is off: there is no [smtp] section in .streamlit/secrets.toml and no "
    f"{SMTP_URL_VAR}. Reminders, coach digests and red-flag notices are not sent, and "
    "the rest of the app works as before. See the README (Email) to switch it on."
)


def _config() -> MailConfig | None:
    """The settings, or None (email off, or broken: then the log says why)."""
    try:
        return mail_config()
    except ConfigError as err:
        LOG.warning("Email is off: %s", err.message)
        return None


def admin_section(ctx: common.AppContext) -> None:
    """Is email on, through which server, the outbox's state, and a test email."""
    st.subheader("Email")
    try:
        config = mail_config()
    except ConfigError as err:
        st.error(escape_markdown(f"Email is off: the settings are wrong. {err.message}"), icon="🛑")
        return
    if config is None:
        st.info(EMAIL_OFF, icon="✉️")
        return
    smtp = config.smtp
    st.markdown(
        escape_markdown(
            f"Email goes out through {smtp.where} ({SECURITY[smtp.security]}) as {smtp.sender}; "
            f"settings from {config.source}."
        )
    )
    if config.base_url is None:
        st.warning(
            f"No [app] base_url (or {BASE_URL_VAR}): emails cannot link to the app, and "
            "`python -m logic remind` refuses to run until it is set.",
            icon="🔗",
        )
    try:
        counts = Outbox(ctx.raw_store).counts()
        st.caption(
            f"Outbox: {counts['sent']} sent, {counts['pending'] + counts['sending']} waiting, "
            f"{counts['failed']} given up."
        )
        if counts["pending"] or counts["sending"]:
            kick(ctx.raw_store, config)  # retries continue after a restart of the app
    except StrideCheckError as err:
        st.error(common.error_text(ctx, err), icon="⚠️")
    with st.form("mail_test", clear_on_submit=False):
        to = st.text_input("Send a test email to", max_chars=254, placeholder="you@example.org")
        if st.form_submit_button("Send a test email"):
            address = to.strip()
            if "@" not in address or any(c.isspace() for c in address):
                st.session_state[TEST_RESULT] = (
                    "error",
                    "Enter an email address such as you@example.org.",
                )
            else:
                try:
                    send_test_email(config, address)
                    st.session_state[TEST_RESULT] = (
                        "success",
                        f"The mail server accepted the test email to {address}.",
                    )
                except MailError as err:
                    st.session_state[TEST_RESULT] = ("error", err.message)
    result = st.session_state.pop(TEST_RESULT, None)
    if result is not None:
        kind, text = result
        (st.success if kind == "success" else st.error)(escape_markdown(text))


_resumed = False


def resume_once(ctx: common.AppContext) -> None:
    """On this server process's first team-mode run: wake the sender, so that emails left
    waiting by a restart (or retries still due) go out without a new save or the timer."""
    global _resumed
    if _resumed or not ctx.team:
        return
    _resumed = True
    config = _config()
    if config is not None:
        kick(ctx.raw_store, config)


def after_save(ctx: common.AppContext, checkin_id: int) -> None:
    """A saved check-in that raises a red flag: queue its coaches' emails and wake the
    sender. Never stops the save: the weekly job and `send-mail` queue what this could not."""
    config = _config()
    if config is None:
        return
    try:
        if queue_red_flag(ctx.raw_store, config, checkin_id):
            kick(ctx.raw_store, config)
    except StrideCheckError as err:
        LOG.warning("Red-flag email not queued yet: %s", err.message)
