"""How quick the weekly check-in is in a real browser: actions and seconds from first paint to
saved results, and the time from each tap until the page is idle again.

Two runs, at phone width (390x844, a phone user agent) and at desktop width (1280x800):

(a) a repeat check-in where only the pain level changes (target: 5 actions or fewer and
    10 s or less on the project machine);
(b) a first check-in, from a new runner to results (target: 25 actions or fewer).

An action is one tap, one typed field or one slider move (a tap on the slider's track; each
extra arrow key to correct it counts as one more). The test prints the figures (copy them to
the README); it asserts only the action counts, never a time (timing belongs to benchmarks,
and a loaded machine would make a time assertion flaky).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect

from logic import clock
from logic.charts.body_map import TILE_MIN_PX
from logic.storage.store import Store
from scripts.appserver import DEVICE_OPTIONS, sqlite_url
from tests.support.browser import assert_clean, main, open_app

pytestmark = pytest.mark.browser

NEW_RUNNER = "➕ New runner…"  # pages/shared/common.py NEW_RUNNER
BODY_MAP = '[class*="st-key-ci_body_map"]'
REPEAT_TARGET = 5
FIRST_TARGET = 25
QUIET_MS = 400  # the page counts as idle once the script state has rested this long

# Records every change of the script's run state with its time, so the wait after a tap can
# tell "nothing ran" (a tap inside the form) from "a rerun ended at t".
WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__stateChanges = [];
  new MutationObserver(() => window.__stateChanges.push(
    [performance.now(), app.getAttribute('data-test-script-state')]
  )).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
IDLE = """([since, quiet, reruns]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app.getAttribute('data-test-script-state');
  const changes = (window.__stateChanges || []).filter(c => c[0] >= since);
  const now = performance.now();
  const last = changes.length ? changes[changes.length - 1][0] : since;
  const busy = state !== 'notRunning' || document.querySelector('[data-testid="stSkeleton"]');
  if (busy || now - last < quiet || (reruns && !changes.length)) return null;
  return [last - since, changes.length];
}"""


@dataclass
class Stopwatch:
    """Counts the runner's actions and times each one until the page is idle again."""

    page: Page
    actions: int = 0
    settle_ms: list[float] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    unexpected_runs: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.evaluate(WATCH)

    def act(self, what: str, do, *, reruns: bool = False) -> None:
        """One action; `reruns` says whether it should run the script (moving on, saving, the
        body map's fragment). An answer inside the form must not: that is recorded."""
        since = self.page.evaluate("performance.now()")
        do()
        self.actions += 1
        self.steps.append(what)
        deadline = time.monotonic() + 60
        while True:
            settled = self.page.evaluate(IDLE, [since, QUIET_MS, reruns])
            if settled is not None:
                break
            assert time.monotonic() < deadline, f"not idle 60 s after: {what}"
            self.page.wait_for_timeout(50)
        took, changes = settled
        if changes and not reruns:
            self.unexpected_runs.append(what)
        self.settle_ms.append(max(took, 0.0))


def tap_slider(watch: Stopwatch, slider: Locator, value: int, top: int = 10) -> None:
    """Move a 0..top slider to `value` with one tap on its track, and count any arrow key
    needed to correct it as one more action each."""
    # Streamlit 1.67 (react-aria): the thumb sits at left: value% of the group's first div.
    track = slider.locator("xpath=ancestor::div[@role='group'][1]/div[1]")
    box = track.bounding_box()
    assert box is not None
    spot = {"x": box["width"] * value / top, "y": box["height"] / 2}
    watch.act(f"slider to {value}", lambda: track.click(position=spot))
    for _ in range(20):
        now = int(slider.input_value())
        if now == value:
            return
        key = "ArrowRight" if now < value else "ArrowLeft"
        watch.act(f"slider {key}", lambda key=key: slider.press(key))
    raise AssertionError(f"slider stuck at {now}, wanted {value}")


def seed_last_week(tmp_path: Path, runner: str) -> str:
    url = sqlite_url(tmp_path / "speed.db")
    store = Store(url)
    try:
        store.save_checkin(
            {
                "runner": runner,
                "date": (clock.today() - dt.timedelta(days=7)).isoformat(),
                "pain_locations": "outer_knee;outer_hip",
                "pain_side": "right",
                "pain_level": 3,
                "pain_triggers": "downhill;stairs",
                "training_changes": "more_hills",
                "weekly_km": 45,
                "longest_run_km": 21,
                "sitting_hours": 8,
                "strength_sessions": 1,
                "mobility_sessions": 2,
                "limitations": "weak_glutes",
            }
        )
    finally:
        store.dispose()
    return url


def report(label: str, viewport: str, watch: Stopwatch, seconds: float) -> None:
    taps = ", ".join(f"{ms / 1000:.2f}" for ms in watch.settle_ms)
    print(
        f"\n[checkin speed] {label} @ {viewport}: {watch.actions} actions, {seconds:.1f} s "
        f"from first paint to saved results; tap -> idle median "
        f"{statistics.median(watch.settle_ms) / 1000:.2f} s, max "
        f"{max(watch.settle_ms) / 1000:.2f} s (each: {taps}); steps: {'; '.join(watch.steps)}"
    )


