"""Stride Check: a weekly self-check for upper-leg overuse injuries in trail runners.

The pages a person can reach are built from their role on every run: a page not given to
st.navigation cannot be opened by URL. Who that person is (mode, signed-in user, the store
they may see, their pages) is resolved once here, at the top of every run, and the pages
read it (pages/shared/common.py AppContext). An unexpected error in a page shows a short message
and is logged on the server: a traceback never reaches the browser.
"""

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from logic.session_keys import HOME_PAGE
from logic.texts import escape_markdown
from pages.shared import common, mail


def navigation(ctx: common.AppContext) -> StreamlitPage:
    """The pages this person may open, the first one their home."""
    pages = [
        st.Page(f"pages/{n}.py", title=title, icon=icon, url_path=n, default=i == 0)
        for i, n in enumerate(ctx.pages)
        for title, icon in [common.PAGES[n]]
    ]
    if ctx.team and ctx.user is not None:
        # Kept, hidden, so the rerun right after signing in lands somewhere: it sends people on.
        pages.append(
            st.Page("pages/login.py", title="Sign in", url_path="login", visibility="hidden")
        )
    st.session_state[HOME_PAGE] = pages[0]
    return st.navigation(pages, position="top")


def sidebar(ctx: common.AppContext) -> None:
    with st.sidebar:
        st.subheader("Stride Check")
        if ctx.team:
            if ctx.user is not None:
                name = escape_markdown(ctx.user.display_name)
                st.markdown(f"Signed in as **{name}** ({ctx.user.role})")
                if st.button("Sign out"):
                    common.sign_out(ctx)
        elif common.current_runner(ctx) is not None:  # before that, the page itself asks
            common.runner_picker(ctx, "sidebar")
        common.disclaimer()


def main() -> None:
    with common.this_run() as ctx:
        page = navigation(ctx)
        common.style()
        common.phone_nav(ctx)
        sidebar(ctx)
        mail.resume_once(ctx)  # emails a restart left waiting go out
        page.run()


st.set_page_config(page_title="Stride Check", page_icon="🏃", layout="centered")
common.guarded(main)
