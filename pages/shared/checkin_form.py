"""The check-in form's widgets and its state: every column drawn the same way, from
data/checkin.toml, with its problem shown right under it."""

import datetime as dt

import streamlit as st

from logic.errors import StrideCheckError
from logic.form import edit_values, form_columns, form_defaults
from logic.session_keys import (
    CI_CONFIRM,
    CI_EDIT_ID,
    CI_EDITING,
    CI_ERRORS,
    CI_HAD_PREVIOUS,
    CI_LOADED_FOR,
    CI_VALUES,
)
from logic.storage.access import ScopedStore
from pages.shared import common

KB = common.kb()
COLS = KB.checkin.columns
MAP_VERSION = "ci_body_map_version"
OSTRC = [c for c, spec in COLS.items() if spec.options]
FORM = form_columns(KB)


def key(column: str) -> str:
    return f"ci_{column}"


def field_error(column: str) -> None:
    message = st.session_state.get(CI_ERRORS, {}).get(column)
    if message:
        st.error(message, icon="⚠️")


def choices(column: str, widget=st.pills, **extra) -> None:
    spec = COLS[column]
    labels = KB.labels(column)
    if widget is st.pills:
        extra["selection_mode"] = "multi"
    widget(
        spec.label,
        list(spec.values),
        format_func=labels.get,
        key=key(column),
        help=spec.help,
        **extra,
    )
    field_error(column)


def explained(column: str, title: str) -> None:
    with st.expander(title):
        for value in COLS[column].values.values():
            st.markdown(f"**{value.label}**: {value.help}")


def number(column: str, **kwargs) -> None:
    spec = COLS[column]
    kind = int if spec.type == "integer" else float
    low, high = (None if v is None else kind(v) for v in (spec.min, spec.max))
    st.number_input(
        spec.label,
        format="%d" if spec.type == "integer" else "%.1f",
        min_value=low,
        max_value=high,
        step=kind(1),
        key=key(column),
        help=spec.help,
        **kwargs,
    )
    field_error(column)


def _reset(values: dict, runner: str, *, had_previous: bool, editing: int | None) -> None:
    st.session_state.update(
        {
            CI_VALUES: values,
            CI_LOADED_FOR: runner,
            CI_ERRORS: {},
            CI_CONFIRM: None,
            CI_HAD_PREVIOUS: had_previous,
            CI_EDITING: editing,
        }
    )
    for column in FORM:
        st.session_state.pop(key(column), None)
    st.session_state[MAP_VERSION] = st.session_state.get(MAP_VERSION, 0) + 1


def load_state(store: ScopedStore, runner: str, today: dt.date) -> None:
    """Fill the form once per runner (or for an edit), and bring it back after other pages.

    Streamlit forgets a widget's value on any run that does not draw it (another page), so
    the answers live on in ci_values and come back when the runner returns to this page.
    """
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
            _reset(edit_values(stored, KB), runner, had_previous=False, editing=int(edit_id))
    if st.session_state.get(CI_LOADED_FOR) != runner:
        try:
            previous = store.latest_checkin(runner)
        except StrideCheckError as err:
            why = common.error_text(common.context(), err)
            st.warning(f"Could not load your last check-in, so the form starts empty. {why}")
            previous = None
        _reset(
            form_defaults(previous, today, KB),
            runner,
            had_previous=previous is not None,
            editing=None,
        )
    for column in FORM:
        if key(column) not in st.session_state:
            st.session_state[key(column)] = st.session_state[CI_VALUES][column]
