"""Team mode: sign in. Failures never say whether an account exists."""

import streamlit as st

from logic.errors import StrideCheckError
from logic.oidc import refusal
from logic.session_keys import HOME_PAGE
from pages.shared import common

ctx = common.context()
config, user = ctx.config, ctx.user
if user is not None:
    # Signed in (just now, or an old tab at /login): straight on to the role's first page.
    st.switch_page(st.session_state[HOME_PAGE])

st.title("Sign in to Stride Check", anchor=False)
st.caption("Your club runs Stride Check in team mode: sign in to see your check-ins.")

if config.login == "oidc":
    if st.user.get("is_logged_in"):
        st.error(refusal(st.user), icon="🔒")
        if st.button("Sign out"):
            st.logout()
    elif st.button("Sign in with your club account", type="primary"):
        st.login(config.provider) if config.provider else st.login()
else:
    with st.form("login"):
        username = st.text_input("Username", max_chars=64, autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", width="stretch")
    if submitted:
        # The TCP peer's address (None on localhost): throttling counts per name and address.
        address = st.context.ip_address
        address = address if isinstance(address, str) else None
        try:
            result = ctx.accounts.authenticate(username, password, address)
        except StrideCheckError as err:
            # Locked, full or unreachable: the details (where the database is) stay in the log.
            common.LOG.warning("Sign-in failed: %s", err)
            st.error(common.SIGN_IN_UNAVAILABLE, icon="🛑")
        else:
            if result.user is None and not result.checked:
                st.warning(result.message or "Too many failed attempts.", icon="⏳")
            elif result.user is None:
                st.error(result.message or "Wrong username or password.", icon="🔒")
            else:
                common.sign_in(result.user)
                st.rerun()
    st.caption("Forgot your password? Your coach or club admin can set a new one.")
common.disclaimer()
