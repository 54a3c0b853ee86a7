"""Who is using the app, and the store they may use: the one place that knows.

Personal mode: one device, no sign-in, a runner picked by name. Team mode: a signed-in user
(local account or OIDC) whose role comes from our database; every page gets a store scoped
to what that user may see.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import streamlit as st
from streamlit.errors import FragmentHandledException
from streamlit.runtime.pages_manager import PagesManager

from logic import clock
from logic.analysis.team import team_names
from logic.errors import StrideCheckError
from logic.knowledge import KnowledgeBase, knowledge_base
from logic.oidc import check_auth_section, verified_email
from logic.session_keys import HISTORY_RUNNER, HOME_PAGE
from logic.settings import AuthConfig, ConfigError, resolve_auth
from logic.storage.access import ScopedStore, Viewer
from logic.storage.accounts import Accounts, User
from logic.storage.store import Store, get_store
from logic.texts import DISCLAIMER

RUNNER_KEY = "runner"
TEAM_KEY = "team"
USER_KEY = "user_id"
# The account's session version at sign-in, and the time of the session's last run: a run
# that finds the stored version moved, or the session idle too long, signs the session out.
VERSION_KEY = "session_version"
LAST_SEEN_KEY = "last_seen"
ACCOUNT_CHANGED = "Your account changed; please sign in again."
SIGN_IN_UNAVAILABLE = (
    "Could not sign you in right now: the database is busy or cannot be reached. "
    "Try again in a moment; if it keeps happening, tell your club admin."
)
IDLE = "You were signed out after {hours} without activity; please sign in again."
NEW_RUNNER = "➕ New runner…"
LOG = logging.getLogger("stride_check")
FAILURE = (
    "Something went wrong on this page. It has been logged for the app's maintainers; "
    "try again, or open another page."
)
ERROR_BOX = "app_error"  # the container of FAILURE: the browser tests look for it

PAGES = {  # url path and file name -> title, icon
    "checkin": ("Check-in", "📝"),
    "results": ("Results", "📊"),
    "history": ("History", "📈"),
    "data": ("Import & export", "🔄"),
    "team": ("Team", "👥"),
    "admin": ("Admin", "🛠️"),
    "profile": ("Profile", "👤"),
    "about": ("About", "ℹ️"),
    "login": ("Sign in", "🔑"),
}
BY_ROLE = {
    "personal": ["checkin", "results", "history", "data", "team", "profile", "about"],
    "runner": ["checkin", "results", "history", "data", "profile", "about"],
    "coach": ["team", "history", "results", "data", "about"],
    "admin": ["team", "admin", "history", "results", "data", "about"],
}


def kb() -> KnowledgeBase:
    return knowledge_base()


def auth() -> AuthConfig:
    """Personal or team mode; a broken setting stops the app with a message naming it."""
    try:
        clock.now()  # a broken STRIDE_CHECK_NOW stops here too, before any page reads the date
        config = resolve_auth()
        if config.login == "oidc":  # the [auth] st.login reads: a missing key stops here
            secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
            check_auth_section(secrets.get("auth"), config.provider)
        return config
    except ConfigError as err:  # ClockError too: a broken STRIDE_CHECK_NOW
        st.error(f"Stride Check is not configured correctly. {err}", icon="🛑")
        st.stop()


def raw_store(detailed: bool = False) -> Store:
    """The whole database; only sign-in and the admin page use it unscoped. Where it lives is
    named only when `detailed` (see error_text): before sign-in nobody is known."""
    try:
        store = get_store()
    except StrideCheckError as err:
        st.error(f"The database is not available. {shown(err, detailed)}", icon="🛑")
        st.stop()
    if notice := store.take_new_database_notice():  # once, to the first visitor
        st.info(notice, icon="🆕")
    return store


def shown(err: StrideCheckError, detailed: bool) -> str:
    """The error's full text, or its public one (no file path, user, host or port), which
    logs the full text on the server for whoever runs the app."""
    if detailed:
        return err.message
    if err.public != err.message:
        LOG.warning("Shown without details: %s", err.message)
    return err.public


def error_text(ctx: AppContext, err: StrideCheckError) -> str:
    """What this person may read of an error: where the database lives (its file, or its
    user, host and port) only for a team-mode admin, or in personal mode, where the person at
    the browser runs the app on their own machine (it listens on loopback only)."""
    return shown(err, detailed=ctx.detailed_errors)


@dataclass(frozen=True)
class AppContext:
    """Who is using the app on this script run, and what they may open and read.

    Resolved once per run by streamlit_app.py (the secrets file read once, the account
    looked up once) and read by the pages, which never resolve any of it again. The
    database is opened on first use: the About page needs none.
    """

    config: AuthConfig
    user: User | None  # the signed-in team-mode user; None in personal mode or signed out
    viewer: Viewer
    pages: tuple[str, ...]  # the page names this role's navigation holds, home first
    opened: Store | None = field(default=None, repr=False)  # the store the sign-in used

    @property
    def team(self) -> bool:
        return self.config.team

    @property
    def detailed_errors(self) -> bool:
        """May this person read where the database lives in an error message?"""
        return not self.team or (self.user is not None and self.user.role == "admin")

    @cached_property
    def raw_store(self) -> Store:
        return self.opened if self.opened is not None else raw_store(self.detailed_errors)

    @cached_property
    def store(self) -> ScopedStore:
        """The database as this user may see it; a page that cannot reach it says why and
        stops."""
        return ScopedStore(self.raw_store, self.viewer)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.raw_store)

    def may_open(self, name: str) -> bool:
        return name in self.pages


_RUN: ContextVar[AppContext | None] = ContextVar("stride_check_run", default=None)


def page_names(config: AuthConfig, user: User | None, solo: bool = False) -> tuple[str, ...]:
    """The pages this person's navigation holds, the home page first. `solo`: personal mode
    with one runner and no team, where a Team page would only be clutter."""
    if config.team and user is None:
        return ("login", "about")
    names = BY_ROLE[user.role if user is not None else "personal"]
    if solo and user is None:
        names = [n for n in names if n != "team"]
    if user is not None and user.runner and "checkin" not in names:
        names = ["checkin", *names, "profile"]  # a coach or admin who also runs
    return tuple(names)


def build_context() -> AppContext:
    """Resolve the mode, the signed-in user and their viewer once; stops with a message when
    the configuration or the accounts cannot be read."""
    config = auth()
    if not config.team:
        alone, store = solo()
        if store is not None and (notice := store.take_new_database_notice()):
            st.info(notice, icon="🆕")  # once, to the first visitor (as raw_store says it)
        return AppContext(
            config, None, Viewer.personal(), page_names(config, None, alone), opened=store
        )
    store = raw_store()
    try:
        if config.login == "oidc":
            email = verified_email(st.user)  # an unverified address never signs anyone in
            user = Accounts(store).by_email(str(email)) if email else None
        else:
            user_id = st.session_state.get(USER_KEY)
            user = Accounts(store).get(int(user_id)) if user_id is not None else None
    except StrideCheckError as err:
        st.error(f"Could not check your account. {shown(err, False)}", icon="🛑")
        st.stop()
    user = session_user(config, user)
    # Signed out, team mode: sees nothing.
    viewer = Viewer.of(user) if user is not None else Viewer("runner", None, name="nobody")
    return AppContext(config, user, viewer, page_names(config, user), opened=store)


def solo() -> tuple[bool, Store | None]:
    """Personal mode: at most one runner and no team yet (so no Team page and no team
    import), and the store that told, for the pages to reuse. A database that cannot be
    opened counts as solo and gives no store: the page that needs one says why (the About
    page needs none)."""
    try:
        store = get_store()
        runners = store.list_runners()
    except StrideCheckError:
        return True, None
    return len(runners) < 2 and not runners["team"].notna().any(), store


def sign_in(user: User) -> None:
    """Start a session for `user`: their id, their account's session version and now."""
    st.session_state[USER_KEY] = user.id
    st.session_state[VERSION_KEY] = user.session_version
    st.session_state[LAST_SEEN_KEY] = clock.now()


