"""Who is using the app, and the store they may use: the one place that knows.

Personal mode: one device, no sign-in, a runner picked by name. Team mode: a signed-in user
(local account or OIDC) whose role comes from our database; every page gets a store scoped
to what that user may see.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logic import clock
from logic.analysis.team import team_names
from logic.errors import StrideCheckError
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.session_keys import HISTORY_RUNNER
from logic.settings import AuthConfig, ConfigError, resolve_auth
from logic.storage.access import ScopedStore, Viewer
from logic.storage.accounts import Accounts, User
from logic.storage.store import Store, get_store
from logic.texts import DISCLAIMER

RUNNER_KEY = "runner"
TEAM_KEY = "team"
USER_KEY = "user_id"
NEW_RUNNER = "➕ New runner…"


def kb() -> KnowledgeBase:
    return knowledge_base()


def auth() -> AuthConfig:
    """Personal or team mode; a broken setting stops the app with a message naming it."""
    try:
        clock.now()  # a broken STRIDE_CHECK_NOW stops here too, before any page reads the date
        return resolve_auth()
    except (ConfigError, clock.ClockError) as err:
        st.error(f"Stride Check is not configured correctly. {err}", icon="🛑")
        st.stop()


def raw_store() -> Store:
    """The whole database; only sign-in and the admin page use it unscoped."""
    try:
        return get_store()
    except StrideCheckError as err:
        st.error(f"The database is not available. {err}", icon="🛑")
        st.stop()


def accounts() -> Accounts:
    return Accounts(raw_store())


def signed_in_user() -> User | None:
    """The team-mode user of this session (None in personal mode or before sign-in)."""
    config = auth()
    if not config.team:
        return None
    try:
        if config.login == "oidc":
            if not st.user.get("is_logged_in"):
                return None
            email = st.user.get("email")
            user = accounts().by_email(str(email)) if email else None
        else:
            user_id = st.session_state.get(USER_KEY)
            user = accounts().get(int(user_id)) if user_id is not None else None
    except StrideCheckError as err:
        st.error(f"Could not check your account. {err}", icon="🛑")
        st.stop()
    return user if user is not None and user.active else None


def viewer() -> Viewer:
    user = signed_in_user()
    if user is not None:
        return Viewer.of(user)
    if auth().team:
        return Viewer(role="runner", runner=None, name="nobody")  # sees nothing
    return Viewer.personal()


def store() -> ScopedStore:
    """The database as this user may see it; a page that cannot reach it says why and stops."""
    return ScopedStore(raw_store(), viewer())


def disclaimer() -> None:
    st.caption(f"⚕️ {DISCLAIMER}")


def current_runner() -> tuple[str, str | None] | None:
    """The runner whose check-ins the runner pages show."""
    user = signed_in_user()
    if auth().team:
        if user is None or user.runner is None:
            return None
        runners = store().list_runners()
        team = runners.loc[runners["runner"] == user.runner, "team"]
        return user.runner, (team.iloc[0] if len(team) and team.iloc[0] == team.iloc[0] else None)
    runner = st.session_state.get(RUNNER_KEY)
    return (runner, st.session_state.get(TEAM_KEY)) if runner else None


def set_runner(name: str, team: str | None) -> None:
    st.session_state[RUNNER_KEY] = name
    st.session_state[TEAM_KEY] = team


def runner_picker(key: str) -> None:
    """Personal mode: pick an existing runner or create one; writes the choice to session state."""
    try:
        runners = store().list_runners()
    except StrideCheckError as err:
        st.error(f"Could not read the runners. {err}", icon="🛑")
        return
    names = runners["runner"].tolist()
    teams = dict(zip(runners["runner"], runners["team"], strict=True))
    current = st.session_state.get(RUNNER_KEY)
    options = [NEW_RUNNER, *names]  # first: a club's long list must not hide it
    pick, shown = f"{key}_pick", f"{key}_shown"
    if current in names and st.session_state.get(shown) != current:
        # A runner chosen elsewhere (the other picker, or just created) shows here too.
        st.session_state[pick] = current
        st.session_state[shown] = current
    # Nobody is chosen for a new visitor: picking someone else's name must be deliberate.
    index = options.index(current) if current in names else (None if names else 0)
    choice = st.selectbox(
        "Who is checking in?", options, index=index, key=pick, placeholder="Pick your name"
    )
    if choice is None:
        return
    if choice != NEW_RUNNER:
        if choice != current:
            team = teams.get(choice)
            set_runner(choice, None if team is None or team != team else team)
            st.rerun()
        return
    with st.form(f"{key}_new", border=False):
        name = st.text_input("Your name", max_chars=64, help="1-64 characters; your coach sees it.")
        team = st.text_input("Team (optional)", max_chars=64)
        if st.form_submit_button("Start", type="primary"):
            name = name.strip()
            if not name:
                st.error("Enter a name of 1-64 characters.")
                return
            try:
                store().add_runner(name, team.strip() or None)
            except StrideCheckError as err:
                st.error(f"Could not save the runner. {err}", icon="🛑")
                return
            set_runner(name, team.strip() or None)
            st.rerun()


def require_runner() -> tuple[str, str | None]:
    """The current runner; asks for one inline (phones hide the sidebar) and stops until chosen."""
    user = signed_in_user()
    if user is not None and user.role in ("coach", "admin"):
        return pick_visible_runner()
    wanted = st.session_state.pop(HISTORY_RUNNER, None)  # a click on the team page
    if wanted is not None and not auth().team:
        runners = store().list_runners()
        team = runners.loc[runners["runner"] == wanted, "team"]
        if len(team):
            set_runner(wanted, None if team.iloc[0] != team.iloc[0] else team.iloc[0])
    who = current_runner()
    if who is None:
        if auth().team:
            st.info("Your account is not linked to a runner, so there is nothing to show here.")
            st.stop()
        st.title("Welcome to Stride Check", anchor=False)
        st.markdown(
            "A weekly self-check of six upper-leg overuse injuries, with a routine to match."
        )
        st.info("First, tell us who you are. There are no accounts: just pick or add your name.")
        runner_picker("inline")
        disclaimer()
        st.stop()
    return who


def pick_visible_runner() -> tuple[str, str | None]:
    """Coaches and admins choose among the runners they may see (the team page can preset it)."""
    runners = store().list_runners()
    if runners.empty:
        st.info("No runners on your teams yet.")
        st.stop()
    names = runners["runner"].tolist()
    if st.session_state.get("coach_runner") not in names:
        st.session_state.pop("coach_runner", None)
    wanted = st.session_state.get(HISTORY_RUNNER)
    if wanted in names:
        st.session_state["coach_runner"] = wanted
        st.session_state.pop(HISTORY_RUNNER)
    choice = st.selectbox("Runner", names, key="coach_runner")
    team = runners.loc[runners["runner"] == choice, "team"].iloc[0]
    return choice, None if team != team else team


def reviews_teams() -> bool:
    """Coaches and admins (and anyone in personal mode) work with whole teams."""
    user = signed_in_user()
    return not auth().team or (user is not None and user.role in ("coach", "admin"))


def visible_teams(runners: pd.DataFrame) -> list[str]:
    """The teams this user may review: a coach's own teams, or every team of `runners` (the
    scoped store's list_runners(), already read by the page) for an admin or in personal
    mode."""
    user = signed_in_user()
    if user is not None and user.role == "coach":
        return sorted(set(user.teams))
    return team_names(runners)


def sign_out() -> None:
    """Forget the session's user (and the OIDC session when there is one)."""
    st.session_state.pop(USER_KEY, None)
    if auth().login == "oidc":
        st.logout()
    st.rerun()
