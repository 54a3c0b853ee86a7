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

from logic.analysis.ostrc import severity, substantial
from logic.analysis.safety import score_history
from logic.analysis.scoring import band_codes, explain_checkin, part_columns, whole
from logic.checkins import parse_checkins, split_set
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
    "kind",  # warning_sign, pain, score or fell
]
# The icon a page shows beside each kind of alert: worsening stands out from score rises.
ALERT_ICONS = {"warning_sign": "⚠️", "pain": "📈", "score": "📈", "fell": "📉"}
# Choices of how far back the history charts reach: label -> weeks (None = everything).
PERIODS: dict[str, int | None] = {"12 weeks": 12, "6 months": 26, "1 year": 52, "All": None}


def data_version(history: pd.DataFrame) -> str:
    """A digest of the history's content: any save, edit or delete changes it, so caches keyed
    by it are never stale and a rerun on unchanged data reuses them."""
    rows = pd.util.hash_pandas_object(history, index=False).to_numpy()
    names = "\0".join(map(str, history.columns)).encode()
    return hashlib.blake2b(rows.tobytes() + names, digest_size=16).hexdigest()


def runs_version(runs: pd.DataFrame | None) -> str:
    """A digest of the recorded runs, the companion of data_version: runs feed the scores (the
    long-run spike by run date), and an import or a delete changes them while no check-in
    changes, so caches of scored weeks are keyed by both."""
    return "no runs" if runs is None or runs.empty else data_version(runs)


def scores_version(history: pd.DataFrame, runs: pd.DataFrame | None) -> str:
    """The key of anything scored from a runner's check-ins and runs (Results, History): it
    changes with a save, an edit, a delete or a runs import."""
    return f"{data_version(history)}/{runs_version(runs)}"


