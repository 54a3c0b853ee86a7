"""The results page: the running advice first, charts carry the scores, the routine (or what
to do until seen), the red flag, the downloads, and links."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest

from logic import clock
from logic.analysis.advice import advice_blocks
from logic.analysis.results import checkin_result
from logic.analysis.routine import routine_filename
from logic.analysis.scoring import score_one, whole
from logic.cli import main as cli_main
from logic.io.importing import export_csv
from logic.knowledge import knowledge_base
from logic.profile import RunnerProfile, validate_profile
from logic.storage.store import get_store
from logic.texts import DISCLAIMER
from logic.weeks import short_week_label
from tests.analysis import strategies
from tests.support.apptest import (
    app,
    assert_no_exception,
    chart_rows,
    chart_spec,
    charts,
    on_page,
    texts,
)
from tests.support.plain_words import jargon_in, page_words

pytestmark = pytest.mark.usefixtures("db_url")

KNEE = {**strategies.KNEE, "date": clock.today().isoformat()}


def results_for(checkin: dict) -> object:
    checkin_id = get_store().save_checkin(checkin)
    at = app(checkin["runner"])
    at.session_state["result_id"] = checkin_id
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    return at


def test_risk_chart_carries_the_scores_and_bands() -> None:
    at = results_for(KNEE)
    expected = score_one(KNEE)
    bars = charts(at)[0]
    rows = chart_rows(bars).dropna(subset=["condition"]).drop_duplicates("condition")
    assert len(rows) == 6
    for row in rows.itertuples():
        assert row.score == pytest.approx(round(expected[row.condition], 1))
        assert row.band == expected[f"{row.condition}_band"]
    # The band thresholds are drawn as rules at the configured values.
    spec = str(chart_spec(bars))
    assert "rule" in spec
    thresholds = chart_rows(bars)
    assert {30.0, 55.0} <= set(thresholds.get("value", thresholds.get("threshold", [])))


def test_why_chart_and_table_list_the_factors_with_sections() -> None:
    at = results_for(KNEE)
    factors = chart_rows(charts(at)[1]).dropna(subset=["factor"])
    expected = checkin_result(KNEE).factors
    assert sorted(zip(factors["condition"], factors["factor"], strict=True)) == sorted(
        zip(expected["condition"], expected["factor"], strict=True)
    )
    table = at.dataframe[0].value
    # What the page shows adds up: each part's bar is its reasons' points, and is the number
    # in the part's label and in "Looks like: 40 · moderate" above.
    rows = chart_rows(charts(at)[1])
    segments = rows.dropna(subset=["factor"]).groupby("key")["points"].sum()
    labels = rows[~rows["key"].str.endswith("|")].dropna(subset=["text"])
    labels = labels.drop_duplicates("key").set_index("key")["text"]  # headings are "<id>|"
    assert len(labels) == 2 * 6
    scores = checkin_result(KNEE).scores.set_index("condition")
    for key, text in labels.items():
        condition, part = key.split("|")
        assert segments.get(key, 0.0) == pytest.approx(scores.loc[condition, part]), key
        assert text.endswith(f" {int(whole(scores.loc[condition, part]))}"), (key, text)
    assert sorted(table["points"]) == pytest.approx(sorted(factors["points"]))
    assert any("larger part plus" in c for c in texts(at.caption)), texts(at.caption)
    # Each reason says where it comes from: an article section by its title, or not the article.
    titles = {
        "Patellofemoral syndrome (runner's knee)",
        "Gluteal tendinopathy",
        "Hip flexor strain / tendonitis",
        "Piriformis pain",
        "IT band syndrome",
        "Hamstring pulls or tears",
        "The takeaway: shared root causes",
    }
    article = table["source"].str.removeprefix("From the article: ")
    shown = article[table["source"].str.startswith("From the article: ")]
    assert set(shown) <= titles and len(shown) > 0
    others = table.loc[~table["source"].str.startswith("From the article: "), "source"]
    assert others.str.startswith(("Our reasoning: ", "Study: ")).all()


def test_body_map_is_coloured_by_the_conditions_that_live_there() -> None:
    at = results_for(KNEE)
    regions = chart_rows(charts(at)[2]).dropna(subset=["band"])
    expected = score_one(KNEE)
    knee = regions[regions["region"] == "front_knee"].iloc[0]
    assert knee["band"] == expected["patellofemoral_band"]
    outer = regions[regions["region"] == "outer_knee"].iloc[0]
    assert outer["score"] == pytest.approx(round(expected["it_band"], 1))


def test_routine_lists_each_right_exercise_once() -> None:
    at = results_for(KNEE)
    listing = next(t for t in texts(at.markdown) if t.startswith("1. **"))
    names = re.findall(r"^\d+\. \*\*(.+?)\*\*", listing, flags=re.MULTILINE)
    expected = checkin_result(KNEE).routine
    assert names == expected["name"].tolist()
    assert len(set(names)) == len(names)
    bridge = listing[listing.index("Glute bridge") :].split("\n\n")[0]
    assert "Runner's knee" in bridge and "IT band" in bridge
    downloads = [d.label for d in at.get("download_button")]
    assert downloads == ["Download CSV", "Download Markdown"]


@pytest.mark.parametrize(
    ("change", "flagged"),
    [
        ({}, False),
        ({"pain_level": 7}, False),
        ({"pain_level": 8}, True),
        ({"warning_signs": "numbness"}, True),
    ],
)
def test_red_flag_appears_exactly_when_it_should(change: dict, flagged: bool) -> None:
    at = results_for({**KNEE, **change})
    errors = texts(at.error)
    shown = [t for t in errors if "See a clinician before you run on" in t]
    assert bool(shown) is flagged
    if flagged:
        # Above everything else: it is the first element after the heading lines.
        order = [el.type for el in at.main]
        assert order.index("error") < order.index("vega_lite_chart"), order
        assert order.index("error") < order.index("subheader"), order
    if "warning_signs" in change:
        assert any("Numbness or tingling" in t for t in shown)


def test_no_checkin_yet_points_to_the_form() -> None:
    at = on_page(app("Zed").run(), "pages/results.py")
    assert_no_exception(at)
    assert any("Nothing to show yet" in t for t in texts(at.info))
    links = [e.proto.page for e in at.get("page_link")]
    assert "checkin" in links  # the next step, one tap away


@pytest.mark.parametrize("bad", ["abc", "-1", "1e9", "<script>", "0"])
def test_a_bad_checkin_link_says_what_is_allowed(bad: str) -> None:
    get_store().save_checkin(KNEE)
    at = app("Ann")
    at.query_params["checkin"] = bad
    at = on_page(at.run(), "pages/results.py")
    assert_no_exception(at)
    assert any("must be a check-in number" in t for t in texts(at.error))
    assert at.title[0].value == "Your results"


def test_a_link_to_a_missing_checkin_says_so() -> None:
    at = app("Ann")
    at.query_params["checkin"] = "999"
    at = on_page(at.run(), "pages/results.py")
    assert any("no check-in number 999" in t for t in texts(at.error))


def test_past_weeks_can_be_opened() -> None:
    store = get_store()
    old = {**KNEE, "date": (clock.today() - dt.timedelta(days=14)).isoformat(), "pain_level": 2}
    store.save_checkin(old)
    at = results_for(KNEE)
    picker = at.selectbox[-1]
    assert picker.label == "Show another week"
    assert len(picker.options) == 2
    picker.select_index(1).run()
    assert_no_exception(at)
    assert at.session_state["result_id"] != store.latest_checkin("Ann")["id"]


def test_a_rise_since_last_week_is_called_out_and_load_flags_count() -> None:
    store = get_store()
    today = clock.today()
    last_week = today - dt.timedelta(days=7)
    store.save_checkin({"runner": "Ann", "date": last_week.isoformat(), "weekly_km": 30})
    at = results_for({**KNEE, "weekly_km": 60.0, "longest_run_km": 20.0})
    alerts = [t for t in texts(at.warning) if "rose" in t or "moved up" in t]
    assert any("Runner's knee" in t for t in alerts), texts(at.warning)
    # 60 km after 30 km is a 100% jump: the load-spike factor shows among the reasons.
    factors = chart_rows(charts(at)[1]).dropna(subset=["factor"])
    assert "load_spike" in set(factors["factor"])


# --- what to do about running, and the routine it leads to ---------------------------------


def boxes(at) -> dict[str, list[str]]:
    """The texts of the success, warning and error boxes, by kind."""
    return {"ok": texts(at.success), "caution": texts(at.warning), "stop": texts(at.error)}


def test_running_advice_leads_the_page_with_one_line_per_concern() -> None:
    at = results_for(KNEE)
    expected = checkin_result(KNEE).advice
    shown = boxes(at)
    for tone, block in advice_blocks(expected):
        assert block in shown[tone], (block, shown)
    adjust = next(t for t in shown["caution"] if t.startswith("**Adjust your running**"))
    assert "**Runner's knee:**" in adjust and "hills" in adjust
    concerns = {c for ids in expected["conditions"] for c in ids.split(";")}
    scores = checkin_result(KNEE).scores
    assert concerns == set(scores.loc[scores["band"] != "low", "condition"])
    # At the top: before the risk chart and before the other sections.
    heads = [h.value for h in at.subheader]
    assert heads[0] == "Your running this week"
    order = [el.type for el in at.main]
    first_box = min(order.index(kind) for kind in ("success", "warning") if kind in order)
    assert first_box < order.index("vega_lite_chart")


def test_a_calm_week_says_keep_training() -> None:
    calm = {"runner": "Ann", "date": clock.today().isoformat(), "pain_level": 0}
    at = results_for(calm)
    ok = texts(at.success)
    assert any(t.startswith("**Keep training**") for t in ok), ok
    assert not [t for t in texts(at.warning) if "Adjust your running" in t]
    assert "Your routine this week" in [h.value for h in at.subheader]


LOADING_NAMES = [e.name for e in knowledge_base().exercises.values() if e.loading]


def test_a_clinician_flag_replaces_the_routine_and_drops_loading_exercises() -> None:
    hamstring = {**KNEE, "pain_locations": "back_thigh", "pain_triggers": "top_speed"}
    plain = results_for({**hamstring, "runner": "Bo"})
    assert any(n in " ".join(texts(plain.markdown)) for n in LOADING_NAMES)  # offered unflagged
    at = results_for({**hamstring, "pain_level": 8})
    heads = [h.value for h in at.subheader]
    assert "Until you are seen" in heads and "Your routine this week" not in heads
    shown = " ".join(texts(at.markdown))
    steps = knowledge_base().rules.until_seen.clinician
    assert f"1. {steps[0]}" in shown
    assert not [n for n in LOADING_NAMES if n in shown]
    stop = [t for t in texts(at.error) if t.startswith("**Stop running and see a clinician**")]
    assert len(stop) == 1


def test_an_emergency_says_urgent_care_today_and_offers_no_exercises(downloads: dict) -> None:
    """needs_emergency comes from the safety rules (data/rules.toml): saddle numbness."""
    at = results_for({**KNEE, "warning_signs": "saddle_numbness"})
    urgent = [t for t in texts(at.error) if t.startswith("**Get urgent care today")]
    assert len(urgent) == 1 and "physio" in urgent[0]  # said once, above the title
    shown = " ".join(texts(at.markdown))
    assert knowledge_base().rules.until_seen.emergency[0] in shown
    assert not re.search(r"^\d+\. \*\*", shown, flags=re.MULTILINE)  # no exercise list
    assert [d.label for d in at.get("download_button")] == ["Download Markdown"]
    stem = routine_filename("Ann", clock.today())
    plan = downloads[f"{stem}.md"][0].decode()
    assert "Get urgent care today" in plan and "###" not in plan


def test_downloads_are_a_plain_csv_and_a_printed_plan(downloads: dict) -> None:
    at = results_for(KNEE)
    assert [d.label for d in at.get("download_button")] == ["Download CSV", "Download Markdown"]
    expected = checkin_result(KNEE)
    stem = routine_filename("Ann", clock.today())
    data, mime = downloads[f"{stem}.csv"]
    assert mime == "text/csv"
    back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert list(back.columns) == [
        "Exercise",
        "How to do it",
        "Sets",
        "How often",
        "Caution",
        "Helps with",
    ]
    assert back["Exercise"].tolist() == expected.routine["name"].tolist()
    assert "priority" not in data.decode().lower()
    plan = downloads[f"{stem}.md"][0].decode()
    lines = plan.splitlines()
    assert lines[0] == "# Stride Check routine for Ann"
    assert lines[2] == short_week_label(clock.today())
    assert "Week of" not in plan
    sections = ["## Your running this week", "**Adjust your running**", "## Your exercises"]
    sections += ["### 1. ", f"_{DISCLAIMER}_"]
    where = [plan.index(s) for s in sections]
    assert where == sorted(where), where
    first = expected.routine.iloc[0]
    assert f"**{first['dose']} · {first['how_often']}**" in plan


# --- issue 12: two answers, plain words, no headline without signals ---------------------------


def test_an_empty_checkin_says_there_are_no_risk_signals() -> None:
    at = results_for({"runner": "Ann", "date": clock.today().isoformat()})
    assert any("No risk signals this week" in t for t in texts(at.success))
    assert not [t for t in texts(at.markdown) if "Highest risk" in t]


def test_looks_like_and_building_up_are_shown_apart() -> None:
    at = results_for(KNEE)
    expected = checkin_result(KNEE).scores
    lines = next(t for t in texts(at.markdown) if "Looks like:" in t).split("\n")
    assert len(lines) == len(expected)
    for line, row in zip(lines, expected.itertuples(), strict=True):
        assert row.name in line
        assert "Looks like: " in line and "Building up: " in line
        looks = re.search(r"Looks like: (\d+) · (\w+)", line)
        building = re.search(r"Building up: (\d+) · (\w+)", line)
        assert looks and building
        assert abs(int(looks[1]) - row.looks_like) <= 0.5 and looks[2] == row.looks_like_band
        assert abs(int(building[1]) - row.building_up) <= 0.5
        assert building[2] == row.building_up_band


def test_sources_are_named_honestly() -> None:
    at = results_for({**KNEE, "pain_locations": "outer_hip", "training_changes": "more_hills"})
    table = at.dataframe[0].value
    sources = dict(zip(table["label"], table["source"], strict=False))
    assert sources["Recent jump in hills"].startswith(("From the article: ", "Our reasoning: "))
    by_source = table.groupby(table["source"].str.split(":").str[0])
    assert set(by_source.groups) <= {"From the article", "Our reasoning", "Study"}
    hills = table[table["label"] == "Recent jump in hills"]
    knee = hills[hills["name"].str.startswith("Runner's knee")]
    assert knee["source"].iloc[0].startswith("Our reasoning: ")


def test_the_results_page_speaks_plainly() -> None:
    store = get_store()
    last_week = clock.today() - dt.timedelta(days=7)
    store.save_checkin({"runner": "Ann", "date": last_week.isoformat(), "weekly_km": 30})
    at = results_for({**KNEE, "weekly_km": 60.0, "longest_run_km": 20.0, "ostrc_participation": 2})
    assert jargon_in(at) == []


def test_a_miles_runner_reads_no_km_figure() -> None:
    """Issue 13: whatever Results says about distance is in the runner's unit."""
    store = get_store()
    for weeks in range(4, 0, -1):
        day = clock.today() - dt.timedelta(weeks=weeks)
        store.save_checkin({"runner": "Ann", "date": day.isoformat(), "weekly_km": 30})
    store.save_profile("Ann", RunnerProfile(units="miles"))
    at = results_for({**KNEE, "weekly_km": 60.0, "longest_run_km": 20.0})
    words = page_words(at)
    # Results speaks of distance only in words today (the load signal is a score input); any
    # figure it shows must be in the runner's unit.
    assert "Your running this week" in words
    assert [w for w in words if re.search(r"\d\s*km\b|/km\b|\bkm\)", w)] == []


