"""Import & export: a runner's own check-ins as a CSV file, out and back in.

Import is two steps: the whole file is checked and previewed (nothing written), then one
button writes every row in one transaction, or none. See logic/io/importing.py.
"""

import streamlit as st

from logic import clock
from logic.errors import StrideCheckError
from logic.io.importing import (
    UPLOAD_LIMIT_MB,
    apply_import,
    column_help_markdown,
    download_bytes,
    export_csv,
    export_filename,
    notes_csv,
    notes_filename,
    plan_import,
    problems_markdown,
    safe_name,
    template_csv,
)
from logic.texts import escape_markdown
from logic.weeks import DAY_MOMENT
from pages.shared import common
from pages.shared.runs_import import runs_section

ROUND = "data_upload_round"  # part of the uploader's key: a new round empties the uploader
DONE = "data_import_done"  # the message of the last import, shown once after the rerun
CHOICES = {"Skip them": "skip", "Replace them": "replace"}
# A phone shows the day, status and pain of each previewed row in full; the rest one tap away.
PREVIEW_COLUMNS = ["date", "status", "pain_level"]

KB = common.kb()


def notes_export(ctx: common.AppContext, runner: str, day) -> None:
    """The notes on the runner's check-ins, in a file of their own: the check-in CSV keeps
    the import's columns, so it always reads back in."""
    if not ctx.team:
        return
    try:
        thread = ctx.store.notes_of_runner(runner)
    except StrideCheckError as err:
        st.error(f"Could not read the notes. {common.error_text(ctx, err)}", icon="🛑")
        return
    if thread.empty:
        return
    st.download_button(
        f"Download the {len(thread)} note{'' if len(thread) == 1 else 's'} (CSV)",
        download_bytes(notes_csv(thread)),
        notes_filename(runner, day),
        mime="text/csv",
        icon="💬",
        key="data_notes_export",
    )
    st.caption(
        "The notes and replies on these check-ins: the check-in's date, who wrote, when, and what."
    )


