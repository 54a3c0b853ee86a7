"""Small leaks (issue 11, findings 9 and 15): a `checkin` URL parameter is never rendered as
Markdown or HTML; a check-in id that is not yours reads exactly like one that does not exist;
a database error names its server (user, host, port) only to an admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from logic import clock
from logic.storage.engine import to_storage_error
from logic.storage.store import Store, get_store
from tests.support.apptest import app, assert_no_exception, on_page, signed_in, texts

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
HOSTILE = {
    "link": "[Sign in again](https://evil.example/x)",
    "image link": "![pixel](https://evil.example/pixel.png)",
    "html": '<img src="https://evil.example/p.png"><a href="https://evil.example">x</a>',
    "autolink": "<https://evil.example/x>",
}


def shown(at) -> str:
    """Every text the page put on screen, as its Markdown source."""
    parts = []
    for kind in ("error", "warning", "info", "success", "markdown", "caption", "title"):
        parts += texts(at.get(kind))
    return "\n".join(parts)


@pytest.mark.parametrize("payload", list(HOSTILE))
def test_a_checkin_parameter_is_never_echoed(db_url: str, payload: str) -> None:
    get_store().save_checkin({"runner": "Ann", "date": clock.today().isoformat(), "pain_level": 3})
    at = app("Ann")
    at.query_params["checkin"] = HOSTILE[payload]
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    assert any("must be a check-in number" in t for t in texts(at.error))
    assert "evil.example" not in shown(at)
    assert at.title[0].value == "Your results"  # the latest check-in, as the message says


def results_by_link(user_id: int, checkin_id: int):
    at = signed_in(user_id)
    at.query_params["checkin"] = str(checkin_id)
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    return at


def test_a_foreign_checkin_reads_exactly_like_a_missing_one(team: dict[str, int]) -> None:
    foreign = results_by_link(team["ann"], team["cat_checkin"])
    missing_id = max(team["ann_checkin"], team["cat_checkin"]) + 1000
    missing = results_by_link(team["ann"], missing_id)
    # Both name the number asked for, and then show the same page: ann's latest check-in.
    assert any(f"no check-in number {team['cat_checkin']}" in t for t in texts(foreign.error))
    errors = [
        [t.replace(str(n), "N") for t in texts(at.error)]
        for at, n in ((foreign, team["cat_checkin"]), (missing, missing_id))
    ]
    assert errors[0] == errors[1]
    rest = [shown(at).replace("\n".join(texts(at.error)), "") for at in (foreign, missing)]
    assert rest[0] == rest[1]
    normalised = rest
    assert "**ann**" in normalised[0] and "**cat**" not in normalised[0]


SERVER = "postgresql+psycopg://stride_app:***@db.club.example:6543/stride"


@pytest.mark.parametrize(("who", "sees_server"), [("coach_a", False), ("root", True)])
def test_a_database_error_names_the_server_only_to_an_admin(
    team: dict[str, int], monkeypatch: pytest.MonkeyPatch, who: str, sees_server: bool
) -> None:
    def down(self: Store) -> None:
        cause = Exception('connection to server at "db.club.example", port 6543 failed')
        raise to_storage_error(
            sa.exc.OperationalError("SELECT", {}, cause), action="read the runners", where=SERVER
        )

    at = signed_in(team[who])
    at = on_page(at.run(), "pages/team.py")
    monkeypatch.setattr(Store, "list_runners", down)
    at.run()
    assert_no_exception(at)
    errors = " ".join(texts(at.error))
    assert "cannot reach the database server" in errors
    for leak in ("db.club.example", "6543", "stride_app"):
        assert (leak in errors) is sees_server, errors


def test_pages_show_errors_through_error_text() -> None:
    """A page shows a StrideCheckError through common.error_text (or shown), never as is:
    only the Admin page (admins only) and a broken setting (before anyone is known, no
    database named) print one directly."""
    allowed = {("admin.py", "st.error(str(err)"), ("common.py", "not configured correctly")}
    found = []
    for path in sorted((ROOT / "pages").rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\{(err|exc)\}|str\((err|exc)\)", line) and not any(
                path.name == name and text in line for name, text in allowed
            ):
                found.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not found, found
