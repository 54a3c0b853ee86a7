"""logic.analysis.team on small hand-made teams: exact counts, shares, means, order and reasons."""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import pandas as pd
import pytest

from logic.analysis.scoring import score_one
from logic.analysis.team import (
    WATCH_COLUMNS,
    band_share_by_week,
    bands_markdown,
    bullets,
    checkins_version,
    default_period,
    heatmap_data,
    in_period,
    mean_risk_by_week,
    ostrc_prevalence_by_week,
    prevalence_means,
    roster,
    scored_team,
    team_names,
    watch_list,
    week_glance,
)
from logic.io.csv_io import load_checkins_csv
from logic.io.importing import team_csv
from logic.knowledge import knowledge_base
from logic.storage.store import get_store
from logic.texts import escape_all, escape_markdown

KB = knowledge_base()
IDS = KB.condition_ids
W1, W2, W3 = pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-09"), pd.Timestamp("2026-11-16")


def scored_rows(*rows: dict) -> pd.DataFrame:
    """A scored-shaped frame written by hand: every score 0 unless given."""
    defaults = {
        "team": "Hill",
        "needs_clinician": False,
        "warning_signs": "",
        "pain_level": 0,
        "substantial": False,
        "any_problem": False,
        "ostrc_answered": False,
        "acute_chronic": np.nan,
        **dict.fromkeys(IDS, 0.0),
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame["date"] = frame["week_start"] + pd.Timedelta(days=2)
    return frame


ROSTER = pd.DataFrame({"runner": ["Ann", "Bob", "Cat", "Dan"], "team": "Hill"})


# --- who is on the team ------------------------------------------------------------------------


def test_team_names_and_roster_filter_by_team() -> None:
    runners = pd.DataFrame(
        {"runner": ["Zed", "Ann", "Bob", "Solo"], "team": ["Flat", "Hill", "Hill", np.nan]}
    )
    assert team_names(runners) == ["Flat", "Hill"]
    assert roster(runners, ["Hill"])["runner"].tolist() == ["Ann", "Bob"]
    assert roster(runners, ["Hill", "Flat"])["runner"].tolist() == ["Ann", "Bob", "Zed"]
    assert roster(runners, []).empty


# --- this week ---------------------------------------------------------------------------------


def test_week_glance_counts_checked_in_missing_bands_and_red_flags() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W2, "patellofemoral": 30.0, "hamstring": 55.0},
        {"runner": "Bob", "week_start": W2, "patellofemoral": 29.4, "it_band": 54.4},
        {
            "runner": "Cat",
            "week_start": W2,
            "patellofemoral": 80.0,
            "needs_clinician": True,
            "warning_signs": "swelling;night_pain",
            "pain_level": 9,
        },
        {"runner": "Dan", "week_start": W1, "patellofemoral": 90.0},  # last week only
        {"runner": "Zed", "week_start": W2, "patellofemoral": 90.0},  # not on the roster
    )
    g = week_glance(scored, ROSTER, W2.date() + dt.timedelta(days=3))  # any day of the week
    assert g.week_start == W2.date()
    assert g.checked_in == ["Ann", "Bob", "Cat"]
    assert g.missing == ["Dan"]
    assert g.roster_size == 4
    bands = g.bands.set_index("condition")
    assert list(bands.index) == IDS
    assert bands.loc["patellofemoral", ["moderate", "high"]].tolist() == [1, 1]  # 30 and 80
    assert bands.loc["hamstring", ["moderate", "high"]].tolist() == [0, 1]  # 55 is high
    assert bands.loc["it_band", ["moderate", "high"]].tolist() == [1, 0]  # 54.9 is moderate
    assert bands.loc["piriformis", ["moderate", "high"]].tolist() == [0, 0]
    assert g.needs_clinician["runner"].tolist() == ["Cat"]
    assert g.needs_clinician["why"].tolist() == [
        "warning sign: Visible swelling, Pain that wakes you at night; pain 9/10"
    ]


def test_week_glance_for_one_condition_and_an_empty_week() -> None:
    scored = scored_rows({"runner": "Ann", "week_start": W2, "hamstring": 60.0})
    g = week_glance(scored, ROSTER, W2, condition="hamstring")
    assert g.bands["condition"].tolist() == ["hamstring"]
    assert g.bands["high"].tolist() == [1]
    empty = week_glance(scored, ROSTER, W3)
    assert empty.checked_in == [] and empty.missing == ["Ann", "Bob", "Cat", "Dan"]
    assert empty.bands[["moderate", "high"]].to_numpy().sum() == 0
    with pytest.raises(ValueError, match="unknown condition 'knee'"):
        week_glance(scored, ROSTER, W2, condition="knee")


