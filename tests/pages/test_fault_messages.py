"""No traceback reaches the page: signing in while the database is locked or down, and History
for a runner with no check-ins opened by a coach, each get a clear message.

The tests run with client.showErrorDetails = "full" (tests/conftest.py), where the app would
add a traceback to its short message: so they check that no exception is raised at all.
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from logic import clock
from logic.storage import engine as engine_module
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from pages.shared.common import USER_KEY
from tests.support.apptest import ROOT, app, assert_no_exception, on_page, signed_in, texts
from tests.support.pg import PostgresServer

PASSWORD = "correct horse battery"
NOT_NOW = "Could not sign you in right now: the database is busy or cannot be reached."


def team_mode(monkeypatch: pytest.MonkeyPatch, url: str) -> Accounts:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.setenv("STRIDE_CHECK_DATABASE_URL", url)
    accounts = Accounts(get_store(url))
    accounts.create_user("root", role="admin", password=PASSWORD)
    accounts.create_user("ann", role="runner", password=PASSWORD, team="A")
    return accounts


def try_sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input[0].input("ann")
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def assert_refused_clearly(at: AppTest) -> None:
    assert_no_exception(at)
    assert USER_KEY not in at.session_state
    assert NOT_NOW in " ".join(texts(at.error)), texts(at.error)


@pytest.fixture
def locked_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Team mode on SQLite, the database held by another program's exclusive transaction."""
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)  # give up quickly
    path = tmp_path / "stride.db"
    team_mode(monkeypatch, f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    yield
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize("password", [PASSWORD, "a wrong password"])
def test_signing_in_while_sqlite_is_locked_says_so(locked_sqlite: None, password: str) -> None:
    at = app().run()
    assert_no_exception(at)
    assert_refused_clearly(try_sign_in(at, password))


@pytest.mark.postgres
def test_signing_in_while_postgres_is_down_says_so(
    monkeypatch: pytest.MonkeyPatch,
    postgres_server: PostgresServer,
    fresh_postgres_url: str,
) -> None:
    team_mode(monkeypatch, fresh_postgres_url)
    at = app().run()
    assert_no_exception(at)
    # The database goes away while the sign-in page is open (its connections are cut).
    postgres_server.drop_database(sa.make_url(fresh_postgres_url).database)
    for password in (PASSWORD, "a wrong password"):
        assert_refused_clearly(try_sign_in(at, password))


@pytest.mark.postgres
def test_a_postgres_url_nobody_answers_stops_with_a_message(
    monkeypatch: pytest.MonkeyPatch, postgres_server: PostgresServer
) -> None:
    from tests.support.pg import _free_port

    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "local")
    monkeypatch.setenv(
        "STRIDE_CHECK_DATABASE_URL",
        postgres_server.url("x").replace(f":{postgres_server.port}/", f":{_free_port()}/"),
    )
    at = app().run()
    assert_no_exception(at)
    assert any(e.startswith("The database is not available.") for e in texts(at.error))
    assert not at.text_input  # no sign-in form that could only fail


@pytest.fixture
def coach_id(db_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """A coach of team A, where ann has no check-in at all and dan checked in this week."""
    accounts = team_mode(monkeypatch, db_url)
    coach = accounts.create_user("coach_a", role="coach", password=PASSWORD, coach_of=["A"])
    accounts.create_user("dan", role="runner", password=PASSWORD, team="A")
    get_store().save_checkin({"runner": "dan", "team": "A", "date": clock.today().isoformat()})
    return coach.id


def assert_empty_history_of_ann(at: AppTest) -> None:
    assert_no_exception(at)
    assert at.title[0].value == "History"
    assert texts(at.info) == ["ann has no check-ins yet."]
    assert not at.get("vega_lite_chart") and not at.dataframe
    assert not [b.label for b in at.main.button]  # nothing to open, edit or delete


def test_history_of_a_runner_without_check_ins_picked_by_a_coach(coach_id: int) -> None:
    at = on_page(signed_in(coach_id).run(), "pages/history.py")
    assert_no_exception(at)
    at.selectbox(key="coach_runner").set_value("ann").run()
    assert_empty_history_of_ann(at)


def test_history_of_a_runner_without_check_ins_opened_from_the_team_page(coach_id: int) -> None:
    at = on_page(signed_in(coach_id).run(), "pages/team.py")
    assert_no_exception(at)
    assert "ann" in at.selectbox(key="team_open").options  # listed as not checked in
    at.selectbox(key="team_open").set_value("ann").run()
    assert_empty_history_of_ann(at)


def test_error_details_are_off_outside_development() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
