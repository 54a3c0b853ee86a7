"""Team mode, admins only: teams, accounts, roles and deactivation."""

import streamlit as st

from logic import clock
from logic.io.importing import audit_csv, download_bytes
from logic.storage.accounts import ROLES, AccountError, change_summary
from logic.storage.audit import SHOWN_COLUMNS, shown_trail
from logic.storage.store import StorageError
from logic.texts import escape_markdown
from pages.shared import common, mail, tables

ctx = common.context()
user = ctx.user
if user is None or user.role != "admin":
    st.error("Only an admin can open this page.", icon="🔒")
    st.stop()

PENDING = "admin_pending_change"  # the change the admin was asked to confirm, and for whom

accounts = ctx.accounts
config = ctx.config
actor = ctx.viewer.actor  # every change below is recorded in the audit trail under this name
AUDIT_ROWS = 200  # shown on the page; the export holds the whole trail

st.title("Admin", anchor=False)
notice = st.session_state.pop("admin_notice", None)
if notice:
    st.success(notice)


def attempt(action, done: str) -> None:
    try:
        action()
    except (AccountError, StorageError) as err:
        st.error(common.error_text(ctx, err), icon="⚠️")
        return
    st.session_state["admin_notice"] = done
    st.rerun()


PASSWORD_PROBLEM = "admin_password_problem"


def set_password(user_id: int) -> None:
    """Runs before the page (a button callback), so it can empty the field: the password
    typed never stays in it, whether it was taken or refused."""
    key = f"edit_pw_{user_id}"
    password = st.session_state.get(key, "")
    st.session_state[key] = ""
    if not password:
        return
    try:
        accounts.set_password(user_id, password)
    except (AccountError, StorageError) as err:
        st.session_state[PASSWORD_PROBLEM] = common.error_text(ctx, err)
        return
    st.session_state["admin_notice"] = "Password set."


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
    # Never by name: an account gets a runner's check-ins only when the admin picks them here.
    link = st.selectbox(
        "Link to runner (runners)",
        ["", *accounts.unlinked_runners()],
        format_func=lambda r: r or "(a new runner, named as above)",
        help="An existing runner without an account: this account gets their check-ins.",
    )
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
                runner=link or None,
                coach_of=coach_of if role == "coach" else (),
            ),
            f"{role.capitalize()} “{escape_markdown(username.strip())}” added.",
        )

people = accounts.list_users()
st.subheader("People")
PEOPLE = {  # every column titled, not its raw name
    "username": "Username",
    "display_name": "Name",
    "email": "Email",
    "role": "Role",
    "runner": "Runner",
    "active": st.column_config.CheckboxColumn("Active"),
    "teams": "Coaches teams",
}
tables.key_first(
    people.drop(columns="id"),
    key="admin_people",
    order=list(PEOPLE),
    config=PEOPLE,
    # 356 px (the table's border takes 2); a long username or name wraps at its word ends.
    phone={
        "username": st.column_config.TextColumn("Username", width=104),
        "display_name": st.column_config.TextColumn("Name", width=122),
        "role": st.column_config.TextColumn("Role", width=64),
        "active": st.column_config.CheckboxColumn("Active", width=64),
    },
    more="All columns: email, runner, coaches teams",
)

if len(people):
    labels = dict(zip(people["username"], people["id"].astype(int), strict=True))
    picked = st.selectbox("Change an account", list(labels), key="admin_pick")
    person = accounts.get(labels[picked])
    assert person is not None
    # Every widget is keyed by the account, so each shows that account's stored values: a value
    # left over from the account picked before can never be saved onto this one.
    pid = person.id
    team_now = accounts.runner_team(person.runner)
    left, right = st.columns(2)
    with left:
        new_role = st.selectbox(
            "Role", ROLES, index=ROLES.index(person.role), key=f"edit_role_{pid}"
        )
        new_teams = st.multiselect(
            "Coaches",
            teams,
            default=[t for t in person.teams if t in teams],
            key=f"edit_teams_{pid}",
            disabled=new_role != "coach",
            help="Teams this person coaches (coaches only).",
        )
        new_team = team_now
        if person.runner:
            options = ["", *teams]  # list_teams() holds every team a runner names
            new_team = (
                st.selectbox(
                    f"Team of runner {person.runner}",
                    options,
                    index=options.index(team_now or ""),
                    key=f"edit_team_{pid}",
                    format_func=lambda t: t or "(no team)",
                )
                or None
            )
        change = change_summary(person, new_role, new_teams, team_now, new_team)
        pending = st.session_state.get(PENDING)
        if st.button("Save changes", key=f"edit_save_{pid}", disabled=change is None):
            pending = st.session_state[PENDING] = {
                "id": pid,
                "role": new_role,
                "teams": list(new_teams),
                "team": new_team,
                "question": change,
            }
        if pending is not None and (pending["id"] != pid or pending["question"] != change):
            st.session_state.pop(PENDING, None)  # another account, or edited since: ask again
            pending = None
        if pending is not None:
            st.warning(escape_markdown(pending["question"]), icon="❓")
            yes, no = st.columns(2)
            if yes.button("Yes, save", type="primary", key=f"edit_confirm_{pid}"):
                st.session_state.pop(PENDING, None)

                def apply(person=person, pending=pending) -> None:
                    if pending["role"] != person.role or tuple(pending["teams"]) != person.teams:
                        accounts.set_role(person.id, pending["role"], pending["teams"], actor=actor)
                    if person.runner and pending["team"] != team_now:
                        accounts.set_runner_team(person.runner, pending["team"], actor=actor)

                attempt(apply, "Saved: " + escape_markdown(pending["question"][:-1]) + ".")
            if no.button("Cancel", key=f"edit_cancel_{pid}"):
                st.session_state.pop(PENDING, None)
                st.rerun()
    with right:
        if person.active and st.button("Deactivate", type="secondary", key=f"edit_off_{pid}"):
            attempt(
                lambda: accounts.set_active(person.id, False, actor=actor),
                f"{escape_markdown(picked)} deactivated.",
            )
        if not person.active and st.button("Reactivate", key=f"edit_on_{pid}"):
            attempt(
                lambda: accounts.set_active(person.id, True, actor=actor),
                f"{escape_markdown(picked)} reactivated.",
            )
        if config.login == "local":
            st.text_input("New password", type="password", key=f"edit_pw_{pid}")
            st.button(
                "Set password", key=f"edit_setpw_{pid}", on_click=set_password, args=(person.id,)
            )
            if problem := st.session_state.pop(PASSWORD_PROBLEM, None):
                st.error(problem, icon="⚠️")