def _hours(hours: float) -> str:
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def session_user(config: AuthConfig, user: User | None) -> User | None:
    """`user` if this session's sign-in still holds, else None, the session ended and a short
    message saying why.

    It holds while the account is active, its session version is the one stored at sign-in
    (a new password, role, team or deactivation moves it: logic/storage/accounts.py) and the
    session's last run is no more than the configured idle time ago. Checked on every run,
    before any page reads anything.
    """
    state = st.session_state
    if config.login == "oidc":
        if user is None:
            return None  # no account for this identity: the sign-in page says so
        if USER_KEY not in state or state[USER_KEY] != user.id:
            sign_in(user)  # the provider signed this person in: the session starts now
    elif USER_KEY not in state:
        return None
    now = clock.now()
    last = state.get(LAST_SEEN_KEY)
    if user is None or not user.active or state.get(VERSION_KEY) != user.session_version:
        reason = ACCOUNT_CHANGED
    elif isinstance(last, dt.datetime) and now - last > dt.timedelta(hours=config.idle_hours):
        reason = IDLE.format(hours=_hours(config.idle_hours))
    else:
        state[LAST_SEEN_KEY] = now
        return user
    end_session(config)
    st.warning(reason, icon="🔒")
    return None


def end_session(config: AuthConfig) -> None:
    """Forget everything this session held (a sign-in, a picked runner, a form's answers),
    and the OIDC sign-in when there is one: the next person at this tab starts afresh."""
    st.session_state.clear()
    if config.login == "oidc":
        st.logout()


