"""The coach's roster: one row per runner of the chosen teams, saying whom to call first.

Plain typed Python, vectorised: the latest check-in per runner is found with one
drop_duplicates over the scored frame (logic.analysis.team.scored_team), the week before with
one merge, and every column is a whole-column expression. Runners who have not answered this
week head the table (with the date they last answered), then red flags, then the riskiest.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from logic.analysis.ostrc import PARTICIPATION, TRAINING
from logic.analysis.scoring import band_codes
from logic.analysis.trends import rose
from logic.checkins import split_set
from logic.knowledge import BANDS, KnowledgeBase, knowledge_base
from logic.weeks import WEEK
from logic.weeks import week_start as monday

ROSTER_COLUMNS = [
    "runner",
    "team",
    "answered",
    "status",
    "red_flag",
    "last_date",
    "weeks_missed",
    "pain",
    "where",
    "top",
    "top_score",
    "band",
    "trend",
    "rising",
    "load",
    "availability",
    "checkin_id",
]
FILTERS = ("red flags", "not answered", "rising")
UP, DOWN, SAME = "↑", "↓", "→"
RED_FLAG = "⚑"  # the roster's and the heatmap's mark of a runner who should see a clinician
SIDE = "pain_side"  # an optional check-in column (left / right / both), when it exists


def _labels(values: pd.Series, column: str, kb: KnowledgeBase) -> pd.Series:
    """';'-joined set members (or one choice) as their labels, joined with ', '; once per
    distinct value, then mapped onto the rows."""
    labels = kb.labels(column) if column in kb.checkin.columns else {}
    sep = kb.checkin.set_separator
    text = values.fillna("").astype("str")
    named = {v: ", ".join(labels.get(s, s) for s in split_set(v, sep)) for v in text.unique()}
    return text.map(named).astype("str")


def _where(rows: pd.DataFrame, kb: KnowledgeBase) -> pd.Series:
    """'Front of the knee' or, when the check-ins have a pain_side column, 'Front of the knee
    (left)'."""
    where = _labels(rows["pain_locations"], "pain_locations", kb)
    if SIDE not in rows.columns:
        return where
    side = rows[SIDE].fillna("").astype("str")
    if SIDE in kb.checkin.columns and kb.checkin.columns[SIDE].values:
        side = _labels(side, SIDE, kb).str.lower()
    return where.where((side == "") | (where == ""), where + " (" + side + ")")


