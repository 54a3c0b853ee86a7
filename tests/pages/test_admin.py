"""The Admin page (issue 15): every runner's team, also of runners without an account, can be
seen and changed; the audit trail is shown, newest first, and exported as CSV."""

from __future__ import annotations

import io
import json

import pandas as pd

from logic.io.importing import audit_csv
from logic.knowledge import knowledge_base
from logic.storage.access import ScopedStore, Viewer
from logic.storage.accounts import Accounts
from logic.storage.audit import Actor, trail
from logic.storage.store import get_store
from pages.shared.tables import PHONE_ROW
from tests.support.apptest import assert_no_exception, button, on_page, signed_in, texts

ADMIN_ACTOR = Actor("root", None, "admin")


def tables_with(at, column: str) -> list:
    """The Admin page's dataframes that have `column`, in page order."""
    return [d for d in at.dataframe if column in d.value.columns]


def frame_with(at, column: str) -> pd.DataFrame:
    """The Admin page's table that has `column` (People, Runners and teams, Audit trail): the
    first, the wide one where pages/shared/tables.py shows a phone's table too."""
    return tables_with(at, column)[0].value


def admin_page(user_id: int):
    at = on_page(signed_in(user_id).run(), "pages/admin.py")
    assert_no_exception(at)
    return at


def test_an_admin_moves_any_runner_and_the_trail_says_so(team: dict[str, int]) -> None:
    store = get_store()
    store.add_runner("zed", None)  # a runner without an account: the account editor misses him
    at = admin_page(team["root"])
    runners = frame_with(at, "team")
    assert runners.set_index("runner")["team"].to_dict() == {
        "ann": "A",
        "bob": "A",
        "cat": "B",
        "zed": "",
    }
    assert "Nothing recorded yet" in " ".join(texts(at.caption))
    at.selectbox(key="admin_move_runner").select("zed").run()
    at.selectbox(key="admin_move_team_zed").select("A").run()
    button(at, "Move runner").click().run()
    assert_no_exception(at)
    assert "zed moved to team A." in texts(at.success)
    assert Accounts(store).runner_team("zed") == "A"

    rows = frame_with(at, "what")
    assert rows["what"].tolist() == ["team changed"]
    assert rows["actor"].tolist() == ["root"] and rows["runner"].tolist() == ["zed"]
    assert rows["change"].tolist() == ["Team: — → A"]  # the form's label, not "team"


def test_the_trail_keeps_a_deleted_red_flag_and_exports_it(team: dict[str, int]) -> None:
    store = get_store()
    ann = Accounts(store).get(team["ann"])
    week = store.save_checkin(
        {"runner": "ann", "date": "2026-11-02", "pain_level": 9, "warning_signs": "swelling"}
    )
    ScopedStore(store, Viewer.of(ann)).delete_checkin(week)
    at = admin_page(team["root"])
    rows = frame_with(at, "what")
    assert rows["what"].tolist() == ["check-in deleted"] and rows["actor"].tolist() == ["ann"]
    swelling = knowledge_base().labels("warning_signs")["swelling"]
    assert rows["change"].tolist() == [
        f"was: check-in of 2026-11-02, pain 9, warning signs {swelling}"
    ]
    with store.read() as conn:  # the whole check-in is kept, for the export
        gone = json.loads(trail(conn)["before"].item())
    assert gone["warning_signs"] == "swelling" and gone["pain_level"] == 9
    (export,) = [b for b in at.get("download_button") if b.key == "admin_audit_export"]
    assert export.proto.label == "Download the audit trail (1 rows, CSV)"


def test_role_changes_on_the_admin_page_are_in_the_trail(team: dict[str, int]) -> None:
    at = admin_page(team["root"])
    at.selectbox(key="admin_pick").select("bob").run()
    at.selectbox(key=f"edit_role_{team['bob']}").select("coach").run()
    at.multiselect(key=f"edit_teams_{team['bob']}").set_value(["B"]).run()
    button(at, "Save changes").click().run()
    at.button(key=f"edit_confirm_{team['bob']}").click().run()
    assert_no_exception(at)
    rows = frame_with(at, "what")
    assert rows["what"].tolist() == ["role changed"]
    assert rows["change"].tolist() == ["Role: runner → coach; Coaches teams: — → B"]


def test_the_audit_export_reads_back(team: dict[str, int]) -> None:
    store = get_store()
    Accounts(store).set_runner_team("cat", "A")
    with store.read() as conn:
        rows = pd.read_csv(io.StringIO(audit_csv(trail(conn))), keep_default_na=False)
    assert rows[["action", "subject", "runner"]].values.tolist() == [["team.change", "cat", "cat"]]


def test_the_people_table_titles_every_column(team: dict[str, int]) -> None:
    """Raw names ("username", "email", "teams") read as a database dump beside "Name"."""
    at = admin_page(team["root"])
    people = tables_with(at, "username")[0]
    config = json.loads(people.proto.columns)
    shown = [config[c]["label"] for c in people.value.columns if c != "id"]
    assert shown == ["Username", "Name", "Email", "Role", "Runner", "Active", "Coaches teams"]


def test_a_phone_gets_the_key_columns_of_people_and_the_trail(team: dict[str, int]) -> None:
    """Issue 13: each table is sent three times (wide; the phone's key columns, cells wrapping
    at word ends; every column under an expander); CSS shows the one that fits."""
    Accounts(get_store()).set_runner_team("cat", "A", actor=ADMIN_ACTOR)
    at = admin_page(team["root"])
    for column, key_columns, rest in [
        ("username", ["username", "display_name", "role", "active"], "email"),
        ("what", ["at", "what", "change"], "actor"),
    ]:
        wide, phone, every = tables_with(at, column)
        assert list(phone.proto.column_order) == key_columns
        assert phone.proto.row_height == PHONE_ROW  # tall enough to wrap
        widths = json.loads(phone.proto.columns)
        assert sum(widths[c]["width"] for c in key_columns) <= 356
        for full in (wide, every):
            assert rest in full.proto.column_order and full.proto.row_height != PHONE_ROW
    assert "All columns: email, runner, coaches teams" in [e.label for e in at.expander]
    # The trail's text in the check-in form's words, on each of its tables.
    assert frame_with(at, "what")["change"].tolist() == ["Team: B → A"]
