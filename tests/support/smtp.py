"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it accepts.

`smtp_server` (function scope) starts one per test; knobs on the returned SmtpServer:

* `refuse`: answer the next N messages with 451 (a server that refuses, then recovers);
* `hold`: "drop" holds the next message before accepting it and then drops it (a client
  killed before the server's 250), "commit" records it first and then holds (killed after
  the server took it, before the client heard the 250). `held` is set while holding,
  `release()` lets it go;
* `delay`: seconds to wait in every DATA (so concurrent senders overlap);
* `SmtpServer.start(users=...)` requires AUTH with those username/password pairs.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",)) if hasattr(self.message, "get_body") else None
        return part.get_content() if part is not None else self.message.get_payload()


@dataclass
class SmtpServer:
    host: str
    port: int
    controller: Controller | None = None
    received: list[Received] = field(default_factory=list)
    refuse: int = 0
    hold: str | None = None  # "drop" or "commit"
    delay: float = 0.0
    held: threading.Event = field(default_factory=threading.Event)
    _release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: dict[str, str] = field(default_factory=dict)

    def url(self, user: str | None = None, password: str | None = None, **query: str) -> str:
        auth = f"{user}:{password}@" if user else ""
        params = "&".join(f"{k}={v}" for k, v in {"from": "coach@example.org", **query}.items())
        return f"smtp://{auth}{self.host}:{self.port}?{params}"

    def release(self) -> None:
        self._release.set()

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until `count` messages arrived (or fail)."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        pytest.fail(f"expected {count} emails at the SMTP server, got {len(self.received)}")

    # aiosmtpd handler hooks

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            mode, self.hold = self.hold, None
        got = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            email.message_from_bytes(envelope.content, policy=default),
        )
        if mode == "commit":
            with self.lock:
                self.received.append(got)
        if mode is not None:
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.02)
            if mode == "drop":  # the client went away before the server committed
                return "451 4.4.2 Connection dropped"
            return "250 OK"
        with self.lock:
            self.received.append(got)
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    @classmethod
    def start(cls, users: dict[str, str] | None = None) -> SmtpServer:
        server = cls("127.0.0.1", free_port(), users=dict(users or {}))
        kwargs: dict[str, object] = {}
        if users:
            kwargs = {
                "authenticator": server._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        with warnings.catch_warnings():  # AUTH without TLS: on purpose, on loopback
            warnings.simplefilter("ignore", UserWarning)
            server.controller = Controller(server, hostname=server.host, port=server.port, **kwargs)
            server.controller.start()
        return server

    def stop(self) -> None:
        self._release.set()
        if self.controller is not None:
            self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer.start()
    yield server
    server.stop()


# --- a small club in a fresh database ------------------------------------------------------

PASSWORD = "correct horse battery"


def checkin_row(runner: str, team: str | None, day: object, **overrides: object) -> dict:
    row: dict[str, object] = {
        "runner": runner,
        "date": day,
        "team": team,
        "pain_locations": "front_knee",
        "pain_level": 2,
        "pain_triggers": "",
        "training_changes": "",
        "weekly_km": 40.0,
        "longest_run_km": None,
        "sitting_hours": 7.0,
        "strength_sessions": 1,
        "mobility_sessions": 1,
        "limitations": "",
        "sex": "female",
        "warning_signs": "",
    }
    row.update(overrides)
    return row


def make_club(store: object, *, passwords: bool = False) -> dict[str, int]:
    """Trail Cats (coach Cora, runners Ann, Bob, Cat without email) and Hill Goats (coach
    Gus, runner Dan). Returns the user ids by username. Only Cat (no email) gets a password
    unless `passwords` (hashing is slow)."""
    from logic.storage.accounts import Accounts

    accounts = Accounts(store)  # type: ignore[arg-type]
    ids = {}
    people = [
        ("cora", "coach", "Cora", "cora@club.test", None, ["Trail Cats"]),
        ("gus", "coach", "Gus", "gus@club.test", None, ["Hill Goats"]),
        ("ann", "runner", "Ann", "ann@club.test", "Trail Cats", []),
        ("bob", "runner", "Bob", "bob@club.test", "Trail Cats", []),
        ("cat", "runner", "Cat", None, "Trail Cats", []),
        ("dan", "runner", "Dan", "dan@club.test", "Hill Goats", []),
    ]
    for username, role, name, address, team, coach_of in people:
        user = accounts.create_user(
            username,
            role=role,  # type: ignore[arg-type]
            display_name=name,
            password=PASSWORD if passwords or address is None else None,
            email=address,
            team=team,
            coach_of=coach_of,
        )
        ids[username] = user.id
    return ids