def scored_history(
    history: pd.DataFrame, kb: KnowledgeBase | None = None, runs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The check-ins, oldest first, plus the columns of safety.score_history (load flags, the
    history rules, one score and `<id>_band` per condition, needs_clinician, needs_emergency),
    OSTRC severity and substantial. `runs`: the runner's recorded runs, for the long-run
    spike by run date."""
    kb = kb or knowledge_base()
    frame = history.copy()
    if "week_start" not in frame.columns:
        frame["week_start"] = week_starts(frame["date"])
    parsed = parse_checkins(frame, kb=kb)  # once, for the scores and the absent columns
    absent = parsed.frame[[c for c in kb.checkin.columns if c not in frame.columns]]
    out = pd.concat([frame, absent, score_history(frame, kb, parsed=parsed, runs=runs)], axis=1)
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


def _score_rises(previous: pd.Series, current: pd.Series, kb: KnowledgeBase) -> pd.DataFrame:
    """One row per condition whose score rose rise_points or moved up a band (kind "score")."""
    ids = kb.condition_ids
    now = current[ids].to_numpy(dtype="float64")
    then = previous[ids].to_numpy(dtype="float64")
    change = now - then
    band_now, band_then = band_codes(now, kb), band_codes(then, kb)
    hit = rose(change, band_now, band_then, kb)
    bands = np.array(BANDS)
    out = pd.DataFrame(
        {
            "kind": "score",
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
    return out.sort_values("change", ascending=False, kind="stable")


def _ticked(row: pd.Series, kb: KnowledgeBase) -> np.ndarray:
    """The pain locations (data/checkin.toml order) ticked in one scored check-in."""
    places = list(kb.checkin.columns["pain_locations"].values)
    return np.isin(places, split_set(row.get("pain_locations"), kb.checkin.set_separator))


def _location_pain(row: pd.Series, kb: KnowledgeBase) -> np.ndarray:
    """Pain per location (data/checkin.toml order) of one scored check-in: 0 where not ticked."""
    ticked = _ticked(row, kb)
    pain = row.get("pain_level")
    return ticked * (0.0 if pain is None or pd.isna(pain) else float(pain))


def _lower_first(labels: pd.Series | np.ndarray) -> pd.Series:
    s = pd.Series(labels, dtype="str")
    return s.str[:1].str.lower() + s.str[1:]


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _worsening(previous: pd.Series, current: pd.Series, kb: KnowledgeBase) -> pd.DataFrame:
    """New warning signs (one row, kind "warning_sign") and pain up at least [trends] pain_rise
    at a location (kind "pain": one row for the places that hurt before, one for new places),
    whatever the scores did."""
    sep = kb.checkin.set_separator
    labels = kb.labels("warning_signs")
    had = set(split_set(previous.get("warning_signs"), sep))
    now_signs = set(split_set(current.get("warning_signs"), sep))
    urgent = kb.rules.safety.emergency_signs
    order = [*urgent, *(s for s in labels if s not in urgent)]  # the urgent ones first
    new = [s for s in order if s in now_signs and s not in had]
    rows = []
    if new:
        names = _lower_first([labels[s] for s in new]).tolist()
        head = "New warning sign: " if len(new) == 1 else "New warning signs: "
        message = head + _and_list(names) + "."
        rows.append({"kind": "warning_sign", "condition": None, "message": message})
    places = np.array(list(kb.labels("pain_locations").values()))
    then, now = _location_pain(previous, kb), _location_pain(current, kb)
    up = now - then >= kb.rules.trends.pain_rise
    fresh = ~_ticked(previous, kb)
    # One pain level per check-in: the places that hurt before share their numbers.
    for is_new in (False, True):
        hit = up & (fresh == is_new)
        if not hit.any():
            continue
        where = _and_list(_lower_first(places[hit]).tolist())
        before, after = int(then[hit].max()), int(now[hit].max())
        message = (
            f"New pain: {where}, {after} out of 10."
            if is_new
            else f"Pain rose from {before} to {after} out of 10 ({where})."
        )
        rows.append(
            {
                "kind": "pain",
                "condition": None,
                "previous": float(before),
                "current": float(after),
                "change": float(after - before),
                "message": message,
            }
        )
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def _why_fell(previous: pd.Series, current: pd.Series, fell: list[str], kb: KnowledgeBase):
    """condition -> why its score fell, in plain words, from the factors whose points fell."""
    terms = [explain_checkin(row.to_dict(), kb) for row in (previous, current)]
    keys = ["condition", "factor"]
    both = terms[0].merge(terms[1], on=keys, how="left", suffixes=("_then", "_now"))
    both["drop"] = both["points_then"] - both["points_now"].fillna(0.0)
    both = both[both["condition"].isin(fell) & (both["drop"] > 0)]
    both = both.sort_values("drop", ascending=False, kind="stable")
    kinds = {f: kb.factors[f].kind for f in kb.factors}
    both["load"] = both["factor"].map(kinds).eq("flag")
    out = {}
    for cid, rows in both.groupby("condition", sort=False):
        parts = []
        if rows["load"].any():
            parts.append("load signals from last week dropped out")
        others = rows.loc[~rows["load"], "label_then"].str.lower().head(3).tolist()
        if others:
            parts.append("no longer ticked: " + ", ".join(others))
        out[cid] = "; ".join(parts)
    return out


def _fell_while_pain_rose(
    previous: pd.Series, current: pd.Series, kb: KnowledgeBase
) -> pd.DataFrame:
    """Conditions whose score fell by a point or more while pain rose somewhere: kind "fell",
    with why (a falling score is not a sign of healing)."""
    if not (_location_pain(current, kb) > _location_pain(previous, kb)).any():
        return pd.DataFrame(columns=ALERT_COLUMNS)
    ids = kb.condition_ids
    change = current[ids].to_numpy(dtype="float64") - previous[ids].to_numpy(dtype="float64")
    down = np.floor(-change + 0.5) >= 1
    fell = [c for c, d in zip(ids, down, strict=True) if d]
    if not fell:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    why = _why_fell(previous, current, fell, kb)
    out = pd.DataFrame(
        {
            "kind": "fell",
            "condition": fell,
            "name": [kb.conditions[c].name for c in fell],
            "previous": previous[fell].to_numpy(dtype="float64"),
            "current": current[fell].to_numpy(dtype="float64"),
        }
    )
    out["change"] = out["current"] - out["previous"]
    out["reason"] = out["condition"].map(why).fillna("fewer risk signals than last week")
    out["part"] = (
        out["name"].to_numpy(dtype="str")  # names as they are: "IT band" stays capitalised
        + " (down "
        + rise_amount(-out["change"].to_numpy())
        + ")"
    )
    # One message per reason: three conditions falling for one reason read as one line.
    parts = out.groupby("reason", sort=False)["part"].agg(lambda p: _and_list(p.tolist()))
    head = np.where(
        out.groupby("reason", sort=False)["part"].size() > 1, "Lower scores", "Lower score"
    )
    text = pd.Series(head, index=parts.index) + " for " + parts + " although the pain rose: "
    text = text + parts.index + ". A lower score is not a sign of healing; go by how it feels."
    out["message"] = out["reason"].map(text)
    return out.drop(columns=["reason", "part"])


def _compare(scored: pd.DataFrame, label: Any, kb: KnowledgeBase) -> pd.DataFrame:
    """Alerts for the check-in at index `label` against the one of the ISO week before:
    worsening first (new warning signs, pain up), then score rises, then falls while pain rose."""
    current = scored.loc[label]
    before = scored[scored["week_start"] == current["week_start"] - WEEK]
    if "runner" in scored.columns:
        before = before[before["runner"] == current["runner"]]
    if before.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    previous = before.iloc[-1]  # oldest first: the latest check-in of that week
    parts = [_score_rises(previous, current, kb)]
    if "pain_level" in scored.columns:
        parts = [_worsening(previous, current, kb), *parts]
        parts.append(_fell_while_pain_rose(previous, current, kb))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=ALERT_COLUMNS)


def alert_lines(alerts: pd.DataFrame) -> list[tuple[str, str]]:
    """(message, icon) per line a page shows: each message once (conditions that fell for one
    reason share a message), in the alerts' order."""
    lines = alerts.drop_duplicates("message")
    icons = lines["kind"].map(ALERT_ICONS).fillna("📈")
    return list(zip(lines["message"], icons, strict=True))


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
    history: pd.DataFrame,
    checkin_id: int,
    kb: KnowledgeBase | None = None,
    scored: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """week_over_week for any check-in of a runner's history, against the week before it.

    `history` is the runner's history (store.history), so the load flags see earlier weeks;
    `scored`: its scored_history when the caller has it already. Empty when the id is not in
    it or the week before has no check-in.
    """
    kb = kb or knowledge_base()
    scored = scored_history(history, kb) if scored is None else scored
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
