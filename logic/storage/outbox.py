"""The email outbox: queue once, claim with a lease, record every attempt.

Queueing is idempotent: every email has a `key` (a reminder per runner and week, a digest per
coach and week, a red flag per check-in and coach) and a second queueing of the same key
does nothing. A sender claims one due row at a time in a short write transaction: on
PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED (two app servers never take the same row),
on SQLite under BEGIN IMMEDIATE (one writer at a time). The claim sets a random token and a
lease; the row is marked sent, by its own UPDATE, right after the SMTP server accepted it.
A sender that dies leaves the row `sending` until the lease runs out, then the next sender
takes it again (the attempt it left is recorded as abandoned).

What remains is the window every SMTP client has (RFC 1047): a sender killed after the server
accepted the message but before that UPDATE committed sends it again after the lease. The
retry carries the same Message-ID, so a mail client or server that deduplicates by it shows
one email; at most one email per killed sender is affected (rows are claimed and marked one
at a time). tests/mail/test_sender.py measures that bound.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from logic import clock
from logic.storage.store import Store
from logic.storage.tables import checkins, coach_teams, outbox, outbox_attempts, runners, users

__all__ = ["Claim", "Email", "Outbox"]

STATUSES = ("pending", "sending", "sent", "failed")


@dataclass(frozen=True)
class Email:
    """One email to queue; `key` makes queueing it a second time a no-op."""

    key: str
    kind: str
    recipient: str
    subject: str
    body: str
    message_id: str


@dataclass(frozen=True)
class Claim:
    """A row a sender holds until `lease_until`; only the holder of `token` finishes it."""

    id: int
    token: str
    attempt: int  # 1 for the first try
    email: Email
    lease_until: dt.datetime


def _utc(value: Any) -> dt.datetime | None:
    """SQLite hands back naive datetimes: the app writes UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class Outbox:
    """The outbox of one database (the Store's engine and transactions)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- queueing -----------------------------------------------------------------------

    def queue(self, emails: Sequence[Email], now: dt.datetime | None = None) -> int:
        """Queue every email whose key is new, in one transaction; returns how many were new."""
        if not emails:
            return 0
        when = now or clock.now()
        rows = [
            {
                "key": e.key,
                "kind": e.kind,
                "recipient": e.recipient,
                "subject": e.subject,
                "body": e.body,
                "message_id": e.message_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": when,
            }
            for e in emails
        ]
        with self.store.transaction("queue the emails") as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.key])
            # RETURNING names the rows this statement inserted: a count before and after
            # would also count another server's queueing at the same moment.
            return len(conn.execute(stmt.returning(outbox.c.id), rows).all())

    # --- sending ------------------------------------------------------------------------

    def claim(self, lease: dt.timedelta, now: dt.datetime | None = None) -> Claim | None:
        """Take the next due email (pending and due, or sending with a lease run out), or None."""
        when = now or clock.now()
        c = outbox.c
        due = sa.or_(
            sa.and_(c.status == "pending", c.next_attempt_at <= when),
            sa.and_(c.status == "sending", c.lease_until < when),
        )
        stmt = sa.select(outbox).where(due).order_by(c.next_attempt_at, c.id).limit(1)
        token = secrets.token_hex(16)
        with self.store.transaction("claim an email") as conn:
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = conn.execute(stmt).mappings().first()
            if row is None:
                return None
            if row["status"] == "sending":  # its sender died, or took longer than its lease
                conn.execute(
                    sa.update(outbox_attempts)
                    .where(
                        outbox_attempts.c.outbox_id == row["id"],
                        outbox_attempts.c.outcome.is_(None),
                    )
                    .values(outcome="abandoned", finished_at=when)
                )
            until = when + lease
            conn.execute(
                sa.update(outbox)
                .where(c.id == row["id"])
                .values(
                    status="sending",
                    claim_token=token,
                    lease_until=until,
                    attempts=c.attempts + 1,
                )
            )
            conn.execute(
                sa.insert(outbox_attempts).values(
                    outbox_id=row["id"], claim_token=token, started_at=when
                )
            )
        email = Email(
            **{k: row[k] for k in ("key", "kind", "recipient", "subject", "body", "message_id")}
        )
        return Claim(int(row["id"]), token, int(row["attempts"]) + 1, email, until)

    def mark_sent(self, claim: Claim, now: dt.datetime | None = None) -> None:
        """The server accepted it: never send it again, whoever holds the row now."""
        when = now or clock.now()
        with self.store.transaction("record a sent email") as conn:
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == claim.id, outbox.c.status != "sent")
                .values(
                    status="sent", sent_at=when, claim_token=None, lease_until=None, last_error=None
                )
            )
            self._finish_attempt(conn, claim, "sent", None, when)

    def mark_failed(
        self,
        claim: Claim,
        error: str,
        retry_at: dt.datetime | None,
        now: dt.datetime | None = None,
    ) -> bool:
        """Not accepted: try again at `retry_at`, or never (None). False when the claim was
        no longer ours (another sender took the row after our lease ran out)."""
        when = now or clock.now()
        with self.store.transaction("record a failed email") as conn:
            values: dict[str, Any] = {"claim_token": None, "lease_until": None, "last_error": error}
            if retry_at is None:
                values["status"] = "failed"
            else:
                values |= {"status": "pending", "next_attempt_at": retry_at}
            result = conn.execute(
                sa.update(outbox)
                .where(
                    outbox.c.id == claim.id,
                    outbox.c.claim_token == claim.token,
                    outbox.c.status == "sending",
                )
                .values(**values)
            )
            ours = result.rowcount > 0
            # Not ours any more: the attempt stays "abandoned", with the error it ended on.
            outcome = "abandoned" if not ours else "failed" if retry_at is None else "retry"
            self._finish_attempt(conn, claim, outcome, error, when)
            return ours

    @staticmethod
    def _finish_attempt(
        conn: sa.Connection, claim: Claim, outcome: str, error: str | None, when: dt.datetime
    ) -> None:
        a = outbox_attempts.c
        conn.execute(
            sa.update(outbox_attempts)
            .where(a.outbox_id == claim.id, a.claim_token == claim.token)
            .values(outcome=outcome, error=error, finished_at=when)
        )

    # --- reading ------------------------------------------------------------------------

    def emails(self) -> pd.DataFrame:
        """Every queued email (no body), oldest first: for the Admin page and tests."""
        c = outbox.c
        cols = [c.id, c.key, c.kind, c.recipient, c.subject, c.status, c.attempts]
        cols += [c.next_attempt_at, c.sent_at, c.last_error, c.message_id]
        with self.store.read("read the outbox") as conn:
            rows = conn.execute(sa.select(*cols).order_by(c.id)).all()
        return pd.DataFrame.from_records(rows, columns=[col.name for col in cols])

    def attempts(self) -> pd.DataFrame:
        a = outbox_attempts.c
        cols = [a.outbox_id, a.started_at, a.finished_at, a.outcome, a.error]
        with self.store.read("read the outbox") as conn:
            rows = conn.execute(sa.select(*cols).order_by(a.id)).all()
        return pd.DataFrame.from_records(rows, columns=[col.name for col in cols])

    def counts(self) -> dict[str, int]:
        """Emails per status (every status present, 0 when none)."""
        stmt = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
        with self.store.read("read the outbox") as conn:
            found = dict(conn.execute(stmt).all())
        return {s: int(found.get(s, 0)) for s in STATUSES}

    def next_due(self) -> dt.datetime | None:
        """When the next pending email (or the lease of a sending one) falls due."""
        c = outbox.c
        stmt = sa.select(
            sa.select(sa.func.min(c.next_attempt_at))
            .where(c.status == "pending")
            .scalar_subquery(),
            sa.select(sa.func.min(c.lease_until)).where(c.status == "sending").scalar_subquery(),
        )
        with self.store.read("read the outbox") as conn:
            pending, leased = conn.execute(stmt).one()
        found = [t for t in (_utc(pending), _utc(leased)) if t is not None]
        return min(found) if found else None

    # --- who gets email -----------------------------------------------------------------

    def runner_addresses(self, week_start: dt.date) -> pd.DataFrame:
        """Runners with an active runner account that has an email: runner, team, email,
        reminders (their profile's switch) and checked_in (a check-in in that ISO week)."""
        done = (
            sa.select(checkins.c.id)
            .where(checkins.c.runner == runners.c.name, checkins.c.week_start == week_start)
            .exists()
        )
        stmt = (
            sa.select(runners.c.name, runners.c.team, users.c.email, runners.c.reminders, done)
            .join(users, users.c.runner == runners.c.name)
            .where(users.c.active, users.c.email.is_not(None), users.c.email != "")
            .order_by(runners.c.name)
        )
        with self.store.read("read the runners' addresses") as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame.from_records(
            rows, columns=["runner", "team", "email", "reminders", "checked_in"]
        )
        return frame.astype({"reminders": bool, "checked_in": bool})

    def coach_addresses(self, teams: Sequence[str] | None = None) -> pd.DataFrame:
        """Active coaches with an email: user_id, name, email, team (one row per coached team),
        only for `teams` when given."""
        stmt = (
            sa.select(users.c.id, users.c.display_name, users.c.email, coach_teams.c.team)
            .join(coach_teams, coach_teams.c.user_id == users.c.id)
            .where(
                users.c.role == "coach",
                users.c.active,
                users.c.email.is_not(None),
                users.c.email != "",
            )
            .order_by(users.c.id, coach_teams.c.team)
        )
        if teams is not None:
            stmt = stmt.where(coach_teams.c.team.in_(list(teams)))
        with self.store.read("read the coaches' addresses") as conn:
            rows = conn.execute(stmt).all()
        return pd.DataFrame.from_records(rows, columns=["user_id", "name", "email", "team"])
