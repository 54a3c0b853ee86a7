"""What the app emails, and to whom: weekly reminders, the coaches' weekly digest, red flags
and the Admin page's test email.

Everything is queued in the outbox under a key (logic/storage/outbox.py), so running the
weekly job twice, or saving a red-flag check-in twice, queues each email once. Emails name
people and weeks and link to the app; health details (warning signs, pain, scores) stay in
the app, behind its sign-in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

import pandas as pd

from logic import clock
from logic.analysis.scoring import score_checkins
from logic.analysis.team import roster, scored_team, watch_list, week_glance
from logic.mail.config import MailConfig
from logic.mail.smtp import build_message, send_message
from logic.storage.outbox import Email, Outbox
from logic.storage.store import Store
from logic.weeks import week_label, week_start

__all__ = [
    "RED_FLAGS",
    "WeeklyResult",
    "queue_red_flag",
    "queue_weekly",
    "send_test_email",
    "sweep_red_flags",
]

# The scoring columns that mean "see someone now"; needs_emergency where logic.analysis has it.
RED_FLAGS = ("needs_emergency", "needs_clinician")
SWEEP_WEEKS = 2  # the weekly job re-checks this many weeks of check-ins for missed red flags
SIGNATURE = (
    "\n\n-- \nStride Check, your club's weekly self-check. This is not medical advice.\n"
    "This email was sent automatically; replies are not read."
)


def _message_id(config: MailConfig) -> str:
    """Unique per email, kept on every retry; on the sender's domain ("Name <a@b>" too)."""
    domain = parseaddr(config.smtp.sender)[1].rpartition("@")[2].strip() or "stride-check.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _link(config: MailConfig, path: str) -> str:
    if config.base_url is None:
        return "Open Stride Check to see it."
    return f"{config.base_url}/{path}"


def _email(
    config: MailConfig, kind: str, key: str, recipient: object, subject: str, body: str
) -> Email:
    """An outbox email of `kind`, keyed `kind:key` (queued once), signed, with its own
    Message-ID: the one shape of every queued email."""
    return Email(
        key=f"{kind}:{key}",
        kind=kind,
        recipient=str(recipient),
        subject=subject,
        body=body + SIGNATURE,
        message_id=_message_id(config),
    )


def _week(monday: dt.date) -> str:
    return week_label(monday)