# --- week by week ------------------------------------------------------------------------------


def test_band_share_by_week_is_one_row_per_week_and_condition_with_exact_shares() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W1, "patellofemoral": 35.0},
        {"runner": "Bob", "week_start": W1, "patellofemoral": 60.0},
        {"runner": "Cat", "week_start": W1},
        {"runner": "Dan", "week_start": W1},
        # W2: nobody. W3: Ann twice (the later check-in counts), Bob.
        {"runner": "Ann", "week_start": W3, "patellofemoral": 90.0},
        {"runner": "Ann", "week_start": W3, "patellofemoral": 10.0},
        {"runner": "Bob", "week_start": W3, "patellofemoral": 31.0, "hamstring": 56.0},
    )
    share = band_share_by_week(scored)
    assert len(share) == 3 * len(IDS)  # weeks x conditions, the empty week included
    knee = share[share["condition"] == "patellofemoral"].set_index("week_start")
    assert knee.loc[W1, ["runners", "moderate", "high"]].tolist() == [4, 1, 1]
    assert knee.loc[W1, "share"] == pytest.approx(0.5)
    assert knee.loc[W2, "runners"] == 0 and np.isnan(knee.loc[W2, "share"])
    assert knee.loc[W3, ["runners", "moderate", "high"]].tolist() == [2, 1, 0]
    assert knee.loc[W3, "share"] == pytest.approx(0.5)
    ham = share[(share["condition"] == "hamstring") & (share["week_start"] == W3)]
    assert ham["high"].tolist() == [1] and ham["share"].tolist() == [0.5]
    one = band_share_by_week(scored, condition="hamstring")
    assert len(one) == 3 and set(one["condition"]) == {"hamstring"}
    assert one["name"].iloc[0] == "Hamstring pull or tear"


def test_mean_risk_by_week_averages_the_runners_who_checked_in() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W1, "it_band": 10.0},
        {"runner": "Bob", "week_start": W1, "it_band": 40.0},
        {"runner": "Cat", "week_start": W1, "it_band": 70.0},
        {"runner": "Ann", "week_start": W3, "it_band": 20.0},
    )
    mean = mean_risk_by_week(scored)
    assert len(mean) == 3 * len(IDS)
    it = mean[mean["condition"] == "it_band"].set_index("week_start")
    assert it.loc[W1, "score"] == pytest.approx(40.0)
    assert np.isnan(it.loc[W2, "score"]) and it.loc[W2, "runners"] == 0
    assert it.loc[W3, "score"] == pytest.approx(20.0) and it.loc[W3, "runners"] == 1
    assert mean_risk_by_week(scored, "it_band")["score"].tolist()[::2] == [40.0, 20.0]


def test_ostrc_prevalence_counts_only_runners_who_answered() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W1, "ostrc_answered": True, "any_problem": True},
        {"runner": "Bob", "week_start": W1, "ostrc_answered": True},
        {"runner": "Cat", "week_start": W1, "ostrc_answered": True},
        {"runner": "Dan", "week_start": W1, "ostrc_answered": True},
        {"runner": "Ann", "week_start": W2},  # did not answer: not in any denominator
        {
            "runner": "Ann",
            "week_start": W3,
            "ostrc_answered": True,
            "any_problem": True,
            "substantial": True,
        },
        {"runner": "Bob", "week_start": W3, "ostrc_answered": True, "any_problem": True},
    )
    prev = ostrc_prevalence_by_week(scored).set_index("week_start")
    assert prev.loc[W1, ["answered", "any_problem", "substantial"]].tolist() == [4, 1, 0]
    assert prev.loc[W1, ["any_share", "substantial_share"]].tolist() == [0.25, 0.0]
    assert prev.loc[W2, "answered"] == 0 and np.isnan(prev.loc[W2, "any_share"])
    assert prev.loc[W3, ["any_share", "substantial_share"]].tolist() == [1.0, 0.5]
    means = prevalence_means(prev.reset_index())
    assert means["any_problem"] == pytest.approx((0.25 + 1.0) / 2)  # the unanswered week is out
    assert means["substantial"] == pytest.approx(0.25)


