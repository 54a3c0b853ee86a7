"""History: what changed since last week first, then every check-in, risk, load and severity."""

import altair as alt
import pandas as pd
import streamlit as st

from logic.analysis.load import explanations, raised_flags, weekly_load
from logic.analysis.results import PART_MEANING, PART_NAMES
from logic.analysis.safety import clinician_reasons, flag_markdown
from logic.analysis.trends import (
    PERIODS,
    alert_lines,
    checkin_choices,
    checkin_table,
    recent,
    scored_history,
    scores_version,
    trend_long,
    week_over_week,
)
from logic.charts.history import (
    acute_chronic_chart,
    distance_summary,
    ratio_gap_text,
    ratio_gaps,
    severity_chart,
    weekly_distance_chart,
)
from logic.charts.risk import risk_trend_chart, top_conditions, trend_summary
from logic.errors import StrideCheckError
from logic.knowledge import BUILDING_UP, LOOKS_LIKE
from logic.profile import RunnerProfile, to_display_distance, unit_label
from logic.session_keys import CI_EDIT_ID, HISTORY_RUNNER, RESULT_ID
from logic.texts import escape_markdown
from logic.weeks import DAY_MOMENT, day_label
from pages.shared import common
from pages.shared.notes import notes_section
from pages.shared.runs_history import recorded_runs_section

KB = common.kb()
DEFAULT_PERIOD = "6 months"
SHORT = {c: KB.conditions[c].short_name for c in KB.condition_ids}  # id -> short name


# Caches are keyed by runner + scores_version (digests of the runner's check-ins
# and recorded runs: an import of runs changes the scores, not the check-ins), so a rerun
# on unchanged data skips scoring and Altair's slow spec building; the chart specs are cached
# as Vega-Lite dicts and drawn with st.vega_lite_chart. Schema validation is skipped here
# (it doubles the cost of a cache miss): the chart tests validate the same specs.


def spec(chart: alt.TopLevelMixin) -> dict:
    return chart.to_dict(validate=False)


@st.cache_data(show_spinner=False, max_entries=32)
def weeks_of(runner: str, version: str, _history: pd.DataFrame, _runs: pd.DataFrame) -> tuple:
    """Scored check-ins, weekly load, week-over-week alerts, the table and its picker labels.
    `version` covers the check-ins and the recorded runs (their long runs count by date)."""
    scored = scored_history(_history, KB, runs=_runs)
    table = checkin_table(scored, KB)
    alerts = week_over_week(scored, KB)
    return scored, weekly_load(_history, KB), alerts, table, checkin_choices(table)


@st.cache_data(show_spinner=False, max_entries=128)
def trend_spec(runner: str, version: str, weeks: int | None, show: tuple, _scored) -> tuple:
    """The trend chart of the conditions `show` and its key numbers in words."""
    long = trend_long(recent(_scored, weeks), KB)
    return spec(risk_trend_chart(long, KB.thresholds, show=show)), trend_summary(long, show)


@st.cache_data(show_spinner=False, max_entries=128)
def top_three(runner: str, version: str, weeks: int | None, _scored) -> list[str]:
    return top_conditions(trend_long(recent(_scored, weeks), KB), 3)


@st.cache_data(show_spinner=False, max_entries=64)
def week_specs(runner: str, version: str, weeks: int | None, units: str, _scored, _load) -> dict:
    """Distance, acute:chronic and severity charts (None when there is nothing to draw), and
    the period's raised load flags. Distances in the runner's `units` (stored in km)."""
    shown, load = recent(_scored, weeks), recent(_load, weeks)
    specs: dict = {"flags": raised_flags(load, KB, units), "distance": None, "severity": None}
    if load["weekly_km"].notna().any():
        shown_load = load.assign(
            weekly_km=to_display_distance(load["weekly_km"], units),
            longest_run_km=to_display_distance(load["longest_run_km"], units),
        )
        specs["distance"] = spec(weekly_distance_chart(shown_load, unit=unit_label(units)))
        specs["distance_text"] = distance_summary(shown_load, unit=unit_label(units))
        specs["acute_chronic"] = spec(acute_chronic_chart(load, KB.load.acute_chronic))
        specs["gaps_text"] = ratio_gap_text(ratio_gaps(load, KB.load.acute_chronic))
    if shown["severity"].notna().any():
        specs["severity"] = spec(severity_chart(shown))
    return specs


