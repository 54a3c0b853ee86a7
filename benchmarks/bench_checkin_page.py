"""How much server time does a repeat check-in cost, against an empty About page?

    python -m benchmarks.bench_checkin_page [--runs 10]

The browser test tests/browser/test_checkin_speed.py times the whole journey (first paint to
saved results, at 390x844 and 1280x800); this names the server's share of it. Seeds a fresh
SQLite file with one runner and 12 weekly check-ins, then in the same run, taking turns so
load bursts hit all alike, times with AppTest (the whole app, navigation included):

* about: the About page (no database, no chart): the baseline;
* checkin load: a new session opening the check-in page with the runner picked (the run
  after "pick your name");
* checkin rerun: the same session run again (a tap on the body map, a Save with errors);
* results cold: the Results page of the latest check-in with every cache emptied (the run
  right after Save, when nothing is cached yet for the new check-in);
* results rerun: the same session run again (the week picker, a note).

Figures are best and median seconds and the ratio to the About page; nothing is asserted
(speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_history_page import timed
from benchmarks.bench_scoring import machine
from logic import clock

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
RUNNER = "Rae Repeat"
WEEKS = 12


def seed(store) -> int:
    """`WEEKS` weekly check-ins ending last week; returns the newest one's id."""
    for weeks_ago in range(WEEKS, 0, -1):
        store.save_checkin(
            {
                "runner": RUNNER,
                "date": (clock.today() - dt.timedelta(days=7 * weeks_ago)).isoformat(),
                "pain_locations": "outer_knee;outer_hip",
                "pain_side": "right",
                "pain_level": 2 + weeks_ago % 4,
                "pain_triggers": "downhill;stairs",
                "training_changes": "more_hills",
                "weekly_km": 40 + weeks_ago % 5,
                "longest_run_km": 18,
                "sitting_hours": 8,
                "strength_sessions": 1,
                "mobility_sessions": 2,
                "limitations": "weak_glutes",
            }
        )
    return int(store.latest_checkin(RUNNER)["id"])


def page_runs(runs: int, result_id: int) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def app(page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["runner"] = RUNNER
        at.session_state["team"] = None
        at.session_state["result_id"] = result_id
        if page is not None:
            at.switch_page(page)
        return at

    def ran(at: AppTest) -> AppTest:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    about, checkin, results = app("pages/about.py"), app(), app("pages/results.py")
    for at in (about, checkin, results):
        ran(at)
    assert results.get("vega_lite_chart"), "the results page drew no chart"

    def results_cold() -> None:
        st.cache_data.clear()
        ran(app("pages/results.py"))

    return timed(
        {
            "about": lambda: ran(app("pages/about.py")),
            "checkin load": lambda: ran(app()),
            "checkin rerun": checkin.run,
            "results cold": results_cold,
            "results rerun": results.run,
        },
        runs,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_checkin_page")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-checkin-") as tmp:
        os.environ["STRIDE_CHECK_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.db'}"
        from logic.storage.store import dispose_stores, get_store

        try:
            t = page_runs(args.runs, seed(get_store()))
        finally:
            dispose_stores()
    print(machine())
    print(f"seeded: 1 runner, {WEEKS} weekly check-ins   runs: {args.runs} (after 1)")
    base = t["about"]
    for name, timing in t.items():
        print(
            f"{name:<14} (AppTest): {timing}   x about: {timing.best / base.best:5.1f} "
            f"(median {timing.median / base.median:5.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