def test_period_helpers() -> None:
    today = dt.date(2026, 11, 27)
    recent = pd.Series([pd.Timestamp("2026-01-05"), pd.Timestamp("2026-11-16")])
    assert default_period(recent, today) == (dt.date(2026, 9, 7), dt.date(2026, 11, 29))
    old = pd.Series([pd.Timestamp("2025-03-03"), pd.Timestamp("2025-06-02")])
    assert default_period(old, today) == (dt.date(2025, 3, 17), dt.date(2025, 6, 8))
    short = pd.Series([pd.Timestamp("2026-11-09")])
    assert default_period(short, today) == (dt.date(2026, 11, 9), dt.date(2026, 11, 29))
    scored = scored_rows(*({"runner": "Ann", "week_start": w} for w in (W1, W2, W3)))
    # Whole weeks: a Sunday start keeps its week, a Monday end keeps its week.
    kept = in_period(scored, dt.date(2026, 11, 8), dt.date(2026, 11, 16))
    assert kept["week_start"].tolist() == [W1, W2, W3]
    assert in_period(scored, dt.date(2026, 11, 9), dt.date(2026, 11, 15))[
        "week_start"
    ].tolist() == [W2]


# --- runners this week -------------------------------------------------------------------------


def test_heatmap_orders_by_highest_score_then_sum_then_name() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W2, "hamstring": 60.0},
        {"runner": "Bob", "week_start": W2, "hamstring": 60.0, "it_band": 20.0},  # same top, more
        {"runner": "Cat", "week_start": W2, "patellofemoral": 75.0},
        {"runner": "Dan", "week_start": W2, "hamstring": 60.0},  # ties Ann: by name
        {"runner": "Eve", "week_start": W1, "hamstring": 99.0},  # another week
    )
    cells = heatmap_data(scored, W2)
    assert len(cells) == 4 * len(IDS)
    order = cells.drop_duplicates("runner")["runner"].tolist()
    assert order == ["Cat", "Bob", "Ann", "Dan"]
    assert cells.drop_duplicates("runner")["rank"].tolist() == [0, 1, 2, 3]
    cat = cells[cells["runner"] == "Cat"].set_index("condition")
    assert cat.loc["patellofemoral", "band"] == "high"
    assert cat.loc["hamstring", "band"] == "low"
    assert cat["short_name"].tolist() == [KB.conditions[c].short_name for c in IDS]
    top2 = heatmap_data(scored, W2, limit=2)
    assert top2["runner"].unique().tolist() == ["Cat", "Bob"] and len(top2) == 2 * len(IDS)
    ham = heatmap_data(scored, W2, condition="hamstring")
    assert ham["runner"].tolist() == ["Ann", "Bob", "Dan", "Cat"]  # Cat's hamstring is 0
    assert heatmap_data(scored, W3).empty


# --- the watch list ----------------------------------------------------------------------------


def test_watch_list_says_why_for_each_reason() -> None:
    scored = scored_rows(
        # Ann: up exactly 15 (in), and a band up by 2 points (in).
        {"runner": "Ann", "week_start": W1, "it_band": 10.0, "patellofemoral": 28.0},
        {"runner": "Ann", "week_start": W2, "it_band": 25.0, "patellofemoral": 30.0},
        # Bob: up 14 within low (out); acute:chronic 1.5 exactly (out).
        {"runner": "Bob", "week_start": W1, "hamstring": 0.0},
        {"runner": "Bob", "week_start": W2, "hamstring": 14.0, "acute_chronic": 1.5},
        # Cat: no check-in the week before, so no rise; a substantial problem; ratio 1.62.
        {"runner": "Cat", "week_start": W2, "hamstring": 70.0, "substantial": True,
         "acute_chronic": 1.62},
        # Dan: a red flag and a rise of 40 (low -> high).
        {"runner": "Dan", "week_start": W1, "hamstring": 20.0},
        {"runner": "Dan", "week_start": W2, "hamstring": 60.0, "needs_clinician": True,
         "warning_signs": "numbness", "pain_level": 3},
        # Eve: pain at the clinician level only.
        {"runner": "Eve", "week_start": W2, "needs_clinician": True, "pain_level": 8},
    )  # fmt: skip
    watch = watch_list(scored, W2)
    assert list(watch.columns) == WATCH_COLUMNS
    why = dict(zip(watch["runner"], watch["why"], strict=True))
    assert set(why) == {"Ann", "Cat", "Dan", "Eve"}
    assert why["Ann"] == "IT band up 15 points; Runner's knee up 2 points (low → moderate)"
    assert why["Cat"] == (
        "A problem that limited training; this week vs the 4 weeks before: 1.62× (above 1.5×)"
    )
    assert why["Dan"] == "Warning sign: Numbness or tingling; Hamstring up 40 points (low → high)"
    assert why["Eve"] == "Pain 8/10"
    # Red flags first (most reasons first among them), then the most reasons, then the score.
    assert watch["runner"].tolist() == ["Dan", "Eve", "Cat", "Ann"]
    ann = watch.set_index("runner").loc["Ann"]
    assert ann["reasons"] == 1 and ann["risk_rise"] and not ann["acwr_flag"]
    cat = watch.set_index("runner").loc["Cat"]
    assert cat["reasons"] == 2 and cat["substantial"] and cat["acwr_flag"]
    assert cat["acute_chronic"] == pytest.approx(1.62)


