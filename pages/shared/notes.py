"""Notes on one check-in: a coach's note and the runner's replies, shown on Results and
History (team mode). Reading and writing go through the scoped store, so a coach of another
team can neither read nor add one."""

from __future__ import annotations

import streamlit as st

from logic.errors import StrideCheckError
from logic.storage.notes import MAX_NOTE
from logic.texts import escape_all
from pages.shared import common

NOTE_SAVED = "notes_saved"


def notes_section(ctx: common.AppContext, checkin_id: int, runner: str, key: str) -> None:
    """The thread of a check-in, oldest first, and a box to add to it."""
    if not ctx.team or ctx.user is None:
        return  # personal mode: one person, nobody to write to
    own = ctx.user.runner == runner
    try:
        thread = ctx.store.notes_of_checkin(checkin_id)
    except StrideCheckError as err:
        st.error(f"Could not read the notes. {common.error_text(ctx, err)}", icon="🛑")
        return
    st.subheader("Notes from your coach" if own else f"Notes with {runner}", anchor=False)
    if thread.empty:
        st.caption(
            "No notes on this week yet."
            if own
            else "No notes yet: leave one, and the runner sees it on Results and History."
        )
    else:
        when = thread["created_at"].dt.strftime("%d %b %Y, %H:%M UTC")
        lines = (
            "**" + escape_all(thread["author"]) + "** (" + thread["author_role"] + ") · "
            + when + "  \n" + escape_all(thread["body"]).str.replace("\n", "  \n", regex=False)
        )  # fmt: skip
        for line in lines:
            with st.container(border=True):
                st.markdown(line)
    if st.session_state.pop(NOTE_SAVED, None) == key:
        st.success("Note saved.", icon="✅")
    label = "Reply to your coach" if own else f"Leave a note for {runner}"
    with st.form(f"{key}_note_form", clear_on_submit=True, border=False):
        body = st.text_area(
            label,
            max_chars=MAX_NOTE,
            height=90,
            key=f"{key}_note",
            placeholder="For example: let's talk Thursday, skip the hills." if not own else "",
        )
        send = st.form_submit_button("Reply" if own else "Add note", icon="💬")
    if send:
        try:
            ctx.store.add_note(checkin_id, body)
        except StrideCheckError as err:
            st.error(f"Could not save the note. {common.error_text(ctx, err)}", icon="⚠️")
        else:
            st.session_state[NOTE_SAVED] = key
            st.rerun()
