"""Two answers per condition, and the concern they make together, from data/factors.toml.

"Looks like" is the symptom match: where it hurts (scaled by how much, along rules.toml's
pain curve) and when, where a trigger counts fully only when the condition's own location
hurts. "Building up" is the risk factors: training changes, load signals, sitting,
limitations, habits, the four root causes; load signals of one group count once. Each part is
min(100, sum of non-negative points), and the concern is the larger part plus a share of the
smaller (capped at 100): never below either part, and adding a factor never lowers any of the
three. Features are computed once per distinct value of each column and spread over the rows
by their factorised codes: no Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from logic.checkins import ParsedCheckins, checkin_frame, parse_checkins
from logic.knowledge import (
    BANDS,
    BASELINE_FACTOR,
    BUILDING_UP,
    LOCATION_COLUMN,
    LOOKS_LIKE,
    PARTS,
    KnowledgeBase,
    knowledge_base,
)

SCORE_MAX = 100.0
# The explanation row that carries a condition's baseline (not a factor of data/factors.toml).
BASELINE_LABEL = "Baseline risk, before any factor"
# What a non-article link is called where the article's section title would stand.
SOURCE_TITLES = {"inference": "Our reasoning", "study": "Running-injury research"}


def part_columns(kb: KnowledgeBase, part: str) -> list[str]:
    """`<id>_looks_like` or `<id>_building_up` for every condition, in knowledge-base order."""
    return [f"{cid}_{part}" for cid in kb.condition_ids]


def weight_matrix(kb: KnowledgeBase) -> np.ndarray:
    """Factors x conditions, in knowledge-base order."""
    conditions = kb.condition_ids
    w = np.zeros((len(kb.factors), len(conditions)))
    for i, factor in enumerate(kb.factors.values()):
        for cid, points in factor.weights.items():
            w[i, conditions.index(cid)] = points
    return w


def pain_share(pain: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """The share of a pain-scaled weight that counts at each worst pain (rules.toml pain_curve)."""
    level = np.nan_to_num(np.clip(np.asarray(pain, dtype="float64"), 0, 10))
    return np.interp(level, np.arange(11), kb.rules.scoring.pain_curve)


def _flag(parsed: ParsedCheckins, column: str) -> np.ndarray:
    """A derived load flag as 0/1; absent (no history given) counts as not raised."""
    flag = parsed.flags.get(column)
    return np.zeros(len(parsed)) if flag is None else flag.astype("float64")


def feature_matrix(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    """Rows x factors, each in [0, 1] (pain-scaled factors included)."""
    n = len(parsed)
    x = np.empty((n, len(kb.factors)), order="F")
    scale = pain_share(parsed.numbers["pain_level"], kb)
    for j, factor in enumerate(kb.factors.values()):
        if factor.kind == "set":
            allowed = list(kb.checkin.columns[factor.column].values)
            idx = [allowed.index(v) for v in factor.values]
            coded = parsed.matrices[factor.column]
            per_unique = coded.values[:, idx].any(axis=1).astype("float64")
            col = per_unique[coded.codes]
        elif factor.kind == "flag":
            col = _flag(parsed, factor.column)
        else:
            assert factor.start is not None and factor.full is not None
            v = parsed.numbers[factor.column]
            col = np.nan_to_num(np.clip((v - factor.start) / (factor.full - factor.start), 0, 1))
        if factor.scale_by_pain:
            col = col * scale
        x[:, j] = col
    return x


def whole(scores: Any) -> np.ndarray:
    """The whole number the app shows for a score: rounded half up (29.5 -> 30, 54.5 -> 55)."""
    return np.floor(np.asarray(scores, dtype="float64") + 0.5)


def band_index(scores: Any, moderate: float, high: float) -> np.ndarray:
    """0 low, 1 moderate, 2 high: the one banding rule, for arrays and single scores.

    Banded on the whole number the app shows (rounded half up, see `whole`), so a score shown
    as "30" never reads "low" beside a threshold of 30, and 29.5 and 54.5 round alike.
    """
    shown = whole(scores)
    return (shown >= moderate).astype("int8") + (shown >= high)


def band_codes(scores: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """Band codes by the thresholds of data/rules.toml."""
    return band_index(scores, kb.rules.bands.moderate, kb.rules.bands.high)


def _needs_clinician(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    coded = parsed.matrices["warning_signs"]
    any_sign = coded.values.any(axis=1)[coded.codes]
    return any_sign | (parsed.numbers["pain_level"] >= kb.rules.safety.clinician_pain_level)


def own_locations(kb: KnowledgeBase) -> np.ndarray:
    """Locations (pain_locations values, schema order) x conditions: 1 where it is the
    condition's own place (conditions.toml `locations`)."""
    places = list(kb.checkin.columns[LOCATION_COLUMN].values)
    out = np.zeros((len(places), len(kb.condition_ids)))
    for j, c in enumerate(kb.conditions.values()):
        out[[places.index(p) for p in c.locations], j] = 1.0
    return out


