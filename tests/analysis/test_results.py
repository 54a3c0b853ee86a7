"""The Why chart adds up (issue 12): for any check-in, each part's bar is the sum of its reasons'
points and equals the part's number on the page, and the sum above the bars gives the headline."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from logic.analysis.results import (
    checkin_result,
    combined_text,
    counted_points,
    headline,
    reason_rows,
    why_factors,
    why_parts,
)
from logic.analysis.scoring import whole
from logic.charts.risk import factor_chart
from logic.knowledge import PARTS, knowledge_base
from tests.analysis.strategies import KNEE, checkins
from tests.charts.test_risk import shown_parts

KB = knowledge_base()
SHARE = KB.rules.scoring.combine_share
HEAVY = {  # every answer that raises a risk: parts past 100, the cap must show and still add up
    **KNEE,
    **{
        c: ";".join(KB.checkin.columns[c].values)
        for c in KB.checkin.set_columns
        if c != "warning_signs"
    },
    "pain_level": 10,
    "sitting_hours": 14,
}


def check_adds_up(checkin: dict) -> None:
    result = checkin_result(checkin, KB)
    parts = why_parts(result, KB)
    summed, labels = shown_parts(factor_chart(why_factors(result), parts).to_dict())
    for row in parts.itertuples(index=False):
        key = f"{row.condition}|{row.part}"
        # What a runner adds up off a bar is the part's score, and its label says it.
        assert summed.get(key, 0.0) == pytest.approx(row.score, abs=1e-6), key
        assert labels[key] == int(whole(row.score)), key
        shown = result.scores.set_index("condition").loc[row.condition]
        assert row.score == shown[row.part]  # the same number as "Looks like: 48 · moderate"
        # The sum above the bars: its parts add up, and it ends at the headline's number.
        total, high, added = (int(v) for v in re.findall(r"\d+", row.heading)[:3])
        assert total == high + added
        assert total == int(whole(shown["score"]))
        assert high == int(whole(max(shown[p] for p in PARTS)))
    # The page's headline is the top condition's sum.
    if len(parts):
        top = re.findall(r"\d+", parts["heading"][0])[0]
        assert headline(result).startswith(f"{top}/100")
    # Scaling only absorbs the cap at 100 and the tenth the page rounds to: below the cap the
    # raw reasons already add up to the part.
    raw = result.factors.groupby(["condition", "part"])["points"].sum()
    for (condition, part), points in raw.items():
        score = result.scores.set_index("condition").loc[condition, part]
        assert min(points, 100.0) == pytest.approx(score, abs=0.051), (condition, part)
    # The reasons table shows the same points as the bars.
    assert reason_rows(result)["points"].tolist() == pytest.approx(counted_points(result).tolist())


@pytest.mark.parametrize("checkin", [KNEE, HEAVY, {**KNEE, "pain_level": 0, "pain_locations": ""}])
def test_each_part_of_the_why_chart_adds_up_to_the_part_shown(checkin: dict) -> None:
    check_adds_up(checkin)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(checkins)
def test_the_why_chart_adds_up_for_any_checkin(checkin: dict) -> None:
    check_adds_up(checkin)


def test_a_capped_score_says_so() -> None:
    assert combined_text(100.0, 90.0, 60.0, 0.25) == "100 = 90 + 10 (¼ of 60, up to 100)"
    assert combined_text(75.5, 68.2, 29.3, 0.25) == "76 = 68 + 8 (¼ of 29)"
    assert combined_text(15.0, 0.0, 15.0, 0.25) == "15 = 15 + 0"
    capped = why_parts(checkin_result(HEAVY, KB), KB)
    assert capped["heading"].str.contains("up to 100").any(), capped["heading"].tolist()
