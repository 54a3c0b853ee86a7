"""The check-in form's widgets and its state: every column drawn the same way, from
data/checkin.toml, with its problem shown right under it."""

import datetime as dt

import streamlit as st

from logic.analysis.runs import RecordedWeek, recorded_week, training_suggestions
from logic.errors import StrideCheckError
from logic.form import (
    DISTANCE_COLUMNS,
    blank_values,
    carried_over,
    edit_values,
    form_columns,
    form_defaults,
)
from logic.profile import RunnerProfile, to_display_distance, unit_label
from logic.session_keys import (
    CI_CARRIED,
    CI_CONFIRM,
    CI_EDIT_ID,
    CI_EDITING,
    CI_ERRORS,
    CI_HAD_PREVIOUS,
    CI_LOADED_FOR,
    CI_PAIN_ASK,
    CI_PROFILE,
    CI_RECORDED,
    CI_VALUES,
)
from logic.storage.access import ScopedStore
from pages.shared import common

KB = common.kb()
COLS = KB.checkin.columns
MAP_VERSION = "ci_body_map_version"
START = "ci_start"  # "same" (last week's answers, marked) or "blank"
PREVIOUS = "ci_previous"  # last week's stored check-in, to start from again
OSTRC = [c for c, spec in COLS.items() if spec.options]
FORM = form_columns(KB)
CARRIED_MARK = "↩ Last week's answer"


def key(column: str) -> str:
    return f"ci_{column}"


def field_error(column: str) -> None:
    message = st.session_state.get(CI_ERRORS, {}).get(column)
    if message:
        st.error(message, icon="⚠️")


def carried_mark(*columns: str) -> None:
    """Say which answers were carried over from last week (they are easy to miss)."""
    if set(columns) & set(st.session_state.get(CI_CARRIED, ())):
        st.caption(CARRIED_MARK)


def choices(column: str, widget=st.pills, values: list[str] | None = None, **extra) -> None:
    """`values`: the options offered (default: all of the column's)."""
    spec = COLS[column]
    labels = KB.labels(column)
    if widget is st.pills:
        extra["selection_mode"] = "multi"
    widget(
        spec.label,
        list(spec.values) if values is None else values,
        format_func=labels.get,
        key=key(column),
        help=spec.help,
        **extra,
    )
    carried_mark(column)
    field_error(column)


def explained(column: str, title: str) -> None:
    with st.expander(title):
        for value in COLS[column].values.values():
            st.markdown(f"**{value.label}**: {value.help}")


def profile() -> RunnerProfile:
    return st.session_state.get(CI_PROFILE) or RunnerProfile()


def label(column: str) -> str:
    """The field's label, distances in the runner's unit."""
    text = COLS[column].label
    if column in DISTANCE_COLUMNS:
        text = text.replace("(km)", f"({unit_label(profile().units)})")
    return text


def number(column: str, **kwargs) -> None:
    spec = COLS[column]
    kind = int if spec.type == "integer" else float
    low, high = (None if v is None else kind(v) for v in (spec.min, spec.max))
    st.number_input(
        label(column),
        format="%d" if spec.type == "integer" else "%.1f",
        min_value=low,
        max_value=high,
        step=kind(1),
        key=key(column),
        help=spec.help,
        **kwargs,
    )
    carried_mark(column)
    field_error(column)


def _reset(
    values: dict, runner: str, *, had_previous: bool, editing: int | None, carried=()
) -> None:
    st.session_state.update(
        {
            CI_VALUES: values,
            CI_LOADED_FOR: runner,
            CI_ERRORS: {},
            CI_CONFIRM: None,
            CI_PAIN_ASK: False,
            CI_HAD_PREVIOUS: had_previous,
            CI_EDITING: editing,
            CI_CARRIED: list(carried),
        }
    )
    for column in FORM:
        st.session_state.pop(key(column), None)
    st.session_state[MAP_VERSION] = st.session_state.get(MAP_VERSION, 0) + 1