def csv_import(ctx: common.AppContext, runner: str, today) -> None:
    """The CSV import: what a file may hold, the upload, its problems or its preview, then one
    button that writes it. Returns early while there is no file or it cannot be imported."""
    store = ctx.store
    st.subheader("Import")
    st.markdown(
        "Bring in weeks from a spreadsheet: a CSV file (UTF-8, comma-separated) with a header "
        "line and one check-in per row, only your own. Only `runner` and `date` are required. "
        f"Files up to {UPLOAD_LIMIT_MB} MB. Nothing is saved until you confirm."
    )
    with st.expander("The columns a file can have"):
        st.markdown(column_help_markdown(KB))
        st.download_button(
            "Download a template (CSV)",
            download_bytes(template_csv(runner, today, KB)),
            f"stride-check-template-{safe_name(runner)}.csv",
            mime="text/csv",
            key="data_template",
        )

    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done, icon="✅")

    # Only where there is a team to import for: a coach or admin, or a shared device with a
    # second runner or a team (ctx.pages holds the Team page exactly then).
    team_import = ctx.may_open("team") and st.toggle(
        "Team import: rows may be for any runner on your teams",
        key="data_team_import",
        help="For a season collected elsewhere (a form tool's CSV). The same checks apply, and "
        "rows for runners outside your teams stop the whole import.",
    )
    upload_round = st.session_state.setdefault(ROUND, 0)
    uploaded = st.file_uploader(
        "CSV file of check-ins",
        type="csv",
        key=f"data_upload_{upload_round}",
        max_upload_size=UPLOAD_LIMIT_MB,
        help=f"Files up to {UPLOAD_LIMIT_MB} MB, UTF-8 (in Excel: Save As 'CSV UTF-8').",
    )
    if uploaded is None:
        return

    try:
        plan = plan_import(
            uploaded, store, runner=None if team_import else runner, today=today, kb=KB
        )
    except StrideCheckError as err:
        st.error(
            f"Could not check the file against your saved weeks. {common.error_text(ctx, err)}",
            icon="🛑",
        )
        return

    if not plan.ok:
        n = len(plan.errors)
        st.error(
            f"**{escape_markdown(uploaded.name)} cannot be imported: {n} "
            f"problem{'' if n == 1 else 's'}. "
            "Nothing was saved.** Fix the file and upload it again.\n\n"
            + problems_markdown(plan.errors),
            icon="🚫",
        )
        return

    st.markdown(
        f"**{plan.rows}** check-in{'' if plan.rows == 1 else 's'} in the file: "
        f"**{plan.new}** new week{'' if plan.new == 1 else 's'}, "
        f"**{plan.conflicts}** already stored. Check them, then import."
    )
    st.dataframe(
        plan.preview,
        column_order=[
            c for c in (["runner"] if team_import else []) + PREVIEW_COLUMNS if c in plan.preview
        ],
        column_config={
            "runner": st.column_config.TextColumn("Runner", width="small"),
            "date": st.column_config.DateColumn("Date", format=DAY_MOMENT, width="small"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "pain_level": st.column_config.NumberColumn("Pain", format="%d", width="small"),
        },
        hide_index=True,
        width="stretch",
        key="data_preview",
    )
    with st.expander("Every column of the file"):
        st.dataframe(plan.preview, hide_index=True, width="stretch")

    on_conflict = "error"  # no stored week now: one stored meanwhile stops the import
    if plan.conflicts:
        choice = st.radio(
            "Weeks already stored",
            list(CHOICES),
            horizontal=True,
            key=f"data_on_conflict_{upload_round}",  # each new file starts at "Skip them"
            help="Skip keeps what you saved before; replace overwrites those weeks with the file.",
        )
        on_conflict = CHOICES[choice]
    todo = plan.to_write("skip" if on_conflict == "error" else on_conflict)
    if todo == 0:
        st.info(
            "Every week in the file is already stored. Choose 'Replace them' to overwrite them."
        )
    label = f"Import {todo} check-in{'' if todo == 1 else 's'}"
    if st.button(label, type="primary", disabled=todo == 0, key="data_confirm"):
        try:
            result = apply_import(plan, store, on_conflict)
        except StrideCheckError as err:
            st.error(f"Nothing was imported. {common.error_text(ctx, err)}", icon="🛑")
        else:
            st.session_state[DONE] = (
                f"Imported {escape_markdown(uploaded.name)}: {result.inserted} new, "
                f"{result.replaced} replaced, {result.skipped} skipped."
            )
            st.session_state[ROUND] = upload_round + 1
            st.rerun()


ctx = common.context()
store = ctx.store
runner, _team = common.require_runner(ctx)
today = clock.today()

me = common.is_me(ctx, runner)
whose = "your" if me else f"{escape_markdown(runner)}'s"
st.title("Import & export", anchor=False)
st.markdown(f"**{escape_markdown(runner)}** · {whose} check-ins as a CSV file")

# --- export ------------------------------------------------------------------------------------
st.subheader("Export")
try:
    history = store.history(runner)
except StrideCheckError as err:
    st.error(f"Could not read the check-ins. {common.error_text(ctx, err)}", icon="🛑")
    history = None
if history is not None:
    count = len(history)
    st.download_button(
        f"Download {'my' if me else whose} {count} check-in{'' if count == 1 else 's'} (CSV)",
        download_bytes(export_csv(history)) if count else b"",
        export_filename(runner, today),
        mime="text/csv",
        icon="⬇️",
        disabled=count == 0,
        key="data_export",
    )
    if count:
        st.caption(
            f"Every week {'you have' if me else escape_markdown(runner) + ' has'} saved, one "
            "row each, in the same columns as the import below: keep it as a backup or open it "
            "in a spreadsheet."
        )
    else:
        st.caption(
            "Nothing to export yet: your check-ins will be here once you save one."
            if me
            else f"Nothing to export yet: {escape_markdown(runner)} has no check-ins."
        )
    notes_export(ctx, runner, today)

# --- import ------------------------------------------------------------------------------------
csv_import(ctx, runner, today)
runs_section(ctx, runner)
common.disclaimer()
