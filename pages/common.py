"""Widgets shared by several pages: who is checking in, the store, the disclaimer.

"Who is this" lives here and only here, so accounts can replace it in one place later.
"""

from __future__ import annotations

import streamlit as st

from logic.knowledge import KnowledgeBase, knowledge_base
from logic.storage import StorageError, Store, get_store
from logic.texts import DISCLAIMER

RUNNER_KEY = "runner"
TEAM_KEY = "team"
NEW_RUNNER = "➕ New runner…"


def kb() -> KnowledgeBase:
    return knowledge_base()


def store() -> Store:
    """The database; a page that cannot reach it says why and stops."""
    try:
        return get_store()
    except StorageError as err:
        st.error(f"The database is not available. {err}", icon="🛑")
        st.stop()


def disclaimer() -> None:
    st.caption(f"⚕️ {DISCLAIMER}")


def current_runner() -> tuple[str, str | None] | None:
    runner = st.session_state.get(RUNNER_KEY)
    return (runner, st.session_state.get(TEAM_KEY)) if runner else None


def set_runner(name: str, team: str | None) -> None:
    st.session_state[RUNNER_KEY] = name
    st.session_state[TEAM_KEY] = team


def runner_picker(key: str) -> None:
    """Pick an existing runner or create one; writes the choice to session state."""
    try:
        runners = store().list_runners()
    except StorageError as err:
        st.error(f"Could not read the runners. {err}", icon="🛑")
        return
    names = runners["runner"].tolist()
    teams = dict(zip(runners["runner"], runners["team"], strict=True))
    current = st.session_state.get(RUNNER_KEY)
    options = [*names, NEW_RUNNER]
    index = options.index(current) if current in names else (0 if names else len(names))
    choice = st.selectbox("Who is checking in?", options, index=index, key=f"{key}_pick")
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
            except StorageError as err:
                st.error(f"Could not save the runner. {err}", icon="🛑")
                return
            set_runner(name, team.strip() or None)
            st.rerun()


def require_runner() -> tuple[str, str | None]:
    """The current runner; asks for one inline (phones hide the sidebar) and stops until chosen."""
    who = current_runner()
    if who is None:
        st.info("First, tell us who you are. There are no accounts: just pick or add your name.")
        runner_picker("inline")
        disclaimer()
        st.stop()
    return who
