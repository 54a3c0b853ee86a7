"""What Stride Check covers and how it scores: the knowledge base, in plain words."""

import streamlit as st

from pages.shared import common

common.context()  # through the app's navigation, like every page (see common.context)
KB = common.kb()

st.title("About Stride Check", anchor=False)
st.markdown(
    "A weekly self-check for trail runners and their coaches. It looks at six upper-leg "
    "overuse conditions and the four weak spots they share, scores your risk for each from "
    "your answers, and turns it into one short routine."
)
st.warning(common.DISCLAIMER, icon="⚕️")

st.subheader("The six conditions")
for condition in KB.conditions.values():
    with st.expander(condition.name):
        st.markdown(
            f"**Where it hurts:** {condition.where_it_hurts}\n\n"
            f"**What sets it off:** {condition.triggers}\n\n"
            f"**Why it happens:** {condition.causes}\n\n"
            f"**What helps:** {condition.treatment}"
        )

st.subheader("Four shared root causes")
for root in KB.root_causes.values():
    st.markdown(f"- **{root.name}**: {root.summary}")

st.subheader("How the score works")
t = KB.thresholds
floor = KB.rules.scoring.floor
st.markdown(
    "Each condition gets two answers, each 0-100, and a score that weighs both.\n\n"
    "- **Looks like**: how well where and when it hurts fits the condition. Pain in the "
    "condition's own area leads, and counts more the stronger it is: pain of "
    f"{floor.moderate_at_pain} or more there makes it at least moderate, {floor.high_at_pain} or "
    "more high. The moments that bring the pain on count fully only when that area hurts.\n"
    "- **Building up**: what raises the risk before anything hurts: changes in training, a jump "
    "in distance (counted once, however it shows), sitting, tight or weak spots, habits and "
    "the four root causes.\n\n"
    f"A score below {t['moderate']:g} is **low**, from {t['moderate']:g} **moderate**, and from "
    f"{t['high']:g} **high**, on the whole number shown. Any warning sign, or pain of "
    f"{KB.rules.safety.clinician_pain_level} or more out of 10, means: see a clinician first. "
    "Coaches can tune every weight in the `data/` folder."
)
st.markdown(
    "**Where each link comes from.** Most links are the article's, and the results say which "
    "section. Where we went further, the results say so: *our reasoning*, in one line, or a "
    "*study*, with its reference (the training-load signals come from running-injury "
    "research, not from the article)."
)
st.caption(
    "Source: a magazine article on upper-leg injuries in trail runners, summarised in our "
    "own words."
)
