"""Check-in strategies shared by the scoring tests (hypothesis), so the property tests and
the archetype tests draw from one definition of a check-in."""

from __future__ import annotations

from hypothesis import strategies as st

from logic.knowledge import knowledge_base

KB = knowledge_base()
SETS = {c: list(KB.checkin.columns[c].values) for c in KB.checkin.set_columns}
# Set columns that feed scores (warning signs only drive the clinician flag).
RISK_SETS = [c for c in SETS if c != "warning_signs"]
# A check-in with no pain and no risk factor.
QUIET = {
    "runner": "r",
    "date": "2026-11-23",
    "pain_level": 0,
    "sitting_hours": 0,
    "strength_sessions": 3,
    "mobility_sessions": 3,
}

# A sore front knee with the stairs, downhill and training changes that feed runner's knee:
# the worked example of the results tests (pages and analysis), dated by the caller.
KNEE = {
    "runner": "Ann",
    "date": "2026-11-23",
    "pain_locations": "front_knee;outer_knee",
    "pain_level": 6,
    "pain_triggers": "stairs;downhill;running",
    "training_changes": "more_hills;more_road_track",
    "limitations": "tight_quads;weak_glutes",
    "sitting_hours": 8,
    "strength_sessions": 0,
    "mobility_sessions": 1,
}


def subsets(column: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(SETS[column]), unique=True)


checkins = st.fixed_dictionaries(
    {
        "runner": st.just("r"),
        "date": st.just("2026-11-23"),
        "pain_level": st.integers(0, 10),
        "sitting_hours": st.floats(0, 24, allow_nan=False),
        "strength_sessions": st.integers(0, 14),
        "mobility_sessions": st.integers(0, 14),
        "sex": st.sampled_from(list(KB.checkin.columns["sex"].values)),
        **{c: subsets(c) for c in SETS},
    }
)