ctx = common.context()
runner, _team = common.require_runner(ctx)
store = ctx.store
try:
    history = store.history(runner)
    profile = store.get_profile(runner)
    runs = store.runs(runner)
except StrideCheckError as err:
    st.error(f"Could not load the check-ins. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()

me = common.is_me(ctx, runner)
whose = "your" if me else f"{escape_markdown(runner)}'s"
version = scores_version(history, runs) if not history.empty else ""
scored, load, alerts, table, choices = (
    weeks_of(runner, version, history, runs) if not history.empty else (None,) * 5
)
latest = None if scored is None else scored.iloc[-1]
if latest is not None and latest["needs_clinician"]:
    emergency = bool(latest["needs_emergency"])
    flag = flag_markdown(
        emergency,
        clinician_reasons(latest.to_dict(), KB),
        profile.age_band if profile is not None else None,
        KB,
    )
    when = day_label(latest["date"])
    flag = f"{flag}\n\n*From {whose} check-in of {when}.*"
    if emergency:  # before anything else, the title included
        st.error(flag, icon="🚑")

st.title("History", anchor=False)
st.markdown(f"**{escape_markdown(runner)}**")
if latest is not None and latest["needs_clinician"] and not latest["needs_emergency"]:
    st.error(flag, icon="🩺")
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

for message, icon in alert_lines(alerts):
    st.warning(message, icon=icon)
if not alerts.empty:
    st.caption(f"Compared with {whose} check-in of the week before.")

st.subheader("Check-ins")
# The four columns a phone shows in full (day, top concern, pain, red flag); the rest one tap
# away. How the week went only once a check-in has it: an empty column costs width for nothing.
# Pixel widths that add up to a phone's 358 px: "Wed 25 Nov 2026", "Gluteal tendon 52".
DAY = st.column_config.DateColumn("Date", format=DAY_MOMENT, width=116)
st.dataframe(
    table,
    column_order=["date", "top_concern", "pain_level", "needs_clinician"],
    column_config={
        "date": DAY,
        "top_concern": st.column_config.TextColumn("Top concern", width=124),
        "pain_level": st.column_config.NumberColumn("Pain", format="%d", width=44),
        "needs_clinician": st.column_config.CheckboxColumn("Red flag", width=64),
    },
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * len(table), 300),
    key="hist_table",
)
with st.expander("More columns: week, both answers, score and how the week went"):
    has_severity = bool(table["severity"].notna().any())
    st.dataframe(
        table,
        column_order=["date", "week", "risk", "looks_like", "building_up", "score", "band"]
        + (["severity"] if has_severity else []),
        column_config={
            "date": DAY,
            "week": st.column_config.NumberColumn("Week", format="%d"),
            "risk": "Top concern and band",
            "top": "Condition",
            "score": st.column_config.NumberColumn("Score", format="%.0f"),
            "band": "Band",
            "looks_like": "Looks like",
            "building_up": "Building up",
            "severity": st.column_config.NumberColumn("How the week went", format="%.0f"),
        },
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 300),
    )
picked = st.selectbox("Pick a check-in", list(choices), format_func=choices.get, key="hist_pick")
# Two answers for the picked week (issue 12): symptoms now and risk ahead, apart.
chosen = table[table["id"] == picked].iloc[0]
st.markdown(
    f"**{PART_NAMES[LOOKS_LIKE]}** ({PART_MEANING[LOOKS_LIKE]}): {chosen['looks_like']}  \n"
    f"**{PART_NAMES[BUILDING_UP]}** ({PART_MEANING[BUILDING_UP]}): {chosen['building_up']}"
)
# Only the actions this role can take: a coach or admin who does not run has no check-in
# page, so no Edit.
actions = [a for a in ("results", "checkin") if ctx.may_open(a)]
if store.can_delete(runner):  # a coach never deletes a runner's check-in
    actions.append("delete")
