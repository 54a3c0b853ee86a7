"""The History page's recorded-runs block: distance and climbing per week (recorded weeks told apart
from typed ones), every run with its long-run spikes marked, and what this week's runs
suggest changed in training, with the numbers behind each suggestion."""

import pandas as pd
import streamlit as st

from logic import clock
from logic.analysis.runs import long_run_spikes, training_suggestions, weeks_by_source
from logic.charts.runs import climbing_per_week_chart, run_spikes_chart, runs_per_week_chart
from logic.errors import StrideCheckError
from logic.profile import to_display_distance, unit_label
from logic.texts import escape_markdown
from pages.shared import common


def recorded_runs_section(
    ctx: common.AppContext,
    runner: str,
    history: pd.DataFrame,
    runs: pd.DataFrame | None = None,
    units: str = "km",
) -> None:
    """The runner's recorded runs by week and each run's long-run check (`runs` when the page
    has read them already), distances in the runner's `units` (stored in km)."""
    kb = common.kb()
    st.subheader("Recorded runs")
    if runs is None:
        try:
            runs = ctx.store.runs(runner)
        except StrideCheckError as err:
            st.error(f"Could not load the recorded runs. {common.error_text(ctx, err)}", icon="🛑")
            return
    if runs.empty:
        st.caption(
            "No recorded runs yet. Import files from your watch or a Strava export on the "
            "Import & export page, and your weeks will come from them."
            if common.is_me(ctx, runner)  # a coach is not told to import from "your watch"
            else f"No recorded runs for {escape_markdown(runner)} yet: their weeks come from "
            "the distances typed in at each check-in."
        )
        return
    unit = unit_label(units)
    weeks = weeks_by_source(history, runs)
    weeks = weeks.assign(distance_km=to_display_distance(weeks["distance_km"], units))
    st.vega_lite_chart(runs_per_week_chart(weeks, unit).to_dict(validate=False), width="stretch")
    st.vega_lite_chart(
        climbing_per_week_chart(weeks, unit).to_dict(validate=False), width="stretch"
    )
    st.caption(
        f"{len(runs)} recorded runs. Blue weeks come from them, grey weeks from the distance "
        "typed in a check-in. Green: metres climbed."
    )
    spikes = long_run_spikes(runs, kb)
    spikes = spikes.assign(
        distance_km=to_display_distance(spikes["distance_km"], units),
        base_km=to_display_distance(spikes["base_km"], units),
    )
    st.vega_lite_chart(run_spikes_chart(spikes, unit).to_dict(validate=False), width="stretch")
    days = kb.load.long_run.window_days
    st.caption(
        f"Each dot is a run. A red triangle is a run more than "
        f"{kb.load.long_run.flag_above:.0%} longer than any run in the {days} days before it."
    )
    suggested = training_suggestions(runs, clock.today(), kb, units)
    labels = kb.labels("training_changes")
    for change, title in zip(suggested["change"], suggested["title"], strict=True):
        st.info(f"**{labels.get(change, change)}?** {title}.", icon="📈")
    if len(suggested):
        st.caption("Suggestions from this week's runs: tick them in your check-in if they fit.")
