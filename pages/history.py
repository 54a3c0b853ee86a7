"""History: what changed since last week first, then every check-in, risk, load and severity."""

import altair as alt
import pandas as pd
import streamlit as st

from logic.analysis.load import explanations, raised_flags, weekly_load
from logic.analysis.trends import (
    PERIODS,
    checkin_choices,
    checkin_table,
    data_version,
    recent,
    scored_history,
    trend_long,
    week_over_week,
)
from logic.charts.history import acute_chronic_chart, severity_chart, weekly_distance_chart
from logic.charts.risk import risk_trend_chart
from logic.errors import StrideCheckError
from logic.profile import RunnerProfile, to_display_distance, unit_label
from logic.session_keys import CI_EDIT_ID, HISTORY_RUNNER, RESULT_ID
from logic.texts import escape_markdown
from pages.shared import common

KB = common.kb()
ALL = "All conditions"
DEFAULT_PERIOD = "6 months"
CONDITIONS = {KB.conditions[c].name: c for c in KB.condition_ids}  # display name -> id


# Caches are keyed by runner + data_version (a digest of the runner's check-ins), so a rerun
# on unchanged data skips scoring and Altair's slow spec building; the chart specs are cached
# as Vega-Lite dicts and drawn with st.vega_lite_chart. Schema validation is skipped here
# (it doubles the cost of a cache miss): the chart tests validate the same specs.


def spec(chart: alt.TopLevelMixin) -> dict:
    return chart.to_dict(validate=False)


@st.cache_data(show_spinner=False, max_entries=32)
def weeks_of(runner: str, version: str, _history: pd.DataFrame) -> tuple:
    """Scored check-ins, weekly load, week-over-week alerts, the table and its picker labels."""
    scored = scored_history(_history, KB)
    table = checkin_table(scored, KB)
    alerts = week_over_week(scored, KB)
    return scored, weekly_load(_history, KB), alerts, table, checkin_choices(table)