@contextmanager
def this_run() -> Iterator[AppContext]:
    """streamlit_app.py, around every run: resolve the context once and lend it to the pages
    of this run. Held per script thread and dropped when the run ends, so it is never stale
    (a sign-in or sign-out counts on the next run) and never another session's."""
    token = _RUN.set(build_context())
    try:
        yield _RUN.get()
    finally:
        _RUN.reset(token)


def context() -> AppContext:
    """This run's context, as streamlit_app.py resolved it; every page asks for it first.

    Streamlit runs a file of pages/ on its own, without streamlit_app.py and so without the
    role's navigation, while it believes the app is an old-style "pages directory" app: in a
    server process until st.navigation has run once (when the very first visitor opens
    /history or /admin, every page file stays reachable by URL for everyone), and on every
    AppTest run after the first. Turn that off (checked on streamlit 1.67: the flag is
    PagesManager.uses_pages_directory) and, on a session's first run, run again through the
    app script. Later runs resolve their own context: a rerun would drop the widget values
    of this run (AppTest's case). So does a page file run as the main script (a test of one
    page).
    """
    ctx = _RUN.get()
    if ctx is not None:
        return ctx
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if HOME_PAGE not in st.session_state:  # set by every run of the app script
            st.rerun()
    return build_context()


def go_to(ctx: AppContext, name: str, state: Mapping[str, object] | None = None) -> None:
    """Every page switch goes through here: a page outside this role's navigation is never
    switched to (Streamlit would raise); a short message says so instead."""
    if not ctx.may_open(name):
        title = PAGES[name][0] if name in PAGES else name
        st.warning(f"The {title} page is not available to you.", icon="🔒")
        return
    st.session_state.update(state or {})
    st.switch_page(f"pages/{name}.py")


def link_to(ctx: AppContext, name: str, label: str, icon: str) -> None:
    """A page link, drawn only when this role may open the page."""
    if ctx.may_open(name):
        st.page_link(f"pages/{name}.py", label=label, icon=icon)