def test_watch_list_for_one_condition_keeps_the_other_reasons() -> None:
    scored = scored_rows(
        {"runner": "Ann", "week_start": W1, "it_band": 10.0},
        {"runner": "Ann", "week_start": W2, "it_band": 40.0},
        {"runner": "Bob", "week_start": W2, "substantial": True},
    )
    assert watch_list(scored, W2, condition="hamstring")["runner"].tolist() == ["Bob"]
    assert watch_list(scored, W2, condition="it_band")["runner"].tolist() == ["Ann", "Bob"]
    assert watch_list(scored, W3).empty


# --- end to end on real check-ins --------------------------------------------------------------


def hill_checkins() -> pd.DataFrame:
    """A small team as it is stored: Ann's knee gets worse, Bob hurts his hamstring (and it is
    swollen), Cat doubles her distance and cannot train, Dan misses the last week."""
    base = {"team": "Hill", "weekly_km": 20.0, "longest_run_km": 8.0}
    knee = {"pain_locations": "front_knee", "pain_triggers": "stairs"}
    rows = [
        {**base, "runner": "Cat", "date": f"2026-10-{d}", "ostrc_participation": 0}
        for d in (21, 28)
    ]
    rows += [
        {**base, "runner": "Cat", "date": "2026-11-04"},
        {**base, "runner": "Cat", "date": "2026-11-11", "ostrc_participation": 0},
        {**base, "runner": "Cat", "date": "2026-11-18", "weekly_km": 40.0,
         "ostrc_participation": 3},
        {**base, **knee, "runner": "Ann", "date": "2026-11-11", "pain_level": 2,
         "ostrc_participation": 1, "ostrc_training": 1, "ostrc_performance": 1, "ostrc_pain": 1},
        {**base, **knee, "runner": "Ann", "date": "2026-11-18", "pain_level": 6,
         "pain_triggers": "stairs;downhill", "limitations": "tight_quads;weak_glutes",
         "sitting_hours": 9},
        {**base, "runner": "Bob", "date": "2026-11-11"},
        {**base, "runner": "Bob", "date": "2026-11-18", "pain_locations": "back_thigh",
         "pain_level": 5, "pain_triggers": "top_speed", "training_changes": "more_speed",
         "limitations": "weak_hamstrings", "warning_signs": "swelling",
         "ostrc_participation": 2, "ostrc_training": 2, "ostrc_performance": 1, "ostrc_pain": 2},
        {**base, "runner": "Dan", "date": "2026-11-11"},
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def hill(db_url: str) -> pd.DataFrame:
    store = get_store()
    store.import_checkins(hill_checkins())
    store.add_runner("Eve", "Hill")  # on the team, never checked in
    store.import_checkins(pd.DataFrame([{"runner": "Zed", "team": "Flat", "date": "2026-11-18"}]))
    return store.all_checkins(roster(store.list_runners(), ["Hill"])["runner"].tolist())


def test_scored_team_end_to_end(hill: pd.DataFrame) -> None:
    assert set(hill["runner"]) == {"Ann", "Bob", "Cat", "Dan"}  # Zed is on another team
    scored = scored_team(hill)
    assert len(scored) == len(hill)
    cat = scored[scored["runner"] == "Cat"].set_index("week_start")
    assert cat.loc[W3, "acute_chronic"] == pytest.approx(2.0)
    assert bool(cat.loc[W3, "load_spike"]) and bool(cat.loc[W3, "substantial"])
    assert cat["ostrc_answered"].tolist() == [True, True, False, True, True]
    ann = scored[scored["runner"] == "Ann"].set_index("week_start")
    expected = score_one({**hill_checkins().iloc[6].dropna().to_dict()})
    assert ann.loc[W3, "patellofemoral"] == pytest.approx(expected["patellofemoral"])
    assert bool(ann.loc[W2, "any_problem"]) and not bool(ann.loc[W2, "substantial"])

    members = roster(get_store().list_runners(), ["Hill"])
    g = week_glance(scored, members, W3)
    assert g.checked_in == ["Ann", "Bob", "Cat"] and g.missing == ["Dan", "Eve"]
    high = g.bands.set_index("condition")["high"]
    assert high["patellofemoral"] == 1 and high["hamstring"] == 1 and high.sum() == 2
    assert g.needs_clinician.to_dict("records") == [
        {"runner": "Bob", "why": "warning sign: Visible swelling"},
        {"runner": "Cat", "why": "could not train"},  # ostrc_participation 3 (issue 12)
    ]
    watch = watch_list(scored, W3).set_index("runner")
    assert list(watch.index) == ["Bob", "Cat", "Ann"]
    assert watch.loc["Bob", "why"] == (
        "Warning sign: Visible swelling; Hamstring up 52 points (low → high); "
        "a problem that limited training"
    )
    assert watch.loc["Cat", "why"] == (
        "Could not train; a problem that limited training; "
        "this week vs the 4 weeks before: 2.0× (above 1.5×)"
    )
    # Ann's text, worked out one condition at a time from her two check-ins scored alone.
    before, now = (score_one(hill_checkins().iloc[i].dropna().to_dict()) for i in (5, 6))
    rises = []
    for c in IDS:
        change = now[c] - before[c]
        moved = now[f"{c}_band"] != before[f"{c}_band"]
        if change >= 15 or moved:
            shift = f" ({before[f'{c}_band']} → {now[f'{c}_band']})" if moved else ""
            rises.append(
                # Rounded half up, as every score and rise is shown (issue 12).
                (
                    -change,
                    f"{KB.conditions[c].short_name} up {math.floor(change + 0.5)} points{shift}",
                )
            )
    assert watch.loc["Ann", "why"] == "; ".join(text for _, text in sorted(rises))
    assert watch.loc["Ann", "why"].startswith("Runner's knee up ")
    prev = ostrc_prevalence_by_week(in_period(scored, W2.date(), W3.date()))
    assert prev["any_share"].tolist() == [0.5, 1.0]  # W2: Ann of Ann+Cat; W3: Bob and Cat
    assert prev["substantial_share"].tolist() == [0.0, 1.0]


def test_team_csv_reads_back_as_the_same_checkins(hill: pd.DataFrame) -> None:
    text = team_csv(scored_team(hill))
    header = text.splitlines()[0].split(",")
    assert header == [c for c in KB.checkin.columns]  # no scores, no ids: the import's columns
    back = load_checkins_csv(text.encode()).frame
    assert len(back) == len(hill)
    assert sorted(back["runner"]) == sorted(hill["runner"])
    assert back.loc[back["runner"] == "Bob", "warning_signs"].tolist() == ["", "swelling"]


def test_checkins_version_changes_with_every_kind_of_write(db_url: str) -> None:
    store = get_store()
    empty = checkins_version(store)
    checkin_id = store.save_checkin({"runner": "Ann", "date": "2026-11-18"})
    saved = checkins_version(store)
    assert saved != empty
    time.sleep(1.05)  # SQLite keeps updated_at to the second
    store.update_checkin(checkin_id, {"pain_level": 4})
    edited = checkins_version(store)
    assert edited != saved
    store.delete_checkin(checkin_id)
    assert checkins_version(store) not in (saved, edited)


def test_page_text_is_escaped_like_escape_markdown() -> None:
    names = pd.Series(
        ["A*b_c", "Dan [x](y)", "x|y", "plain", "http://e.test ann@x.org"], dtype="str"
    )
    assert escape_all(names).tolist() == [escape_markdown(n) for n in names]
    assert bullets(names[:2], pd.Series(["up 3 points (low → moderate)", "pain 9/10"])) == (
        "- **A\\*b\\_c**: up 3 points \\(low → moderate\\)\n- **Dan \\[x\\]\\(y\\)**: pain 9/10"
    )
    bands = pd.DataFrame({"short_name": ["IT band", "x|y"], "moderate": [2, 0], "high": [1, 3]})
    assert bands_markdown(bands).splitlines() == [
        "| Condition | Moderate | High |",
        "| :-- | --: | --: |",
        "| IT band | 2 | 1 |",
        "| x\\|y | 0 | 3 |",
    ]
