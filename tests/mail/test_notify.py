"""Reminders, coach digests and red-flag notices: who gets what, once; through the real SMTP
server and through `python -m logic remind`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from logic import clock
from logic.cli import main
from logic.mail.config import BASE_URL_VAR, SMTP_URL_VAR, MailConfig, mail_config
from logic.mail.notify import queue_red_flag, queue_weekly, red_flag_columns
from logic.mail.sender import deliver_due
from logic.storage.outbox import Outbox
from logic.storage.store import Store
from logic.weeks import week_start
from tests.support.plain_words import jargon_in_texts
from tests.support.smtp import SmtpServer, checkin_row, make_club

BASE = "https://stride.example.org"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'stride.db'}"


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    s = Store(url)
    make_club(s)
    yield s
    s.dispose()


def config(server: SmtpServer) -> MailConfig:
    found = mail_config({SMTP_URL_VAR: server.url(), BASE_URL_VAR: BASE}, Path("/nonexistent"))
    assert found is not None
    return found


def this_week(store: Store) -> dict[str, int]:
    """Ann checked in (no flag), Dan checked in with a red flag; Bob and Cat have not."""
    today = clock.today()
    ann = store.save_checkin(checkin_row("Ann", "Trail Cats", today))
    dan = store.save_checkin(
        checkin_row("Dan", "Hill Goats", today, warning_signs="swelling", pain_level=9)
    )
    return {"ann": ann, "dan": dan}


def test_weekly_emails_go_to_the_right_people_once(store: Store, smtp_server: SmtpServer) -> None:
    ids = this_week(store)
    cfg = config(smtp_server)
    first = queue_weekly(store, cfg)
    assert (first.reminders, first.digests, first.red_flags) == (1, 2, 1)
    again = queue_weekly(store, cfg)  # the timer ran twice: nothing new
    assert (again.reminders, again.digests, again.red_flags) == (0, 0, 0)
    assert deliver_due(store, cfg.smtp).sent == 4
    assert deliver_due(store, cfg.smtp).sent == 0
    assert len(smtp_server.received) == 4

    monday = week_start(clock.today()).date()
    week_no = monday.isocalendar()[1]
    [reminder] = smtp_server.to("bob@club.test")
    assert reminder.subject == f"Stride Check: your check-in for week {week_no}"
    assert f"{BASE}/checkin" in reminder.body
    assert smtp_server.to("ann@club.test") == []  # checked in
    assert smtp_server.to("dan@club.test") == []  # checked in

    [cora] = smtp_server.to("cora@club.test")
    assert "Checked in: 1 of 3 (33%)" in cora.body
    assert "Not answered yet: Bob, Cat" in cora.body
    assert "Red flags: nobody" in cora.body
    assert "Dan" not in cora.body  # another team's runner

    gus = smtp_server.to("gus@club.test")
    digest = next(m for m in gus if "team's week" in m.subject)
    assert "Red flags: Dan" in digest.body
    assert "  - Dan: red flag" in digest.body
    flag = next(m for m in gus if "red flag" in m.subject)
    assert flag.subject == f"Stride Check: red flag for Dan (Week {week_no})"
    assert f"{BASE}/results?checkin={ids['dan']}" in flag.body
    for health in ("swelling", "Visible", "9/10", "pain 9"):  # the details stay in the app
        assert health not in flag.body and health not in digest.body


def test_a_runner_can_switch_reminders_off(store: Store, smtp_server: SmtpServer) -> None:
    profile = store.get_profile("Bob")
    assert profile is not None and profile.reminders
    store.save_profile("Bob", dataclasses.replace(profile, reminders=False), keep_team=True)
    assert queue_weekly(store, config(smtp_server)).reminders == 2  # Ann and Dan, not Bob
    deliver_due(store, config(smtp_server).smtp)
    assert smtp_server.to("bob@club.test") == []
    assert len(smtp_server.to("ann@club.test")) == len(smtp_server.to("dan@club.test")) == 1


def test_a_red_flag_is_queued_once_per_check_in_and_coach(store: Store) -> None:
    cfg = mail_config({SMTP_URL_VAR: "smtp://relay:25?from=a@club.test"}, Path("/x"))
    today = clock.today()
    calm = store.save_checkin(checkin_row("Ann", "Trail Cats", today))
    assert queue_red_flag(store, cfg, calm) == 0
    flagged = store.save_checkin(
        checkin_row("Bob", "Trail Cats", today, warning_signs="night_pain")
    )
    assert queue_red_flag(store, cfg, flagged) == 1  # Cora, the one coach of Trail Cats
    assert queue_red_flag(store, cfg, flagged) == 0  # saved again: no second email
    store.update_checkin(calm, {"pain_level": 9})  # an edit that raises a red flag
    assert queue_red_flag(store, cfg, calm) == 1
    assert queue_red_flag(store, None, calm) == 0  # email off: nothing
    emails = Outbox(store).emails()
    assert emails["recipient"].tolist() == ["cora@club.test"] * 2
    assert emails["kind"].tolist() == ["red_flag"] * 2


def test_message_ids_are_on_the_senders_domain() -> None:
    from logic.mail.notify import _message_id

    named = mail_config({SMTP_URL_VAR: "smtp://relay:25?from=Club%20<bot@club.test>"}, Path("/x"))
    assert named is not None
    first, second = _message_id(named), _message_id(named)
    assert first.endswith("@club.test>") and first.startswith("<") and first != second


def test_red_flag_columns_follow_the_scoring() -> None:
    import pandas as pd

    assert red_flag_columns(pd.DataFrame(columns=["needs_clinician"])) == ["needs_clinician"]
    both = pd.DataFrame(columns=["needs_clinician", "needs_emergency"])
    assert red_flag_columns(both) == ["needs_emergency", "needs_clinician"]


def test_remind_command_twice_sends_once(
    url: str,
    store: Store,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    this_week(store)
    monkeypatch.setenv(SMTP_URL_VAR, smtp_server.url())
    monkeypatch.setenv(BASE_URL_VAR, BASE)
    assert main(["remind", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "queued 1 reminder, 2 digests and 1 red-flag notice" in out
    assert "Sent 4 emails" in out
    assert main(["remind", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "queued 0 reminders, 0 digests and 0 red-flag notices" in out
    assert "Sent 0 emails" in out
    assert len(smtp_server.received) == 4


def test_remind_needs_email_and_a_base_url(
    url: str, store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(SMTP_URL_VAR, raising=False)
    monkeypatch.delenv(BASE_URL_VAR, raising=False)
    monkeypatch.setattr("logic.mail.config.DEFAULT_SECRETS_PATH", Path("/nonexistent"))
    assert main(["remind", "--database-url", url]) == 2
    assert "email is off: set [smtp]" in capsys.readouterr().err
    monkeypatch.setenv(SMTP_URL_VAR, "smtp://relay:25?from=a@club.test")
    assert main(["remind", "--database-url", url]) == 2
    assert f"set [app] base_url in .streamlit/secrets.toml or {BASE_URL_VAR}" in (
        capsys.readouterr().err
    )
    assert Outbox(store).counts()["pending"] == 0


def test_send_mail_retries_later_with_a_status(
    url: str,
    store: Store,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`send-mail` also queues a red flag the app could not (stopped right after the save)."""
    today = clock.today() - dt.timedelta(days=0)
    store.save_checkin(checkin_row("Bob", "Trail Cats", today, warning_signs="fever"))
    monkeypatch.setenv(SMTP_URL_VAR, smtp_server.url())
    smtp_server.refuse = 1
    assert main(["send-mail", "--database-url", url]) == 1
    captured = capsys.readouterr()
    assert "Sent 0 emails; 1 to retry" in captured.out
    assert "cora@club.test: The mail server" in captured.err
    assert Outbox(store).counts()["pending"] == 1


def test_the_coachs_digest_speaks_plainly(store: Store, smtp_server: SmtpServer) -> None:
    """Issue 12: the digest names the kind of reason in a coach's words, never the
    questionnaire's ("substantial problem", OSTRC) or the load ratio's shorthand."""
    hurt = {f"ostrc_{q}": 2 for q in ("participation", "training", "performance", "pain")}
    store.save_checkin(checkin_row("Dan", "Hill Goats", clock.today(), **hurt))
    cfg = config(smtp_server)
    queue_weekly(store, cfg)
    deliver_due(store, cfg.smtp)
    digest = next(m for m in smtp_server.to("gus@club.test") if "team's week" in m.subject)
    assert "  - Dan: limited training" in digest.body
    assert jargon_in_texts([digest.subject, digest.body]) == []