# --- red flags: emergency first, reasons first, the age band, history rules (issue 12) ----------


def test_an_emergency_sign_is_the_very_first_thing_on_the_page() -> None:
    at = results_for({**KNEE, "warning_signs": "swelling;bladder_or_bowel_change"})
    first = at.main[0]
    assert first.type == "error", [el.type for el in at.main][:5]
    text = first.value
    assert text.startswith("**Get urgent care today.**")
    # the reasons come before what to do, the emergency sign first of them
    assert text.index("New bladder or bowel trouble") < text.index("Visible swelling")
    assert text.index("Visible swelling") < text.index("emergency department")
    assert "physiotherapy appointment" in text  # it says not to wait for one
    assert not [t for t in texts(at.error) if "See a clinician before you run on" in t]


@pytest.mark.parametrize("sign", ["saddle_numbness", "bladder_or_bowel_change"])
def test_an_emergency_is_said_once_above_the_title(sign: str) -> None:
    at = results_for({**KNEE, "warning_signs": sign})
    kinds = [el.type for el in at.main]
    assert kinds.index("error") < kinds.index("title")
    boxes = [t for t in texts(at.error) + texts(at.warning) if "urgent care" in t.lower()]
    assert len(boxes) == 1, boxes
    assert boxes[0].startswith("**Get urgent care today.**")
    # The running advice would only repeat it: no "Your running this week" box.
    assert "Your running this week" not in texts(at.subheader)


