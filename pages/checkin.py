"""The weekly check-in: one screen, grouped the way a runner thinks about their week."""

import datetime as dt

import streamlit as st

from logic import clock
from logic.charts.body_map import body_map_chart, regions_from_event
from logic.errors import StrideCheckError
from logic.form import check_row, row_from_form
from logic.session_keys import (
    CI_CONFIRM,
    CI_EDITING,
    CI_ERRORS,
    CI_HAD_PREVIOUS,
    CI_LOADED_FOR,
    CI_VALUES,
    RESULT_ID,
)
from logic.storage.store import WeekTaken
from logic.texts import escape_markdown
from logic.weeks import week_label
from pages.shared import common, mail
from pages.shared.checkin_form import (
    COLS,
    FORM,
    KB,
    MAP_VERSION,
    OSTRC,
    choices,
    explained,
    field_error,
    key,
    load_state,
    number,
)

ctx = common.context()
runner, team = common.require_runner(ctx)
today = clock.today()

load_state(ctx.store, runner, today)

# The body map and the multiselect show the same regions. A click on the map sets them; a
# change from elsewhere gives the map a new key, because the browser re-applies a chart's last
# clicked selection when it is redrawn under the same key.
map_key = f"ci_body_map_{st.session_state[MAP_VERSION]}"


def map_clicked() -> None:
    st.session_state[key("pain_locations")] = regions_from_event(st.session_state[map_key])


def list_changed() -> None:
    st.session_state[MAP_VERSION] += 1


editing = st.session_state.get(CI_EDITING)
st.title("Edit check-in" if editing else "Weekly check-in", anchor=False)
st.markdown(f"**{escape_markdown(runner)}**" + (f" · {escape_markdown(team)}" if team else ""))
if editing:
    st.info(f"Editing your check-in of {week_label(st.session_state[CI_VALUES]['date'])}.")
    if st.button("Cancel editing"):
        st.session_state.update({CI_EDITING: None, CI_LOADED_FOR: None})
        st.rerun()
if st.session_state.get(CI_HAD_PREVIOUS):
    st.caption("Answers start from your last check-in: change only what is different.")

st.date_input(
    COLS["date"].label,
    key=key("date"),
    max_value=today,
    min_value=dt.date(2000, 1, 1),
    help=COLS["date"].help,
    format="YYYY-MM-DD",
)
st.caption(week_label(st.session_state[key("date")]))
field_error("date")

with st.container(border=True):
    st.subheader("Where and when it hurts")
    st.caption("Tap the areas that hurt on the body map, or pick them from the list.")
    st.altair_chart(
        body_map_chart(
            KB.labels("pain_locations"), st.session_state[key("pain_locations")], height=440
        ),
        key=map_key,
        on_select=map_clicked,
        selection_mode=["region"],
        width="stretch",
    )
    choices("pain_locations", st.multiselect, on_change=list_changed)
    st.slider(COLS["pain_level"].label, 0, 10, key=key("pain_level"), help=COLS["pain_level"].help)
    field_error("pain_level")
    choices("pain_triggers")
    explained("pain_triggers", "What do these moments mean?")

with st.container(border=True):
    st.subheader("What changed in training")
    choices("training_changes")
    left, right = st.columns(2)
    with left:
        number("weekly_km", placeholder="e.g. 40")
    with right:
        number("longest_run_km", placeholder="e.g. 18")

with st.container(border=True):
    st.subheader("Daily life")
    st.slider(
        COLS["sitting_hours"].label,
        0.0,
        24.0,
        step=0.5,
        key=key("sitting_hours"),
        help=COLS["sitting_hours"].help,
        format="%.1f h",
    )
    field_error("sitting_hours")

with st.container(border=True):
    st.subheader("Strength and mobility habits")
    left, right = st.columns(2)
    with left:
        number("strength_sessions")
    with right:
        number("mobility_sessions")
    choices("limitations")
    explained("limitations", "Not sure? Quick self-tests")
    choices("sex", st.segmented_control)

with st.container(border=True):
    st.subheader("How did the week go?")
    st.caption("Optional: four quick questions about your hips, thighs and knees.")
    for column in OSTRC:
        options = COLS[column].options
        st.radio(
            COLS[column].label,
            range(len(options)),
            format_func=options.__getitem__,
            key=key(column),
            help=COLS[column].help,
            index=None,
        )
        field_error(column)

with st.container(border=True):
    st.subheader("Warning signs")
    st.caption("These are not about overuse: any of them means see a clinician first.")
    choices("warning_signs")

error = st.session_state.get("ci_save_error")
if error:
    st.error(f"Your check-in was not saved. Your answers are still here. {error}", icon="🛑")


def save(replace: bool) -> int | None:
    values = {c: st.session_state.get(key(c)) for c in FORM}
    row = row_from_form(values, runner, team, KB)
    st.session_state.update(
        {CI_ERRORS: check_row(row, KB), "ci_save_error": None, CI_CONFIRM: None}
    )
    if st.session_state[CI_ERRORS]:
        return None
    try:
        if editing:
            # Same id; moving onto a taken week asks first, then replaces that check-in.
            ctx.store.update_checkin(editing, row, replace=replace)
            return editing
        return ctx.store.save_checkin(row, replace=replace)
    except WeekTaken as taken:
        st.session_state[CI_CONFIRM] = f"{taken.date:%a %d %b %Y}"
    except StrideCheckError as err:
        st.session_state["ci_save_error"] = common.error_text(ctx, err)
    return None


st.session_state[CI_VALUES] = {c: st.session_state[key(c)] for c in FORM}

confirm = st.session_state.get(CI_CONFIRM)
replace = False
if confirm:
    st.warning(f"You already checked in for this week (on {confirm}). Replace that check-in?")
    yes, no = st.columns(2)
    replace = yes.button("Replace it", type="primary", width="stretch")
    if no.button("Keep the old one", width="stretch"):
        st.session_state[CI_CONFIRM] = None
        st.rerun()
elif st.session_state.get(CI_ERRORS):
    st.error("Some answers need a fix: see the messages above.", icon="⚠️")

if replace or (
    not confirm
    and st.button("Save changes" if editing else "Save check-in", type="primary", width="stretch")
):
    saved = save(replace=replace)
    if saved is None:
        st.rerun()  # show the messages next to their fields
    mail.after_save(ctx, saved)  # a red flag emails the runner's coaches
    st.session_state.update({CI_EDITING: None, CI_LOADED_FOR: None})
    common.go_to(ctx, "results", {RESULT_ID: saved})
mail.reminder_switch(ctx)
common.disclaimer()
