"""The page's two steps: a plan (runs found, already stored, a preview per week) writes nothing;
applying it stores the new runs through the access rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from logic.io.activities.plan import apply_runs_import, plan_runs_import
from logic.storage.access import AccessDenied, ScopedStore, Viewer
from logic.storage.runs import RunStore
from logic.storage.store import Store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "runs"


def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(n, (FIXTURES / n).read_bytes()) for n in names]


def test_plan_previews_then_apply_stores(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    store.add_runner("Ann")
    scoped = ScopedStore(store, Viewer(role="runner", runner="Ann"))
    plan = plan_runs_import(
        _files("run_10k_100m.gpx", "cerknicko-jezero.gpx", "sup_activity_1.tcx"), scoped, "Ann"
    )
    assert plan.ok and (plan.new, plan.already_stored) == (2, 0)
    assert plan.preview["week"].tolist() == [
        "Week 45 · 2 Nov–8 Nov 2026",
        "Week 31 · 2 Aug–8 Aug 2010",
    ]
    assert plan.preview["distance_km"].tolist() == [10.0, 4.6]
    assert plan.summary() == "2 runs in 2 weeks; 1 skipped (1 other). 2 new, 0 already stored."
    assert RunStore(store).runs("Ann").empty
    assert apply_runs_import(plan, scoped).inserted == 2
    again = plan_runs_import(_files("run_10k_100m.fit"), scoped, "Ann")
    assert (again.new, again.already_stored) == (0, 1)
    with pytest.raises(AccessDenied):
        plan_runs_import(_files("run_10k_100m.fit"), scoped, "Bob")
    store.dispose()


def test_a_broken_file_gives_a_plan_with_the_error(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    scoped = ScopedStore(store, Viewer.personal())
    plan = plan_runs_import([("x.gpx", b"<gpx")], scoped, "Ann")
    assert not plan.ok
    assert plan.error.startswith("x.gpx: broken or truncated XML")
    store.dispose()
