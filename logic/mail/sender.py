"""Delivering the outbox: claim one due email, send it, record the attempt; retry with
exponential backoff; in the app, a background thread that a save can wake.

Any number of senders may run at once (app servers, `python -m logic send-mail`, the
`remind` timer): logic/storage/outbox.py hands each row to one of them (see its docstring
for the one window that remains).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from logic import clock
from logic.errors import StrideCheckError
from logic.mail.config import MailConfig, SmtpSettings
from logic.mail.smtp import MailError, build_message, send_message
from logic.storage.outbox import Claim, Outbox
from logic.storage.store import Store

__all__ = ["Backoff", "DeliveryReport", "deliver_due", "kick"]

LOG = logging.getLogger("stride_check.mail")
# Longer than one send can take (connect, TLS, login and DATA, each within the SMTP timeout).
LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Backoff:
    """Wait first_seconds after the first failure, then twice as long after each next one,
    up to cap_seconds; give up after max_attempts tries (about 2 days with the defaults)."""

    first_seconds: float = 30.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 12

    def retry_at(self, attempt: int, now: dt.datetime) -> dt.datetime | None:
        """When to try again after failed try number `attempt` (1-based); None: give up."""
        if attempt >= self.max_attempts:
            return None
        wait = min(self.cap_seconds, self.first_seconds * 2 ** min(attempt - 1, 40))
        return now + dt.timedelta(seconds=wait)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_one(
    outbox: Outbox,
    claim: Claim,
    settings: SmtpSettings,
    backoff: Backoff,
    send: Callable[..., None] = send_message,
) -> tuple[str, str]:
    """Send a claimed email and record the outcome: ('sent' | 'retry' | 'failed', error)."""
    email = claim.email
    msg = build_message(settings, email.recipient, email.subject, email.body, email.message_id)
    try:
        send(settings, msg)
    except MailError as err:
        now = clock.now()
        retry_at = None if err.permanent else backoff.retry_at(claim.attempt, now)
        outbox.mark_failed(claim, err.message, retry_at, now)
        LOG.warning("Email %s (try %d) not sent: %s", email.key, claim.attempt, err.message)
        return ("failed" if retry_at is None else "retry"), err.message
    outbox.mark_sent(claim)
    LOG.info("Email %s sent to %s", email.key, email.recipient)
    return "sent", ""


def deliver_due(
    store: Store,
    settings: SmtpSettings,
    *,
    backoff: Backoff | None = None,
    limit: int | None = None,
    lease: dt.timedelta = LEASE,
) -> DeliveryReport:
    """Send every email that is due now (at most `limit`), one claim at a time."""
    outbox = Outbox(store)
    backoff = backoff or Backoff()
    report = DeliveryReport()
    while limit is None or report.sent + report.retried + report.failed < limit:
        claim = outbox.claim(lease)
        if claim is None:
            break
        outcome, error = deliver_one(outbox, claim, settings, backoff)
        report.sent += outcome == "sent"
        report.retried += outcome == "retry"
        report.failed += outcome == "failed"
        if error:
            report.errors.append(f"{claim.email.recipient}: {error}")
    return report


# --- in the app: one background sender per database ----------------------------------------

_THREADS: dict[str, _Background] = {}
_LOCK = threading.Lock()
IDLE_POLL = dt.timedelta(seconds=60)


class _Background(threading.Thread):
    """Delivers what is due, then sleeps until the next email falls due (at most a minute) or
    a save wakes it; ends once the outbox holds nothing left to send."""

    def __init__(self, store: Store, config: MailConfig) -> None:
        super().__init__(name="stride-check-mail", daemon=True)
        self.store = store
        self.config = config
        self.wake = threading.Event()

    def run(self) -> None:
        try:
            while True:
                self.wake.clear()
                deliver_due(self.store, self.config.smtp)
                due = Outbox(self.store).next_due()
                if due is None:
                    with _LOCK:
                        if not self.wake.is_set():
                            _THREADS.pop(self.store.where, None)
                            return
                    continue
                wait = min(IDLE_POLL, max(dt.timedelta(0), due - clock.now()))
                self.wake.wait(wait.total_seconds() + 0.05)
        except StrideCheckError as err:  # the database went away: the timer catches up later
            LOG.warning("Background email sender stopped: %s", err.message)
        except Exception:
            LOG.exception("Background email sender stopped")
        with _LOCK:
            if _THREADS.get(self.store.where) is self:
                _THREADS.pop(self.store.where, None)


def kick(store: Store, config: MailConfig | None) -> None:
    """Wake this process's sender for `store` (starting it when none runs); no-op without
    email. Never raises: the outbox keeps the emails until a sender gets to them."""
    if config is None:
        return
    with _LOCK:
        thread = _THREADS.get(store.where)
        if thread is None or not thread.is_alive():
            thread = _THREADS[store.where] = _Background(store, config)
            thread.start()
        thread.wake.set()


def wait_idle(timeout: float = 30.0) -> bool:
    """Tests and shutdown: wait until no background sender runs; False on timeout."""
    with _LOCK:
        threads = list(_THREADS.values())
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)
