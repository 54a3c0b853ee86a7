"""The team page in AppTest: the week at a glance, the watch list, the heatmap that opens a
runner's history, the filters, the aggregated charts and the export."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.team_data import team_checkins
from logic.knowledge import knowledge_base
from logic.storage.store import get_store
from pages.shared.tables import PHONE_ROW
from tests.analysis.test_team import hill_checkins
from tests.support.apptest import (
    ROOT,
    app,
    assert_no_exception,
    chart_datasets,
    charts,
    on_page,
    texts,
)
from tests.support.plain_words import jargon_in, page_words

pytestmark = pytest.mark.usefixtures("db_url")

KB = knowledge_base()
IDS = KB.condition_ids
PAGE = str(ROOT / "pages" / "team.py")
LAST_WEEK = dt.date(2026, 11, 16)  # the newest week of hill_checkins


@pytest.fixture
def hill(db_url: str) -> None:
    store = get_store()
    store.import_checkins(hill_checkins())
    store.add_runner("Eve", "Hill")  # on the team, never checked in
    store.import_checkins(pd.DataFrame([{"runner": "Zed", "team": "Flat", "date": "2026-11-18"}]))


HILL = {"teams": ["Hill"], "period": (dt.date(2026, 10, 19), dt.date(2026, 11, 22))}


def team_page() -> AppTest:
    """pages/team.py on its own (it is not in the navigation yet), Hill's newest week shown."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["team_filters"] = dict(HILL)
    at.run()
    assert_no_exception(at)
    return at


def plain(text: str) -> str:
    """Markdown as read: escapes (names and reasons are escaped user text) removed."""
    return re.sub(r"\\(.)", r"\1", text)


def band_table(at: AppTest) -> pd.DataFrame:
    """The glance's Markdown table of runners at moderate and high risk per condition."""
    text = next(t for t in texts(at.markdown) if t.startswith("| Condition"))
    head, _, *rows = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines()]
    table = pd.DataFrame(rows, columns=head).set_index("Condition")
    table.index = table.index.map(plain)
    return table.astype("int64")


def dataset_rows(chart: object) -> int:
    return max(len(d) for d in chart_datasets(chart).values())


def weeks_in(chart: object) -> int:
    frames = [d for d in chart_datasets(chart).values() if "week_start" in d.columns]
    return max(d["week_start"].nunique() for d in frames)


@pytest.mark.usefixtures("hill")
def test_the_week_at_a_glance() -> None:
    at = team_page()
    assert at.title[0].value == "Team"
    assert at.get("multiselect")[0].value == ["Hill"]
    assert at.selectbox(key="team_week").value == LAST_WEEK
    summary = texts(at.markdown)
    # Bob's swelling, and Cat could not train at all (a red flag since issue 12)
    assert "**3 of 5** runners checked in · **2** red flags · **3** on the watch list" in summary
    roster = at.dataframe(key="team_roster").value
    # The runners who have not answered head the roster, with the date they last did.
    # Longest silent first: Eve never checked in, Dan last answered a week before.
    assert roster["runner"].tolist()[:2] == ["Eve", "Dan"]
    assert roster["status"].tolist()[:2] == ["✗ never", "✗ last 11 Nov"]
    assert (roster["status"].iloc[2:] == "✓ this week").all()
    assert roster.loc[roster["runner"] == "Bob", "flag"].item() == "⚑"
    assert roster.loc[roster["runner"] == "Cat", "flag"].item() == "⚑"
    (flag,) = map(plain, texts(at.error))
    assert "Red flags" in flag and "**Bob**: warning sign: Visible swelling" in flag
    assert "**Cat**: could not train" in flag
    bands = band_table(at)
    assert list(bands.index) == [KB.conditions[c].short_name for c in IDS]
    assert bands.loc["Runner's knee", "High"] == 1 and bands.loc["Hamstring", "High"] == 1
    # Ann's piriformis 29.67 shows as "30": moderate, as the band follows the shown score.
    assert bands.loc["Piriformis", "Moderate"] == 1
    assert bands[["Moderate", "High"]].to_numpy().sum() == 3


@pytest.mark.usefixtures("hill")
def test_the_roster_filters_and_opens_a_runner() -> None:
    at = team_page()
    full = at.dataframe(key="team_roster").value
    pills = at.get("button_group")[0]
    assert pills.options[0] == "red flags (2)"  # Bob's swelling; Cat could not train at all
    pills.set_value(["red flags"]).run()
    assert sorted(at.dataframe(key="team_roster").value["runner"]) == ["Bob", "Cat"]
    pills.set_value(["not answered"]).run()
    assert at.dataframe(key="team_roster").value["runner"].tolist() == ["Eve", "Dan"]
    pills.set_value(["rising"]).run()
    rising = at.dataframe(key="team_roster").value
    assert set(rising["trend"]) == {"↑"} and len(rising) < len(full)
    pills.set_value([]).run()
    assert len(at.dataframe(key="team_roster").value) == len(full) == 5


