"""Everything the results page shows for one check-in, computed without a browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from logic.analysis.advice import running_advice
from logic.analysis.routine import until_seen_steps, weekly_routine
from logic.analysis.safety import HISTORY_RULES, clinician_advice, clinician_reasons, score_history
from logic.analysis.scoring import band_codes, explain_checkin, whole
from logic.checkins import checkin_frame, split_set
from logic.knowledge import (
    BANDS,
    BASELINE_FACTOR,
    BUILDING_UP,
    LOOKS_LIKE,
    PARTS,
    KnowledgeBase,
    knowledge_base,
)

# The two answers as a runner reads them: a name and what each is made of.
PART_NAMES = {LOOKS_LIKE: "Looks like", BUILDING_UP: "Building up"}
PART_MEANING = {
    LOOKS_LIKE: "how well where and when it hurts fits",
    BUILDING_UP: "training changes, load, sitting, body and habits",
}
NO_SIGNALS = "No risk signals this week"


@dataclass(frozen=True)
class CheckinResult:
    checkin: dict[str, Any]
    # condition, name, score, band (the combined concern), then looks_like, looks_like_band,
    # building_up, building_up_band: one row per condition, highest concern first
    scores: pd.DataFrame
    factors: pd.DataFrame  # explain_checkin rows
    region_risk: dict[str, float]
    routine: pd.DataFrame
    needs_clinician: bool
    clinician_reasons: list[str]  # most urgent first (safety.clinician_reasons)
    # What to do about running this week (logic/analysis/advice.py) and, while a flag is
    # raised, what to do until seen (the routine then holds only gentle moves, or none).
    advice: pd.DataFrame
    until_seen: list[str]
    needs_emergency: bool = False
    clinician_advice: str = ""  # what to do: urgent care today, or book a clinician

    @property
    def top(self) -> pd.Series:
        return self.scores.iloc[0]

    @property
    def has_signals(self) -> bool:
        """False when no symptom points anywhere and every condition is low: then there is no
        "highest risk" to headline (the few habit points still show among the reasons)."""
        symptoms = (whole(self.scores[LOOKS_LIKE]) > 0).any()
        return bool(symptoms or (self.scores["band"] != BANDS[0]).any())

    @property
    def factor_rows(self) -> pd.DataFrame:
        """The factors as charts and tables show them: the section by its title."""
        return self.factors.assign(section=self.factors["section_title"]).drop(
            columns="section_title"
        )


def region_conditions(kb: KnowledgeBase | None = None) -> dict[str, list[str]]:
    """The conditions that live in each pain region: their own locations (conditions.toml)."""
    kb = kb or knowledge_base()
    out: dict[str, list[str]] = {r: [] for r in kb.checkin.columns["pain_locations"].values}
    for cid, condition in kb.conditions.items():
        for region in condition.locations:
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


def scored_checkin(
    checkin: Mapping[str, Any],
    history: pd.DataFrame | None,
    kb: KnowledgeBase | None = None,
    runs: pd.DataFrame | None = None,
    scored_weeks: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], pd.Series]:
    """The check-in plus what its runner's weeks give it (load flags, history rules), and its
    row of safety.score_history: the one scoring of the results page, the history and the CLI.
    Without the runner's history (or when the check-in is not in it) it is scored alone.
    `scored_weeks`: the history already scored (trends.scored_history of the same history
    and runs), so a page that needs it for more than this check-in scores it once."""
    kb = kb or knowledge_base()
    out = dict(checkin)
    frame = checkin_frame([out])
    scored = None
    if history is not None and not history.empty and "id" in out and "id" in history.columns:
        if scored_weeks is None:  # score_history keeps the history's index, not its ids
            scored = score_history(history, kb, runs=runs)[(history["id"] == out["id"]).to_numpy()]
        else:
            scored = scored_weeks[(scored_weeks["id"] == out["id"]).to_numpy()]
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
    runs: pd.DataFrame | None = None,
    scored_weeks: pd.DataFrame | None = None,
) -> CheckinResult:
    """Everything the results page shows; pass the runner's history for the load flags and
    the rules that need several weeks, and the profile's age band for the clinician wording
    (`scored_weeks`: see scored_checkin)."""
    kb = kb or knowledge_base()
    checkin, row = scored_checkin(checkin, history, kb, runs, scored_weeks)
    emergency = bool(row["needs_emergency"])
    ids = kb.condition_ids
    columns: dict[str, Any] = {
        "condition": ids,
        "name": [kb.conditions[c].name for c in ids],
        "score": [round(float(row[c]), 1) for c in ids],
        "band": [str(row[f"{c}_band"]) for c in ids],
    }
    for part in PARTS:
        values = row[[f"{c}_{part}" for c in ids]].to_numpy(dtype="float64")
        columns[part] = values.round(1)
        columns[f"{part}_band"] = [BANDS[b] for b in band_codes(values, kb)]
    scores = pd.DataFrame(columns).sort_values(
        "score", ascending=False, kind="stable", ignore_index=True
    )
    score_map = {c: float(row[c]) for c in ids}
    factors = explain_checkin(checkin, kb)
    flags = {
        "needs_clinician": bool(row["needs_clinician"]),
        "needs_emergency": emergency,
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
        + pd.Series(whole(rows["score"]), index=rows.index).astype(int).astype(str)
        + ", "
        + rows["band"]
        + "): "
        + rows["condition"].map(labels)
        + "."
    ).tolist()


def shown(score: float, band: str) -> str:
    """A score as the app shows it: "56 · high" (whole number, rounded half up)."""
    return f"{int(whole(score))} · {band}"


def headline(result: CheckinResult) -> str:
    """The highest concern's badge: "56/100 · high"."""
    top = result.top
    return f"{int(whole(top['score']))}/100 · {top['band']}"