def location_hurts(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    """Rows x conditions, 1.0 where one of the condition's own locations hurts, else 0.0."""
    coded = parsed.matrices[LOCATION_COLUMN]
    per_unique = (coded.values.astype("float64") @ own_locations(kb) > 0).astype("float64")
    return np.take(per_unique, coded.codes, axis=0, mode="wrap")


def _tie(hurts: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """The share of a tied factor's points that counts: all of it where the location hurts."""
    share = kb.rules.scoring.untied_share
    out = hurts * (1.0 - share)
    out += share
    return out


def factor_sets(kb: KnowledgeBase) -> dict[str, list[int]]:
    """Factor positions by role: "located" (locations), "tied" (other symptoms), "building"
    (risk factors outside any group) and "group:<name>" for each group."""
    out: dict[str, list[int]] = {"located": [], "tied": [], "building": []}
    for i, f in enumerate(kb.factors.values()):
        if f.factor_part == LOOKS_LIKE:
            out["tied" if f.tied else "located"].append(i)
        elif f.group is not None:
            out.setdefault(f"group:{f.group}", []).append(i)
        else:
            out["building"].append(i)
    return out


def _sum(
    parsed: ParsedCheckins,
    kb: KnowledgeBase,
    rows: list[int],
    weights: np.ndarray,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Rows x conditions: the summed points of the factors at `rows`, without building the
    rows x factors matrix. The product is linear, so each set column's share is computed per
    distinct value (distinct ;-strings x conditions) and spread to the rows by code; pain-scaled
    factors are kept apart and multiplied by the row's pain share. Equal to
    feature_matrix[:, rows] @ weights[rows]."""
    factors = list(kb.factors.values())
    n, c = len(parsed), weights.shape[1]
    dense = [i for i in rows if factors[i].kind != "set"]
    if scale is None and any(factors[i].scale_by_pain for i in rows):
        scale = pain_share(parsed.numbers["pain_level"], kb)
    if dense:
        x = np.empty((n, len(dense)))
        for j, i in enumerate(dense):
            f = factors[i]
            if f.kind == "flag":
                x[:, j] = _flag(parsed, f.column)
            else:
                assert f.start is not None and f.full is not None
                ramp = (parsed.numbers[f.column] - f.start) / (f.full - f.start)
                x[:, j] = np.nan_to_num(np.clip(ramp, 0, 1))
            if f.scale_by_pain:
                assert scale is not None
                x[:, j] *= scale
        total: np.ndarray | None = x @ weights[dense]
        del x
    else:
        total = None  # the first set column's share is taken straight into it
    buffer = np.empty((n, c))  # reused: fresh n x C temporaries cost more than the maths
    columns = dict.fromkeys(factors[i].column for i in rows if factors[i].kind == "set")
    for column in columns:
        coded = parsed.matrices[column]
        allowed = list(kb.checkin.columns[column].values)
        for scaled in (False, True):
            mine = [
                i
                for i in rows
                if factors[i].kind == "set"
                and factors[i].column == column
                and factors[i].scale_by_pain == scaled
            ]
            if not mine:
                continue
            # distinct values (+ missing, last) x factors: which factor each value raises
            present = np.column_stack(
                [
                    coded.values[:, [allowed.index(v) for v in factors[i].values]].any(axis=1)
                    for i in mine
                ]
            ).astype("float64")
            target = buffer if total is not None else np.empty((n, c))
            np.take(present @ weights[mine], coded.codes, axis=0, out=target, mode="wrap")
            if scaled:
                assert scale is not None
                target *= scale[:, None]
            if total is None:
                total = target
            else:
                total += target
    return np.zeros((n, c)) if total is None else total


def _baseline(kb: KnowledgeBase) -> np.ndarray:
    return np.array([c.baseline for c in kb.conditions.values()], dtype="float64")


def score_parts(parsed: ParsedCheckins, kb: KnowledgeBase) -> tuple[np.ndarray, np.ndarray]:
    """Looks like and building up, rows x conditions, each 0-100 (see the module docstring)."""
    weights = weight_matrix(kb)
    sets = factor_sets(kb)
    scale = pain_share(parsed.numbers["pain_level"], kb)
    looks = _sum(parsed, kb, sets["located"], weights, scale)
    if sets["tied"]:
        tied = _sum(parsed, kb, sets["tied"], weights, scale)
        tied *= _tie(location_hurts(parsed, kb), kb)
        looks += tied
        del tied
    building = _sum(parsed, kb, sets["building"], weights, scale)
    building += _baseline(kb)
    for key, rows in sets.items():
        if key.startswith("group:"):
            cap = weights[rows].max(axis=0)  # the group counts once: its largest weight
            group = _sum(parsed, kb, rows, weights, scale)
            np.minimum(group, cap, out=group)
            building += group
    np.minimum(looks, SCORE_MAX, out=looks)
    np.minimum(building, SCORE_MAX, out=building)
    return looks, building


def reference_parts(
    x: np.ndarray, hurts: np.ndarray, kb: KnowledgeBase
) -> tuple[np.ndarray, np.ndarray]:
    """The same two answers from the full feature matrix (feature_matrix, location_hurts): the
    plain statement of the model that the fast path of score_parts must equal."""
    w = weight_matrix(kb)
    sets = factor_sets(kb)
    located, tied = sets["located"], sets["tied"]
    looks = x[:, located] @ w[located] + _tie(hurts, kb) * (x[:, tied] @ w[tied])
    building = _baseline(kb) + x[:, sets["building"]] @ w[sets["building"]]
    for key, rows in sets.items():
        if key.startswith("group:"):
            building += np.minimum(x[:, rows] @ w[rows], w[rows].max(axis=0))
    return np.minimum(looks, SCORE_MAX), np.minimum(building, SCORE_MAX)


def combine(looks: np.ndarray, building: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """The concern: the larger part plus rules.toml combine_share of the smaller, at most 100.

    Never below either part, never above 100, and it never falls when either part rises.
    """
    high = np.maximum(looks, building)
    low = np.minimum(looks, building)
    low *= kb.rules.scoring.combine_share
    high += low
    return np.minimum(high, SCORE_MAX, out=high)


def score_parsed(parsed: ParsedCheckins, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Scores of already-validated check-ins (see score_checkins)."""
    kb = kb or knowledge_base()
    conditions = kb.condition_ids
    looks, building = score_parts(parsed, kb)
    scores = combine(looks, building, kb)
    bands = band_codes(scores, kb)
    out = pd.DataFrame(scores, index=parsed.index, columns=conditions, copy=False)
    categories = pd.CategoricalDtype(BANDS, ordered=True)
    extra: dict[str, Any] = {
        f"{cid}_band": pd.Categorical.from_codes(bands[:, i], dtype=categories)
        for i, cid in enumerate(conditions)
    }
    extra["needs_clinician"] = _needs_clinician(parsed, kb)
    parts = [
        pd.DataFrame(values, index=parsed.index, columns=part_columns(kb, part), copy=False)
        for part, values in ((LOOKS_LIKE, looks), (BUILDING_UP, building))
    ]
    return pd.concat([out, pd.DataFrame(extra, index=parsed.index), *parts], axis=1)


def score_checkins(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Risk per condition for every check-in, on the input's index.

    Returns one float column 0-100 per condition id (the combined concern), `<id>_band`
    (low/moderate/high) per condition, `needs_clinician`, then the two answers the concern is
    made of, each 0-100: `<id>_looks_like` per condition and `<id>_building_up` per condition.
    Invalid rows raise one CheckinValidationError that lists every problem.
    """
    kb = kb or knowledge_base()
    return score_parsed(parse_checkins(frame, kb=kb), kb)


def score_one(checkin: Mapping[str, Any], kb: KnowledgeBase | None = None) -> pd.Series:
    """Scores of a single check-in given as a dict (sets may be lists)."""
    return score_checkins(checkin_frame([checkin]), kb).iloc[0]


def scores_long(scores: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """score_checkins output as one row per check-in and condition: the shape charts take.

    Columns: the input's index (as `checkin`), condition, name, score, band.
    """
    kb = kb or knowledge_base()
    ids = kb.condition_ids
    n = len(scores)
    names = {cid: c.name for cid, c in kb.conditions.items()}
    band_values = np.column_stack([scores[f"{c}_band"].astype("str").to_numpy() for c in ids])
    return pd.DataFrame(
        {
            "checkin": np.repeat(scores.index.to_numpy(), len(ids)),
            "condition": np.tile(ids, n),
            "name": np.tile([names[c] for c in ids], n),
            "score": scores[ids].to_numpy().reshape(-1),
            "band": band_values.reshape(-1),
        }
    )


def factor_terms(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    """Rows x (factors + 1) x conditions: each factor's points as they count in its part (tied
    symptoms by where it hurts, a group scaled down to its cap) and, last, the baseline. Per
    part, a condition's terms add up to its part before the cap at 100. For a few rows (the
    explanation): it holds every factor of every row."""
    w = weight_matrix(kb)
    sets = factor_sets(kb)
    x = feature_matrix(parsed, kb)
    terms = np.zeros((len(parsed), len(kb.factors) + 1, w.shape[1]))
    terms[:, :-1, :] = x[:, :, None] * w[None]
    tied = sets["tied"]
    terms[:, tied, :] *= _tie(location_hurts(parsed, kb), kb)[:, None, :]
    for key, rows in sets.items():
        if key.startswith("group:"):
            total = terms[:, rows, :].sum(axis=1)  # rows x conditions
            cap = w[rows].max(axis=0)
            ratio = np.divide(cap, total, out=np.ones_like(total), where=total > cap)
            terms[:, rows, :] *= ratio[:, None, :]
    terms[:, -1, :] = _baseline(kb)
    return terms


def explain_checkin(
    checkin: Mapping[str, Any] | pd.Series, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """Why each condition scored what it did: one row per contributing factor.

    Columns: condition, name, factor, label, points, part (looks_like or building_up), source
    (article, inference or study), source_text (the words the app shows: "From the article:
    ...", "Our reasoning: ...", "Study: ..."), section (the article section, for article links
    only), section_title (the section's title, or what stands for it: "Our reasoning",
    "Running-injury research"), root_cause. A condition whose baseline (data/conditions.toml)
    is above 0 also gets a building-up row with factor BASELINE_FACTOR, in its own section.
    The rows come from the same terms as the score: per part, a condition's points add up to
    that part, except that a part is capped at 100.
    """
    kb = kb or knowledge_base()
    parsed = parse_checkins(checkin_frame([dict(checkin)]), kb=kb)
    terms = factor_terms(parsed, kb)[0]  # (factors + baseline) x conditions
    fi, ci = np.nonzero(terms > 0)
    factor_ids = [*kb.factors, BASELINE_FACTOR]
    conditions = kb.condition_ids
    rows = pd.DataFrame(
        {
            "condition": [conditions[c] for c in ci],
            "factor": [factor_ids[f] for f in fi],
            "points": terms[fi, ci],
        }
    )
    factors = pd.DataFrame(
        {
            "factor": factor_ids,
            "label": [f.label for f in kb.factors.values()] + [BASELINE_LABEL],
            "part": [f.factor_part for f in kb.factors.values()] + [BUILDING_UP],
            "source": [f.source for f in kb.factors.values()] + ["article"],
            "root_cause": [f.root_cause for f in kb.factors.values()] + [None],
        }
    )
    out = rows.merge(factors, on="factor", how="left")
    pairs = list(zip(out["factor"], out["condition"], strict=True))
    out["section"] = [
        kb.conditions[c].section
        if f == BASELINE_FACTOR
        else (kb.factor_section(f, c) if kb.factors[f].source == "article" else None)
        for f, c in pairs
    ]
    out["source_text"] = [
        f"From the article: {kb.sections[kb.conditions[c].section].title}"
        if f == BASELINE_FACTOR
        else kb.source_text(f, c)
        for f, c in pairs
    ]
    out["name"] = out["condition"].map({k: c.name for k, c in kb.conditions.items()})
    titles = out["section"].map({k: s.title for k, s in kb.sections.items()})
    out["section_title"] = titles.fillna(out["source"].map(SOURCE_TITLES))
    out["_order"] = out["condition"].map({c: i for i, c in enumerate(conditions)})
    out["_part"] = out["part"].map({p: i for i, p in enumerate(PARTS)})
    out = out.sort_values(
        ["_order", "_part", "points"], ascending=[True, True, False], kind="stable"
    )
    cols = [
        "condition",
        "name",
        "factor",
        "label",
        "points",
        "part",
        "source",
        "source_text",
        "section",
        "section_title",
        "root_cause",
    ]
    return out[cols].reset_index(drop=True)
