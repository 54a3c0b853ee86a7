"""The weekly check-in: one screen, grouped the way a runner thinks about their week.

Quick on a phone: the answers sit in one st.form, so a tap changes nothing on the server
until Save; only the body map (a fragment) reruns on its own, to keep the map, the list of
areas and the side in step. The week is settled first (a week already checked in says so
at once), and Save sits in a bar that stays at the bottom of the screen.
"""

import datetime as dt

import streamlit as st

from logic import clock
from logic.charts.body_map import body_map_tiles, regions_from_event, side_from_event
from logic.errors import StrideCheckError
from logic.form import (
    ASK_PAIN,
    BACK,
    REPLACE,
    after_submit,
    check_row,
    offered_values,
    row_from_form,
)
from logic.session_keys import (
    CI_CARRIED,
    CI_CONFIRM,
    CI_EDIT_ID,
    CI_EDITING,
    CI_ERRORS,
    CI_LOADED_FOR,
    CI_PAIN_ASK,
    CI_VALUES,
    RESULT_ID,
)
from logic.storage.store import WeekTaken
from logic.texts import escape_markdown
from logic.weeks import week_label, week_start
from pages.shared import common, mail
from pages.shared.checkin_form import (
    COLS,
    FORM,
    KB,
    MAP_VERSION,
    OSTRC,
    PREVIOUS,
    START,
    carried_mark,
    choices,
    explained,
    field_error,
    key,
    load_state,
    number,
    profile,
    recorded_distances,
    start_from,
)

SAVE_BAR = "ci_savebar"
# The Save bar is fixed to the bottom of the screen, in the main column's width, so Save is
# in reach at any scroll (position: sticky would hide it until the form scrolls into view);
# the page gets room at its end so the bar never covers the last answers.
STYLE = f"""<style>
.st-key-{SAVE_BAR} {{
  position: fixed; bottom: 0; left: 0; right: 0; z-index: 100; margin: 0 auto;
  max-width: 46rem; padding: 0.6rem 1rem 0.7rem; gap: 0.5rem;
  background: #ffffff; border-top: 1px solid rgba(49, 51, 63, 0.2);
}}
[data-testid="stMainBlockContainer"] {{ padding-bottom: 9rem; }}
@media (min-width: 768px) {{
  body:has([data-testid="stSidebar"][data-collapsed="false"]) .st-key-{SAVE_BAR} {{
    left: 300px;  /* the sidebar's default width */
  }}
}}
@media (prefers-color-scheme: dark) {{ .st-key-{SAVE_BAR} {{ background: #0e1117; }} }}
</style>"""

ctx = common.context()
runner, team = common.require_runner(ctx)
today = clock.today()

load_state(ctx.store, runner, today)
editing = st.session_state.get(CI_EDITING)
st.html(STYLE)

st.title("Edit check-in" if editing else "Weekly check-in", anchor=False)
st.markdown(f"**{escape_markdown(runner)}**" + (f" · {escape_markdown(team)}" if team else ""))
common.link_to(ctx, "profile", "Sex, age and units are on your profile", "👤")
if editing:
    st.info(f"Editing your check-in of {week_label(st.session_state[CI_VALUES]['date'])}.")
    if st.button("Cancel editing"):
        st.session_state.update({CI_EDITING: None, CI_LOADED_FOR: None})
        st.rerun()
elif st.session_state.get(PREVIOUS) is not None:
    st.radio(
        "Start from",
        ["same", "blank"],
        format_func={"same": "Same as last week, except…", "blank": "Blank"}.get,
        key=START,
        on_change=lambda: start_from(st.session_state.get(START), today),
        help="Last week's answers are marked ↩; Blank clears them all.",
        horizontal=True,
    )
    if st.session_state.get(CI_CARRIED):
        st.caption("Answers marked ↩ come from last week: change only what is different.")

# --- the week first: a week already checked in says so before anything else is answered ---
st.date_input(
    COLS["date"].label,
    key=key("date"),
    max_value=today,
    min_value=dt.date(2000, 1, 1),
    help=COLS["date"].help,
    format="YYYY-MM-DD",
)
day = st.session_state[key("date")]
st.caption(week_label(day))
field_error("date")
try:
    taken = ctx.store.checkin_in_week(runner, day)
except StrideCheckError as err:
    taken = None
    st.warning(f"Could not check this week. {common.error_text(ctx, err)}")
if taken is not None and taken["id"] != editing:
    stored_day = taken["date"]
    week = week_start(stored_day).isocalendar().week
    with st.container(key="ci_week_taken"):
        st.warning(f"You checked in for week {week} on {stored_day:%A}: edit it?", icon="📅")
        if st.button("Edit that check-in", type="primary"):
            st.session_state[CI_EDIT_ID] = int(taken["id"])
            st.rerun()


# Distances from the week's recorded runs (prefilled, overridable) and what they suggest.
recorded, suggestions = recorded_distances(ctx.store, runner, day)


# --- the body map: its own fragment, so a tap on it reruns only this part ---
def map_key() -> str:
    # A click on the map sets the list; a change from elsewhere gives the map a new key,
    # because the browser re-applies a chart's last clicked selection under the same key.
    return f"ci_body_map_{st.session_state[MAP_VERSION]}"


def map_clicked() -> None:
    event = st.session_state[map_key()]
    st.session_state[key("pain_locations")] = regions_from_event(event)
    st.session_state[key("pain_side")] = side_from_event(event)


def list_changed() -> None:
    st.session_state[MAP_VERSION] += 1


@st.cache_data(show_spinner=False, max_entries=256)
def map_spec(regions: tuple[str, ...], side: str | None) -> dict:
    """The tiles as a Vega-Lite spec, built once per set of areas and side (a third of a
    check-in run otherwise), without Altair's schema validation."""
    return body_map_tiles(KB.labels("pain_locations"), regions, side).to_dict(validate=False)


