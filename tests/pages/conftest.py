"""Fixtures for the page tests: one team-mode club, used by every page test that signs in."""

from __future__ import annotations

import datetime as dt

import pytest

from logic import clock
from logic.storage.accounts import Accounts
from logic.storage.store import get_store

PASSWORD = "correct horse battery"


def weeks_ago(n: int) -> str:
    """The Monday `n` ISO weeks before this one: the Team page shows this week by default."""
    today = clock.today()
    return (today - dt.timedelta(days=today.weekday(), weeks=n)).isoformat()


@pytest.fixture
def team(db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Team mode with local sign-in: an admin (root), a coach of team A (coach_a), runners
    ann and bob on team A and cat on team B, each with a check-in this week. Returns the
    account ids by username, and each runner's check-in id as "<runner>_checkin"."""
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    accounts = Accounts(get_store())
    ids = {
        "root": accounts.create_user("root", role="admin", password=PASSWORD).id,
        "coach_a": accounts.create_user(
            "coach_a", role="coach", password=PASSWORD, coach_of=["A"], email="ca@example.org"
        ).id,
        "ann": accounts.create_user("ann", role="runner", password=PASSWORD, team="A").id,
        "bob": accounts.create_user("bob", role="runner", password=PASSWORD, team="A").id,
        "cat": accounts.create_user("cat", role="runner", password=PASSWORD, team="B").id,
    }
    store = get_store()
    for runner, team_name in (("ann", "A"), ("bob", "A"), ("cat", "B")):
        ids[f"{runner}_checkin"] = store.save_checkin(
            {"runner": runner, "team": team_name, "date": weeks_ago(0), "pain_level": 3}
        )
    return ids
