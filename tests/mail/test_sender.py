"""The outbox's sender against a real SMTP server (aiosmtpd): what arrives, nothing twice,
retries with backoff, concurrent senders (SQLite and PostgreSQL) and a sender killed mid-send."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from logic import clock
from logic.mail.config import SMTP_URL_VAR, mail_config
from logic.mail.sender import LEASE, Backoff, deliver_due
from logic.storage.outbox import Email, Outbox
from logic.storage.store import Store
from tests.support.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def emails(n: int, prefix: str = "test") -> list[Email]:
    return [
        Email(
            key=f"{prefix}:{i}",
            kind="test",
            recipient=f"runner{i}@club.test",
            subject=f"Email {i}",
            body=f"Body {i}",
            message_id=f"<{prefix}-{i}@club.test>",
        )
        for i in range(n)
    ]


def settings(server: SmtpServer):
    config = mail_config({SMTP_URL_VAR: server.url()}, Path("/nonexistent"))
    assert config is not None
    return config.smtp


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stride.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'stride.db'}")
    yield s
    s.dispose()


def test_what_arrives_and_nothing_twice(store: Store, smtp_server: SmtpServer) -> None:
    outbox = Outbox(store)
    assert outbox.queue(emails(3)) == 3
    assert outbox.queue(emails(3)) == 0  # the same keys: queued once
    report = deliver_due(store, settings(smtp_server))
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    got = smtp_server.received
    assert sorted(r.subject for r in got) == ["Email 0", "Email 1", "Email 2"]
    first = smtp_server.to("runner0@club.test")[0]
    assert first.message_id == "<test-0@club.test>"
    assert first.body.strip() == "Body 0"
    assert first.message["From"] == "coach@example.org"
    # Running the sender again sends nothing more.
    assert deliver_due(store, settings(smtp_server)).sent == 0
    assert len(smtp_server.received) == 3
    assert outbox.counts() == {"pending": 0, "sending": 0, "sent": 3, "failed": 0}
    assert outbox.attempts()["outcome"].tolist() == ["sent"] * 3


def test_a_refusing_server_is_retried_with_backoff(store: Store, smtp_server: SmtpServer) -> None:
    outbox = Outbox(store)
    outbox.queue(emails(1))
    smtp_server.refuse = 2
    backoff = Backoff(first_seconds=30, cap_seconds=3600, max_attempts=5)
    t0 = clock.now()
    with clock.freeze(t0):
        assert deliver_due(store, settings(smtp_server), backoff=backoff).retried == 1
    row = outbox.emails().iloc[0]
    assert row["status"] == "pending"
    assert "451" in row["last_error"] and "try again later" in row["last_error"]
    due = outbox.next_due()
    assert due == t0 + dt.timedelta(seconds=30)
    with clock.freeze(t0 + dt.timedelta(seconds=29)):  # not due yet: nothing is tried
        assert deliver_due(store, settings(smtp_server), backoff=backoff).retried == 0
    with clock.freeze(t0 + dt.timedelta(seconds=30)):
        assert deliver_due(store, settings(smtp_server), backoff=backoff).retried == 1
    assert outbox.next_due() == t0 + dt.timedelta(seconds=30 + 60)  # doubled
    with clock.freeze(t0 + dt.timedelta(seconds=90)):
        assert deliver_due(store, settings(smtp_server), backoff=backoff).sent == 1
    assert len(smtp_server.received) == 1
    attempts = outbox.attempts()
    assert attempts["outcome"].tolist() == ["retry", "retry", "sent"]
    assert attempts["error"].iloc[0].startswith("The mail server 127.0.0.1:")
    assert outbox.emails().iloc[0]["attempts"] == 3


def test_backoff_doubles_up_to_its_cap_then_gives_up() -> None:
    backoff = Backoff(first_seconds=30, cap_seconds=100, max_attempts=4)
    t0 = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    waits = [(backoff.retry_at(n, t0) - t0).total_seconds() for n in (1, 2, 3)]  # type: ignore[operator]
    assert waits == [30, 60, 100]
    assert backoff.retry_at(4, t0) is None


def test_a_server_that_never_recovers_ends_failed(store: Store, smtp_server: SmtpServer) -> None:
    outbox = Outbox(store)
    outbox.queue(emails(1))
    smtp_server.refuse = 10
    backoff = Backoff(first_seconds=1, cap_seconds=1, max_attempts=2)
    t0 = clock.now()
    for step in range(3):
        with clock.freeze(t0 + dt.timedelta(seconds=2 * step)):
            deliver_due(store, settings(smtp_server), backoff=backoff)
    assert outbox.counts()["failed"] == 1
    assert outbox.attempts()["outcome"].tolist() == ["retry", "failed"]
    assert smtp_server.received == []


def test_two_senders_at_once_send_each_email_once(store_url: str, smtp_server: SmtpServer) -> None:
    """Two app servers, one database: each with its own engine, sending at the same time."""
    first, second = Store(store_url), Store(store_url)
    try:
        Outbox(first).queue(emails(30))
        smtp_server.delay = 0.01  # both senders stay busy at once
        reports = []
        threads = [
            threading.Thread(
                target=lambda s=s: reports.append(deliver_due(s, settings(smtp_server)))
            )
            for s in (first, second)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sum(r.sent for r in reports) == 30
        counts = Counter(r.message_id for r in smtp_server.received)
        assert len(counts) == 30 and set(counts.values()) == {1}
        assert all(r.sent > 0 for r in reports), [r.sent for r in reports]  # both worked
        assert Outbox(first).counts()["sent"] == 30
    finally:
        first.dispose()
        second.dispose()


def _sender_process(db_url: str, server: SmtpServer) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STRIDE_CHECK_DATABASE_URL": db_url, SMTP_URL_VAR: server.url()}
    return subprocess.Popen(
        [sys.executable, "-m", "logic", "send-mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_mid_send(tmp_path: Path, server: SmtpServer, mode: str) -> tuple[Store, Outbox]:
    url = f"sqlite:///{tmp_path / 'stride.db'}"
    store = Store(url)
    outbox = Outbox(store)
    outbox.queue(emails(5))
    server.hold = mode
    proc = _sender_process(url, server)
    try:
        assert server.held.wait(60), proc.stderr.read() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    server.release()
    assert proc.returncode == -signal.SIGKILL
    assert outbox.counts()["sending"] == 1  # the killed sender's claim, until its lease ends
    # Restarted before the lease ends: the held email waits, the others go.
    deliver_due(store, settings(server))
    assert outbox.counts()["sending"] == 1
    with clock.freeze(clock.now() + LEASE + dt.timedelta(seconds=1)):
        deliver_due(store, settings(server))
    assert outbox.counts() == {"pending": 0, "sending": 0, "sent": 5, "failed": 0}
    return store, outbox


def test_killed_before_the_server_accepted_every_email_arrives_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    store, outbox = _kill_mid_send(tmp_path, smtp_server, "drop")
    counts = Counter(r.message_id for r in smtp_server.received)
    assert len(counts) == 5 and set(counts.values()) == {1}
    assert sorted(outbox.attempts()["outcome"].tolist()) == ["abandoned", *["sent"] * 5]
    store.dispose()


def test_killed_after_the_server_accepted_only_that_email_repeats_with_its_message_id(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """The window every SMTP client has: accepted, but the sender died before recording it.
    Bound: one email per killed sender, sent again with the same Message-ID."""
    store, _outbox = _kill_mid_send(tmp_path, smtp_server, "commit")
    counts = Counter(r.message_id for r in smtp_server.received)
    assert len(counts) == 5  # none lost
    assert sorted(counts.values()) == [1, 1, 1, 1, 2]  # one repeat: the email in flight
    repeated = next(m for m, n in counts.items() if n == 2)
    assert repeated == "<test-0@club.test>"
    store.dispose()