@st.fragment
def where_it_hurts() -> None:
    with st.container(border=True):
        st.subheader("Where does it hurt?", anchor=False)
        st.caption("Tap the areas that hurt on each leg, or pick them from the list.")
        st.vega_lite_chart(
            map_spec(
                tuple(st.session_state[key("pain_locations")] or ()),
                st.session_state[key("pain_side")],
            ),
            key=map_key(),
            on_select=map_clicked,
            selection_mode=["region"],
            width="stretch",
        )
        choices("pain_locations", st.pills, on_change=list_changed)
        choices("pain_side", st.segmented_control, on_change=list_changed)


where_it_hurts()


def save(replace: bool) -> int | None:
    values = {c: st.session_state.get(key(c)) for c in FORM}
    row = row_from_form(values, runner, team, KB, profile=profile())
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
    except WeekTaken as taken_week:
        st.session_state[CI_CONFIRM] = f"{taken_week.date:%a %d %b %Y}"
    except StrideCheckError as err:
        st.session_state["ci_save_error"] = common.error_text(ctx, err)
    return None


def clear_areas() -> None:
    """Runs before the widgets are drawn again, so the list and the map start empty."""
    st.session_state[key("pain_locations")] = []
    st.session_state[key("pain_side")] = None
    st.session_state[MAP_VERSION] += 1


def save_bar() -> str | None:
    """The bar at the bottom of the form: Save, or the one question that stands before it."""
    if st.session_state.get(CI_PAIN_ASK):
        st.warning("You ticked areas that hurt, but your worst pain is 0. Keep the areas?")
        keep, clear = st.columns(2)
        if keep.form_submit_button("Keep them and save", type="primary", width="stretch"):
            return "keep_areas"
        if clear.form_submit_button("Clear them and save", on_click=clear_areas, width="stretch"):
            return "clear_areas"
        return None
    if confirm := st.session_state.get(CI_CONFIRM):
        st.warning(f"You already checked in for this week (on {confirm}). Replace it?")
        yes, no = st.columns(2)
        if yes.form_submit_button("Replace it", type="primary", width="stretch"):
            return "replace"
        if no.form_submit_button("Keep the old one", width="stretch"):
            return "keep_old"
        return None
    if st.session_state.get(CI_ERRORS):
        st.error("Some answers need a fix: see the messages above.", icon="⚠️")
    if error := st.session_state.get("ci_save_error"):
        st.error(f"Your check-in was not saved. Your answers are still here. {error}", icon="🛑")
    label = "Save changes" if editing else "Save check-in"
    return "save" if st.form_submit_button(label, type="primary", width="stretch") else None


with st.form("ci_form", border=False, enter_to_submit=False):
    with st.container(border=True):
        st.subheader("How much, and when?", anchor=False)
        st.slider(
            COLS["pain_level"].label, 0, 10, key=key("pain_level"), help=COLS["pain_level"].help
        )
        carried_mark("pain_level")
        field_error("pain_level")
        choices("pain_triggers")
        explained("pain_triggers", "What do these moments mean?")

    with st.container(border=True):
        st.subheader("What changed in training", anchor=False)
        choices("training_changes")
        for suggestion in suggestions:
            st.caption(f"Your recorded runs suggest: {suggestion}. Tick it if it is right.")
        if recorded is not None:  # the distances below come from the week's recorded runs
            st.caption(
                f"Distances {recorded.note} this week. Change them if a run is missing.",
                help="Runs come in on the Import & export page.",
            )
        left, right = st.columns(2)
        with left:
            number("weekly_km", placeholder="e.g. 40")
        with right:
            number("longest_run_km", placeholder="e.g. 18")

    with st.container(border=True):
        st.subheader("Daily life", anchor=False)
        st.slider(
            COLS["sitting_hours"].label,
            0.0,
            24.0,
            step=0.5,
            key=key("sitting_hours"),
            help=COLS["sitting_hours"].help,
            format="%.1f h",
        )
        carried_mark("sitting_hours")
        field_error("sitting_hours")

    with st.container(border=True):
        st.subheader("Strength and mobility habits", anchor=False)
        left, right = st.columns(2)
        with left:
            number("strength_sessions")
        with right:
            number("mobility_sessions")
        choices("limitations")
        explained("limitations", "Not sure? Quick self-tests")

    with st.container(border=True):
        st.subheader("How did the week go?", anchor=False)
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
        st.subheader("Warning signs", anchor=False)
        st.caption("These are not about overuse: any of them means see a clinician first.")
        # A sign that concerns one sex (a missed period) only where the profile allows it.
        stored = st.session_state.get(key("warning_signs")) or ()
        choices(
            "warning_signs",
            values=offered_values("warning_signs", KB, profile=profile(), keep=stored),
        )

    with st.container(key=SAVE_BAR):
        action = save_bar()

st.session_state[CI_VALUES] = {c: st.session_state[key(c)] for c in FORM}

step = after_submit(action, st.session_state[CI_VALUES])
if step == BACK:
    st.session_state[CI_CONFIRM] = None
    st.rerun()
if step == ASK_PAIN:
    st.session_state[CI_PAIN_ASK] = True
    st.rerun()
if step is not None:
    st.session_state[CI_PAIN_ASK] = False
    saved = save(replace=step == REPLACE)
    if saved is None:
        st.rerun()  # show the messages next to their fields
    mail.after_save(ctx, saved)  # a red flag emails the runner's coaches
    st.session_state.update({CI_EDITING: None, CI_LOADED_FOR: None})
    common.go_to(ctx, "results", {RESULT_ID: saved})
common.disclaimer()
