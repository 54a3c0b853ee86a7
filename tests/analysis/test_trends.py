"""Scored history, trend rows, week-over-week alerts and the history table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from logic.analysis.scoring import band_codes
from logic.analysis.trends import (
    alert_lines,
    alerts_for_checkin,
    checkin_choices,
    checkin_table,
    data_version,
    recent,
    runs_version,
    scored_history,
    scores_version,
    trend_long,
    week_over_week,
)
from logic.knowledge import BANDS, knowledge_base

KB = knowledge_base()
IDS = KB.condition_ids
MONDAY = pd.Timestamp("2025-03-03")


def scored(rows: list[tuple[int, dict[str, float]]]) -> pd.DataFrame:
    """A scored history by hand: (week number, {condition: score}), others score 5."""
    frame = pd.DataFrame(
        {
            "id": np.arange(1, len(rows) + 1),
            "runner": "Ann",
            "date": [MONDAY + pd.Timedelta(weeks=w, days=1) for w, _ in rows],
            "week_start": [MONDAY + pd.Timedelta(weeks=w) for w, _ in rows],
        }
    )
    scores = np.array([[s.get(c, 5.0) for c in IDS] for _, s in rows]).reshape(-1, len(IDS))
    codes = band_codes(scores, KB)
    for i, c in enumerate(IDS):
        frame[c] = scores[:, i]
        frame[f"{c}_band"] = pd.Categorical.from_codes(codes[:, i], categories=BANDS, ordered=True)
        frame[f"{c}_looks_like"] = scores[:, i]  # all of the concern is symptoms here
        frame[f"{c}_building_up"] = scores[:, i] / 2
    return frame


def test_a_rise_of_exactly_fifteen_points_is_an_alert() -> None:
    alerts = week_over_week(scored([(0, {"hamstring": 30.0}), (1, {"hamstring": 45.0})]))
    assert alerts["condition"].tolist() == ["hamstring"]
    row = alerts.iloc[0]
    assert (row["previous"], row["current"], row["change"]) == (30.0, 45.0, 15.0)
    assert (row["previous_band"], row["band"]) == ("moderate", "moderate")
    assert row["message"] == "Hamstring pull or tear rose 15 points and is still moderate."


def test_a_rise_just_under_fifteen_within_a_band_is_not() -> None:
    alerts = week_over_week(scored([(0, {"hamstring": 10.0}), (1, {"hamstring": 24.9})]))
    assert alerts.empty
    assert list(alerts.columns)[:3] == ["condition", "name", "previous"]


def test_moving_up_a_band_is_an_alert_however_small() -> None:
    history = scored(
        [(0, {"it_band": 29.4, "piriformis": 54.0}), (1, {"it_band": 29.6, "piriformis": 70.0})]
    )
    alerts = week_over_week(history)
    assert alerts["condition"].tolist() == ["piriformis", "it_band"]  # biggest rise first
    assert alerts["message"].tolist() == [
        "Piriformis pain rose 16 points, from moderate to high.",
        "IT band syndrome rose less than a point, from low to moderate.",
    ]


def test_no_alert_across_a_missed_week() -> None:
    history = scored([(0, {"it_band": 5.0}), (2, {"it_band": 80.0})])
    assert week_over_week(history).empty
    # ...but the week before the latest one counts even when older weeks are missing.
    history = scored([(0, {"it_band": 5.0}), (2, {"it_band": 5.0}), (3, {"it_band": 80.0})])
    assert week_over_week(history)["condition"].tolist() == ["it_band"]


def test_falls_are_not_alerts() -> None:
    assert week_over_week(scored([(0, {"it_band": 80.0}), (1, {"it_band": 5.0})])).empty
    assert week_over_week(scored([(0, {})])).empty
    assert week_over_week(scored([])).empty


def checkin(day: dt.date, **values: object) -> dict:
    return {"runner": "Ann", "date": day.isoformat(), **values}


def history_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_scored_history_from_real_checkins() -> None:
    day = dt.date(2025, 3, 5)
    history = history_frame(
        [
            checkin(day, weekly_km=30.0),
            checkin(day + dt.timedelta(weeks=1), pain_locations="outer_knee", pain_level=4),
            checkin(day + dt.timedelta(weeks=2), pain_locations="outer_knee", pain_level=10),
        ]
    )
    out = scored_history(history.iloc[::-1])
    assert out["id"].tolist() == [1, 2, 3]  # oldest first
    # IT band looks like: outer-knee pain counts 0.4 of its 65 points at pain 4 (26) and all of
    # them at 10; building up is 6 (no strength or mobility work). The concern is the larger
    # plus a quarter of the smaller: 6 -> 27.5 -> 66.5.
    assert out["it_band"].tolist() == [6.0, 27.5, 66.5]
    assert out["week_start"].tolist() == list(pd.date_range("2025-03-03", periods=3, freq="7D"))
    assert {"load_spike", "long_run_spike", "acute_chronic", "severity", "substantial"} <= set(
        out.columns
    )
    assert out["needs_clinician"].tolist() == [False, False, True]
    # Pain 10 at the outer knee is high, whatever else the week holds.
    assert out["it_band_band"].astype(str).tolist() == ["low", "low", "high"]
    alerts = alerts_for_checkin(history, 2)
    assert alerts["message"].tolist() == [
        "New pain: outside of the knee, 4 out of 10.",
        "IT band syndrome rose 22 points and is still low.",
    ]
    assert alerts_for_checkin(history, 3)["message"].tolist() == [
        "Pain rose from 4 to 10 out of 10 (outside of the knee).",
        "IT band syndrome rose 39 points, from low to high.",
    ]
    assert alerts_for_checkin(history, 1).empty  # nothing before it
    assert alerts_for_checkin(history, 99).empty
    assert week_over_week(out).equals(alerts_for_checkin(history, 3))


def test_trend_long_has_one_row_per_checkin_and_condition() -> None:
    history = scored([(0, {"it_band": 12.0}), (2, {"it_band": 40.0})])
    long = trend_long(history)
    assert list(long.columns) == ["week_start", "condition", "name", "short_name", "score"]
    assert len(long) == 2 * len(IDS)
    it = long[long["condition"] == "it_band"]
    assert it["score"].tolist() == [12.0, 40.0]
    assert it["name"].unique().tolist() == ["IT band syndrome"]
    assert it["week_start"].tolist() == [MONDAY, MONDAY + pd.Timedelta(weeks=2)]


def test_checkin_table_is_newest_first_with_the_top_condition() -> None:
    history = scored([(0, {"it_band": 12.0}), (1, {"hamstring": 60.0}), (3, {"piriformis": 33.0})])
    history["pain_level"] = [1, 7, 3]
    history["needs_clinician"] = [False, True, False]
    history["severity"] = [np.nan, 42.0, 0.0]
    table = checkin_table(history)
    assert table["id"].tolist() == [3, 2, 1]
    assert table["top"].tolist() == [
        "Piriformis pain",
        "Hamstring pull or tear",
        "IT band syndrome",
    ]
    assert table["score"].tolist() == [33.0, 60.0, 12.0]
    assert table["band"].tolist() == ["moderate", "high", "low"]
    assert table["risk"].tolist() == [
        "Piriformis 33 · moderate",
        "Hamstring 60 · high",
        "IT band 12 · low",
    ]
    assert table["looks_like"].tolist() == table["risk"].tolist()
    assert table["building_up"].tolist() == [
        "Piriformis 17 · low",  # 33 / 2 = 16.5, shown rounded half up
        "Hamstring 30 · moderate",
        "IT band 6 · low",
    ]
    assert table["week"].tolist() == [13, 11, 10]
    assert table["pain_level"].tolist() == [3, 7, 1]
    assert table["needs_clinician"].tolist() == [False, True, False]
    assert table["severity"].iloc[1] == 42.0 and np.isnan(table["severity"].iloc[2])
    choices = checkin_choices(table)
    assert list(choices) == [3, 2, 1]
    assert choices[2] == "Tue 11 Mar 2025 · Hamstring 60"


def test_recent_keeps_the_last_weeks() -> None:
    history = scored([(0, {}), (5, {}), (10, {}), (11, {})])
    assert recent(history, 6)["id"].tolist() == [3, 4]  # weeks 6-11: week 5 is out
    assert recent(history, 7)["id"].tolist() == [2, 3, 4]  # weeks 5-11
    assert recent(history, None)["id"].tolist() == [1, 2, 3, 4]
    assert recent(history, 1)["id"].tolist() == [4]


def test_data_version_changes_with_any_value() -> None:
    history = history_frame([checkin(dt.date(2025, 3, 5), pain_level=2)])
    same = history.copy()
    changed = history.assign(pain_level=3)
    assert data_version(history) == data_version(same)
    assert data_version(history) != data_version(changed)
    assert data_version(history) != data_version(history.iloc[:0])


def test_runs_version_changes_when_a_run_is_added_or_removed() -> None:
    runs = pd.DataFrame(
        {
            "start_utc": pd.to_datetime(["2025-03-01 07:00", "2025-03-04 07:00"], utc=True),
            "distance_km": [10.0, 12.0],
            "content_hash": ["a", "b"],
        }
    )
    assert runs_version(runs) == runs_version(runs.copy())
    assert runs_version(runs) != runs_version(runs.assign(distance_km=[10.0, 25.0]))
    # One removed and another added: the same count and the same latest run, another key.
    swapped = runs.assign(content_hash=["c", "b"], distance_km=[11.0, 12.0])
    assert runs_version(runs) != runs_version(swapped)
    assert runs_version(runs.iloc[:0]) == runs_version(None) != runs_version(runs)
    # The key of scored weeks follows both the check-ins and the runs.
    history = history_frame([checkin(dt.date(2025, 3, 5))])
    edited = history_frame([checkin(dt.date(2025, 3, 5), pain_level=6)])
    assert scores_version(history, runs) == scores_version(history.copy(), runs.copy())
    assert scores_version(history, runs) != scores_version(history, swapped)
    assert scores_version(history, runs) != scores_version(edited, runs)


def test_alerts_compare_with_the_same_runners_week_before() -> None:
    day = dt.date(2025, 3, 5)
    later = day + dt.timedelta(weeks=1)
    history = history_frame(
        [
            checkin(day),
            {**checkin(later, pain_locations="outer_knee", pain_level=10), "runner": "Bob"},
            checkin(later, pain_locations="outer_knee", pain_level=10),
        ]
    )
    assert alerts_for_checkin(history, 3)["kind"].tolist() == ["pain", "score"]
    assert alerts_for_checkin(history, 3)["condition"].tolist() == [None, "it_band"]
    assert alerts_for_checkin(history, 2).empty  # Bob has no week before


# --- worsening is never hidden (issue 12, point 3) ----------------------------------------------

STEADY = {"weekly_km": 30.0, "longest_run_km": 12.0}


def spike_then_worse() -> pd.DataFrame:
    """Four steady weeks, a week of a load spike with outer-hip pain 5, then a quiet week with
    pain 8 and night pain: the gluteal score falls as the load signals drop out."""
    day = dt.date(2025, 3, 5)
    pain = {"pain_locations": "outer_hip", "pain_triggers": "sleeping;stairs"}
    rows = [checkin(day + dt.timedelta(weeks=w), **STEADY) for w in range(4)]
    rows.append(
        checkin(
            day + dt.timedelta(weeks=4),
            weekly_km=50.0,
            longest_run_km=20.0,
            pain_level=5,
            training_changes="more_mileage;more_hills",
            **pain,
        )
    )
    rows.append(
        checkin(
            day + dt.timedelta(weeks=5),
            weekly_km=20.0,
            longest_run_km=8.0,
            pain_level=8,
            warning_signs="night_pain",
            **pain,
        )
    )
    return history_frame(rows)


def test_pain_rising_is_an_alert_even_when_the_score_falls() -> None:
    history = spike_then_worse()
    out = scored_history(history)
    before, now = out.iloc[-2], out.iloc[-1]
    # The case: last week's load signals dropped out. With the location leading, the
    # gluteal score now rises with the pain, but the knee and IT band scores fall.
    assert now["it_band"] < before["it_band"]
    alerts = alerts_for_checkin(history, 6)
    messages = alerts["message"].tolist()
    assert "Pain rose from 5 to 8 out of 10 (outside of the hip)." in messages
    assert "New warning sign: pain that wakes you at night." in messages
    assert set(alerts["kind"]) >= {"pain", "warning_sign", "fell"}
    # worsening comes first, whatever the scores did
    assert alerts["kind"].iloc[0] in ("warning_sign", "pain")


def test_a_score_that_fell_while_pain_rose_says_why() -> None:
    alerts = alerts_for_checkin(spike_then_worse(), 6)
    fell = alerts[alerts["kind"] == "fell"]
    assert "it_band" in fell["condition"].tolist()
    assert "gluteal_tendinopathy" not in fell["condition"].tolist()  # it rose with the pain
    text = fell.set_index("condition").loc["it_band", "message"]
    assert text.startswith("Lower score")
    assert "IT band syndrome (down " in text
    assert "although the pain rose" in text
    assert "load signals from last week dropped out" in text
    for word in ("acute", "chronic", "load_spike", "points contributed"):
        assert word not in text.lower()


def test_pain_up_by_one_or_the_same_sign_again_is_not_an_alert() -> None:
    day = dt.date(2025, 3, 5)
    history = history_frame(
        [
            checkin(day, pain_locations="buttock", pain_level=4, warning_signs="numbness"),
            checkin(
                day + dt.timedelta(weeks=1),
                pain_locations="buttock",
                pain_level=5,
                warning_signs="numbness",
            ),
        ]
    )
    alerts = alerts_for_checkin(history, 2)
    # Not a worsening alert (the score may still move a band: pain 5 is the moderate floor).
    assert not alerts["kind"].isin(["pain", "warning_sign"]).any(), alerts["message"].tolist()


def test_pain_moving_to_a_new_place_is_an_alert() -> None:
    day = dt.date(2025, 3, 5)
    history = history_frame(
        [
            checkin(day, pain_locations="buttock", pain_level=4),
            checkin(day + dt.timedelta(weeks=1), pain_locations="back_thigh", pain_level=4),
        ]
    )
    messages = alerts_for_checkin(history, 2)["message"].tolist()
    assert "New pain: back of the thigh, 4 out of 10." in messages


def test_several_new_signs_and_places_read_as_one_line_each() -> None:
    day = dt.date(2025, 3, 5)
    history = history_frame(
        [
            checkin(day, pain_locations="buttock;back_thigh", pain_level=4),
            checkin(
                day + dt.timedelta(weeks=1),
                pain_locations="buttock;back_thigh;front_hip",
                pain_level=7,
                warning_signs="saddle_numbness;back_pain_into_leg",
            ),
        ]
    )
    alerts = alerts_for_checkin(history, 2)
    worse = alerts[alerts["kind"] != "score"]["message"].tolist()
    assert worse[:3] == [
        "New warning signs: numbness between the legs and back pain spreading into the leg.",
        "Pain rose from 4 to 7 out of 10 (deep in the buttock and back of the thigh).",
        "New pain: front of the hip, 7 out of 10.",
    ]
    fell = alerts[alerts["kind"] == "fell"]
    assert fell["message"].nunique() <= fell["condition"].nunique()


def test_alert_lines_show_each_message_once_with_its_icon() -> None:
    lines = alert_lines(alerts_for_checkin(spike_then_worse(), 6))
    messages = [m for m, _ in lines]
    assert len(messages) == len(set(messages))
    assert lines[0] == ("New warning sign: pain that wakes you at night.", "⚠️")
    assert any(icon == "📉" and m.startswith("Lower score") for m, icon in lines)


def test_a_page_can_score_the_history_once_for_the_result_and_the_alerts() -> None:
    """The Results page passes one scored_history to both: the same answers as scoring twice."""
    from logic.analysis.results import checkin_result

    history = spike_then_worse()
    scored = scored_history(history)
    assert alerts_for_checkin(history, 6, scored=scored).equals(alerts_for_checkin(history, 6))
    checkin = history[history["id"] == 6].iloc[0].to_dict()
    once = checkin_result(checkin, history=history, scored_weeks=scored)
    twice = checkin_result(checkin, history=history)
    assert once.scores.equals(twice.scores)
    assert once.checkin == twice.checkin and once.needs_clinician == twice.needs_clinician
