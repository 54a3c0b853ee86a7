"""Team mode: everyone signs in, each role sees exactly its pages, and no more data."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from logic.storage.access import ScopedStore, Viewer
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from tests.pages.conftest import PASSWORD, weeks_ago
from tests.support.apptest import app, assert_no_exception, button, on_page, signed_in, texts


def test_signing_in_with_a_wrong_password_reveals_nothing(team: dict[str, int]) -> None:
    at = app().run()
    assert_no_exception(at)
    assert at.title[0].value == "Sign in to Stride Check"
    for username in ("ann", "nobody"):
        at.text_input[0].input(username)
        at.text_input[1].input("not the password")
        at.button[0].click().run()
        assert "Wrong username or password." in texts(at.error)
    at.text_input[0].input("ann")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert_no_exception(at)
    assert at.session_state["user_id"] == team["ann"]
    # Straight to the runner's first page: no "Welcome ... Continue" step in between.
    assert at.title[0].value == "Weekly check-in"
    assert "Continue" not in [link.proto.label for link in at.get("page_link")]


ROLE_PAGES = {
    None: {"login", "about"},
    "ann": {"checkin", "results", "history", "data", "profile", "about"},
    "coach_a": {"team", "history", "results", "data", "about"},
    "root": {"team", "admin", "history", "results", "data", "about"},
}
ALL_PAGES = {
    "checkin", "results", "history", "data", "team", "admin", "profile", "about", "login"
}  # fmt: skip


@pytest.mark.parametrize("who", list(ROLE_PAGES))
def test_each_role_reaches_exactly_its_pages(team: dict[str, int], who: str | None) -> None:
    for name in sorted(ALL_PAGES):
        at = (signed_in(team[who]) if who else app()).run()
        try:
            at.switch_page(f"pages/{name}.py")
        except ValueError as err:
            assert "Could not find a navigation page" in str(err)
            assert name not in ROLE_PAGES[who], f"{who} should reach {name}"
            continue
        assert name in ROLE_PAGES[who] or name == "login", f"{who} reached {name}"
        at.run()
        assert_no_exception(at)


def test_a_runner_cannot_open_another_runners_checkin_by_link(team: dict[str, int]) -> None:
    at = signed_in(team["ann"])
    at.query_params["checkin"] = str(team["bob_checkin"])
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    # Said exactly as for a missing id (tests/pages/test_leaks.py): ids must not leak.
    assert any(f"no check-in number {team['bob_checkin']}" in t for t in texts(at.error))
    assert "bob" not in " ".join(texts(at.markdown))


def test_a_runner_sees_their_own_results(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["ann"]).run(), "pages/results.py")
    assert_no_exception(at)
    assert at.title[0].value == "Your results"
    assert any("**ann**" in t for t in texts(at.markdown))


def test_an_admin_reaches_the_admin_page_and_adds_a_runner(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["root"]).run(), "pages/admin.py")
    assert_no_exception(at)
    assert at.title[0].value == "Admin"
    inputs = {t.label: t for t in at.text_input}
    inputs["Username"].input("dan")
    inputs["First password (10+ characters)"].input(PASSWORD)
    at.selectbox[0].select("runner")
    button(at, "Add").click().run()
    assert_no_exception(at)
    assert "Runner “dan” added." in texts(at.success)
    assert Accounts(get_store()).authenticate("dan", PASSWORD).user is not None


def test_deactivated_accounts_are_signed_out(team: dict[str, int]) -> None:
    Accounts(get_store()).set_active(team["ann"], False)
    at = signed_in(team["ann"]).run()
    assert at.title[0].value == "Sign in to Stride Check"


OIDC_AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-of-more-than-32-bytes",
    "client_id": "stride",
    "client_secret": "test-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_oidc_users_are_matched_by_email_and_roles_come_from_our_database(
    team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "oidc")

    def oidc_app(**user: object) -> AppTest:
        at = app()
        at.secrets["auth"] = OIDC_AUTH
        at.user = user
        return at.run()

    at = oidc_app(is_logged_in=True, email="ca@example.org", email_verified=True, name="Coach A")
    assert_no_exception(at)
    assert at.title[0].value != "Sign in to Stride Check"
    stranger = oidc_app(is_logged_in=True, email="who@example.org", email_verified=True)
    assert any("no active Stride Check account" in t for t in texts(stranger.error))
    unverified = oidc_app(is_logged_in=True, email="ca@example.org", email_verified=False)
    assert unverified.title[0].value == "Sign in to Stride Check"
    assert any("has not verified this email address" in t for t in texts(unverified.error))
    logged_out = oidc_app(is_logged_in=False)
    assert [b.label for b in logged_out.button] == ["Sign in with your club account"]


def test_oidc_without_a_cookie_secret_stops_with_a_message_naming_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_CHECK_MODE", "team")
    monkeypatch.setenv("STRIDE_CHECK_LOGIN", "oidc")
    at = app()
    at.secrets["auth"] = {k: v for k, v in OIDC_AUTH.items() if k != "cookie_secret"}
    at.run()
    assert_no_exception(at)
    assert any("no cookie_secret" in t for t in texts(at.error))
    assert not at.button  # no sign-in button: nobody gets as far as the provider


def test_a_coach_of_team_a_sees_nothing_of_team_b(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["coach_a"]).run(), "pages/team.py")
    assert_no_exception(at)
    shown = " ".join(texts(at.markdown) + texts(at.caption) + texts(at.info))
    assert "**2 of 2** runners checked in" in shown  # ann and bob; cat is on team B
    assert at.multiselect(key="team_pick").options == ["A"]  # only the coach's own team
    assert "cat" not in shown
    history = on_page(signed_in(team["coach_a"]).run(), "pages/history.py")
    assert history.selectbox(key="coach_runner").options == ["ann", "bob"]


def test_a_coach_imports_a_season_for_their_team_only(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["coach_a"]).run(), "pages/data.py")
    assert_no_exception(at)
    at.toggle(key="data_team_import").set_value(True).run()
    ok = f"runner,team,date,pain_level\nann,A,{weeks_ago(7)},2\nbob,A,{weeks_ago(7)},3\n"
    at.file_uploader[0].set_value(("season.csv", ok.encode(), "text/csv")).run()
    button(at, "Import 2 check-ins").click().run()
    assert_no_exception(at)
    assert len(get_store().history("bob")) == 2
    at = on_page(signed_in(team["coach_a"]).run(), "pages/data.py")
    at.toggle(key="data_team_import").set_value(True).run()
    bad = f"runner,team,date\nann,A,{weeks_ago(6)}\ncat,B,{weeks_ago(6)}\n"
    at.file_uploader[0].set_value(("bad.csv", bad.encode(), "text/csv")).run()
    shown = " ".join(texts(at.error)).replace("\\", "")
    assert "Nothing was saved" in shown and "line 3, column 'runner': got 'cat'" in shown
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert len(get_store().history("ann")) == 2 and len(get_store().history("cat")) == 1


def test_a_coach_cannot_take_over_or_move_runners_by_team_import(team: dict[str, int]) -> None:
    """Issue 11, finding 1: a row's team took a teamless runner into the coach's team, and
    moved the coach's own runner to team B. Each row is refused by line; nothing is written."""
    store = get_store()
    store.add_runner("Runner NoTeam")
    before = store.list_runners()
    at = on_page(signed_in(team["coach_a"]).run(), "pages/data.py")
    at.toggle(key="data_team_import").set_value(True).run()
    rows = "runner,date,team,pain_level\nRunner NoTeam,2026-10-05,A,0\nbob,2026-10-05,B,0\n"
    at.file_uploader[0].set_value(("takeover.csv", rows.encode(), "text/csv")).run()
    assert_no_exception(at)
    shown = " ".join(texts(at.error)).replace("\\", "")
    assert "2 problems" in shown and "Nothing was saved" in shown
    assert "line 2, column 'runner': got 'Runner NoTeam'; allowed: only runners already on " in (
        shown
    )
    assert "line 3, column 'team': got 'B'; allowed: the runner's team 'A' or empty" in shown
    assert not [b for b in at.button if b.label.startswith("Import")]
    pd.testing.assert_frame_equal(store.list_runners(), before)  # nobody joined or moved
    assert store.history("Runner NoTeam").empty and len(store.history("bob")) == 1
    # The coach of team B still sees nothing of bob.
    assert "bob" not in set(
        ScopedStore(store, Viewer(role="coach", teams=("B",))).list_runners()["runner"]
    )


