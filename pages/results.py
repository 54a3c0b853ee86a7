"""Results of one check-in: warning first, then risk, reasons, body map and the routine.

Quick after Save: the scoring and the three charts are computed once per check-in and data
version (cached; a rerun for the week picker or a note reuses them), and the charts go to the
browser as Vega-Lite specs built without Altair's schema validation (a third of a cold run).
"""

import pandas as pd
import streamlit as st

from logic.analysis.advice import advice_blocks, without_emergency
from logic.analysis.results import (
    NO_SIGNALS,
    PART_MEANING,
    PART_NAMES,
    checkin_result,
    headline,
    reason_rows,
    top_reasons,
    two_answers,
    why_caption,
    why_factors,
    why_parts,
)
from logic.analysis.routine import (
    routine_csv,
    routine_filename,
    routine_list_markdown,
    routine_markdown,
)
from logic.analysis.safety import flag_markdown
from logic.analysis.trends import (
    alert_lines,
    alerts_for_checkin,
    scored_history,
    scores_version,
)
from logic.charts.body_map import body_map_chart
from logic.charts.risk import factor_chart, risk_bar_chart, risk_summary
from logic.errors import AccessError, StrideCheckError
from logic.form import week_choices
from logic.links import checkin_id_from_param
from logic.session_keys import RESULT_ID
from logic.texts import DISCLAIMER, escape_markdown
from logic.weeks import day_label, short_week_label
from pages.shared import common
from pages.shared.notes import notes_section

KB = common.kb()
BAND_BADGE = {"low": "green", "moderate": "orange", "high": "red"}


@st.cache_data(show_spinner=False, max_entries=64)
def result_view(
    checkin_id: int,
    version: str,
    age_band: str | None,
    _checkin: dict,
    _history: pd.DataFrame,
    _runs: pd.DataFrame | None,
) -> tuple:
    """The check-in's result, its week-over-week alerts and its charts as Vega-Lite specs.
    `version` covers the runner's check-ins and recorded runs, so a save, edit or import is
    never served stale. The alerts compare scores with the recorded runs counted, as the
    History page's do."""
    scored = scored_history(_history, KB, runs=_runs)  # once, for the result and the alerts
    result = checkin_result(
        _checkin, KB, _history, age_band=age_band, runs=_runs, scored_weeks=scored
    )
    alerts = alerts_for_checkin(_history, checkin_id, KB, scored=scored)
    specs = {
        "risk": risk_bar_chart(result.scores, KB.thresholds),
        "factors": None
        if result.factors.empty
        else factor_chart(why_factors(result), why_parts(result, KB)),
        "map": body_map_chart(
            KB.labels("pain_locations"),
            risk=result.region_risk,
            thresholds=KB.thresholds,
            selectable=False,
            side=_checkin.get("pain_side"),
        ),
    }
    return (
        result,
        alerts,
        {k: None if c is None else c.to_dict(validate=False) for k, c in specs.items()},
    )


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
    profile = store.get_profile(checkin["runner"]) if checkin is not None else None
    runs = store.runs(checkin["runner"]) if checkin is not None else None
except StrideCheckError as err:
    st.error(f"Could not load the check-in. {common.error_text(ctx, err)}", icon="🛑")
    st.stop()

if checkin is None:
    if ctx.team and who is None and common.reviews_teams(ctx):  # a coach or admin, not running
        st.title("Results", anchor=False)
        st.info("Open a runner's History and pick a check-in to see its results here.")
        common.link_to(ctx, "history", "Go to History", "📈")
    else:
        st.title("Your results", anchor=False)
        st.info(
            "Nothing to show yet: results come from a weekly check-in, and there is none so "
            "far. It takes a few minutes.",
            icon="📭",
        )
        common.link_to(ctx, "checkin", "Do your first check-in", "📝")
    common.disclaimer()
    st.stop()

day = checkin["date"].date() if hasattr(checkin["date"], "date") else checkin["date"]
age_band = profile.age_band if profile is not None else None
result, alerts, specs = result_view(
    int(checkin["id"]), scores_version(history, runs), age_band, checkin, history, runs
)
flag = flag_markdown(result.needs_emergency, result.clinician_reasons, age_band, KB)

if result.needs_emergency:  # before anything else, the title included
    st.error(flag, icon="🚑")
me = common.is_me(ctx, str(checkin["runner"]))
st.title("Your results" if me else "Results", anchor=False)
st.markdown(
    f"**{escape_markdown(checkin['runner'])}** · {day_label(day)} · {short_week_label(day)}"
)

