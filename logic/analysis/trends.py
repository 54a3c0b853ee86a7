"""A runner's history scored week by week: trend lines, week-over-week alerts, the table.

Alerts compare a check-in only with the check-in of the ISO week right before it. Across a
missed week there is nothing to compare with: a rise over two or more weeks is a different
(slower) signal, and calling it "since last week" would be wrong.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from logic.analysis.load import with_load_flags
from logic.analysis.ostrc import severity, substantial
from logic.analysis.scoring import band_codes, part_columns, score_parsed, whole
from logic.checkins import parse_checkins
from logic.knowledge import BANDS, KnowledgeBase, knowledge_base
from logic.weeks import WEEK, day_labels, week_starts

ALERT_COLUMNS = [
    "condition",
    "name",
    "previous",
    "current",
    "change",
    "previous_band",
    "band",
    "message",
]
# Choices of how far back the history charts reach: label -> weeks (None = everything).
PERIODS: dict[str, int | None] = {"12 weeks": 12, "6 months": 26, "1 year": 52, "All": None}


def data_version(history: pd.DataFrame) -> str:
    """A digest of the history's content: any save, edit or delete changes it, so caches keyed
    by it are never stale and a rerun on unchanged data reuses them."""
    rows = pd.util.hash_pandas_object(history, index=False).to_numpy()
    names = "\0".join(map(str, history.columns)).encode()
    return hashlib.blake2b(rows.tobytes() + names, digest_size=16).hexdigest()


def scored_history(history: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The check-ins, oldest first, plus load flags, one score and `<id>_band` per condition,
    needs_clinician, OSTRC severity and substantial."""
    kb = kb or knowledge_base()
    frame = history.copy()
    if "week_start" not in frame.columns:
        frame["week_start"] = week_starts(frame["date"])
    flagged = with_load_flags(frame, kb)
    parsed = parse_checkins(flagged, kb=kb)  # once, for the scores and the absent columns
    absent = parsed.frame[[c for c in kb.checkin.columns if c not in flagged.columns]]
    out = pd.concat([flagged, absent, score_parsed(parsed, kb)], axis=1)
    out["severity"] = severity(out, kb)
    out["substantial"] = substantial(out, kb)
    order = ["date", "id"] if "id" in out.columns else ["date"]
    return out.sort_values(order, kind="stable")