def test_a_runner_cannot_export_or_import_for_others(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["ann"]).run(), "pages/data.py")
    assert_no_exception(at)
    assert not at.toggle  # no team import for a runner
    rows = f"runner,date\nbob,{weeks_ago(6)}\n"
    at.file_uploader[0].set_value(("x.csv", rows.encode(), "text/csv")).run()
    assert any("only your own name" in t for t in texts(at.error))
    assert len(get_store().history("bob")) == 1


# --- the Admin page: each save changes exactly what was shown (issue 11, finding 2) -------------


def account_widgets(at, user_id: int) -> dict[str, object]:
    """The Admin page's edit widgets of one account (keyed by its id), by what they hold."""
    out = {"role": at.selectbox(key=f"edit_role_{user_id}"), "coaches": None, "team": None}
    out["coaches"] = at.multiselect(key=f"edit_teams_{user_id}")
    teams = [s for s in at.selectbox if s.key == f"edit_team_{user_id}"]
    out["team"] = teams[0] if teams else None
    return out


def confirm(at, user_id: int, question: str):
    button(at, "Save changes").click().run()
    assert_no_exception(at)
    assert [w.replace("\\", "") for w in texts(at.warning)] == [question]
    at.button(key=f"edit_confirm_{user_id}").click().run()
    assert_no_exception(at)
    assert texts(at.success)[-1].replace("\\", "") == f"Saved: {question[:-1]}."
    return at


