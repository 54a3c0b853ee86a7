"""What to do about running this week: keep, adjust or stop, one line per concern, and the
choice and the words come from data/rules.toml and data/conditions.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logic.analysis.advice import (
    advice_blocks,
    advice_markdown,
    joined,
    running_advice,
    without_emergency,
)
from logic.analysis.results import checkin_result, condition_pain
from logic.knowledge import DATA_DIR, knowledge_base, load_knowledge_base

KB = knowledge_base()
RA = KB.rules.running_advice


def lines(advice) -> dict[str, str]:
    """Advice key by condition id."""
    return {c: row.advice for row in advice.itertuples() for c in row.conditions.split(";")}


def test_a_pain_free_moderate_concern_keeps_training() -> None:
    advice = running_advice({"piriformis": 40.0})
    assert lines(advice) == {"piriformis": "keep"}
    assert advice.loc[0, "headline"] == RA.advice["keep"].headline == "Keep training"


def test_pain_where_the_condition_lives_or_a_high_band_means_adjust() -> None:
    assert lines(running_advice({"it_band": 40.0}, {"it_band": 3.0})) == {"it_band": "adjust"}
    assert lines(running_advice({"it_band": 40.0}, {"it_band": 2.0})) == {"it_band": "keep"}
    assert lines(running_advice({"it_band": 60.0})) == {"it_band": "adjust"}
    # Pain somewhere else says nothing about this condition.
    mixed = running_advice({"it_band": 40.0, "hamstring": 40.0}, {"hamstring": 6.0})
    assert lines(mixed) == {"it_band": "keep", "hamstring": "adjust"}


def test_adjust_lists_the_conditions_own_running_changes() -> None:
    advice = running_advice({"it_band": 60.0})
    text = advice.loc[0, "text"]
    for change in KB.running["it_band"].changes:
        assert RA.changes[change] in text
    assert "flat" in text and "soft" in text and "shorter" in text and "fast" in text
    assert text.startswith("For the next few days")
    hamstring = running_advice({"hamstring": 60.0}).loc[0, "text"]
    assert RA.changes["less_speed"] in hamstring and RA.changes["no_hills"] not in hamstring
    knee = running_advice({"patellofemoral": 60.0}).loc[0, "text"]
    assert RA.changes["no_hills"] in knee


def test_only_concerns_get_a_line_and_lines_with_the_same_words_merge() -> None:
    advice = running_advice(
        {"piriformis": 40.0, "hip_flexor": 35.0, "it_band": 60.0, "hamstring": 10.0}
    )
    assert lines(advice) == {"piriformis": "keep", "hip_flexor": "keep", "it_band": "adjust"}
    assert len(advice) == 2
    # The most pressing line first; merged concerns keep the highest first.
    assert advice["advice"].tolist() == ["adjust", "keep"]
    assert advice.loc[1, "names"] == "Piriformis, Hip flexor"
    assert advice.loc[1, "conditions"] == "piriformis;hip_flexor"


def test_a_clinician_flag_says_stop_and_an_emergency_says_urgent_care_today() -> None:
    scores = {"it_band": 60.0, "piriformis": 40.0}
    stop = running_advice(scores, needs_clinician=True)
    assert len(stop) == 1 and set(lines(stop).values()) == {"stop"}
    assert stop.loc[0, "tone"] == "stop"
    assert "clinician" in stop.loc[0, "headline"]
    urgent = running_advice(scores, needs_clinician=True, needs_emergency=True)
    assert set(lines(urgent).values()) == {"urgent"}
    text = urgent.loc[0, "headline"] + " " + urgent.loc[0, "text"]
    assert "urgent care today" in text.lower()
    assert "cannot wait for a physio appointment" in text


def test_without_a_concern_there_is_one_line() -> None:
    calm = running_advice({c: 10.0 for c in KB.condition_ids})
    assert len(calm) == 1 and calm.loc[0, "names"] == ""
    assert calm.loc[0, "text"] == RA.no_concern.text
    flagged = running_advice({}, needs_clinician=True)
    assert flagged["advice"].tolist() == ["stop"]
    emergency = running_advice({}, needs_emergency=True)
    assert emergency["advice"].tolist() == ["urgent"]


def test_the_band_edge_is_the_apps() -> None:
    moderate = KB.rules.bands.moderate
    assert lines(running_advice({"hamstring": moderate})) == {"hamstring": "keep"}
    assert running_advice({"hamstring": moderate - 1})["names"].tolist() == [""]


def test_blocks_say_each_headline_once_with_a_line_per_concern() -> None:
    advice = running_advice(
        {"it_band": 60.0, "patellofemoral": 60.0, "piriformis": 40.0, "hip_flexor": 35.0}
    )
    blocks = advice_blocks(advice)
    assert [tone for tone, _ in blocks] == ["caution", "ok"]
    adjust, keep = (block for _, block in blocks)
    assert adjust.startswith("**Adjust your running**\n\n- **Runner's knee:** For the next")
    assert "\n- **IT band:** For the next few days" in adjust
    assert adjust.count("Adjust your running") == 1
    assert adjust.endswith("\n\n" + RA.advice["adjust"].after)
    assert keep == f"**Keep training**\n\n- **Piriformis, Hip flexor:** {RA.advice['keep'].text}"
    assert advice_markdown(advice) == adjust + "\n\n" + keep
    calm = advice_blocks(running_advice({}))
    assert calm == [("ok", f"**{RA.no_concern.headline}**\n\n{RA.no_concern.text}")]
    assert joined(["a"]) == "a" and joined(["a", "b", "c"]) == "a, b and c" and joined([]) == ""


def test_the_rules_are_data(tmp_path: Path) -> None:
    """A coach who moves the pain threshold or rewrites a change changes the advice."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("*.db*"))
    rules = data / "rules.toml"
    rules.write_text(rules.read_text().replace("{ pain = 3, advice", "{ pain = 6, advice"))
    conditions = data / "conditions.toml"
    text = conditions.read_text().replace(
        'changes = ["less_speed"]', 'changes = ["less_speed", "no_hills"]'
    )
    conditions.write_text(text)
    kb = load_knowledge_base(data)
    assert lines(running_advice({"it_band": 40.0}, {"it_band": 4.0}, kb=kb)) == {"it_band": "keep"}
    hamstring = running_advice({"hamstring": 60.0}, kb=kb).loc[0, "text"]
    assert RA.changes["no_hills"] in hamstring