cols = dict(zip(actions, st.columns(len(actions)), strict=True))
if "results" in cols and cols["results"].button("Open results", width="stretch"):
    common.go_to(ctx, "results", {RESULT_ID: picked})
if "checkin" in cols and cols["checkin"].button("Edit", width="stretch"):
    # The runner too: a coach who runs picks the runner on the check-in page as well.
    common.go_to(ctx, "checkin", {CI_EDIT_ID: picked, HISTORY_RUNNER: runner})
if "delete" in cols and cols["delete"].button("Delete", width="stretch"):
    st.session_state["hist_delete"] = picked

if st.session_state.get("hist_delete") not in (None, picked):
    st.session_state.pop("hist_delete")  # another check-in was picked: ask again
doomed = st.session_state.get("hist_delete")
if doomed is not None:
    kept = " The admins' audit trail keeps a copy." if ctx.team else ""
    st.warning(f"Delete the check-in of {choices[doomed]}? This cannot be undone.{kept}", icon="🗑️")
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

notes_section(ctx, int(picked), runner, "history")

st.divider()
period = st.segmented_control(
    "Show the last", list(PERIODS), default=DEFAULT_PERIOD, key="hist_period"
)
weeks = PERIODS[period or DEFAULT_PERIOD]
units = (profile or RunnerProfile()).units  # read with the history, at the top
specs = week_specs(runner, version, weeks, units, scored, load)

st.subheader("Risk over the weeks")
# Your top three first; every other condition is one tap away.
top = top_three(runner, version, weeks, scored)
shown = st.pills(
    "Conditions shown",
    list(SHORT),
    selection_mode="multi",
    default=top,
    format_func=SHORT.get,
    key=f"hist_show_{','.join(top)}",  # a new top three starts from its own default
)
if shown:
    trend, summary = trend_spec(runner, version, weeks, tuple(shown), scored)
    st.vega_lite_chart(trend, width="stretch")
    st.caption(f"{summary} A gap in a line is a week without a check-in.")
else:
    st.info("Tap a condition above to see its risk week by week.")

st.subheader("Training load")
if specs["distance"] is not None:
    st.vega_lite_chart(specs["distance"], width="stretch")
    st.caption(specs["distance_text"])
    st.vega_lite_chart(specs["acute_chronic"], width="stretch")
    if specs["gaps_text"]:
        st.caption(
            f"{specs['gaps_text']} The ratio compares a week with the weeks before it, so it "
            "starts once there are enough of them."
        )
    flags = specs["flags"]
    latest = flags[flags["week_start"] == load["week_start"].max()]
    for title, explain in zip(latest["title"], latest["explain"], strict=True):
        st.warning(f"**{title}.** {explain}", icon="⚠️")
    if latest.empty:
        st.caption(f"No load signals in {whose} latest week.")
    st.caption("Load signals say that load rose faster than usual. They are not diagnoses.")
    with st.expander(f"All load signals in this period ({len(flags)})"):
        for line in explanations(KB).values():
            st.markdown(f"- {line}")
        st.dataframe(
            flags[["week_start", "title"]],
            column_config={
                "week_start": st.column_config.DateColumn("Week of", format=DAY_MOMENT),
                "title": "Signal",
            },
            hide_index=True,
            width="stretch",
        )
else:
    st.info(
        "Add your weekly distance and longest run to your check-ins to see your load here."
        if me
        else f"{escape_markdown(runner)} has not given a weekly distance yet: no load to show."
    )

recorded_runs_section(ctx, runner, history, runs, units)

st.subheader("How the weeks went")
if specs["severity"] is not None:
    st.vega_lite_chart(specs["severity"], width="stretch")
    st.caption(
        "0 to 100 from the four optional questions at the end of the check-in: 0 is a week "
        "without any problem, 100 a week you could not train at all. Triangles: a week the "
        "problem changed your training or running a lot."
    )
else:
    st.caption(
        "Answer the four optional questions at the end of the check-in to see this."
        if me
        else f"{escape_markdown(runner)} has not answered the optional questions yet."
    )

common.disclaimer()