def start_from(choice: str | None, today: dt.date) -> None:
    """ "Same as last week, except…" (last week's answers, each marked) or a blank form; the
    date the runner picked stays."""
    day = st.session_state.get(key("date"), today)
    previous = st.session_state.get(PREVIOUS)
    if choice == "same" and previous is not None:
        values = form_defaults(previous, day, KB, units=profile().units)
        carried = carried_over(values, KB)
    else:
        values, carried = blank_values(day, KB), []
    runner = st.session_state.get(CI_LOADED_FOR)
    _reset(values, runner, had_previous=previous is not None, editing=None, carried=carried)


def load_state(store: ScopedStore, runner: str, today: dt.date) -> None:
    """Fill the form once per runner (or for an edit), and bring it back after other pages.

    Streamlit forgets a widget's value on any run that does not draw it (another page), so
    the answers live on in ci_values and come back when the runner returns to this page. A
    change of units on the profile page fills the form again (distances are in the unit).
    """
    try:
        stored_profile = store.get_profile(runner) or RunnerProfile()
    except StrideCheckError as err:
        st.warning(f"Could not read your profile. {common.error_text(common.context(), err)}")
        stored_profile = RunnerProfile()
    if profile().units != stored_profile.units:
        st.session_state[CI_LOADED_FOR] = None
    st.session_state[CI_PROFILE] = stored_profile
    units = stored_profile.units
    edit_id = st.session_state.pop(CI_EDIT_ID, None)  # set by the history page's Edit
    if edit_id is not None:
        try:
            stored = store.get_checkin(int(edit_id))
        except StrideCheckError as err:
            stored = None
            st.warning(f"Could not open that check-in. {common.error_text(common.context(), err)}")
        if stored is None or stored["runner"] != runner:
            st.warning("That check-in is no longer there, so this is a new check-in.")
        else:
            values = edit_values(stored, KB, units=units)
            _reset(values, runner, had_previous=False, editing=int(edit_id))
    if st.session_state.get(CI_LOADED_FOR) != runner:
        try:
            previous = store.latest_checkin(runner)
        except StrideCheckError as err:
            why = common.error_text(common.context(), err)
            st.warning(f"Could not load your last check-in, so the form starts empty. {why}")
            previous = None
        values = form_defaults(previous, today, KB, units=units)
        st.session_state[PREVIOUS] = previous
        st.session_state[START] = "same" if previous is not None else None
        _reset(
            values,
            runner,
            had_previous=previous is not None,
            editing=None,
            carried=carried_over(values, KB) if previous is not None else (),
        )
    for column in FORM:
        if key(column) not in st.session_state:
            st.session_state[key(column)] = st.session_state[CI_VALUES][column]


def recorded_distances(
    store: ScopedStore, runner: str, day: dt.date
) -> tuple[RecordedWeek | None, list[str]]:
    """The week's distance and longest run from the runner's recorded runs, put into the form
    once per week (the runner can still change them; an edit keeps what was saved), and what
    the runs suggest changed in training, each with the numbers behind it (data/load.toml
    [runs]; the runner confirms by ticking it). (None, []) when the week has no recorded runs
    or they cannot be read: then the typed figures count."""
    try:
        runs = store.runs(runner)
    except StrideCheckError:
        return None, []
    week = recorded_week(runs, day)
    if week is None:
        return None, []
    marker = (runner, week.week_start, week.runs)
    if st.session_state.get(CI_RECORDED) != marker and not st.session_state.get(CI_EDITING):
        units = profile().units
        for column, km in (
            ("weekly_km", week.distance_km),
            ("longest_run_km", week.longest_run_km),
        ):
            st.session_state[key(column)] = round(float(to_display_distance(km, units)), 1)
        carried = st.session_state.get(CI_CARRIED, ())
        st.session_state[CI_CARRIED] = [c for c in carried if c not in DISTANCE_COLUMNS]
        st.session_state[CI_RECORDED] = marker
    return week, training_suggestions(runs, day, KB, profile().units)["title"].tolist()