def pick_runner(watch: Stopwatch, body: Locator, page: Page, name: str) -> None:
    picker = body.get_by_role("combobox", name="Who is checking in?")
    watch.act("open the name list", picker.click)
    watch.act(
        f"pick {name}",
        lambda: page.get_by_role("option", name=name).click(),
        reruns=True,
    )


def expect_results(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/results$"), timeout=30_000)
    expect(main(page).get_by_role("heading", name="Your results")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_repeat_checkin_changing_only_the_pain(
    viewport: str, app_server_factory, page_factory, tmp_path: Path
) -> None:
    runner = "Rae Repeat"
    server = app_server_factory(db_url=seed_last_week(tmp_path, runner))
    page = page_factory(viewport, **DEVICE_OPTIONS[viewport])
    body = main(page)
    open_app(page, server.base_url)
    watch = Stopwatch(page)
    watch.watch()
    start = time.monotonic()  # first paint: the app is up and idle

    pick_runner(watch, body, page, runner)
    slider = body.get_by_role("slider", name=re.compile(r"^Worst pain this week"))
    expect(slider).to_have_value("3")  # carried over, marked
    expect(body.get_by_text("Last week's answer").first).to_be_visible()
    # Save is in reach without scrolling: in the viewport before any scroll.
    save = body.get_by_role("button", name="Save check-in")
    expect(save).to_be_in_viewport()
    tap_slider(watch, slider, 5)
    expect(save).to_be_in_viewport()
    watch.act("save", save.click, reruns=True)
    expect_results(page)
    seconds = time.monotonic() - start
    report("(a) repeat check-in, pain only", viewport, watch, seconds)
    assert_clean(page)

    store = Store(server.db_url)
    try:
        last = store.latest_checkin(runner)
    finally:
        store.dispose()
    assert last["pain_level"] == 5 and pd.Timestamp(last["date"]).date() == clock.today()
    assert last["pain_side"] == "right" and last["weekly_km"] == 45  # the rest carried over
    assert watch.actions <= REPEAT_TARGET, watch.steps
    assert not watch.unexpected_runs, f"a tap inside the form reran: {watch.unexpected_runs}"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_first_checkin_from_a_new_runner_to_results(
    viewport: str, app_server_factory, page_factory
) -> None:
    server = app_server_factory()
    page = page_factory(viewport, **DEVICE_OPTIONS[viewport])
    body = main(page)
    open_app(page, server.base_url)
    watch = Stopwatch(page)
    watch.watch()
    start = time.monotonic()

    # With nobody stored yet, the picker already stands on "New runner": the name is next.
    expect(body.get_by_role("combobox", name="Who is checking in?")).to_have_value(NEW_RUNNER)
    watch.act("type a name", lambda: body.get_by_role("textbox", name="Your name").fill("Noa"))
    watch.act("start", lambda: body.get_by_role("button", name="Start").click(), reruns=True)
    expect(body.get_by_role("heading", name="Weekly check-in")).to_be_visible()

    # The body map's tiles are big enough to tap on a phone and carry their names.
    tile = page.locator(f'{BODY_MAP} svg path[aria-label*="(front_knee), left leg"]')
    box = tile.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    assert TILE_MIN_PX >= 44
    expect(page.locator(BODY_MAP).get_by_text("Front of the knee").first).to_be_attached()
    watch.act("tap the left knee", tile.click, reruns=True)
    expect(body.locator('[class*="st-key-ci_pain_side"]')).to_contain_text("Left")

    slider = body.get_by_role("slider", name=re.compile(r"^Worst pain this week"))
    tap_slider(watch, slider, 4)
    for label in ("Going up or down stairs", "More hills"):
        pill = body.get_by_role("button", name=label, exact=True)
        watch.act(f"tick {label}", pill.click)
    watch.act(
        "type the week's distance",
        lambda: body.get_by_role("spinbutton", name=re.compile("^Distance this week")).fill("40"),
    )
    watch.act(
        "type the longest run",
        lambda: body.get_by_role("spinbutton", name=re.compile("^Longest run")).fill("15"),
    )
    for question, answer in (
        ("Could you train and race as usual?", "Yes, fully, but with some problem"),
        ("How much did the problem change your training?", "A little"),
        ("How much did the problem hold back your running?", "A little"),
        ("How much did the problem hurt?", "Mild pain"),
    ):
        group = body.get_by_role("radiogroup", name=question)
        option = group.get_by_text(answer, exact=True)
        watch.act(f"answer {question}", option.click)
    watch.act("save", lambda: body.get_by_role("button", name="Save check-in").click(), reruns=True)
    expect_results(page)
    seconds = time.monotonic() - start
    report("(b) first check-in, new runner", viewport, watch, seconds)
    assert_clean(page)

    store = Store(server.db_url)
    try:
        saved = store.latest_checkin("Noa")
    finally:
        store.dispose()
    assert saved["pain_locations"] == "front_knee" and saved["pain_side"] == "left"
    assert saved["pain_level"] == 4 and saved["weekly_km"] == 40
    assert saved["ostrc_pain"] == 1
    assert watch.actions <= FIRST_TARGET, watch.steps
    assert not watch.unexpected_runs, f"a tap inside the form reran: {watch.unexpected_runs}"