def trend_long(scored: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """week_start, condition, name, short_name, score: one row per check-in and condition
    (chart input)."""
    kb = kb or knowledge_base()
    ids = kb.condition_ids
    n = len(scored)
    return pd.DataFrame(
        {
            "week_start": np.repeat(scored["week_start"].to_numpy(), len(ids)),
            "condition": np.tile(ids, n),
            "name": np.tile([kb.conditions[c].name for c in ids], n),
            "short_name": np.tile([kb.conditions[c].short_name for c in ids], n),
            "score": scored[ids].to_numpy(dtype="float64").reshape(-1),
        }
    )


def rose(
    change: np.ndarray, band_now: np.ndarray, band_then: np.ndarray, kb: KnowledgeBase
) -> np.ndarray:
    """Where a score rose by at least rules.toml [trends] rise_points, or moved up a band."""
    return (change >= kb.rules.trends.rise_points - 1e-9) | (band_now > band_then)


def rise_amount(change: np.ndarray) -> np.ndarray:
    """'18 points', '1 point' or 'less than a point', for rises rounded half up."""
    points = np.floor(change + 0.5).astype("int64")
    amount = np.where(points == 1, "1 point", np.char.add(points.astype(str), " points"))
    return np.where(points < 1, "less than a point", amount)


def _compare(scored: pd.DataFrame, label: Any, kb: KnowledgeBase) -> pd.DataFrame:
    """Alerts for the check-in at index `label` against the one of the ISO week before."""
    current = scored.loc[label]
    before = scored[scored["week_start"] == current["week_start"] - WEEK]
    if "runner" in scored.columns:
        before = before[before["runner"] == current["runner"]]
    if before.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    previous = before.iloc[-1]  # oldest first: the latest check-in of that week
    ids = kb.condition_ids
    now = current[ids].to_numpy(dtype="float64")
    then = previous[ids].to_numpy(dtype="float64")
    change = now - then
    band_now, band_then = band_codes(now, kb), band_codes(then, kb)
    hit = rose(change, band_now, band_then, kb)
    bands = np.array(BANDS)
    out = pd.DataFrame(
        {
            "condition": ids,
            "name": [kb.conditions[c].name for c in ids],
            "previous": then,
            "current": now,
            "change": change,
            "previous_band": bands[band_then],
            "band": bands[band_now],
        }
    )[hit]
    amount = rise_amount(out["change"].to_numpy())
    moved = out["band"] != out["previous_band"]
    tail = np.where(
        moved,
        ", from " + out["previous_band"] + " to " + out["band"] + ".",
        " and is still " + out["band"] + ".",
    )
    out["message"] = out["name"] + " rose " + amount + tail
    return out.sort_values("change", ascending=False, kind="stable").reset_index(drop=True)


def week_over_week(scored: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Alerts for the latest check-in of one runner's scored history (see _compare).

    One row per condition that rose at least rules.toml [trends] rise_points or moved up a
    band, biggest rise first: condition, name, previous, current, change, previous_band, band,
    message ("IT band syndrome rose 18 points, from low to moderate."). Empty when there is
    no check-in in the ISO week before the latest one.
    """
    if scored.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return _compare(scored, scored.index[-1], kb or knowledge_base())


def alerts_for_checkin(
    history: pd.DataFrame, checkin_id: int, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """week_over_week for any check-in of a runner's history, against the week before it.

    `history` is the runner's history (store.history), so the load flags see earlier weeks.
    Empty when the id is not in it or the week before has no check-in.
    """
    kb = kb or knowledge_base()
    scored = scored_history(history, kb)
    match = scored.index[scored["id"] == int(checkin_id)]
    if match.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return _compare(scored, match[0], kb)


def checkin_table(scored: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """One row per check-in, newest first (the history page's table).

    Columns: id, date, week (ISO week number), top (condition name), top_short (its short
    name), score, band, risk ("IT band 42 · moderate"), top_concern ("IT band 42", for a
    phone's narrow column), looks_like and building_up (the condition each answer points at
    most, in the same words), pain_level, needs_clinician and severity. Scores are shown
    rounded half up, as they are banded.
    """
    kb = kb or knowledge_base()
    ids = kb.condition_ids
    newest = scored.iloc[::-1]
    values = newest[ids].to_numpy(dtype="float64")
    top = values.argmax(axis=1)  # first of equal scores: the knowledge base's order
    bands = np.column_stack([newest[f"{c}_band"].astype("str").to_numpy() for c in ids])
    rows = np.arange(len(newest))
    out = pd.DataFrame(
        {
            "id": newest["id"].to_numpy(dtype="int64"),
            "date": newest["date"].to_numpy(),
            "week": newest["week_start"].dt.isocalendar().week.to_numpy(dtype="int64"),
            "top": np.array([kb.conditions[c].name for c in ids])[top],
            "top_short": np.array([kb.conditions[c].short_name for c in ids])[top],
            "score": values[rows, top].round(1),
            "band": bands[rows, top],
        }
    )
    shown = pd.Series(whole(out["score"]), index=out.index).astype("int64").astype("str")
    out["risk"] = out["top_short"] + " " + shown + " · " + out["band"]
    out["top_concern"] = out["top_short"] + " " + shown  # a phone's narrow column
    short = np.array([kb.conditions[c].short_name for c in ids])
    for part in ("looks_like", "building_up"):
        if not set(part_columns(kb, part)) <= set(newest.columns):
            continue  # a history scored before the two answers existed
        part_values = newest[part_columns(kb, part)].to_numpy(dtype="float64")
        lead = part_values.argmax(axis=1)
        best = part_values[rows, lead]
        out[part] = (
            pd.Series(short[lead], index=out.index)
            + " "
            + pd.Series(whole(best).astype("int64").astype(str), index=out.index)
            + " · "
            + pd.Series(np.array(BANDS)[band_codes(best, kb)], index=out.index)
        )
    out["pain_level"] = newest["pain_level"].to_numpy()
    out["needs_clinician"] = newest["needs_clinician"].to_numpy(dtype=bool)
    out["severity"] = newest["severity"].to_numpy(dtype="float64")
    return out


def checkin_choices(table: pd.DataFrame) -> dict[int, str]:
    """Check-in id -> "Fri 27 Nov 2026 · IT band 42", newest first (short enough for a
    phone-wide select box; the day as Results and History write it)."""
    score = pd.Series(whole(table["score"]), index=table.index).astype("int64").astype("str")
    text = day_labels(table["date"]) + " · " + table["top_short"] + " " + score
    return dict(zip(table["id"].tolist(), text.tolist(), strict=True))


def recent(frame: pd.DataFrame, weeks: int | None) -> pd.DataFrame:
    """Rows whose week_start falls in the last `weeks` weeks of the frame (None: all rows)."""
    if weeks is None or frame.empty:
        return frame
    last = frame["week_start"].max()
    return frame[frame["week_start"] > last - weeks * WEEK]
