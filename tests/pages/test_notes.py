"""Notes on a check-in (pages/shared/notes.py on History and Results): a coach leaves one, the
runner reads it and replies, a coach of another team sees nothing; coaches never delete."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from logic.storage.access import ScopedStore, Viewer
from logic.storage.accounts import Accounts
from logic.storage.store import get_store
from tests.pages.conftest import PASSWORD
from tests.support.apptest import assert_no_exception, button, on_page, signed_in, texts

NOTE = "let's talk Thursday, skip the hills"


def history_of(user_id: int, runner: str | None = None) -> AppTest:
    at = on_page(signed_in(user_id).run(), "pages/history.py")
    if runner is not None:
        at.selectbox(key="coach_runner").select(runner).run()
    assert_no_exception(at)
    return at


def write(at: AppTest, key: str, text: str, label: str) -> AppTest:
    at.text_area(key=f"{key}_note").input(text)
    button(at, label).click().run()
    assert_no_exception(at)
    return at


def thread(at: AppTest) -> str:
    return "\n".join(texts(at.markdown))


def test_a_coach_note_reaches_the_runner_who_replies(team: dict[str, int]) -> None:
    at = history_of(team["coach_a"], "ann")
    assert "Notes with ann" in texts(at.subheader)
    assert "Delete" not in [b.label for b in at.button]  # a coach never deletes a week
    write(at, "history", NOTE, "Add note")
    assert "Note saved." in texts(at.success)
    assert "let's talk Thursday" in thread(at).replace("\\", "")

    # The runner sees it on Results, with who wrote it, and replies there.
    ann = on_page(signed_in(team["ann"]).run(), "pages/results.py")
    assert_no_exception(ann)
    assert "Notes from your coach" in texts(ann.subheader)
    shown = thread(ann).replace("\\", "")
    assert "**coach_a** (coach)" in shown and NOTE in shown
    write(ann, "results", "Thursday works, thanks", "Reply")
    # ... and on History.
    hist = on_page(ann, "pages/history.py")
    assert "Thursday works, thanks" in thread(hist)

    # Back to the coach: the reply is under the note, oldest first.
    coach = history_of(team["coach_a"], "ann")
    text = thread(coach).replace("\\", "")
    assert text.index(NOTE) < text.index("Thursday works, thanks")
    assert "**ann** (runner)" in text


def test_a_coach_of_another_team_never_sees_the_notes(team: dict[str, int]) -> None:
    store = get_store()
    coach = ScopedStore(store, Viewer.of(Accounts(store).get(team["coach_a"])))
    coach.add_note(team["ann_checkin"], NOTE)
    coach_b = Accounts(store).create_user(
        "coach_b", role="coach", password=PASSWORD, coach_of=["B"]
    )
    at = history_of(coach_b.id)
    assert at.selectbox(key="coach_runner").options == ["cat"]
    assert NOTE not in thread(at)
    # A link to ann's check-in reads as missing, notes and all.
    at = signed_in(coach_b.id)
    at.query_params["checkin"] = str(team["ann_checkin"])
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    assert NOTE not in thread(at) and "ann" not in " ".join(texts(at.subheader))


def test_a_runner_still_deletes_their_own_week(team: dict[str, int]) -> None:
    at = on_page(signed_in(team["ann"]).run(), "pages/history.py")
    button(at, "Delete").click().run()
    assert any("audit trail keeps a copy" in t for t in texts(at.warning))
    button(at, "Yes, delete it").click().run()
    assert_no_exception(at)
    assert get_store().history("ann").empty


@pytest.mark.parametrize("page", ["pages/history.py", "pages/data.py", "pages/results.py"])
def test_the_coach_is_addressed_as_the_coach(team: dict[str, int], page: str) -> None:
    at = signed_in(team["coach_a"]).run()
    at.session_state["history_runner"] = "ann"
    at = on_page(at, page)
    if page != "pages/results.py":
        at.selectbox(key="coach_runner").select("ann").run()
    assert_no_exception(at)
    words = " ".join(
        texts(at.markdown) + texts(at.caption) + texts(at.title) + texts(at.subheader)
    ) + " ".join(b.proto.label for b in at.get("download_button"))
    assert "Download my" not in words
    assert "your latest week" not in words and "Your results" not in words
    if page == "pages/data.py":
        labels = [b.proto.label for b in at.get("download_button")]
        assert "Download ann's 1 check-in (CSV)" in labels