def test_pain_counts_where_the_condition_lives() -> None:
    checkin = {"pain_locations": "outer_knee;buttock", "pain_level": 6}
    pain = condition_pain(checkin)
    assert pain["it_band"] == 6 and pain["piriformis"] == 6
    assert pain["patellofemoral"] == 0 and pain["hamstring"] == 0
    assert condition_pain({"pain_locations": ["front_knee"], "pain_level": None}) == {
        c: 0.0 for c in pain
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, "adjust"),
        ({"pain_level": 9}, "stop"),
        ({"warning_signs": "swelling"}, "stop"),
    ],
)
def test_the_result_carries_the_advice(change: dict, expected: str) -> None:
    checkin = {
        "runner": "Ann",
        "date": "2026-11-30",
        "pain_locations": "outer_knee",
        "pain_level": 5,
        "training_changes": "more_road_track;more_hills",
        **change,
    }
    result = checkin_result(checkin)
    advice = lines(result.advice)
    # A raised flag's line is about the runner and names no condition.
    assert advice["it_band" if expected == "adjust" else ""] == expected
    assert bool(result.until_seen) is (expected == "stop")


def test_an_emergency_line_names_no_condition() -> None:
    """Saddle numbness is not "piriformis" because the buttock also hurts."""
    advice = running_advice({"piriformis": 60.0, "hamstring": 40.0}, needs_emergency=True)
    assert advice["advice"].tolist() == ["urgent"]
    assert advice["conditions"].tolist() == [""] and advice["names"].tolist() == [""]


def test_without_emergency_drops_only_the_urgent_care_lines() -> None:
    """The Results page says an emergency once, above its title, not again in the advice."""
    scores = {c: 80.0 for c in knowledge_base().condition_ids}
    urgent = running_advice(scores, needs_emergency=True)
    assert set(urgent["advice"]) == {"urgent"}
    assert without_emergency(urgent).empty
    usual = running_advice(scores, needs_clinician=True)
    assert without_emergency(usual).equals(usual)