def test_under_18_the_flag_mentions_growth_plates() -> None:
    store = get_store()
    store.save_checkin({**KNEE, "date": (clock.today() - dt.timedelta(weeks=3)).isoformat()})
    store.save_profile("Ann", validate_profile({"age_band": "under_18"}))
    at = results_for({**KNEE, "pain_level": 9})
    flag = next(t for t in texts(at.error) if "See a clinician" in t)
    assert "growth plate" in flag
    assert flag.index("9 out of 10") < flag.index("growth plate")


def test_three_weeks_at_pain_five_raise_the_flag_with_its_reason() -> None:
    store = get_store()
    for weeks_ago in (2, 1):
        day = (clock.today() - dt.timedelta(weeks=weeks_ago)).isoformat()
        store.save_checkin({**KNEE, "date": day, "pain_level": 5})
    at = results_for({**KNEE, "pain_level": 5})
    flag = next(t for t in texts(at.error) if "See a clinician" in t)
    assert "for 3 weeks in a row" in flag
    assert "growth plate" not in flag  # no age band given


def test_results_history_and_the_cli_give_the_same_scores(tmp_path, capsys) -> None:
    """One runner, one week: the page, the History table and `python -m logic score` agree."""
    store = get_store()
    for weeks_ago, km in ((4, 30.0), (3, 30.0), (2, 32.0), (1, 30.0)):
        day = (clock.today() - dt.timedelta(weeks=weeks_ago)).isoformat()
        store.save_checkin({**KNEE, "date": day, "weekly_km": km, "longest_run_km": 12.0})
    at = results_for({**KNEE, "weekly_km": 60.0, "longest_run_km": 25.0})
    page = chart_rows(charts(at)[0]).dropna(subset=["condition"]).drop_duplicates("condition")
    page_scores = dict(zip(page["condition"], page["score"], strict=True))
    # History, on its own page: the table's highest risk of the latest week.
    hist = on_page(app("Ann").run(), "pages/history.py")
    assert_no_exception(hist)
    top = max(page_scores, key=page_scores.get)
    assert hist.dataframe[0].value["score"].iloc[0] == pytest.approx(page_scores[top])
    # The CLI on the runner's exported check-ins.
    src = tmp_path / "ann.csv"
    src.write_text(export_csv(store.history("Ann")))
    assert cli_main(["score", str(src)]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    latest = out.iloc[-1]
    for cid, score in page_scores.items():
        assert latest[cid] == pytest.approx(score), cid
    assert page_scores["it_band"] > score_one(KNEE)["it_band"] + 1  # the load flags count