def two_answers(result: CheckinResult) -> list[str]:
    """One plain line per condition, highest concern first: the concern, then "looks like"
    and "building up" apart, so symptoms now and risk ahead never hide in one number."""
    rows = result.scores
    return [
        f"**{r.name}**: {shown(r.score, r.band)}. "
        f"{PART_NAMES[LOOKS_LIKE]}: {shown(r.looks_like, r.looks_like_band)}. "
        f"{PART_NAMES[BUILDING_UP]}: {shown(r.building_up, r.building_up_band)}."
        for r in rows.itertuples(index=False)
    ]


def counted_points(result: CheckinResult) -> pd.Series:
    """Each reason's points as they count in its part, on result.factors' index: a part stops at
    100 and is shown to a tenth, so the points are scaled to add up to the part as shown (a
    factor of 1 but for a capped part). The Why chart and the reasons table show these, so a
    runner who adds up a part's reasons gets the part's number."""
    f = result.factors
    if f.empty:
        return pd.Series(0.0, index=f.index, dtype="float64")
    raw = f.groupby(["condition", "part"])["points"].transform("sum")
    parts = result.scores.melt(
        id_vars="condition", value_vars=list(PARTS), var_name="part", value_name="shown"
    )
    shown = f[["condition", "part"]].merge(parts, on=["condition", "part"], how="left")["shown"]
    return f["points"] * shown.to_numpy() / raw


def share_text(share: float) -> str:
    """rules.toml's combine_share in words a runner reads at a glance: "¼", "½", "30%"."""
    return {0.25: "¼", 0.5: "½", 0.75: "¾"}.get(share, f"{share:.0%}")


def combined_text(score: float, looks: float, building: float, share: float) -> str:
    """The sum behind a condition's score, in the whole numbers the page shows:
    "56 = 48 + 8 (¼ of 32)". The addend is the shown score less the shown larger part, so the
    line always adds up; a score held at 100 says so."""
    total, high, low = (int(whole(v)) for v in (score, max(looks, building), min(looks, building)))
    added = total - high
    capped = whole(max(looks, building) + share * min(looks, building)) > 100
    if capped:
        return f"{total} = {high} + {added} ({share_text(share)} of {low}, up to 100)"
    if low == 0:
        return f"{total} = {high} + 0"
    return f"{total} = {high} + {added} ({share_text(share)} of {low})"


def why_parts(result: CheckinResult, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """The Why chart's bars: one row per condition and part, the highest concern first, with
    the part's score as the page shows it and, per condition, the sum that makes its score.
    Columns: condition, name, part, part_name, score, heading. Conditions without a point in
    either part are left out."""
    kb = kb or knowledge_base()
    share = kb.rules.scoring.combine_share
    rows = result.scores[(result.scores[list(PARTS)] > 0).any(axis=1)]
    sums = [
        combined_text(r.score, r.looks_like, r.building_up, share)
        for r in rows.itertuples(index=False)
    ]  # one per condition: six at most
    short = rows["condition"].map({c: kb.conditions[c].short_name for c in kb.condition_ids})
    heading = short + " " + pd.Series(sums, index=rows.index, dtype="str")
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "order": range(len(rows)),
                    "condition": rows["condition"].to_numpy(),
                    "name": rows["name"].to_numpy(),
                    "part": part,
                    "part_name": PART_NAMES[part],
                    "score": rows[part].to_numpy(dtype="float64"),
                    "heading": heading.to_numpy(),
                    "at": i,
                }
            )
            for i, part in enumerate(PARTS)
        ],
        ignore_index=True,
    )
    long = long.sort_values(["order", "at"], kind="stable", ignore_index=True)
    return long.drop(columns=["order", "at"])


def why_factors(result: CheckinResult) -> pd.DataFrame:
    """The Why chart's segments: result.factor_rows with the points as they count
    (counted_points), so each part's segments add up to the part's bar."""
    return result.factor_rows.assign(points=counted_points(result))


def why_caption(kb: KnowledgeBase | None = None) -> str:
    """How the two parts make the score, under the Why chart."""
    kb = kb or knowledge_base()
    share = share_text(kb.rules.scoring.combine_share)
    return (
        "Each bar adds up to its part. A condition's score is its larger part plus "
        f"{share} of the smaller one, at most 100: the line above each pair of bars shows the sum."
    )


def reason_rows(result: CheckinResult) -> pd.DataFrame:
    """Every reason as the results page lists it: condition, reason, part (in words), points and
    where the link comes from ("From the article: ...", "Our reasoning: ...", "Study: ...")."""
    f = result.factors
    return pd.DataFrame(
        {
            "name": f["name"],
            "label": f["label"],
            "part": f["part"].map(PART_NAMES),
            "points": counted_points(result),
            "source": f["source_text"],
        }
    )
