"""The outbox's claims on SQLite and PostgreSQL: queued once per key, one holder per row, a
lease that runs out hands the row on, and a stale holder cannot undo the new one's work."""

from __future__ import annotations

import datetime as dt

from logic import clock
from logic.storage.outbox import Email, Outbox
from logic.storage.store import Store

LEASE = dt.timedelta(minutes=10)


def email(key: str) -> Email:
    return Email(key, "test", f"{key}@club.test", "Subject", "Body", f"<{key}@club.test>")


def test_queued_once_per_key(store: Store) -> None:
    outbox = Outbox(store)
    assert outbox.queue([email("a"), email("b")]) == 2
    assert outbox.queue([email("b"), email("c")]) == 1
    assert outbox.emails()["key"].tolist() == ["a", "b", "c"]
    assert outbox.counts() == {"pending": 3, "sending": 0, "sent": 0, "failed": 0}


def test_a_claimed_row_is_nobody_elses_until_its_lease_ends(store: Store) -> None:
    outbox = Outbox(store)
    outbox.queue([email("a")])
    t0 = clock.now()
    first = outbox.claim(LEASE, t0)
    assert first is not None and first.attempt == 1 and first.email.key == "a"
    assert outbox.claim(LEASE, t0 + LEASE - dt.timedelta(seconds=1)) is None
    second = outbox.claim(LEASE, t0 + LEASE + dt.timedelta(seconds=1))
    assert second is not None and second.attempt == 2 and second.token != first.token
    # The first holder comes back late with a failure: the row stays the second's.
    assert not outbox.mark_failed(first, "late", t0 + LEASE, t0 + LEASE)
    assert outbox.counts()["sending"] == 1
    outbox.mark_sent(second, t0 + LEASE + dt.timedelta(seconds=2))
    assert outbox.counts()["sent"] == 1
    attempts = outbox.attempts()
    assert attempts["outcome"].tolist() == ["abandoned", "sent"]
    assert attempts["error"].tolist()[0] == "late"
    assert outbox.next_due() is None


def test_a_late_success_still_counts(store: Store) -> None:
    """The first holder's email was accepted after all: it is never sent a third time."""
    outbox = Outbox(store)
    outbox.queue([email("a")])
    t0 = clock.now()
    first = outbox.claim(LEASE, t0)
    later = t0 + LEASE + dt.timedelta(seconds=1)
    second = outbox.claim(LEASE, later)
    assert first is not None and second is not None
    outbox.mark_sent(first, later)
    assert outbox.counts()["sent"] == 1
    assert outbox.claim(LEASE, later + 2 * LEASE) is None


def test_recipients(store: Store) -> None:
    from tests.support.smtp import checkin_row, make_club

    make_club(store)
    monday = clock.today() - dt.timedelta(days=clock.today().weekday())
    store.save_checkin(checkin_row("Ann", "Trail Cats", monday))
    people = Outbox(store).runner_addresses(monday)
    assert people["runner"].tolist() == ["Ann", "Bob", "Dan"]  # Cat has no email
    assert people["checked_in"].tolist() == [True, False, False]
    assert people["reminders"].all()
    coaches = Outbox(store).coach_addresses(["Hill Goats"])
    assert coaches[["name", "email", "team"]].values.tolist() == [
        ["Gus", "gus@club.test", "Hill Goats"]
    ]