def availability(rows: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.Series:
    """full / modified / out per check-in from the ostrc_* answers (data/rules.toml
    [availability]); '' where participation was not answered."""
    cfg = (kb or knowledge_base()).rules.availability
    part = pd.to_numeric(rows.get(PARTICIPATION), errors="coerce")
    part = pd.Series(part, index=rows.index, dtype="float64")
    training = pd.to_numeric(rows.get(TRAINING), errors="coerce")
    training = pd.Series(training, index=rows.index, dtype="float64")
    table = np.asarray([*cfg.by_participation, ""], dtype=object)
    codes = part.fillna(len(cfg.by_participation)).clip(0, len(table) - 1).astype("int64")
    out = pd.Series(table[codes.to_numpy()], index=rows.index, dtype="str")
    cut = (out == "full") & (training >= cfg.modified_from_training)
    return out.mask(cut, "modified")


def _load(rows: pd.DataFrame) -> pd.Series:
    """The week's load signal: 'spike' (acute:chronic or weekly jump), 'long run', the
    acute:chronic ratio in words ('1.32× usual') when there is one, else ''."""
    ratio = rows["acute_chronic"].astype("float64")
    text = (ratio.round(2).map("{:.2f}".format) + "× usual").where(ratio.notna(), "")
    text = text.mask(rows["long_run_spike"].astype(bool), "long run")
    return text.mask(rows["load_spike"].astype(bool), "spike").astype("str")


def coach_roster(
    scored: pd.DataFrame,
    members: pd.DataFrame,
    week: dt.date | pd.Timestamp,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """One row per runner of `members` (runner, team) for the ISO week of `week`: ROSTER_COLUMNS.

    `scored` is scored_team output (oldest first). A runner's latest check-in up to that week
    gives the last date; "this week" columns (pain, where, top concern, trend, load,
    availability, red flag) are filled only when that check-in is of this week. weeks_missed:
    whole weeks since the last check-in (0 = answered; NA = never checked in)."""
    kb = kb or knowledge_base()
    ids = kb.condition_ids
    this = monday(week)
    upto = scored[scored["week_start"] <= this]
    latest = upto.drop_duplicates("runner", keep="last").set_index("runner")
    # The check-in before each runner's latest one, for the trend.
    earlier = upto.drop(index=upto.drop_duplicates("runner", keep="last").index)
    before = earlier.drop_duplicates("runner", keep="last").set_index("runner")

    names = members["runner"].astype("str")
    rows = latest.reindex(names)
    prev = before.reindex(names)
    answered = (rows["week_start"] == this).fillna(False).to_numpy(dtype=bool)
    last_week = rows["week_start"]
    missed = ((this - last_week) / WEEK).round().astype("Int64")

    cur = rows[ids].to_numpy(dtype="float64")
    old = prev[ids].to_numpy(dtype="float64")
    filled = np.nan_to_num(cur, nan=-1.0)
    top_at = filled.argmax(axis=1)
    top_score = np.take_along_axis(cur, top_at[:, None], axis=1)[:, 0]
    band_now, band_then = band_codes(cur, kb), band_codes(old, kb)
    change = cur - old
    compared = ~np.isnan(cur) & ~np.isnan(old)
    up = (compared & rose(change, band_now, band_then, kb)).any(axis=1)
    down = (compared & rose(-change, band_then, band_now, kb)).any(axis=1) & ~up
    trend = np.where(up, UP, np.where(down, DOWN, SAME))
    trend = np.where(compared.any(axis=1), trend, "")
    short = np.asarray([kb.conditions[c].short_name for c in ids], dtype=object)
    bands = np.asarray(BANDS, dtype=object)[
        np.take_along_axis(band_now, top_at[:, None], axis=1)[:, 0]
    ]
    red = rows["needs_clinician"].astype("boolean").fillna(False).to_numpy(dtype=bool)

    def this_week(values: object, empty: object = "") -> np.ndarray:
        return np.where(answered, np.asarray(values, dtype=object), empty)

    last = "not answered · last " + pd.to_datetime(rows["date"]).dt.strftime("%d %b")
    status = np.where(answered, "answered", last.fillna("never").to_numpy(dtype=object))
    out = pd.DataFrame(
        {
            "runner": names.to_numpy(),
            "team": members["team"].to_numpy(),
            "answered": answered,
            "status": status,
            "red_flag": answered & red,
            "last_date": pd.to_datetime(rows["date"]).to_numpy(),
            "weeks_missed": missed.array,
            "pain": np.where(answered, rows["pain_level"].to_numpy(dtype="float64"), np.nan),
            "where": this_week(_where(rows.fillna({"pain_locations": ""}), kb).to_numpy()),
            "top": this_week(short[top_at]),
            "top_score": np.where(answered, top_score, np.nan),
            "band": this_week(bands),
            "trend": this_week(trend),
            "rising": answered & up,
            "load": this_week(_load(rows.fillna({"long_run_spike": False, "load_spike": False}))),
            "availability": this_week(availability(rows, kb).to_numpy()),
            "checkin_id": pd.array(
                np.where(answered, rows["id"].to_numpy(dtype="float64"), np.nan), dtype="Int64"
            )
            if "id" in rows.columns
            else pd.array([pd.NA] * len(rows), dtype="Int64"),
        }
    )
    for col in ("status", "where", "top", "band", "trend", "load", "availability"):
        out[col] = out[col].astype("str")
    order = out.assign(_never=out["last_date"].isna()).sort_values(
        ["answered", "_never", "last_date", "red_flag", "top_score", "runner"],
        ascending=[True, False, True, False, False, True],
        na_position="last",
        kind="stable",
    )
    return order[ROSTER_COLUMNS].reset_index(drop=True)


def filter_roster(roster: pd.DataFrame, chosen: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Rows matching any of the chosen FILTERS (all rows when none is chosen)."""
    unknown = [c for c in chosen if c not in FILTERS]
    if unknown:
        raise ValueError(f"unknown roster filter(s) {unknown}; expected some of {FILTERS}")
    if not chosen:
        return roster
    keep = pd.Series(False, index=roster.index)
    if "red flags" in chosen:
        keep |= roster["red_flag"].astype(bool)
    if "not answered" in chosen:
        keep |= ~roster["answered"].astype(bool)
    if "rising" in chosen:
        keep |= roster["rising"].astype(bool)
    return roster[keep]


def counts(roster: pd.DataFrame) -> dict[str, int]:
    """How many rows each filter would keep: for the filter labels."""
    return {
        "red flags": int(roster["red_flag"].sum()),
        "not answered": int((~roster["answered"].astype(bool)).sum()),
        "rising": int(roster["rising"].sum()),
    }


# The roster's columns on the page, key ones first: a phone shows PHONE_ORDER (runner, red
# flag, top concern and band, worst pain, last check-in) and the rest on demand.
PHONE_ORDER = ["runner", "flag", "top", "pain", "status"]
TABLE_ORDER = [*PHONE_ORDER, "trend", "availability", "load", "where", "missed"]


def roster_table(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster as the page shows it: TABLE_ORDER columns (the phone's first), short text,
    nothing to compute."""
    top = (roster["top"] + " · " + roster["band"]).where(roster["top"] != "", "")
    return pd.DataFrame(
        {
            "runner": roster["runner"].astype("str"),
            "flag": np.where(roster["red_flag"].astype(bool), RED_FLAG, ""),
            "status": np.where(
                roster["answered"].astype(bool),
                "✓ this week",
                "✗ " + roster["status"].str.replace("not answered · ", "", regex=False),
            ),
            # Text, so a runner without a check-in shows an empty cell (not "None"); padded
            # to two characters so that sorting the column still sorts by the number.
            "pain": roster["pain"].round().astype("Int64").astype("str").fillna("").str.rjust(2),
            "top": top.astype("str"),
            "trend": roster["trend"],
            "availability": roster["availability"],
            "load": roster["load"],
            "where": roster["where"],
            "missed": roster["weeks_missed"],
        },
        index=roster.index,
    ).reset_index(drop=True)[TABLE_ORDER]