@pytest.mark.usefixtures("hill")
def test_the_watch_list_says_why() -> None:
    at = team_page()
    watch = next(plain(t) for t in texts(at.markdown) if t.startswith("- **Bob**"))
    lines = watch.splitlines()
    assert [line.split("**")[1] for line in lines] == ["Bob", "Cat", "Ann"]
    assert lines[0] == (
        "- **Bob**: Warning sign: Visible swelling; Hamstring up 52 points (low → high); "
        "a problem that limited training"
    )
    assert lines[1] == (
        "- **Cat**: Could not train; a problem that limited training; "
        "this week vs the 4 weeks before: 2.0× (above 1.5×)"
    )
    assert lines[2].startswith("- **Ann**: Runner's knee up ")


@pytest.mark.usefixtures("hill")
def test_the_team_page_speaks_plainly() -> None:
    """Issue 12: no questionnaire names or load-ratio shorthand on the roster, the watch list,
    the captions or in the charts' titles, tooltips, legends and descriptions."""
    at = team_page()
    words = page_words(at)
    # What the check reads includes the parts that used to carry the jargon.
    assert any("average of the 4 weeks before" in w for w in words)  # the Load column help
    assert any("limited training" in w for w in words)  # watch list, prevalence legend
    assert jargon_in(at) == []


@pytest.mark.usefixtures("hill")
def test_charts_carry_aggregates_only() -> None:
    at = team_page()
    heatmap, share, mean, prevalence = charts(at)
    cells = chart_datasets(heatmap)
    (rows,) = cells.values()
    assert rows.drop_duplicates("runner")["runner"].tolist() == ["Ann", "Bob", "Cat"]
    assert len(rows) == 3 * len(IDS)
    weeks = 5  # 19 Oct to 16 Nov
    assert weeks_in(share) == weeks and dataset_rows(share) == weeks * len(IDS)
    assert dataset_rows(mean) == weeks * len(IDS)
    assert dataset_rows(prevalence) == 2 * weeks
    assert "Mean over the period: any problem" in " ".join(texts(at.caption))


@pytest.mark.usefixtures("hill")
def test_the_condition_filter_narrows_every_per_condition_view() -> None:
    at = team_page()
    at.selectbox(key="team_condition").select(KB.conditions["hamstring"].name).run()
    assert_no_exception(at)
    heatmap, share, mean, _ = charts(at)
    assert dataset_rows(heatmap) == 3  # three runners x one condition
    assert dataset_rows(share) == 5 and dataset_rows(mean) == 5
    assert band_table(at).index.tolist() == ["Hamstring"]
    summary = " ".join(texts(at.markdown))
    assert "**Ann**" not in summary  # Ann's rises are knee and hip: not this condition


@pytest.mark.usefixtures("hill")
def test_an_earlier_week_and_another_team() -> None:
    at = team_page()
    at.selectbox(key="team_week").select(dt.date(2026, 11, 9)).run()
    assert_no_exception(at)
    assert "**4 of 5** runners checked in" in " ".join(texts(at.markdown))
    assert not at.error  # Bob's swelling is the week after
    at.get("multiselect")[0].set_value(["Flat"]).run()
    assert_no_exception(at)
    assert at.session_state["team_filters"]["teams"] == ["Flat"]
    assert any("**1 of 1** runners checked in" in t for t in texts(at.markdown))
    at.get("multiselect")[0].set_value([]).run()
    assert_no_exception(at)
    assert "Pick one or more teams." in texts(at.info)
    assert not charts(at)


@pytest.mark.usefixtures("hill")
def test_export_offers_the_period_checkins() -> None:
    at = team_page()
    (button,) = at.get("download_button")
    assert button.proto.label == "Download 10 check-ins (CSV)"
    assert button.proto.disabled is False


def test_without_teams_the_page_says_why_and_leads_on() -> None:
    get_store().save_checkin({"runner": "Solo", "date": "2026-11-18"})  # no team
    get_store().add_runner("Duo", None)  # a second runner: the Team page shows
    at = on_page(app("Solo").run(), "pages/team.py")
    assert_no_exception(at)
    assert any("no runner has joined a team" in t for t in texts(at.info))
    links = [e.proto.page for e in at.get("page_link")]
    assert "data" in links  # the team import, one tap away


