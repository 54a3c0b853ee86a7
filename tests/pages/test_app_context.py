"""Who is using the app is resolved once per run, page switches know the role's pages, and an
unexpected error shows a short message instead of a traceback."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

import logic.settings
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from pages.shared import common
from tests.pages.conftest import PASSWORD
from tests.support.apptest import ROOT, app, assert_no_exception, button, on_page, signed_in, texts


@pytest.fixture
def team(team: dict[str, int]) -> dict[str, int]:
    """The club of tests/pages/conftest.py, plus a coach of team A who runs too ("cora")."""
    accounts = Accounts(get_store())
    team["cora"] = accounts.create_user(
        "cora", role="coach", password=PASSWORD, coach_of=["A"], runner="cora", team="A"
    ).id
    get_store().save_checkin({"runner": "cora", "team": "A", "date": "2026-11-23"})
    return team


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts reads of the secrets file, account look-ups and store look-ups per run. The
    email sender's wake-up on a server's first team-mode run (mail.resume_once) reads the
    email settings once per process, not per run: it counts as done here."""
    from pages.shared import mail

    monkeypatch.setattr(mail, "_resumed", True)
    calls: Counter = Counter()

    def counting(name: str, func):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return func(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        logic.settings, "read_secrets", counting("secrets", logic.settings.read_secrets)
    )
    monkeypatch.setattr(common, "get_store", counting("store", common.get_store))
    for method in ("get", "by_email"):
        monkeypatch.setattr(Accounts, method, counting("account", getattr(Accounts, method)))
    return calls


def test_a_team_checkin_run_reads_settings_and_account_once(
    team: dict[str, int], counted: Counter
) -> None:
    at = signed_in(team["ann"])  # reads the account's session version: not the app's run
    counted.clear()
    at.run()  # the runner's home page: the check-in
    assert_no_exception(at)
    assert at.title[0].value == "Weekly check-in"
    assert counted == {"secrets": 1, "account": 1, "store": 1}


def test_a_personal_checkin_run_reads_settings_once(db_url: str, counted: Counter) -> None:
    get_store().save_checkin({"runner": "Ann", "date": "2026-11-23"})
    at = app("Ann").run()
    assert_no_exception(at)
    assert at.title[0].value == "Weekly check-in"
    assert counted == {"secrets": 1, "store": 1}


# --- only the actions a role can take ------------------------------------------------------


@pytest.mark.parametrize("who", ["coach_a", "root"])
def test_a_coach_or_admin_history_has_no_edit(team: dict[str, int], who: str) -> None:
    """The check-in page is not in their navigation: Edit would lead nowhere (it used to
    raise StreamlitPageNotFoundError with a traceback). Only an admin deletes (issue 15)."""
    at = on_page(signed_in(team[who]).run(), "pages/history.py")
    assert_no_exception(at)
    assert at.title[0].value == "History"
    labels = [b.label for b in at.button]
    assert "Edit" not in labels
    assert "Open results" in labels
    assert ("Delete" in labels) == (who == "root")
    button(at, "Open results").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Results"  # addressed to the coach, not as "your results"


def test_a_coach_who_runs_can_edit(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["cora"]).run(), "pages/history.py")
    assert_no_exception(at)
    at.selectbox(key="coach_runner").select("cora").run()
    button(at, "Edit").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Edit check-in"


def test_a_page_switch_outside_the_roles_pages_is_refused_with_a_message() -> None:
    def script() -> None:
        import streamlit as st

        from logic.settings import AuthConfig
        from logic.storage.access import Viewer
        from pages.shared import common

        ctx = common.AppContext(
            AuthConfig("team", "local"), None, Viewer("coach", name="c"), ("team", "history")
        )
        common.go_to(ctx, "checkin", {"ci_edit_id": 3})
        st.write("still here")

    at = AppTest.from_function(script).run()
    assert_no_exception(at)
    assert texts(at.warning) == ["The Check-in page is not available to you."]
    assert "ci_edit_id" not in at.session_state
    assert texts(at.markdown) == ["still here"]


# --- errors --------------------------------------------------------------------------------


@pytest.fixture
def error_details() -> Iterator[None]:
    """Restores the tests' "full" after a test that sets a server's "none"."""
    before = st_config.get_option("client.showErrorDetails")
    yield
    st_config.set_option("client.showErrorDetails", before)


def test_the_shipped_config_hides_error_details() -> None:
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    assert 'showErrorDetails = "none"' in text


@pytest.mark.usefixtures("db_url", "error_details")
@pytest.mark.parametrize("details", ["none", "full"])
def test_a_failing_page_shows_a_short_message_and_logs_the_traceback(
    details: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(ctx: common.AppContext) -> tuple[str, None]:
        raise RuntimeError("boom in /srv/secret/path.py")

    monkeypatch.setattr(common, "require_runner", broken)
    st_config.set_option("client.showErrorDetails", details)
    at = app("Ann")
    with caplog.at_level(logging.ERROR, logger="stride_check"):
        at.run()
    (message,) = [t for t in texts(at.error) if t.startswith(common.FAILURE)]
    assert "boom" not in message and "/srv" not in message
    if details == "none":  # a server: no exception element, nothing of the error shown
        assert not at.exception
        assert "boom" not in " ".join(texts(at.error) + texts(at.markdown))
    else:  # a developer's machine and the tests: the traceback too
        assert [e.message for e in at.exception] == ["boom in /srv/secret/path.py"]
    (record,) = [r for r in caplog.records if r.name == "stride_check"]
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])
    assert message.endswith(f"(reference {record.args[0]})")


def test_a_solo_runner_has_no_team_page_until_a_second_runner_or_a_team(db_url: str) -> None:
    get_store().add_runner("Ann", None)
    assert common.solo()[0]
    at = app("Ann").run()
    assert_no_exception(at)
    with pytest.raises(Exception, match="Could not find a navigation page"):
        at.switch_page("pages/team.py").run()  # not in this person's navigation
    get_store().add_runner("Bob", None)  # a second runner on this device
    assert not common.solo()[0]
    at = on_page(app("Ann").run(), "pages/team.py")
    assert_no_exception(at)
    assert at.title[0].value == "Team"


def test_a_team_counts_even_for_one_runner(db_url: str) -> None:
    get_store().add_runner("Ann", "Hill")
    assert not common.solo()[0]
    config = logic.settings.resolve_auth()
    assert "team" in common.page_names(config, None, solo=False)
    assert "team" not in common.page_names(config, None, solo=True)