# --- runners and their teams: also the runners without an account ------------------------------
st.subheader("Runners and teams")
try:
    runners = ctx.store.list_runners()
except StorageError as err:
    st.error(f"Could not read the runners. {common.error_text(ctx, err)}", icon="🛑")
    runners = None
if runners is not None and len(runners):
    st.dataframe(
        runners.fillna({"team": ""}),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(runners), 300),
        column_config={"runner": "Runner", "team": "Team"},
        key="admin_runners",
    )
    stored = dict(zip(runners["runner"], runners["team"].fillna(""), strict=True))
    who_col, team_col = st.columns(2)
    mover = who_col.selectbox("Runner", list(stored), key="admin_move_runner")
    options = ["", *teams]
    current = stored[mover]
    target = team_col.selectbox(
        "Team",
        options,
        index=options.index(current) if current in options else 0,
        key=f"admin_move_team_{mover}",
        format_func=lambda t: t or "(no team)",
    )
    if st.button("Move runner", key="admin_move", disabled=target == current):
        where = f"team {target}" if target else "no team"
        attempt(
            lambda: accounts.set_runner_team(mover, target or None, actor=actor),
            f"{escape_markdown(mover)} moved to {escape_markdown(where)}.",
        )
    st.caption(
        "A runner's team decides which coaches see their check-ins. Moving them is recorded "
        "in the audit trail and signs their open sessions out."
    )
elif runners is not None:
    st.caption("No runners yet.")

# --- the audit trail -----------------------------------------------------------------------------
st.subheader("Audit trail")
try:
    trail = ctx.store.audit_trail()
except StorageError as err:
    st.error(f"Could not read the audit trail. {common.error_text(ctx, err)}", icon="🛑")
    trail = None
if trail is not None and trail.empty:
    st.caption("Nothing recorded yet: edits and deletes of check-ins, role and team changes.")
elif trail is not None:
    shown = shown_trail(trail, common.kb(), AUDIT_ROWS)
    when = "D MMM YYYY, HH:mm"
    tables.key_first(
        shown,
        key="admin_audit",
        order=SHOWN_COLUMNS,
        config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format=when),
            "actor": "Who",
            "what": "What",
            "subject": "Of",
            "runner": "Runner",
            "change": st.column_config.TextColumn("Change", width="large"),
        },
        # 356 px: the action and the change wrap at word ends; a date does not wrap, so its
        # column fits "22 Dec 2026 16:05" on one line.
        phone={
            "at": st.column_config.DatetimeColumn(
                "When (UTC)", format="D MMM YYYY HH:mm", width=112
            ),
            "what": st.column_config.TextColumn("What", width=88),
            "change": st.column_config.TextColumn("Change", width=156),
        },
        more="All columns: who, runner, of what",
    )
    st.download_button(
        f"Download the audit trail ({len(trail)} rows, CSV)",
        lambda: download_bytes(audit_csv(trail)),
        f"stride-check-audit-{clock.today():%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon="⬇️",
        key="admin_audit_export",
    )
    st.caption(
        f"Newest first{f'; the latest {AUDIT_ROWS} here' if len(trail) > AUDIT_ROWS else ''}. "
        "The download holds the whole record before and after each change as JSON, so a "
        "deleted check-in keeps its content (and its notes) there."
    )
mail.admin_section(ctx)