def guarded(run: Callable[[], None]) -> None:
    """Run the app; an unexpected error shows a short message and is logged here, on the server,
    with a reference the user can quote. Streamlit's own control flow (st.stop, st.rerun,
    st.switch_page: BaseExceptions) passes through untouched.

    The traceback goes to the browser only where client.showErrorDetails is "full" (a
    developer's machine, the tests); .streamlit/config.toml sets "none" for a real server.
    """
    try:
        run()
    except FragmentHandledException:
        raise  # already shown by Streamlit's fragment machinery
    except Exception as err:
        reference = secrets.token_hex(4)
        LOG.error("Unexpected error (reference %s)", reference, exc_info=err)
        with st.container(key=ERROR_BOX):
            st.error(f"{FAILURE} (reference {reference})", icon="🛑")
            if st.get_option("client.showErrorDetails") == "full":
                st.exception(err)


PHONE_NAV = "phone_nav"  # the key of the row of page links a phone shows at the top
# The width below which Streamlit 1.67 folds its top navigation into the sidebar menu (a
# "»" in the corner): checked in a browser (tests/browser/test_glance.py).
PHONE_NAV_BELOW = 768
STYLE = f"""<style>
/* Captions: Streamlit's 60 % grey is 3.8:1 on white, below WCAG AA's 4.5:1. The body text
   at 80 % reads as secondary and passes on both the light and the dark background. */
[data-testid="stCaptionContainer"] {{ color: inherit; opacity: 0.8; }}
/* Chart text layers named "ink_…" (logic/charts/base.py ink) take the page's text colour, so
   they read on the light and the dark theme alike. */
[data-testid="stVegaLiteChart"] g[class*="ink_"] text {{ fill: currentColor; }}
.st-key-{PHONE_NAV} {{ gap: 0.1rem 0.6rem; margin-bottom: 0.25rem; }}
.st-key-{PHONE_NAV} a {{ padding: 0.35rem 0.25rem; min-height: 44px; }}
/* A chosen option of a multiselect, and a primary button, are white text on the primary
   colour: 2.3:1 on the dark theme's sky blue. Where the device asks for dark (the app follows
   it) the text turns dark. */
@media (prefers-color-scheme: dark) {{
  [data-testid="stMultiSelectTagsContainer"] span {{ color: #0E1117; }}
  /* Primary buttons (Save check-in) are the same sky blue: dark text, 8:1 instead of 2.3:1. */
  [data-testid^="stBaseButton-primary"] p {{ color: #0E1117; }}
}}
@media (min-width: {PHONE_NAV_BELOW}px) {{ .st-key-{PHONE_NAV} {{ display: none; }} }}
</style>"""


def style() -> None:
    """The app's few CSS rules (streamlit_app.py, on every run): a style-only st.html
    takes no room on the page."""
    st.html(STYLE)


def phone_nav(ctx: AppContext) -> None:
    """Every page one tap away at the top of a phone's screen, where Streamlit hides its own
    navigation behind the sidebar menu; hidden by CSS where the top bar shows."""
    with st.container(key=PHONE_NAV, horizontal=True, gap=None):
        for name in ctx.pages:
            title, icon = PAGES[name]
            st.page_link(f"pages/{name}.py", label=title, icon=icon, width="content")


def disclaimer() -> None:
    st.caption(f"⚕️ {DISCLAIMER}")


def current_runner(ctx: AppContext) -> tuple[str, str | None] | None:
    """The runner whose check-ins the runner pages show."""
    if ctx.team:
        if ctx.user is None or ctx.user.runner is None:
            return None
        runners = ctx.store.list_runners()
        team = runners.loc[runners["runner"] == ctx.user.runner, "team"]
        return ctx.user.runner, (
            team.iloc[0] if len(team) and team.iloc[0] == team.iloc[0] else None
        )
    runner = st.session_state.get(RUNNER_KEY)
    return (runner, st.session_state.get(TEAM_KEY)) if runner else None


def set_runner(name: str, team: str | None) -> None:
    st.session_state[RUNNER_KEY] = name
    st.session_state[TEAM_KEY] = team