def test_admin_edits_apply_to_the_account_shown_and_only_after_confirming(
    team: dict[str, int],
) -> None:
    accounts = Accounts(get_store())
    at = on_page(signed_in(team["root"]).run(), "pages/admin.py")
    assert_no_exception(at)
    # The steps of the report: pick the admin, then the coach. The coach's own values show,
    # and saving them unchanged is not even offered.
    at.selectbox(key="admin_pick").select("root").run()
    assert account_widgets(at, team["root"])["role"].value == "admin"
    at.selectbox(key="admin_pick").select("coach_a").run()
    coach = account_widgets(at, team["coach_a"])
    assert coach["role"].value == "coach" and coach["coaches"].value == ["A"]
    assert button(at, "Save changes").disabled
    # Make the coach an admin: asked first, naming the account and the change.
    coach["role"].select("admin").run()
    button(at, "Save changes").click().run()
    assert [w.replace("\\", "") for w in texts(at.warning)] == [
        "Make coach_a an admin and remove them as coach of A?"
    ]
    assert accounts.get(team["coach_a"]).role == "coach"  # nothing written before "Yes"
    # Switching accounts drops the question: it was about coach_a.
    at.selectbox(key="admin_pick").select("ann").run()
    assert not at.warning
    ann = account_widgets(at, team["ann"])
    assert ann["role"].value == "runner" and ann["team"].value == "A"
    ann["team"].select("B").run()
    confirm(at, team["ann"], "Move runner ann from team A to team B?")
    assert accounts.runner_team("ann") == "B" and accounts.get(team["ann"]).role == "runner"
    assert accounts.get(team["coach_a"]).role == "coach"  # never confirmed
    # bob: a runner made coach of B; switching from ann's edited widgets first.
    at.selectbox(key="admin_pick").select("bob").run()
    bob = account_widgets(at, team["bob"])
    assert bob["role"].value == "runner" and bob["team"].value == "A"
    bob["role"].select("coach").run()
    account_widgets(at, team["bob"])["coaches"].set_value(["B"]).run()
    confirm(at, team["bob"], "Make bob a coach of B?")
    assert accounts.get(team["bob"]).role == "coach"
    assert accounts.get(team["bob"]).teams == ("B",) and accounts.runner_team("bob") == "A"
    # Back to coach_a: the stored values again, and this time the change is confirmed.
    at.selectbox(key="admin_pick").select("coach_a").run()
    coach = account_widgets(at, team["coach_a"])
    assert coach["role"].value == "coach" and coach["coaches"].value == ["A"]
    coach["role"].select("admin").run()
    confirm(at, team["coach_a"], "Make coach_a an admin and remove them as coach of A?")
    assert accounts.get(team["coach_a"]).role == "admin"
    assert accounts.get(team["coach_a"]).teams == ()
    assert accounts.get(team["root"]).role == "admin"  # the account picked first: untouched
