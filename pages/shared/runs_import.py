"""The Import & export page's recorded-runs section: activity files or an export, a preview
per week (runs found, already stored, skipped by sport), then one button stores the new runs.

Reading and checking live in logic/io/activities; access rules in logic/storage/access.py
(runners import their own runs, admins anyone's, coaches none).
"""

import streamlit as st

from logic.errors import StrideCheckError
from logic.io.activities import limits_text
from logic.io.activities.plan import RunsPlan, apply_runs_import, plan_runs_import
from logic.io.importing import UPLOAD_LIMIT_MB
from logic.texts import escape_markdown
from pages.shared import common

RUNS_ROUND = "data_runs_round"  # part of the uploader's key: a new round empties it
RUNS_DONE = "data_runs_done"  # the message of the last import, shown once after the rerun
UPLOADER = "runs_upload_{}"
TYPES = ["gpx", "tcx", "fit", "gz", "zip", "csv"]


def runs_section(ctx: common.AppContext, runner: str) -> None:
    """Upload, preview, then one confirm stores the new runs (all or none)."""
    store = ctx.store
    st.subheader("Recorded runs")
    st.markdown(
        "Runs from your watch or app: `.gpx`, `.tcx` or `.fit` files (gzipped or not), a "
        "Strava bulk export (`.zip`) or an activities CSV from Strava or Garmin Connect. Only "
        "the figures are kept (date, distance, time, climbing), never the route. Rides, walks, "
        "hikes and swims are counted and left out. Nothing is saved until you confirm."
    )
    done = st.session_state.pop(RUNS_DONE, None)
    if done:
        st.success(done, icon="✅")
    if not store.can_import_runs(runner):
        st.info("Recorded runs are imported by the runner themselves, or by an admin.", icon="🔒")
        return
    upload_round = st.session_state.setdefault(RUNS_ROUND, 0)
    files = st.file_uploader(
        "Activity files or an export",
        type=TYPES,
        accept_multiple_files=True,
        key=UPLOADER.format(upload_round),
        max_upload_size=UPLOAD_LIMIT_MB,
        help=f"Files up to {UPLOAD_LIMIT_MB} MB each; {limits_text()}.",
    )
    if not files:
        return
    zone = st.context.timezone or "UTC"
    try:
        plan = plan_runs_import([(f.name, f.getvalue()) for f in files], store, runner, tz=zone)
    except StrideCheckError as err:
        st.error(f"Could not check your stored runs. {common.error_text(ctx, err)}", icon="🛑")
        return
    if not plan.ok:
        st.error(f"**Nothing was imported.** {escape_markdown(plan.error)}", icon="🚫")
        return
    _preview(plan)
    new = plan.new
    label = f"Import {new} run{'' if new == 1 else 's'}"
    if not st.button(label, type="primary", disabled=new == 0, key="runs_confirm"):
        return
    try:
        stored = apply_runs_import(plan, store)
    except StrideCheckError as err:
        st.error(f"Nothing was imported. {common.error_text(ctx, err)}", icon="🛑")
        return
    st.session_state[RUNS_DONE] = (
        f"Imported {stored.inserted} run{'' if stored.inserted == 1 else 's'} "
        f"({stored.already_stored} already stored)."
    )
    st.session_state[RUNS_ROUND] = upload_round + 1
    st.rerun()


def _preview(plan: RunsPlan) -> None:
    st.markdown(escape_markdown(plan.summary()))
    st.dataframe(
        plan.preview,
        column_config={
            "week": "Week",
            "runs": "Runs",
            "new": "New",
            "distance_km": st.column_config.NumberColumn("km", format="%.1f"),
            "longest_run_km": st.column_config.NumberColumn("Longest km", format="%.1f"),
            "elevation_gain_m": st.column_config.NumberColumn("Climb m", format="%.0f"),
        },
        hide_index=True,
        width="stretch",
    )
