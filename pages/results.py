"""Results of one check-in: warning first, then risk, reasons, body map and the routine."""

import streamlit as st

from logic.analysis.results import checkin_result, top_reasons
from logic.analysis.routine import (
    routine_csv,
    routine_filename,
    routine_list_markdown,
    routine_markdown,
)
from logic.analysis.trends import alerts_for_checkin
from logic.charts.body_map import body_map_chart
from logic.charts.risk import factor_chart, risk_bar_chart
from logic.errors import AccessError, StrideCheckError
from logic.form import week_choices
from logic.links import checkin_id_from_param
from logic.session_keys import RESULT_ID
from logic.texts import CLINICIAN, DISCLAIMER, escape_markdown
from logic.weeks import week_label
from pages.shared import common

KB = common.kb()
BAND_BADGE = {"low": "green", "moderate": "orange", "high": "red"}
ctx = common.context()
store = ctx.store

param = st.query_params.get("checkin")
checkin_id, problem = checkin_id_from_param(param)
if problem:
    st.error(problem, icon="🔗")
who = common.current_runner(ctx)
try:
    checkin = None
    if checkin_id is not None:
        try:
            checkin = store.get_checkin(checkin_id)
        except AccessError:  # another runner's: said exactly as a missing one, or ids leak
            checkin = None
        if checkin is None:
            st.error(
                f"There is no check-in number {checkin_id} that you can open: it may have been "
                "deleted. Showing your latest check-in instead.",
                icon="🔗",
            )
    else:
        checkin = store.get_checkin(st.session_state.get(RESULT_ID) or 0)
        if checkin is not None and who and checkin["runner"] != who[0]:
            checkin = None  # a result kept from another runner picked earlier on this device
    if checkin is None and who is not None:
        checkin = store.latest_checkin(who[0])
    history = store.history(checkin["runner"]) if checkin is not None else None
except StrideCheckError as err:
    st.error(f"Could not load the check-in. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()

if checkin is None:
    st.title("Your results", anchor=False)
    st.info("No check-in yet. Do your weekly check-in to see your risk and routine.")
    if who is not None:
        common.link_to(ctx, "checkin", "Go to the check-in", "📝")
    common.disclaimer()
    st.stop()

day = checkin["date"].date() if hasattr(checkin["date"], "date") else checkin["date"]
result = checkin_result(checkin, KB, history)
alerts = alerts_for_checkin(history, int(checkin["id"]), KB) if history is not None else None

st.title("Your results", anchor=False)
st.markdown(f"**{escape_markdown(checkin['runner'])}** · {week_label(day)}")

if result.needs_clinician:
    reasons = " ".join(result.clinician_reasons)
    st.error(f"**See a clinician first.** {reasons} {CLINICIAN}", icon="🩺")

for message in [] if alerts is None else alerts["message"]:
    st.warning(message, icon="📈")

if history is not None and len(history) > 1:
    weeks = week_choices(history)  # label -> check-in id, newest first
    labels = list(weeks)
    current = next((w for w, i in weeks.items() if i == int(checkin["id"])), labels[0])
    picked = st.selectbox("Show another week", labels, index=labels.index(current))
    if weeks[picked] != int(checkin["id"]):
        st.session_state[RESULT_ID] = weeks[picked]
        st.rerun()

top = result.top
st.markdown(f"**Highest risk:** {top['name']}")
st.badge(f"{top['score']:.0f}/100 · {top['band']}", color=BAND_BADGE[top["band"]])

st.subheader("Risk by condition")
st.altair_chart(risk_bar_chart(result.scores, KB.thresholds), width="stretch")
t = KB.thresholds
st.caption(
    f"Bands: low below {t['moderate']:g}, moderate from {t['moderate']:g}, high from {t['high']:g}."
)

st.subheader("Why")
if result.factors.empty:
    st.success("Nothing in this check-in raises any risk. Keep up the strength and mobility work.")
else:
    st.markdown("\n".join(f"- {reason}" for reason in top_reasons(result)))
    st.altair_chart(factor_chart(result.factor_rows), width="stretch")
    with st.expander("Every factor, with the article section it comes from"):
        st.dataframe(
            result.factor_rows[["name", "label", "points", "section"]],
            column_config={
                "name": "Condition",
                "label": "Factor",
                "points": st.column_config.NumberColumn("Points", format="%.1f"),
                "section": "Article section",
            },
            hide_index=True,
            width="stretch",
        )

st.subheader("Where it points")
st.altair_chart(
    body_map_chart(
        KB.labels("pain_locations"),
        risk=result.region_risk,
        thresholds=KB.thresholds,
        selectable=False,
        side=checkin.get("pain_side"),
    ),
    width="stretch",
)

st.subheader("Your routine this week")
st.caption("One plan for everything that showed up: each exercise once, most useful first.")
st.markdown(routine_list_markdown(result.routine))
stem = routine_filename(str(checkin["runner"]), day)
left, right = st.columns(2)
left.download_button(
    "Download CSV", routine_csv(result.routine), f"{stem}.csv", mime="text/csv", width="stretch"
)
right.download_button(
    "Download Markdown",
    routine_markdown(
        result.routine, runner=str(checkin["runner"]), week=week_label(day), disclaimer=DISCLAIMER
    ),
    f"{stem}.md",
    mime="text/markdown",
    width="stretch",
)
common.disclaimer()