@pytest.mark.usefixtures("hill")
def test_clicking_a_runner_in_the_heatmap_opens_their_history() -> None:
    at = app()
    at.session_state["team_filters"] = dict(HILL)
    at = on_page(at.run(), "pages/team.py")
    assert_no_exception(at)
    assert at.title[0].value == "Team"
    # What the browser sends when a cell is clicked: the point selection `runner`.
    at.session_state["team_heatmap"] = {"selection": {"runner": [{"runner": "Bob"}]}}
    at.run()
    assert_no_exception(at)
    # Now on the history page, showing Bob (personal mode: he becomes the current runner).
    assert at.title[0].value == "History"
    assert at.session_state["runner"] == "Bob"
    # Coming back shows the team again: the click is not replayed.
    at = on_page(at, "pages/team.py")
    assert at.title[0].value == "Team"
    assert at.get("multiselect")[0].value == ["Hill"]  # the filters were kept


@pytest.mark.usefixtures("hill")
def test_the_runner_picker_opens_a_history_too() -> None:
    at = app()
    at.session_state["team_filters"] = dict(HILL)
    at = on_page(at.run(), "pages/team.py")
    picker = at.selectbox(key="team_open")
    assert picker.options == ["Ann", "Bob", "Cat", "Dan", "Eve"]
    picker.select("Dan").run()
    assert_no_exception(at)
    assert at.title[0].value == "History"
    assert at.session_state["runner"] == "Dan"


def test_a_large_team_stays_aggregated() -> None:
    runners, weeks = 120, 30
    get_store().import_checkins(team_checkins(runners, weeks, teams=("Big",)))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["team_filters"] = {"teams": ["Big"]}
    at.run()
    assert_no_exception(at)
    heatmap, share, mean, prevalence = charts(at)
    shown = weeks_in(share)
    assert shown == 12  # the default period: the last 12 weeks
    assert dataset_rows(heatmap) == 25 * len(IDS)  # the 25 riskiest runners
    assert dataset_rows(share) == shown * len(IDS) and dataset_rows(mean) == shown * len(IDS)
    assert dataset_rows(prevalence) == 2 * shown
    at.selectbox(key="team_rows").select(100).run()
    assert_no_exception(at)
    assert dataset_rows(charts(at)[0]) == 100 * len(IDS)


@pytest.mark.usefixtures("hill")
def test_heatmap_caption_and_runner_picker_read_well() -> None:
    """No "The 3 riskiest runners" (read "The 1 riskiest runners" with one runner), and the
    history picker asks for a runner rather than Streamlit's "Choose an option"."""
    at = team_page()
    said = " ".join(texts(at.caption))
    assert "Riskiest first (3 shown)" in said and "riskiest runners" not in said
    assert at.selectbox(key="team_open").placeholder == "Pick a runner"


@pytest.mark.usefixtures("hill")
def test_a_phone_gets_the_rosters_key_columns_and_the_rest_on_demand() -> None:
    """Issue 13/15: the phone's roster is runner, red flag, top concern and band, worst pain
    and last check-in, in 358 px with cells that wrap; every column stays one tap away (the
    expander) and on the wide table."""
    at = team_page()
    wide = at.dataframe(key="team_roster")
    phone = at.dataframe(key="team_roster_phone")
    assert list(phone.proto.column_order) == ["runner", "flag", "top", "pain", "status"]
    assert phone.proto.row_height == PHONE_ROW
    widths = json.loads(phone.proto.columns)
    assert sum(widths[c]["width"] for c in phone.proto.column_order) <= 356 - 32  # row picker
    assert phone.value.equals(wide.value)  # the same rows, in the same order
    assert list(wide.proto.column_order[:5]) == list(phone.proto.column_order)
    assert "missed" in wide.proto.column_order
    (every,) = [d for d in at.dataframe if d.proto.column_order == wide.proto.column_order][1:]
    assert every.value.equals(wide.value)
    expander = [e.label for e in at.expander]
    assert any(label.startswith("All columns: trend") for label in expander)
    # Filters apply to both.
    at.get("button_group")[0].set_value(["red flags"]).run()
    assert sorted(at.dataframe(key="team_roster_phone").value["runner"]) == ["Bob", "Cat"]


@pytest.mark.usefixtures("hill")
def test_tapping_a_row_of_the_phones_roster_opens_that_runners_history() -> None:
    at = app()
    at.session_state["team_filters"] = dict(HILL)
    at = on_page(at.run(), "pages/team.py")
    first = at.dataframe(key="team_roster_phone").value["runner"].iloc[0]
    # What the browser sends when a row of the phone's table is tapped.
    at.session_state["team_roster_phone"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "History"
    assert at.session_state["runner"] == first
