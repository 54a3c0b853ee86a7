"""Everything the results page shows for one check-in, computed without a browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from logic.analysis.routine import weekly_routine
from logic.analysis.safety import HISTORY_RULES, clinician_advice, clinician_reasons, score_history
from logic.analysis.scoring import explain_checkin
from logic.checkins import checkin_frame
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
    clinician_reasons: list[str]  # most urgent first (safety.clinician_reasons)
    needs_emergency: bool = False
    clinician_advice: str = ""  # what to do: urgent care today, or book a clinician

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


def scored_checkin(
    checkin: Mapping[str, Any], history: pd.DataFrame | None, kb: KnowledgeBase | None = None
) -> tuple[dict[str, Any], pd.Series]:
    """The check-in plus what its runner's weeks give it (load flags, history rules), and its
    row of safety.score_history: the one scoring of the results page, the history and the CLI.
    Without the runner's history (or when the check-in is not in it) it is scored alone."""
    kb = kb or knowledge_base()
    out = dict(checkin)
    frame = checkin_frame([out])
    scored = None
    if history is not None and not history.empty and "id" in out and "id" in history.columns:
        scored = score_history(history, kb)[(history["id"] == out["id"]).to_numpy()]
    if scored is None or scored.empty:
        scored = score_history(frame, kb)
    row = scored.iloc[0]
    for col in [*kb.load.derived, *HISTORY_RULES]:
        out[col] = bool(row[col])
    return out, row


def checkin_result(
    checkin: Mapping[str, Any],
    kb: KnowledgeBase | None = None,
    history: pd.DataFrame | None = None,
    age_band: str | None = None,
) -> CheckinResult:
    """Everything the results page shows; pass the runner's history for the load flags and
    the rules that need several weeks, and the profile's age band for the clinician wording."""
    kb = kb or knowledge_base()
    checkin, row = scored_checkin(checkin, history, kb)
    emergency = bool(row["needs_emergency"])
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
    return CheckinResult(
        checkin=dict(checkin),
        scores=scores,
        factors=explain_checkin(checkin, kb),
        region_risk=region_risk(score_map, kb),
        routine=weekly_routine(score_map, kb),
        needs_clinician=bool(row["needs_clinician"]),
        clinician_reasons=clinician_reasons(checkin, kb),
        needs_emergency=emergency,
        clinician_advice=clinician_advice(emergency, age_band, kb),
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
