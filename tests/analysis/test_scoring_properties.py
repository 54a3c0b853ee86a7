"""The properties issue 12 asks of the two answers, as hypothesis tests.

A hurting location sets a floor under its condition; a location beats another condition's
triggers; adding a risk factor never lowers any answer; every answer stays within 0-100; a
pain-free runner never "looks like" an injury. The floors are data/rules.toml's.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.analysis.scoring import band_codes, score_checkins
from logic.checkins import checkin_frame
from logic.knowledge import PARTS, knowledge_base
from tests.analysis.strategies import QUIET, RISK_SETS, SETS, checkins

KB = knowledge_base()
IDS = KB.condition_ids
FLOOR = KB.rules.scoring.floor
OWNER = {place: cid for cid, c in KB.conditions.items() for place in c.locations}
LOCATIONS = list(OWNER)
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


flags = st.fixed_dictionaries({"load_spike": st.booleans(), "long_run_spike": st.booleans()})


def all_answers(rows: list[dict]) -> np.ndarray:
    """Rows x (concern, looks like, building up) x conditions."""
    scored = score_checkins(checkin_frame(rows))
    parts = [scored[IDS].to_numpy(dtype=float)] + [
        scored[[f"{c}_{p}" for c in IDS]].to_numpy(dtype=float) for p in PARTS
    ]
    return np.stack(parts, axis=1)


@SETTINGS
@given(checkins, flags, st.sampled_from(LOCATIONS), st.integers(0, 10))
def test_a_hurting_location_sets_a_floor(checkin: dict, flag: dict, place: str, pain: int) -> None:
    row = {**checkin, **flag, "pain_level": pain}
    row["pain_locations"] = sorted({*checkin["pain_locations"], place})
    scored = score_checkins(checkin_frame([row]))
    cid = OWNER[place]
    for column in (cid, f"{cid}_looks_like"):
        band = int(band_codes(scored[column].to_numpy(), KB)[0])
        if pain >= FLOOR.high_at_pain:
            assert band == 2, (column, scored[column].iloc[0])
        elif pain >= FLOOR.moderate_at_pain:
            assert band >= 1, (column, scored[column].iloc[0])


@SETTINGS
@given(st.sampled_from(LOCATIONS), st.integers(3, 10), st.data())
def test_a_location_beats_another_conditions_triggers(place: str, pain: int, data) -> None:
    cid = OWNER[place]
    others = [
        v
        for v in SETS["pain_triggers"]
        if not any(
            v in f.values and cid in f.weights
            for f in KB.factors.values()
            if f.column == "pain_triggers"
        )
    ]
    triggers = data.draw(st.lists(st.sampled_from(others), unique=True, min_size=1))
    row = {**QUIET, "pain_locations": [place], "pain_level": pain, "pain_triggers": triggers}
    scored = score_checkins(checkin_frame([row])).iloc[0]
    for columns in (IDS, [f"{c}_looks_like" for c in IDS]):
        values = scored[columns].astype(float)
        best = values.iloc[IDS.index(cid)]
        assert (values.drop(values.index[IDS.index(cid)]) < best).all(), values.to_dict()


@SETTINGS
@given(checkins, flags, st.sampled_from(RISK_SETS), st.data())
def test_adding_a_risk_factor_never_lowers_any_answer(
    checkin: dict, flag: dict, column: str, data
) -> None:
    extra = data.draw(st.sampled_from(SETS[column]))
    more = {**checkin, **flag, column: sorted({*checkin[column], extra})}
    before, after = all_answers([{**checkin, **flag}, more])
    assert (after >= before - 1e-9).all()


@SETTINGS
@given(checkins, flags, st.sampled_from(["load_spike", "long_run_spike"]))
def test_a_load_signal_never_lowers_any_answer(checkin: dict, flag: dict, raised: str) -> None:
    before, after = all_answers([{**checkin, **flag}, {**checkin, **flag, raised: True}])
    assert (after >= before - 1e-9).all()


@SETTINGS
@given(checkins, st.integers(0, 10), st.floats(0, 24), st.integers(0, 14))
def test_more_pain_more_sitting_less_training_never_lowers_any_answer(
    checkin: dict, pain: int, sitting: float, sessions: int
) -> None:
    worse = {
        **checkin,
        "pain_level": max(checkin["pain_level"], pain),
        "sitting_hours": max(checkin["sitting_hours"], sitting),
        "strength_sessions": min(checkin["strength_sessions"], sessions),
        "mobility_sessions": min(checkin["mobility_sessions"], sessions),
    }
    before, after = all_answers([checkin, worse])
    assert (after >= before - 1e-9).all()


@SETTINGS
@given(st.lists(st.tuples(checkins, flags), min_size=1, max_size=8))
def test_every_answer_stays_within_0_and_100_and_the_concern_is_never_below_a_part(
    rows: list,
) -> None:
    answers = all_answers([{**c, **f} for c, f in rows])
    assert ((answers >= 0) & (answers <= 100)).all()
    assert (answers[:, 0] >= answers[:, 1:].max(axis=1) - 1e-9).all()


@SETTINGS
@given(checkins, flags)
def test_a_pain_free_runner_never_looks_like_an_injury(checkin: dict, flag: dict) -> None:
    row = {**checkin, **flag, "pain_level": 0, "pain_locations": []}
    looks = score_checkins(checkin_frame([row]))[[f"{c}_looks_like" for c in IDS]]
    assert (band_codes(looks.to_numpy(dtype=float), KB) == 0).all(), looks.iloc[0].to_dict()
