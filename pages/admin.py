"""Team mode, admins only: teams, accounts, roles and deactivation."""

import streamlit as st

from logic.storage.accounts import ROLES, AccountError
from logic.storage.store import StorageError
from logic.texts import escape_markdown
from pages import common

ctx = common.context()
user = ctx.user
if user is None or user.role != "admin":
    st.error("Only an admin can open this page.", icon="🔒")
    st.stop()

accounts = ctx.accounts
config = ctx.config

st.title("Admin", anchor=False)
notice = st.session_state.pop("admin_notice", None)
if notice:
    st.success(notice)


def attempt(action, done: str) -> None:
    try:
        action()
    except (AccountError, StorageError) as err:
        st.error(str(err), icon="⚠️")
        return
    st.session_state["admin_notice"] = done
    st.rerun()


teams = accounts.list_teams()
with st.expander("Teams", expanded=not teams):
    st.markdown(escape_markdown(", ".join(teams)) if teams else "No teams yet.")
    with st.form("new_team", clear_on_submit=True):
        name = st.text_input("New team", max_chars=64)
        if st.form_submit_button("Create team"):
            attempt(
                lambda: accounts.create_team(name),
                f"Team “{escape_markdown(name.strip())}” created.",
            )

with st.expander("Add a person", expanded=True), st.form("new_user", clear_on_submit=True):
    username = st.text_input("Username", max_chars=64)
    display = st.text_input("Name shown in the app (for runners: their runner name)")
    role = st.selectbox("Role", ROLES)
    if config.login == "oidc":
        email = st.text_input("Email they sign in with")
        password = None
    else:
        email = None
        password = st.text_input("First password (10+ characters)", type="password")
    team = st.selectbox("Team (runners)", ["", *teams])
    coach_of = st.multiselect("Coaches these teams (coaches)", teams)
    if st.form_submit_button("Add", type="primary"):
        attempt(
            lambda: accounts.create_user(
                username,
                role=role,
                display_name=display or None,
                password=password or None,
                email=email or None,
                team=team or None,
                coach_of=coach_of if role == "coach" else (),
            ),
            f"{role.capitalize()} “{escape_markdown(username.strip())}” added.",
        )

people = accounts.list_users()
st.subheader("People")
st.dataframe(
    people.drop(columns="id"),
    hide_index=True,
    width="stretch",
    column_config={"display_name": "Name", "active": st.column_config.CheckboxColumn("Active")},
)

if len(people):
    labels = dict(zip(people["username"], people["id"].astype(int), strict=True))
    picked = st.selectbox("Change an account", list(labels))
    person = accounts.get(labels[picked])
    assert person is not None
    left, right = st.columns(2)
    with left:
        new_role = st.selectbox("Role", ROLES, index=ROLES.index(person.role), key="edit_role")
        new_teams = st.multiselect("Coaches", teams, default=list(person.teams), key="edit_teams")
        if st.button("Save role"):
            attempt(
                lambda: accounts.set_role(person.id, new_role, new_teams),
                f"{escape_markdown(picked)} is now {new_role}.",
            )
    with right:
        if person.active and st.button("Deactivate", type="secondary"):
            attempt(
                lambda: accounts.set_active(person.id, False),
                f"{escape_markdown(picked)} deactivated.",
            )
        if not person.active and st.button("Reactivate"):
            attempt(
                lambda: accounts.set_active(person.id, True),
                f"{escape_markdown(picked)} reactivated.",
            )
        if config.login == "local":
            new_password = st.text_input("New password", type="password", key="edit_pw")
            if st.button("Set password") and new_password:
                attempt(lambda: accounts.set_password(person.id, new_password), "Password set.")