def _picked(pick: str, teams: Mapping[str, str | None]) -> None:
    """A name picked in the runner picker `pick` becomes the current runner."""
    choice = st.session_state.get(pick)
    if choice is None or choice == NEW_RUNNER:
        return
    team = teams.get(choice)
    set_runner(choice, None if team is None or team != team else team)


def runner_picker(ctx: AppContext, key: str) -> None:
    """Personal mode: pick an existing runner or create one; writes the choice to session state."""
    try:
        runners = ctx.store.list_runners()
    except StrideCheckError as err:
        st.error(f"Could not read the runners. {error_text(ctx, err)}", icon="🛑")
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
        "Who is checking in?",
        options,
        index=index,
        key=pick,
        placeholder="Pick your name",
        # Set before the run, so the page opens for that runner in this one run (no rerun:
        # one round trip less after the tap).
        on_change=_picked,
        args=(pick, teams),
    )
    if choice is None:
        return
    if choice != NEW_RUNNER:
        if choice != current:  # not through the callback (a value set by a test or a link)
            _picked(pick, teams)
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
                name = ctx.store.add_runner(name, team.strip() or None)  # as stored
            except StrideCheckError as err:
                st.error(f"Could not save the runner. {error_text(ctx, err)}", icon="🛑")
                return
            set_runner(name, team.strip() or None)
            st.rerun()


def require_runner(ctx: AppContext) -> tuple[str, str | None]:
    """The current runner; asks for one inline (phones hide the sidebar) and stops until chosen."""
    if ctx.user is not None and ctx.user.role in ("coach", "admin"):
        return pick_visible_runner(ctx)
    wanted = st.session_state.pop(HISTORY_RUNNER, None)  # a click on the team page
    if wanted is not None and not ctx.team:
        runners = ctx.store.list_runners()
        team = runners.loc[runners["runner"] == wanted, "team"]
        if len(team):
            set_runner(wanted, None if team.iloc[0] != team.iloc[0] else team.iloc[0])
    who = current_runner(ctx)
    if who is None:
        if ctx.team and ctx.user is None:
            st.info("Sign in to see this page.", icon="🔑")
            st.stop()
        if ctx.team:
            st.info("Your account is not linked to a runner, so there is nothing to show here.")
            st.stop()
        st.title("Welcome to Stride Check", anchor=False)
        st.markdown(
            "A weekly self-check of six upper-leg overuse injuries, with a routine to match."
        )
        st.info("First, tell us who you are. There are no accounts: just pick or add your name.")
        runner_picker(ctx, "inline")
        disclaimer()
        st.stop()
    return who


def pick_visible_runner(ctx: AppContext) -> tuple[str, str | None]:
    """Coaches and admins choose among the runners they may see (the team page can preset it)."""
    runners = ctx.store.list_runners()
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


def is_me(ctx: AppContext, runner: str) -> bool:
    """Is the person at the browser this runner? (Personal mode: always.) A coach or admin
    looking at someone else's pages is addressed as themselves, not as the runner."""
    return ctx.user is None or ctx.user.runner == runner


def reviews_teams(ctx: AppContext) -> bool:
    """Coaches and admins (and anyone in personal mode) work with whole teams."""
    return not ctx.team or (ctx.user is not None and ctx.user.role in ("coach", "admin"))


def visible_teams(ctx: AppContext, runners: pd.DataFrame) -> list[str]:
    """The teams this user may review: a coach's own teams, or every team of `runners` (the
    scoped store's list_runners(), already read by the page) for an admin or in personal
    mode."""
    if ctx.user is not None and ctx.user.role == "coach":
        return sorted(set(ctx.user.teams))
    return team_names(runners)


def sign_out(ctx: AppContext) -> None:
    """Sign out: the whole session state goes (see end_session), then a fresh run.

    With OIDC the browser is already on its way to the provider's sign-out: this run just
    ends. A rerun would clear the outgoing message queue, and with it, now and then, the
    redirect that st.logout() queued (Streamlit keeps only lifecycle messages and toasts).
    """
    end_session(ctx.config)
    if ctx.config.login == "oidc":
        st.stop()
    st.rerun()