@st.cache_data(show_spinner=False, max_entries=128)
def trend_spec(runner: str, version: str, weeks: int | None, focus: str | None, _scored) -> dict:
    return spec(
        risk_trend_chart(trend_long(recent(_scored, weeks), KB), KB.thresholds, focus=focus)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def week_specs(runner: str, version: str, weeks: int | None, units: str, _scored, _load) -> dict:
    """Distance, acute:chronic and severity charts (None when there is nothing to draw), and
    the period's raised load flags. Distances in the runner's `units` (stored in km)."""
    shown, load = recent(_scored, weeks), recent(_load, weeks)
    specs: dict = {"flags": raised_flags(load, KB), "distance": None, "severity": None}
    if load["weekly_km"].notna().any():
        shown_load = load.assign(
            weekly_km=to_display_distance(load["weekly_km"], units),
            longest_run_km=to_display_distance(load["longest_run_km"], units),
        )
        specs["distance"] = spec(weekly_distance_chart(shown_load, unit=unit_label(units)))
        specs["acute_chronic"] = spec(acute_chronic_chart(load, KB.load.acute_chronic))
    if shown["severity"].notna().any():
        specs["severity"] = spec(severity_chart(shown))
    return specs


ctx = common.context()
runner, _team = common.require_runner(ctx)
store = ctx.store
try:
    history = store.history(runner)
except StrideCheckError as err:
    st.error(f"Could not load your check-ins. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()

st.title("History", anchor=False)
st.markdown(f"**{escape_markdown(runner)}**")
deleted = st.session_state.pop("hist_deleted", None)
if deleted:
    st.success(f"Deleted the check-in of {deleted}.", icon="🗑️")

if history.empty:
    if ctx.user is not None and ctx.user.runner != runner:  # a coach or admin looking
        st.info(f"{escape_markdown(runner)} has no check-ins yet.", icon="📭")
    else:
        st.info("No check-ins yet. Your history starts with your first weekly check-in.")
        common.link_to(ctx, "checkin", "Do your first check-in", "📝")
    common.disclaimer()
    st.stop()

version = data_version(history)
scored, load, alerts, table, choices = weeks_of(runner, version, history)

for message in alerts["message"]:
    st.warning(message, icon="📈")
if not alerts.empty:
    st.caption("Compared with your check-in of the week before.")

st.subheader("Check-ins")
# Severity only once a check-in has it: an empty column costs a phone's width for nothing.
has_severity = bool(table["severity"].notna().any())
st.dataframe(
    table,
    column_order=["date", "risk", "pain_level", "needs_clinician"]
    + (["severity"] if has_severity else []),
    column_config={
        "date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
        "risk": "Highest risk",
        "pain_level": st.column_config.NumberColumn("Pain", format="%d"),
        "needs_clinician": st.column_config.CheckboxColumn("Red flag"),
        "severity": st.column_config.NumberColumn("Severity", format="%.0f"),
    },
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(table), 300),
)
picked = st.selectbox("Pick a check-in", list(choices), format_func=choices.get, key="hist_pick")
# Only the actions this role can take: a coach or admin who does not run has no check-in
# page, so no Edit.
actions = [a for a in ("results", "checkin") if ctx.may_open(a)] + ["delete"]
cols = dict(zip(actions, st.columns(len(actions)), strict=True))
if "results" in cols and cols["results"].button("Open results", width="stretch"):
    common.go_to(ctx, "results", {RESULT_ID: picked})
if "checkin" in cols and cols["checkin"].button("Edit", width="stretch"):
    # The runner too: a coach who runs picks the runner on the check-in page as well.
    common.go_to(ctx, "checkin", {CI_EDIT_ID: picked, HISTORY_RUNNER: runner})
if cols["delete"].button("Delete", width="stretch"):
    st.session_state["hist_delete"] = picked

if st.session_state.get("hist_delete") not in (None, picked):
    st.session_state.pop("hist_delete")  # another check-in was picked: ask again
doomed = st.session_state.get("hist_delete")
if doomed is not None:
    st.warning(f"Delete the check-in of {choices[doomed]}? This cannot be undone.", icon="🗑️")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", type="primary", width="stretch"):
        try:
            store.delete_checkin(doomed)
        except StrideCheckError as err:
            st.error(f"Could not delete the check-in. {common.error_text(ctx, err)}", icon="🛑")
        else:
            st.session_state["hist_deleted"] = choices[doomed]
            for key in ("hist_delete", "hist_pick"):
                st.session_state.pop(key, None)
            st.rerun()
    if no.button("Keep it", width="stretch"):
        st.session_state.pop("hist_delete")
        st.rerun()

st.divider()
period = st.segmented_control(
    "Show the last", list(PERIODS), default=DEFAULT_PERIOD, key="hist_period"
)
weeks = PERIODS[period or DEFAULT_PERIOD]
try:
    units = (store.get_profile(runner) or RunnerProfile()).units
except StrideCheckError:
    units = "km"  # the charts still draw; the History page's own reads said what failed
specs = week_specs(runner, version, weeks, units, scored, load)

st.subheader("Risk over the weeks")
focus = st.selectbox("Focus on", [ALL, *CONDITIONS], key="hist_focus")
st.vega_lite_chart(
    trend_spec(runner, version, weeks, CONDITIONS.get(focus), scored), width="stretch"
)
st.caption("A gap in a line is a week without a check-in.")

st.subheader("Training load")
if specs["distance"] is not None:
    st.vega_lite_chart(specs["distance"], width="stretch")
    st.vega_lite_chart(specs["acute_chronic"], width="stretch")
    flags = specs["flags"]
    latest = flags[flags["week_start"] == load["week_start"].max()]
    for title, explain in zip(latest["title"], latest["explain"], strict=True):
        st.warning(f"**{title}.** {explain}", icon="⚠️")
    if latest.empty:
        st.caption("No load signals in your latest week.")
    st.caption("Load signals say that load rose faster than usual. They are not diagnoses.")
    with st.expander(f"All load signals in this period ({len(flags)})"):
        for line in explanations(KB).values():
            st.markdown(f"- {line}")
        st.dataframe(
            flags[["week_start", "title"]],
            column_config={
                "week_start": st.column_config.DateColumn("Week of", format="D MMM YYYY"),
                "title": "Signal",
            },
            hide_index=True,
            width="stretch",
        )
else:
    st.info("Add your weekly distance and longest run to your check-ins to see your load here.")

st.subheader("How the weeks went")
if specs["severity"] is not None:
    st.vega_lite_chart(specs["severity"], width="stretch")
    st.caption(
        "Severity 0-100 from the four optional questions at the end of the check-in "
        "(after the OSTRC questionnaire). Triangles: a substantial problem that week."
    )
else:
    st.caption("Answer the four optional questions at the end of the check-in to see this.")

common.disclaimer()
