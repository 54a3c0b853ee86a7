"""The merged routine: each exercise once, ordered by the risk it addresses."""

from __future__ import annotations

import datetime as dt

from logic.analysis.routine import (
    focus_conditions,
    routine_csv,
    routine_filename,
    routine_markdown,
    weekly_routine,
)
from logic.knowledge import knowledge_base

KB = knowledge_base()


def test_low_everywhere_gives_a_prevention_plan() -> None:
    assert focus_conditions({c: 5.0 for c in KB.condition_ids}) == KB.condition_ids
    routine = weekly_routine({c: 5.0 for c in KB.condition_ids})
    assert 0 < len(routine) <= 10
    assert routine["exercise"].is_unique


def test_only_flagged_conditions_are_served_and_merged() -> None:
    scores = {c: 0.0 for c in KB.condition_ids} | {"patellofemoral": 60.0, "it_band": 40.0}
    routine = weekly_routine(scores)
    served = {c for ids in routine["conditions"] for c in ids.split(";")}
    assert served == {"patellofemoral", "it_band"}
    assert routine["exercise"].is_unique
    top = routine.iloc[0]
    assert top["exercise"] in {"glute_bridge", "running_form_drills"}
    assert top["priority"] == 100.0
    assert routine["priority"].is_monotonic_decreasing
    bridge = routine.set_index("exercise").loc["glute_bridge"]
    assert bridge["conditions"] == "patellofemoral;it_band"
    assert "IT band syndrome" in bridge["serves"]
    strength = routine[routine["kind"] == "strength"]
    assert (strength["frequency"] == "2-3 times a week").all()


def test_exports() -> None:
    routine = weekly_routine({"hamstring": 70.0})
    md = routine_markdown(routine, runner="Ann", week="Week 48", disclaimer="Not advice.")
    assert md.startswith("# Stride Check routine for Ann")
    assert md.count("## ") == len(routine) and "_Not advice._" in md
    csv = routine_csv(routine)
    assert csv.splitlines()[0] == "name,how_to,frequency,serves,conditions,priority"
    assert len(csv.splitlines()) == len(routine) + 1
    assert (
        routine_filename("Ann / <b>", dt.date(2026, 1, 5))
        == "stride-check-routine-Ann-b-2026-01-05"
    )