if result.needs_clinician and not result.needs_emergency:
    st.error(flag, icon="🩺")

# -- What to do about running this week (logic/analysis/advice.py; data/rules.toml) -------------
ADVICE_BOX = {"ok": st.success, "caution": st.warning, "stop": st.error}
ADVICE_ICON = {"ok": "✅", "caution": "↘️", "stop": "🛑"}
# An emergency is said once, above the title: its advice is not repeated here.
blocks = advice_blocks(without_emergency(result.advice, KB))
if blocks:
    st.subheader("Your running this week" if me else "Running this week", anchor=False)
for tone, block in blocks:
    ADVICE_BOX[tone](block, icon=ADVICE_ICON[tone])
# ----------------------------------------------------------------------------------------------

if alerts is not None:
    for message, icon in alert_lines(alerts):
        st.warning(message, icon=icon)

if history is not None and len(history) > 1:
    weeks = week_choices(history)  # label -> check-in id, newest first
    labels = list(weeks)
    current = next((w for w, i in weeks.items() if i == int(checkin["id"])), labels[0])
    picked = st.selectbox("Show another week", labels, index=labels.index(current))
    if weeks[picked] != int(checkin["id"]):
        st.session_state[RESULT_ID] = weeks[picked]
        st.rerun()

notes_section(ctx, int(checkin["id"]), str(checkin["runner"]), "results")

top = result.top
if result.has_signals:
    st.markdown(f"**Highest risk:** {top['name']}")
    st.badge(headline(result), color=BAND_BADGE[top["band"]])
else:
    st.success(f"**{NO_SIGNALS}.** Nothing hurts, and every condition is low.", icon="✅")

st.subheader("Risk by condition")
st.vega_lite_chart(specs["risk"], width="stretch")
t = KB.thresholds
st.caption(
    f"{risk_summary(result.scores)} Bands: low below {t['moderate']:g}, moderate from "
    f"{t['moderate']:g}, high from {t['high']:g}."
)

# Two answers per condition (issue 12): what it looks like now, and what is building up.
st.subheader("Looks like, and building up")
st.markdown("\n".join(f"- {line}" for line in two_answers(result)))
st.caption(
    " ".join(f"**{PART_NAMES[p]}**: {meaning}." for p, meaning in PART_MEANING.items())
    + " The score on each bar weighs both."
)

st.subheader("Why")
if result.factors.empty:
    st.success("Nothing in this check-in raises any risk. Keep up the strength and mobility work.")
else:
    st.markdown("\n".join(f"- {reason}" for reason in top_reasons(result)))
    st.vega_lite_chart(specs["factors"], width="stretch")
    st.caption(why_caption(KB))
    with st.expander("Every reason, and where it comes from"):
        st.dataframe(
            reason_rows(result),
            column_config={
                "name": "Condition",
                "label": "Reason",
                "part": "Counts for",
                "points": st.column_config.NumberColumn("Points", format="%.1f"),
                "source": "Where it comes from",
            },
            hide_index=True,
            width="stretch",
        )

st.subheader("Where it points")
st.vega_lite_chart(specs["map"], width="stretch")

# -- The routine, or what to do until seen (logic/analysis/routine.py) -------------------------
if result.until_seen:
    st.subheader("Until you are seen" if me else "Until they are seen", anchor=False)
    st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(result.until_seen, start=1)))
    if len(result.routine):
        st.markdown(f"**{KB.rules.until_seen.gentle_heading}**")
        st.markdown(routine_list_markdown(result.routine))
else:
    st.subheader("Your routine this week" if me else "The routine for this week", anchor=False)
    st.caption("One plan for the concerns this week: each exercise once, most pressing first.")
    st.markdown(routine_list_markdown(result.routine))
stem = routine_filename(str(checkin["runner"]), day)
plan = routine_markdown(
    result.routine,
    runner=str(checkin["runner"]),
    week=short_week_label(day),
    disclaimer=DISCLAIMER,
    advice=result.advice,
    until_seen=result.until_seen,
    gentle_heading=KB.rules.until_seen.gentle_heading,
)
# No exercises (urgent care): no CSV, and the plan's button takes the whole width.
slots = st.columns(2) if len(result.routine) else [st.container()]
if len(result.routine):
    slots[0].download_button(
        "Download CSV", routine_csv(result.routine), f"{stem}.csv", mime="text/csv", width="stretch"
    )
slots[-1].download_button(
    "Download Markdown", plan, f"{stem}.md", mime="text/markdown", width="stretch"
)
# ----------------------------------------------------------------------------------------------
common.disclaimer()
