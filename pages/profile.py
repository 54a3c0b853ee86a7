"""The runner profile: what does not change from week to week, set once here instead of in
every check-in (sex, age band, units, team in personal mode, reminders)."""

import streamlit as st

from logic.errors import StrideCheckError
from logic.profile import RunnerProfile, validate_profile
from logic.session_keys import CI_LOADED_FOR
from logic.texts import escape_markdown
from pages.shared import common

KB = common.kb()
SEX = KB.checkin.columns["sex"]
PROFILE = KB.profile.columns

ctx = common.context()
if ctx.team:
    if ctx.user is None or ctx.user.runner is None:
        st.info("Your account is not linked to a runner, so there is no profile to set.")
        st.stop()
    runner = ctx.user.runner
else:
    runner, _ = common.require_runner(ctx)

try:
    stored = ctx.store.get_profile(runner) or RunnerProfile()
except StrideCheckError as err:
    st.error(f"Could not read your profile. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()

st.title("Your profile", anchor=False)
st.markdown(f"**{escape_markdown(runner)}**")
st.caption("Set these once: the weekly check-in does not ask them again.")


def choice(label: str, spec, value: str | None, key: str) -> str | None:
    options = list(spec.values)
    return st.segmented_control(
        label,
        options,
        format_func=lambda v: spec.values[v].label,
        default=value if value in options else None,
        key=key,
        help=spec.help,
    )


with st.form("profile_form", border=False, enter_to_submit=False):
    sex = choice(SEX.label, SEX, stored.sex or SEX.default, "profile_sex")
    age_band = choice(
        PROFILE["age_band"].label, PROFILE["age_band"], stored.age_band, "profile_age"
    )
    units = choice(PROFILE["units"].label, PROFILE["units"], stored.units, "profile_units")
    st.caption("Distances are stored in kilometres either way; files you export stay in km.")
    team = None
    if not ctx.team:  # a club's teams are set by its admin
        team = st.text_input(
            "Team (optional)",
            stored.team or "",
            max_chars=64,
            help="The club or squad you train with.",
        )
    reminders = stored.reminders
    if ctx.team:  # reminders are emails, and only a club's accounts have an address
        reminders = st.checkbox(
            "Email me a reminder when I have not checked in this week",
            stored.reminders,
            key="profile_reminders",
            help="Sent to your account's email address, once a week at most.",
        )
    saved = st.form_submit_button("Save profile", type="primary", width="stretch")

if saved:
    values = {"sex": sex, "age_band": age_band, "units": units, "reminders": reminders}
    values["team"] = team if not ctx.team else stored.team
    try:
        profile = validate_profile(values, KB)
        ctx.store.save_profile(runner, profile)
    except StrideCheckError as err:
        st.error(f"Your profile was not saved. {common.error_text(ctx, err)}", icon="🛑")
    else:
        if not ctx.team:
            common.set_runner(runner, profile.team)
        st.session_state[CI_LOADED_FOR] = None  # the check-in form fills again in the new unit
        st.success("Profile saved.", icon="✅")
common.disclaimer()
