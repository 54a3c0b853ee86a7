"""The safety rules: history-based reasons to see a clinician, the emergency flag, the reasons'
order, the age-band wording, and one scoring (score_history) for one runner or many."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logic.analysis.safety import (
    HISTORY_RULES,
    clinician_advice,
    clinician_reasons,
    flag_markdown,
    score_history,
)
from logic.analysis.scoring import score_checkins
from logic.knowledge import knowledge_base

KB = knowledge_base()
MONDAY = pd.Timestamp("2025-03-03")


def weeks(*rows: dict, runner: str = "Ann", start: int = 0) -> pd.DataFrame:
    """One check-in per given row, on the Wednesday of consecutive weeks; a row with
    {"skip": n} leaves n weeks out before it."""
    out, week = [], start
    for row in rows:
        row = dict(row)
        week += row.pop("skip", 0)
        out.append({"runner": runner, "date": MONDAY + pd.Timedelta(weeks=week, days=2), **row})
        week += 1
    return pd.DataFrame(out)


def hurt(level: int, where: str = "buttock") -> dict:
    return {"pain_locations": where, "pain_level": level}


def rules(frame: pd.DataFrame) -> pd.DataFrame:
    return score_history(frame)[[*HISTORY_RULES, "needs_clinician", "needs_emergency"]]


def test_three_weeks_in_a_row_at_five_raise_the_flag() -> None:
    out = rules(weeks(hurt(5), hurt(6), hurt(5), hurt(5)))
    assert out["persistent_pain"].tolist() == [False, False, True, True]
    assert out["needs_clinician"].tolist() == [False, False, True, True]


def test_the_run_must_be_the_same_place_every_week_at_five_or_more() -> None:
    moving = weeks(hurt(6, "buttock"), hurt(6, "outer_hip"), hurt(6, "buttock"))
    assert not rules(moving)["persistent_pain"].any()
    dipping = weeks(hurt(5), hurt(4), hurt(5))
    assert not rules(dipping)["persistent_pain"].any()
    two_places = weeks(hurt(5, "buttock;back_thigh"), hurt(5, "back_thigh"), hurt(5, "back_thigh"))
    assert rules(two_places)["persistent_pain"].tolist() == [False, False, True]


def test_a_missed_week_breaks_the_run() -> None:
    out = rules(weeks(hurt(6), hurt(6), {**hurt(6), "skip": 1}))
    assert not out["persistent_pain"].any()


def test_pain_rising_three_weeks_running() -> None:
    out = rules(weeks(hurt(1), hurt(2), hurt(3), hurt(4), hurt(4)))
    assert out["rising_pain"].tolist() == [False, False, False, True, False]
    # From nothing ticked: a place that starts hurting and keeps rising counts too.
    out = rules(weeks({}, hurt(1, "front_hip"), hurt(2, "front_hip"), hurt(3, "front_hip")))
    assert out["rising_pain"].tolist() == [False, False, False, True]
    assert not rules(weeks(hurt(1), hurt(2), {**hurt(3), "skip": 1}, hurt(4)))["rising_pain"].any()


def test_could_not_train_at_all_raises_the_flag() -> None:
    out = rules(weeks({"ostrc_participation": 2}, {"ostrc_participation": 3}))
    assert out["cannot_train"].tolist() == [False, True]
    assert out["needs_clinician"].tolist() == [False, True]


def test_runners_are_apart_and_the_input_order_does_not_matter() -> None:
    ann = weeks(hurt(5), hurt(5), hurt(5))
    bob = weeks(hurt(5), hurt(5), hurt(5), runner="Bob", start=1)
    both = pd.concat([ann, bob], ignore_index=True).sample(frac=1, random_state=3)
    out = rules(both)
    assert out.loc[both.index, "persistent_pain"].tolist() == [
        bool(i in (2, 5)) for i in both.index
    ]
    # Each row scores as in its own runner's history alone.
    alone = pd.concat([score_history(ann), score_history(bob).set_axis(bob.index + 3)])
    pd.testing.assert_frame_equal(score_history(both).sort_index(), alone.sort_index())


@pytest.mark.parametrize("sign", ["saddle_numbness", "bladder_or_bowel_change"])
def test_emergency_signs(sign: str) -> None:
    out = rules(weeks({"warning_signs": f"swelling;{sign}"}, {"warning_signs": "numbness"}))
    assert out["needs_emergency"].tolist() == [True, False]
    assert out["needs_clinician"].tolist() == [True, True]


@pytest.mark.parametrize(
    "sign",
    [
        "sudden_pop",
        "pain_on_hopping",
        "back_pain_into_leg",
        "missed_periods",
        "weight_loss",
    ],
)
def test_the_new_warning_signs_need_a_clinician_not_an_emergency(sign: str) -> None:
    out = score_checkins(
        pd.DataFrame([{"runner": "Ann", "date": "2025-03-05", "warning_signs": sign}])
    )
    assert out["needs_clinician"].tolist() == [True]
    assert not rules(weeks({"warning_signs": sign}))["needs_emergency"].any()


def test_reasons_come_most_urgent_first() -> None:
    checkin = {
        "warning_signs": "swelling;saddle_numbness",
        "pain_level": 9,
        "ostrc_participation": 3,
        "persistent_pain": True,
        "rising_pain": True,
    }
    reasons = clinician_reasons(checkin)
    assert reasons[0] == "Numbness between the legs."
    assert reasons[1] == "Visible swelling."
    assert reasons[2].startswith("You could not train at all")
    assert reasons[3] == "Your worst pain this week was 9 out of 10."
    assert "3 weeks in a row" in reasons[4]
    assert "every week for 3 weeks" in reasons[5]
    assert clinician_reasons({"pain_level": 3}) == []


def test_the_wording_says_urgent_care_or_a_clinician_and_growth_plates_under_18() -> None:
    urgent = clinician_advice(True)
    assert "emergency department" in urgent and "Do not wait for a physio" in urgent
    assert flag_markdown(True, ["Numbness between the legs."]).startswith(
        "**Get urgent care today.**\n\n- Numbness between the legs.\n"
    )
    assert "growth plate" not in urgent
    assert "physiotherapist" in clinician_advice(False)
    for band in ("under_18",):
        assert "growth plate" in clinician_advice(False, band)
        assert "growth plate" in clinician_advice(True, band)
    for band in (None, "18_39", "40_59", "60_plus"):
        assert "growth plate" not in clinician_advice(False, band)
    text = flag_markdown(False, ["Visible swelling."], "under_18")
    assert text.index("Visible swelling") < text.index("Book a doctor") < text.index("growth")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=8), st.integers(0, 7))
def test_history_rules_only_ever_add_flags(pains: list[int], cut: int) -> None:
    """A check-in's own rule still holds with history, and more weeks never clear a flag
    that the earlier weeks alone raise (the rules look back, never forward)."""
    frame = weeks(*(hurt(p) for p in pains))
    whole = score_history(frame)
    alone = score_checkins(frame)
    assert (whole["needs_clinician"] >= alone["needs_clinician"]).all()
    head = frame.iloc[: cut + 1]
    pd.testing.assert_series_equal(
        score_history(head)["needs_clinician"], whole["needs_clinician"].iloc[: len(head)]
    )
