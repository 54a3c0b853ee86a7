"""Everything the results page shows for one check-in, computed without a browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from logic.analysis.advice import running_advice
from logic.analysis.load import with_load_flags
from logic.analysis.routine import until_seen_steps, weekly_routine
from logic.analysis.scoring import explain_checkin, score_one
from logic.checkins import split_set
from logic.knowledge import BASELINE_FACTOR, KnowledgeBase, knowledge_base

# A region "belongs" to a condition when its location factor carries at least this many points.
PRIMARY_LOCATION_POINTS = 20.0


@dataclass(frozen=True)
class CheckinResult:
    checkin: dict[str, Any]
    scores: pd.DataFrame  # condition, name, score, band: one row per condition, highest first
    factors: pd.DataFrame  # explain_checkin rows
    region_risk: dict[str, float]
    routine: pd.DataFrame
    needs_clinician: bool
    clinician_reasons: list[str]
    # What to do about running this week (logic/analysis/advice.py) and, while a flag is
    # raised, what to do until seen (the routine then holds only gentle moves, or none).
    advice: pd.DataFrame
    until_seen: list[str]
    needs_emergency: bool = False

    @property
    def top(self) -> pd.Series:
        return self.scores.iloc[0]

    @property
    def factor_rows(self) -> pd.DataFrame:
        """The factors as charts and tables show them: the section by its title."""
        return self.factors.assign(section=self.factors["section_title"]).drop(
            columns="section_title"
        )


def region_conditions(kb: KnowledgeBase | None = None) -> dict[str, list[str]]:
    """The conditions that live in each pain region, from the location factors' weights."""
    kb = kb or knowledge_base()
    out: dict[str, list[str]] = {r: [] for r in kb.checkin.columns["pain_locations"].values}
    for factor in kb.factors.values():
        if factor.column != "pain_locations":
            continue
        for cid, points in factor.weights.items():
            if points >= PRIMARY_LOCATION_POINTS:
                for region in factor.values:
                    out[region].append(cid)
    return out


def region_risk(scores: Mapping[str, float], kb: KnowledgeBase | None = None) -> dict[str, float]:
    """Each region coloured by the highest risk among the conditions that live there."""
    return {
        region: max((float(scores[c]) for c in cids), default=0.0)
        for region, cids in region_conditions(kb).items()
    }


def condition_pain(checkin: Mapping[str, Any], kb: KnowledgeBase | None = None) -> dict[str, float]:
    """The week's pain where each condition lives: the pain level when one of its regions
    is ticked, else 0 (pain elsewhere says nothing about this condition)."""
    pain = checkin.get("pain_level")
    level = 0.0 if pain is None or pd.isna(pain) else float(pain)
    spots = checkin.get("pain_locations")
    ticked = set(spots) if isinstance(spots, list | tuple | set) else set(split_set(spots))
    out: dict[str, float] = {}
    for region, cids in region_conditions(kb).items():
        for cid in cids:
            out[cid] = max(out.get(cid, 0.0), level if region in ticked else 0.0)
    return out


def clinician_reasons(checkin: Mapping[str, Any], kb: KnowledgeBase | None = None) -> list[str]:
    """Why the safety rule fired, in plain words (empty when it did not)."""
    kb = kb or knowledge_base()
    reasons = []
    pain = checkin.get("pain_level")
    if pain is not None and not pd.isna(pain) and pain >= kb.rules.safety.clinician_pain_level:
        reasons.append(f"Your worst pain this week was {int(pain)} out of 10.")
    labels = kb.labels("warning_signs")
    signs = checkin.get("warning_signs")
    members = list(signs) if isinstance(signs, list | tuple) else split_set(signs)
    reasons += [f"{labels[s]}." for s in members if s in labels]
    return reasons


def with_history_flags(
    checkin: Mapping[str, Any], history: pd.DataFrame | None, kb: KnowledgeBase | None = None
) -> dict[str, Any]:
    """The check-in plus the load flags its runner's weeks give it, so one check-in scores the
    same on the results page as in the history."""
    out = dict(checkin)
    if history is None or history.empty or "id" not in out:
        return out
    flagged = with_load_flags(history, kb)
    row = flagged[flagged["id"] == out["id"]]
    if len(row):
        for flag in (kb or knowledge_base()).load.derived:
            out[flag] = bool(row[flag].iloc[0])
    return out


def checkin_result(
    checkin: Mapping[str, Any],
    kb: KnowledgeBase | None = None,
    history: pd.DataFrame | None = None,
) -> CheckinResult:
    """Everything the results page shows; pass the runner's history for the load flags."""
    kb = kb or knowledge_base()
    checkin = with_history_flags(checkin, history, kb)
    row = score_one(checkin, kb)
    ids = kb.condition_ids
    scores = pd.DataFrame(
        {
            "condition": ids,
            "name": [kb.conditions[c].name for c in ids],
            "score": [round(float(row[c]), 1) for c in ids],
            "band": [str(row[f"{c}_band"]) for c in ids],
        }
    ).sort_values("score", ascending=False, kind="stable", ignore_index=True)
    score_map = {c: float(row[c]) for c in ids}
    factors = explain_checkin(checkin, kb)
    flags = {
        "needs_clinician": bool(row["needs_clinician"]),
        "needs_emergency": bool(row.get("needs_emergency", False)),
    }
    root_causes = factors["root_cause"].dropna().unique().tolist()
    return CheckinResult(
        checkin=dict(checkin),
        scores=scores,
        factors=factors,
        region_risk=region_risk(score_map, kb),
        routine=weekly_routine(score_map, kb, root_causes=root_causes, **flags),
        needs_clinician=flags["needs_clinician"],
        clinician_reasons=clinician_reasons(checkin, kb),
        advice=running_advice(score_map, condition_pain(checkin, kb), kb=kb, **flags),
        until_seen=until_seen_steps(kb=kb, **flags),
        needs_emergency=flags["needs_emergency"],
    )


def top_reasons(result: CheckinResult, per_condition: int = 3) -> list[str]:
    """The biggest reasons behind each condition at moderate or above (or the top one), in
    words a phone can show without hovering over a chart."""
    flagged = result.scores[result.scores["band"] != "low"]
    if flagged.empty:
        flagged = result.scores.head(1)
    factors = result.factors[result.factors["factor"] != BASELINE_FACTOR]  # not a reason
    if factors.empty:
        return []
    biggest = (
        factors.sort_values("points", ascending=False, kind="stable")
        .groupby("condition", sort=False)
        .head(per_condition)
    )
    labels = biggest.groupby("condition", sort=False)["label"].agg(
        lambda s: ", ".join(s.str.lower())
    )
    rows = flagged[flagged["condition"].isin(labels.index)]
    return (
        "**"
        + rows["name"]
        + "** ("
        + rows["score"].round().astype(int).astype(str)
        + ", "
        + rows["band"]
        + "): "
        + rows["condition"].map(labels)
        + "."
    ).tolist()
