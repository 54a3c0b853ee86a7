"""Stride Check: a weekly self-check for upper-leg overuse injuries in trail runners.

The pages a person can reach are built from their role on every run: a page not given to
st.navigation cannot be opened by URL.
"""

import streamlit as st

from logic.session_keys import HOME_PAGE
from logic.texts import escape_markdown
from pages import common

st.set_page_config(page_title="Stride Check", page_icon="🏃", layout="centered")

PAGES = {  # url path and file name -> title, icon
    "checkin": ("Check-in", "📝"),
    "results": ("Results", "📊"),
    "history": ("History", "📈"),
    "data": ("Import & export", "🔄"),
    "team": ("Team", "👥"),
    "admin": ("Admin", "🛠️"),
    "about": ("About", "ℹ️"),
    "login": ("Sign in", "🔑"),
}
BY_ROLE = {
    "personal": ["checkin", "results", "history", "data", "team", "about"],
    "runner": ["checkin", "results", "history", "data", "about"],
    "coach": ["team", "history", "results", "data", "about"],
    "admin": ["team", "admin", "history", "results", "data", "about"],
}

config = common.auth()
user = common.signed_in_user()
if config.team and user is None:
    names = ["login", "about"]
else:
    names = BY_ROLE[user.role if user is not None else "personal"]
    if user is not None and user.runner and "checkin" not in names:
        names = ["checkin", *names]  # a coach or admin who also runs
pages = [
    st.Page(f"pages/{n}.py", title=PAGES[n][0], icon=PAGES[n][1], url_path=n, default=i == 0)
    for i, n in enumerate(names)
]
if config.team and user is not None:
    # Kept, hidden, so the rerun right after signing in lands somewhere: it sends people on.
    pages.append(st.Page("pages/login.py", title="Sign in", url_path="login", visibility="hidden"))
st.session_state[HOME_PAGE] = pages[0]
page = st.navigation(pages, position="top")

with st.sidebar:
    st.subheader("Stride Check")
    if config.team:
        if user is not None:
            st.markdown(f"Signed in as **{escape_markdown(user.display_name)}** ({user.role})")
            if st.button("Sign out"):
                common.sign_out()
    elif common.current_runner() is not None:  # before that, the page itself asks
        common.runner_picker("sidebar")
    common.disclaimer()

page.run()
