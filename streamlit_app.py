"""Stride Check: a weekly self-check for upper-leg overuse injuries in trail runners."""

import streamlit as st

from pages import common

st.set_page_config(page_title="Stride Check", page_icon="🏃", layout="centered")

checkin = st.Page("pages/checkin.py", title="Check-in", icon="📝", default=True)
results = st.Page("pages/results.py", title="Results", icon="📊", url_path="results")
about = st.Page("pages/about.py", title="About", icon="ℹ️", url_path="about")

page = st.navigation([checkin, results, about], position="top")

with st.sidebar:
    st.subheader("Stride Check")
    common.runner_picker("sidebar")
    common.disclaimer()

page.run()
