"""Real-browser journey of a new runner: sign up, check in, read the results, check in again.

One test, run at desktop (1280x800) and phone (390x844) width, each against a private app
server with a fresh database so runs never see each other's runners or check-ins.

The runner's four weekly check-ins are dated with the form's date field: the first one three
weeks back (then replaced in its own week), then one a week up to today, pain rising in the
last. The history page must draw the four weeks and raise the week-over-week alert.

Along the way it guards the body-map/list sync: a region removed in the list must lose its
highlight on the map, and the next map click must not bring it back. The runner taps the
left leg's tiles (the map has one tile per area and leg).

Set STRIDE_CHECK_SHOTS to a directory to keep the history page's screenshots there.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect

from logic import clock
from logic.analysis.trends import alert_lines, scored_history, week_over_week
from logic.charts.body_map import HIGHLIGHT_COLOR
from logic.knowledge import knowledge_base
from logic.storage.store import Store
from logic.weeks import day_label, short_week_label, week_label
from scripts.appserver import DEVICE_OPTIONS, full_page_screenshot, sqlite_url
from tests.support.browser import assert_clean, main, nav_to, open_app, wait_for_app

pytestmark = pytest.mark.browser

NEW_RUNNER = "➕ New runner…"  # pages/shared/common.py NEW_RUNNER
RUNNER = "Ada Trailwood"
TEAM = "Hill Goats"
LABELS = {  # data/checkin.toml pain_locations labels
    "front_knee": "Front of the knee",
    "outer_knee": "Outside of the knee",
    "outer_hip": "Outside of the hip",
}
TRIGGER = "Going up or down stairs"
LAST_TRIGGER = ("downhill", "Running or walking downhill")
PAIN = 5  # below the clinician threshold (8), so no pain-level warning on the results
PAINS = [PAIN, 4, 4, 7]  # the four weeks, oldest first; 7 is still below the threshold
# The last week adds the front of the knee and downhill to a pain that rose 4 -> 7: runner's
# knee must rise at least [trends] rise_points (data/rules.toml) since the week before.
RISING = "Runner's knee (patellofemoral pain)"  # data/conditions.toml patellofemoral name
HISTORY_SHOTS = os.environ.get("STRIDE_CHECK_SHOTS")  # e.g. /tmp/shots
BODY_MAP = '[class*="st-key-ci_body_map"]'
AREAS = '[class*="st-key-ci_pain_locations"]'
CHIPS = f'{AREAS} button[aria-pressed="true"]'
SIDE = "left"  # the leg whose tiles the runner taps


def checkin_days(today: dt.date) -> tuple[list[dt.date], dt.date]:
    """Four check-in days in four ISO weeks in a row, the last today, and a later day in the
    first week (the runner checks in for that week a second time).

    Tuesday three weeks back, Saturday two weeks back, last Sunday (the last day of its ISO
    week, right before this week's Monday) and today; the second go is that first Thursday.
    """
    monday = today - dt.timedelta(days=today.weekday())
    back = [monday - dt.timedelta(weeks=3, days=-1), monday - dt.timedelta(weeks=2, days=-5)]
    days = [*back, monday - dt.timedelta(days=1), today]
    return days, days[0] + dt.timedelta(days=2)


def region_paths(page: Page, region: str, side: str = SIDE) -> Locator:
    """The tile of a region on one leg of the check-in body map."""
    return page.locator(f'{BODY_MAP} svg path[aria-label*="({region}), {side} leg"]')


def click_region(page: Page, region: str) -> None:
    region_paths(page, region).click()
    wait_for_app(page)


def expect_map(page: Page, on: set[str], off: set[str]) -> None:
    """The tapped leg's tiles of the `on` regions are highlighted, no tile of the `off`
    regions and none of the other leg is.

    Retries until true (or the expect timeout): the map is redrawn after the run ends.
    """
    # Only one chart may be on the page: a stale chart left behind would make this vacuous.
    expect(page.locator(BODY_MAP)).to_have_count(1)
    lit_fill = page.locator(f'path[fill="{HIGHLIGHT_COLOR}" i]')
    for region in sorted(on | off):
        tile = region_paths(page, region)
        expect(tile).to_have_count(1)
        expect(tile.and_(lit_fill), region).to_have_count(1 if region in on else 0)
        other = region_paths(page, region, "right")
        expect(other.and_(lit_fill), f"{region}, right leg").to_have_count(0)


def expect_chips(page: Page, regions: list[str]) -> None:
    chips = main(page).locator(CHIPS)
    expect(chips).to_have_count(len(regions))
    shown = sorted(chips.all_inner_texts())
    assert shown == sorted(LABELS[r] for r in regions)


def set_date(page: Page, day: dt.date) -> None:
    """Type a day into the check-in's date field, the way a runner with a keyboard would.

    The field is year-month-day segments; focusing one opens a calendar, and the value is only
    sent to the app when focus leaves the field with that calendar closed.
    """
    body = main(page)
    field = body.get_by_role("group", name="Date", exact=True)
    field.get_by_role("spinbutton", name="year").focus()
    page.keyboard.type(day.strftime("%Y%m%d"))  # each full segment moves on to the next
    expect(field.get_by_role("spinbutton", name="day")).to_have_text(day.strftime("%d"))
    page.keyboard.press("Escape")  # close the calendar ...
    field.get_by_role("spinbutton", name="day").blur()  # ... and leave the field
    wait_for_app(page)
    # The caption under the field names the week: it follows the value the app got.
    expect(body.get_by_text(week_label(day), exact=True)).to_be_visible()


def expect_results_for(page: Page, day: dt.date) -> None:
    body = main(page)
    expect(page).to_have_url(re.compile(r"/results$"))
    expect(body.get_by_role("heading", name="Your results")).to_be_visible()
    said = f"{RUNNER} · {day_label(day)} · {short_week_label(day)}"
    expect(body.get_by_text(said, exact=True)).to_be_visible()


def _boxes(elements: Locator) -> list[dict[str, float]]:
    """The on-screen boxes of every element `elements` matches (bounding_box's coordinates)."""
    return elements.evaluate_all(
        "els => els.map((e) => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
    )


def saved_checkins(db_url: str, runner: str):
    store = Store(db_url)
    try:
        return store.history(runner)
    finally:
        store.dispose()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_new_runner_checks_in_and_gets_a_routine(
    viewport: str, app_server_factory, page_factory, tmp_path: Path
) -> None:
    server = app_server_factory()
    # A phone user agent too: Streamlit closes the sidebar menu after navigation only on phones.
    page = page_factory(viewport, accept_downloads=True, **DEVICE_OPTIONS[viewport])
    body = main(page)
    days, second_go = checkin_days(clock.today())

    # -- 1. who are you? ------------------------------------------------------------------
    open_app(page, server.base_url)
    expect(body.get_by_text("First, tell us who you are")).to_be_visible()
    picker = body.get_by_role("combobox", name="Who is checking in?")
    expect(picker).to_be_visible()
    assert_clean(page)

    picker.click()
    page.get_by_role("option", name=NEW_RUNNER).click()
    wait_for_app(page)
    expect(picker).to_have_value(NEW_RUNNER)
    body.get_by_role("textbox", name="Your name").fill(RUNNER)
    body.get_by_role("textbox", name="Team (optional)").fill(TEAM)
    body.get_by_role("button", name="Start").click()
    wait_for_app(page)

    # -- 2. the check-in form -------------------------------------------------------------
    expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    expect(body.get_by_text(f"{RUNNER} · {TEAM}")).to_be_visible()
    expect(body.get_by_text("First, tell us who you are")).to_have_count(0)
    expect_map(page, on=set(), off=set(LABELS))
    assert_clean(page)

    # The first check-in is for three weeks ago (the runner starts with a past week).
    set_date(page, days[0])
    click_region(page, "front_knee")
    click_region(page, "outer_knee")
    expect_chips(page, ["front_knee", "outer_knee"])
    expect_map(page, on={"front_knee", "outer_knee"}, off={"outer_hip"})

    # Remove one region in the list: the map must drop its highlight (sync bug guard) ...
    body.locator(AREAS).get_by_role("button", name=LABELS["front_knee"]).click()
    wait_for_app(page)
    expect_chips(page, ["outer_knee"])
    expect_map(page, on={"outer_knee"}, off={"front_knee", "outer_hip"})
    # ... and the next map click must add to the list's regions, not resurrect the old one.
    click_region(page, "outer_hip")
    expect_chips(page, ["outer_knee", "outer_hip"])
    expect_map(page, on={"outer_knee", "outer_hip"}, off={"front_knee"})
    assert_clean(page)

    # Pain: keyboard arrows move a Streamlit slider one step each. The answers below the map
    # sit in one form: nothing reruns until Save.
    slider = body.get_by_role("slider", name=re.compile(r"^Worst pain this week"))
    slider.focus()
    for _ in range(PAIN):
        slider.press("ArrowRight")
    expect(slider).to_have_value(str(PAIN))

    trigger = body.get_by_role("button", name=TRIGGER, exact=True)
    trigger.click()
    expect(trigger).to_have_attribute("aria-pressed", "true")
    assert_clean(page)

    # -- 3. save -> results ---------------------------------------------------------------
    body.get_by_role("button", name="Save check-in").click()
    wait_for_app(page)
    expect_results_for(page, days[0])

    saved = saved_checkins(server.db_url, RUNNER)
    assert len(saved) == 1
    row = saved.iloc[0]
    assert pd.Timestamp(row["date"]).date() == days[0]
    assert row["team"] == TEAM
    assert set(row["pain_locations"].split(";")) == {"outer_knee", "outer_hip"}
    assert row["pain_side"] == SIDE
    assert row["pain_triggers"] == "stairs"
    assert int(row["pain_level"]) == PAIN

    expect(body.get_by_text("Highest risk:")).to_be_visible()
    for heading in ("Risk by condition", "Why", "Where it points", "Your routine this week"):
        expect(body.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    # Risk chart, why chart, body map: each vega-embed renders an svg or a canvas.
    charts = body.locator(".vega-embed svg.marks, .vega-embed canvas")
    expect(charts.nth(2)).to_be_visible()
    assert charts.count() >= 3
    expect(body.locator(".vega-embed").first).to_be_visible()
    # The routine is a numbered list (a phone cannot show a wide table).
    expect(body.get_by_text("Helps with:").first).to_be_visible()
    expect(body.get_by_test_id("stDownloadButton")).to_have_count(2)
    csv_button = body.get_by_role("button", name="Download CSV")
    md_button = body.get_by_role("button", name="Download Markdown")
    expect(csv_button).to_be_visible()
    expect(md_button).to_be_visible()
    assert_clean(page)

    with page.expect_download() as download_info:
        md_button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md"), download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith(f"# Stride Check routine for {RUNNER}"), text[:200]
    assert "### 1. " in text  # at least one exercise
    assert_clean(page)

    # -- 4. the same week again -----------------------------------------------------------
    nav_to(page, "Check-in")
    assert_clean(page)  # coming back to the form in the same session must not crash
    expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    # The form starts from the last check-in, dated today: move it to another day of that week.
    expect_chips(page, ["outer_knee", "outer_hip"])
    expect(body.get_by_text(week_label(clock.today()), exact=True)).to_be_visible()
    set_date(page, second_go)
    # The week is settled first: a week already checked in says so at once, at the top.
    week = days[0].isocalendar().week
    expect(
        body.get_by_text(f"You checked in for week {week} on {days[0]:%A}: edit it?")
    ).to_be_visible()
    body.get_by_role("button", name="Save check-in").click()
    wait_for_app(page)
    expect(body.get_by_text("Replace it?")).to_contain_text(f"{days[0]:%a %d %b %Y}")
    expect(body.get_by_role("button", name="Replace it")).to_be_visible()
    expect(body.get_by_role("button", name="Keep the old one")).to_be_visible()
    expect(body.get_by_role("button", name="Save check-in")).to_have_count(0)
    assert_clean(page)

    body.get_by_role("button", name="Replace it").click()
    wait_for_app(page)
    expect_results_for(page, second_go)
    assert_clean(page)
    saved = saved_checkins(server.db_url, RUNNER)
    assert len(saved) == 1, "replacing must not add a second check-in for the week"
    assert pd.Timestamp(saved.iloc[0]["date"]).date() == second_go

    # -- 5. three more weekly check-ins, one a week up to today ---------------------------
    for week, day in enumerate(days[1:], start=1):
        nav_to(page, "Check-in")
        expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()
        # Answers carry over from the last check-in, pain too; the date starts at today.
        expect(slider).to_have_value(str(PAINS[week - 1]))
        expect(body.get_by_text(week_label(clock.today()), exact=True)).to_be_visible()
        assert_clean(page)
        if day != clock.today():
            set_date(page, day)
        if week == len(days) - 1:  # the last week: it hurts more, in more places
            click_region(page, "front_knee")
            expect_chips(page, ["outer_knee", "outer_hip", "front_knee"])
            expect_map(page, on=set(LABELS), off=set())
            downhill = body.get_by_role("button", name=LAST_TRIGGER[1], exact=True)
            downhill.click()
            expect(downhill).to_have_attribute("aria-pressed", "true")
        step = PAINS[week] - PAINS[week - 1]
        if step:
            slider.focus()
            for _ in range(abs(step)):
                slider.press("ArrowRight" if step > 0 else "ArrowLeft")
        expect(slider).to_have_value(str(PAINS[week]))
        assert_clean(page)
        body.get_by_role("button", name="Save check-in").click()
        wait_for_app(page)
        expect(body.get_by_text("Replace it?")).to_have_count(0)
        expect_results_for(page, day)
        assert_clean(page)

    saved = saved_checkins(server.db_url, RUNNER)
    dates = [pd.Timestamp(d).date() for d in saved["date"]]
    assert dates == [second_go, *days[1:]], dates
    weeks = {d.isocalendar()[:2] for d in dates}
    assert len(weeks) == 4, f"four check-ins in four ISO weeks, got {sorted(weeks)}"
    assert [int(p) for p in saved["pain_level"]] == PAINS
    last = saved.iloc[-1]
    assert set(last["pain_locations"].split(";")) == set(LABELS)
    assert set(last["pain_triggers"].split(";")) == {"stairs", LAST_TRIGGER[0]}

    # What the app should call out: runner's knee, risen at least rise_points since last week
    # (the check-in rules, not the browser, decide what else rose or moved up a band).
    kb = knowledge_base()
    alerts = week_over_week(scored_history(saved, kb), kb)
    rising = alerts[alerts["name"] == RISING]
    assert len(rising) == 1, alerts
    assert rising["change"].iloc[0] >= kb.rules.trends.rise_points, alerts
    # The results of the last check-in already show it, and no clinician warning (pain 7 < 8).
    lines = [message for message, _icon in alert_lines(alerts)]
    for message in lines:
        expect(body.get_by_test_id("stAlert").filter(has_text=message)).to_have_count(1)
    expect(body.get_by_text("See a clinician first")).to_have_count(0)

    # -- 6. history: the trend over the four weeks and the week-over-week alert -----------
    nav_to(page, "History")
    expect(body.get_by_role("heading", name="History", exact=True)).to_be_visible()
    shown = body.get_by_test_id("stAlert")
    for message in lines:
        expect(shown.filter(has_text=message)).to_have_count(1)
    expect(shown.filter(has_text=f"{RISING} rose ")).to_be_visible()
    texts = [text.split("\n")[-1].strip() for text in shown.all_inner_texts()]
    assert [t for t in texts if t in lines] == lines, "worsening first, then the biggest rise"
    expect(body.get_by_text("Compared with your check-in of the week before.")).to_be_visible()

    expect(body.get_by_role("heading", name="Risk over the weeks")).to_be_visible()
    # The trend shows the runner's top three conditions (the others one tap away): one point
    # per week for each, and each point says its condition, week and score.
    trend = body.get_by_test_id("stVegaLiteChart").filter(
        has=page.locator(f'[aria-label*="Condition: {RISING};"]')
    )
    expect(trend).to_have_count(1)
    expect(trend.locator("svg.marks, canvas").first).to_be_visible()
    points = trend.locator("g.mark-symbol.role-mark > path")
    expect(points).to_have_count(4 * 3)
    labels = points.evaluate_all("els => els.map((e) => e.getAttribute('aria-label') || '')")
    knee = [
        re.search(r"; (.+?); Score: (\d+)", label)
        for label in labels
        if f"Condition: {RISING};" in label
    ]
    assert len(knee) == 4 and all(knee), labels
    scores = [int(m.group(2)) for m in knee]
    assert scores[-1] - scores[-2] >= kb.rules.trends.rise_points - 1, scores
    # Issue 13: each line is named at its end; on a desktop the legend sits beside the chart,
    # right of those names (not above, not below, not over them); on a phone it folds away and
    # the names at the line ends carry it, and nothing runs off the side of the screen.
    ends = trend.locator('g[class*="ink_ends"] text')
    expect(ends).to_have_count(3)
    expect(ends.filter(has_text=re.compile(r" \d+$"))).to_have_count(3)
    names_right = max(box["x"] + box["width"] for box in _boxes(ends))
    plot = trend.locator("g.mark-rect.role-mark").first.bounding_box()  # the band tints
    chart = trend.bounding_box()
    legend = trend.locator("g.role-legend").first.bounding_box()
    assert plot and chart and legend
    if viewport == "desktop":
        assert legend["width"] > 40 and legend["x"] >= names_right, (legend, names_right)
        assert legend["y"] < plot["y"] + plot["height"] / 2, (legend, plot)  # beside, at the top
        assert legend["x"] + legend["width"] <= chart["x"] + chart["width"] + 1
    else:
        assert legend["width"] < 10, legend
        assert plot["width"] > 150, plot  # the lines keep the width
    assert names_right <= chart["x"] + chart["width"] + 1 <= page.viewport_size["width"] + 1
    assert_clean(page)

    shots = Path(HISTORY_SHOTS) if HISTORY_SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    full_page_screenshot(page, shots / f"journey_history_{viewport}.png")
    assert_clean(page)


# -- known bugs, found while writing the journey above -------------------------------------
# These two guard bugs found in the runner picker (now fixed).


def test_sidebar_picker_shows_the_runner_who_just_signed_up(app_server_factory, page_factory):
    server = app_server_factory()
    page = page_factory("desktop")
    body = main(page)
    open_app(page, server.base_url)
    body.get_by_role("textbox", name="Your name").fill(RUNNER)
    body.get_by_role("button", name="Start").click()
    wait_for_app(page)
    expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Who is checking in?")).to_have_value(
        RUNNER, timeout=2_000
    )
    expect(sidebar.get_by_role("textbox", name="Your name")).to_have_count(0, timeout=1_000)


def test_new_visitor_is_asked_who_they_are_when_runners_exist(
    app_server_factory, page_factory, tmp_path: Path
):
    db_url = sqlite_url(tmp_path / "one_runner.db")
    store = Store(db_url)
    try:
        store.add_runner("Aaron Someone-Else", "Other Team")
    finally:
        store.dispose()
    server = app_server_factory(db_url=db_url)
    page = page_factory("desktop")
    open_app(page, server.base_url)
    body = main(page)
    expect(body.get_by_text("First, tell us who you are")).to_be_visible(timeout=2_000)
    expect(body.get_by_text("Aaron Someone-Else")).to_have_count(0)