def _iso_week(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


# --- the test email ------------------------------------------------------------------------


def send_test_email(config: MailConfig, recipient: str) -> None:
    """Send one email now, outside the outbox; raises MailError in plain words."""
    body = (
        "This is a test email from Stride Check. If you can read it, the [smtp] settings "
        f"work: reminders, weekly digests and red-flag notices will go out through "
        f"{config.smtp.where}." + SIGNATURE
    )
    msg = build_message(
        config.smtp, recipient, "Stride Check: test email", body, _message_id(config)
    )
    send_message(config.smtp, msg)


# --- red flags -----------------------------------------------------------------------------


def red_flag_columns(scores: pd.DataFrame) -> list[str]:
    """The red-flag columns this version of the scoring produces."""
    return [c for c in RED_FLAGS if c in scores.columns]


def _red_flag_email(config: MailConfig, coach: pd.Series, checkin: pd.Series) -> Email:
    runner = str(checkin["runner"])
    week = _week(pd.Timestamp(checkin["week_start"]).date())
    link = _link(config, f"results?checkin={int(checkin['id'])}")
    body = (
        f"Hello {coach['name']},\n\n"
        f"{runner}'s check-in for {week} raised a red flag: Stride Check advised them to see "
        "a clinician before training on. The details are in the app, not in this email:\n\n"
        f"{link}\n\n"
        "You get this email because you coach the team of this runner."
    )
    return _email(
        config,
        "red_flag",
        f"{int(checkin['id'])}:{int(coach['user_id'])}",
        coach["email"],
        f"Stride Check: red flag for {runner} ({week.split(' · ')[0]})",
        body,
    )


def _flagged(checkins: pd.DataFrame) -> pd.DataFrame:
    """The check-ins of `checkins` that raise a red flag."""
    if checkins.empty:
        return checkins
    scores = score_checkins(checkins)
    columns = red_flag_columns(scores)
    if not columns:
        return checkins.iloc[0:0]
    raised = scores[columns].astype(bool).any(axis=1)
    return checkins[raised.to_numpy()]


def _queue_red_flags(store: Store, config: MailConfig, flagged: pd.DataFrame) -> int:
    if flagged.empty:
        return 0
    outbox = Outbox(store)
    coaches = outbox.coach_addresses(flagged["team"].dropna().unique().tolist())
    pairs = flagged.merge(coaches, on="team")
    pairs = pairs.drop_duplicates(["id", "user_id"])
    emails = [_red_flag_email(config, coach, coach) for _, coach in pairs.iterrows()]
    return outbox.queue(emails)


def queue_red_flag(store: Store, config: MailConfig | None, checkin_id: int) -> int:
    """Right after a save: queue an email to each coach of the runner when the check-in raises
    a red flag (once per check-in and coach, however often it is saved). Returns how many were
    queued; 0 without email settings."""
    if config is None:
        return 0
    checkin = store.get_checkin(checkin_id)
    if checkin is None:
        return 0
    frame = store.all_checkins([checkin["runner"]])
    return _queue_red_flags(store, config, _flagged(frame[frame["id"] == checkin_id]))


def sweep_red_flags(store: Store, config: MailConfig, today: dt.date | None = None) -> int:
    """Queue what a save could not (the app stopped between the save and the queueing): every
    red flag of the last SWEEP_WEEKS weeks that has no email yet."""
    monday = week_start(today or clock.today()) - pd.Timedelta(weeks=SWEEP_WEEKS - 1)
    frame = store.all_checkins()
    return _queue_red_flags(store, config, _flagged(frame[frame["week_start"] >= monday]))


# --- the weekly emails ---------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyResult:
    week: str  # 2026-W49
    reminders: int  # newly queued this run
    digests: int
    red_flags: int


def _reminder(config: MailConfig, row: pd.Series, monday: dt.date) -> Email:
    link = _link(config, "checkin")
    body = (
        f"Hello {row['runner']},\n\n"
        f"You have not checked in for {_week(monday)} yet. It takes two minutes, and your "
        f"coach sees how the team is doing:\n\n{link}\n\n"
        "You can switch these reminders off in Stride Check, on your Profile page."
    )
    return _email(
        config,
        "reminder",
        f"{_iso_week(monday)}:{row['runner']}",
        row["email"],
        f"Stride Check: your check-in for week {monday.isocalendar()[1]}",
        body,
    )


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "nobody"


def _digest(
    config: MailConfig,
    coach: pd.Series,
    teams: list[str],
    scored: pd.DataFrame,
    runners: pd.DataFrame,
    monday: dt.date,
) -> Email:
    members = roster(runners, teams)
    glance = week_glance(scored, members, monday)
    rate = f"{len(glance.checked_in)} of {glance.roster_size}"
    if glance.roster_size:
        rate += f" ({len(glance.checked_in) / glance.roster_size:.0%})"
    watch = watch_list(scored[scored["runner"].isin(members["runner"])], monday)
    # What kind of reason, never the reason itself: the details stay in the app.
    kinds = pd.DataFrame(
        {
            "red flag": watch["needs_clinician"],
            "risk rose": watch["risk_rise"],
            "limited training": watch["substantial"],
            "load jump": watch["acwr_flag"],
        }
    )
    reasons = kinds.apply(lambda r: ", ".join(k for k, v in r.items() if v), axis=1)
    watch_lines = (
        "\n".join(f"  - {n}: {r}" for n, r in zip(watch["runner"], reasons, strict=True))
        or "  nobody"
    )
    body = (
        f"Hello {coach['name']},\n\n"
        f"{_week(monday)} for {', '.join(teams)}, so far:\n\n"
        f"Checked in: {rate}\n"
        f"Red flags: {_names(glance.needs_clinician['runner'].tolist())}\n"
        f"Not answered yet: {_names(glance.missing)}\n"
        f"Watch list:\n{watch_lines}\n\n"
        f"The details are in the app: {_link(config, 'team')}"
    )
    return _email(
        config,
        "digest",
        f"{_iso_week(monday)}:{int(coach['user_id'])}",
        coach["email"],
        f"Stride Check: your team's week {monday.isocalendar()[1]}",
        body,
    )


def queue_weekly(store: Store, config: MailConfig, today: dt.date | None = None) -> WeeklyResult:
    """Queue this ISO week's reminders (runners with an email, reminders on and no check-in
    this week), one digest per coach, and any red flag not yet emailed."""
    monday = week_start(today or clock.today()).date()
    outbox = Outbox(store)
    people = outbox.runner_addresses(monday)
    due = people[people["reminders"] & ~people["checked_in"]]
    reminders = outbox.queue([_reminder(config, row, monday) for _, row in due.iterrows()])
    coaches = outbox.coach_addresses()
    digests: list[Email] = []
    if len(coaches):
        runners = store.list_runners()
        teams = sorted(coaches["team"].unique().tolist())
        members = roster(runners, teams)["runner"].tolist()
        scored = scored_team(store.all_checkins(members))
        for _, group in coaches.groupby("user_id", sort=True):
            coach = group.iloc[0]
            digests.append(_digest(config, coach, group["team"].tolist(), scored, runners, monday))
    return WeeklyResult(
        week=_iso_week(monday),
        reminders=reminders,
        digests=outbox.queue(digests),
        red_flags=sweep_red_flags(store, config, monday),
    )
