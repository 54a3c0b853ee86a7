"""Risk scores per condition: a weighted sum of factors, read from data/factors.toml.

score = min(100, baseline + features @ weights). Features lie in [0, 1] and weights are >= 0,
so adding a risk factor can never lower a score, and a check-in without factors scores each
condition's baseline. Features are computed once per distinct value of each column and then
spread over the rows by their factorised codes: no Python loop runs per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from logic.checkins import ParsedCheckins, checkin_frame, parse_checkins
from logic.knowledge import BANDS, BASELINE_FACTOR, KnowledgeBase, knowledge_base

SCORE_MAX = 100.0
# The explanation row that carries a condition's baseline (not a factor of data/factors.toml).
BASELINE_LABEL = "Baseline risk, before any factor"


def weight_matrix(kb: KnowledgeBase) -> np.ndarray:
    """Factors x conditions, in knowledge-base order."""
    conditions = kb.condition_ids
    w = np.zeros((len(kb.factors), len(conditions)))
    for i, factor in enumerate(kb.factors.values()):
        for cid, points in factor.weights.items():
            w[i, conditions.index(cid)] = points
    return w


def _flag(parsed: ParsedCheckins, column: str) -> np.ndarray:
    """A derived load flag as 0/1; absent (no history given) counts as not raised."""
    flag = parsed.flags.get(column)
    return np.zeros(len(parsed)) if flag is None else flag.astype("float64")


def feature_matrix(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    """Rows x factors, each in [0, 1] (pain-scaled factors included)."""
    n = len(parsed)
    x = np.empty((n, len(kb.factors)), order="F")
    floor = kb.rules.scoring.pain_scale_floor
    pain = np.clip(parsed.numbers["pain_level"], 0, 10)
    pain_scale = floor + (1 - floor) * pain / 10
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
            col = col * pain_scale
        x[:, j] = col
    return x


def band_index(scores: Any, moderate: float, high: float) -> np.ndarray:
    """0 low, 1 moderate, 2 high: the one banding rule, for arrays and single scores.

    Banded on the whole number the app shows (numpy rounding, as every chart and table
    uses), so a score shown as "30" never reads "low" beside a threshold of 30.
    """
    shown = np.round(np.asarray(scores, dtype="float64"))
    return (shown >= moderate).astype("int8") + (shown >= high)


def band_codes(scores: np.ndarray, kb: KnowledgeBase) -> np.ndarray:
    """Band codes by the thresholds of data/rules.toml."""
    return band_index(scores, kb.rules.bands.moderate, kb.rules.bands.high)


def _needs_clinician(parsed: ParsedCheckins, kb: KnowledgeBase) -> np.ndarray:
    coded = parsed.matrices["warning_signs"]
    any_sign = coded.values.any(axis=1)[coded.codes]
    return any_sign | (parsed.numbers["pain_level"] >= kb.rules.safety.clinician_pain_level)


def _points(parsed: ParsedCheckins, kb: KnowledgeBase, *, per_factor: bool) -> np.ndarray:
    """The one formula: baseline + features @ weights, as its terms or as their sum.

    per_factor=True: rows x (factors + 1) x conditions, each factor's points and, last, the
    condition's baseline; what explain_checkin shows. per_factor=False: the same terms summed,
    rows x conditions; the uncapped score. The sum is taken without building the rows x factors
    matrix: the product is linear, so each set column's share is computed per distinct value
    (distinct ;-strings x conditions) and spread to the rows by code; pain-scaled factors are
    kept apart and multiplied by the row's pain scale. Equal to feature_matrix @ W + baseline.
    """
    weights = weight_matrix(kb)
    baseline = np.array([c.baseline for c in kb.conditions.values()], dtype="float64")
    factors = list(kb.factors.values())
    n = len(parsed)
    floor = kb.rules.scoring.pain_scale_floor
    pain_scale = floor + (1 - floor) * np.clip(parsed.numbers["pain_level"], 0, 10) / 10
    # Row-level factors (ramps, flags) and the baseline (a column of ones) go through one
    # small matrix product.
    dense = [i for i, f in enumerate(factors) if f.kind != "set"]
    x = np.ones((n, len(dense) + 1))
    for j, i in enumerate(dense):
        f = factors[i]
        if f.kind == "flag":
            x[:, j] = _flag(parsed, f.column)
        else:
            assert f.start is not None and f.full is not None
            ramp = (parsed.numbers[f.column] - f.start) / (f.full - f.start)
            x[:, j] = np.nan_to_num(np.clip(ramp, 0, 1))
        if f.scale_by_pain:
            x[:, j] *= pain_scale
    dense_weights = np.vstack([weights[dense], baseline])
    if per_factor:
        terms = np.zeros((n, len(factors) + 1, len(baseline)))
        terms[:, [*dense, len(factors)], :] = x[:, :, None] * dense_weights
    else:
        scores = x @ dense_weights
        buffer = np.empty_like(scores)  # reused: fresh n x C temporaries cost more than the maths
    del x
    for column, coded in parsed.matrices.items():
        allowed = list(kb.checkin.columns[column].values)
        for scaled in (False, True):
            rows = [
                i
                for i, f in enumerate(factors)
                if f.kind == "set" and f.column == column and f.scale_by_pain == scaled
            ]
            if not rows:
                continue
            # distinct values (+ missing, last) x factors: which factor each value raises
            present = np.column_stack(
                [
                    coded.values[:, [allowed.index(v) for v in factors[i].values]].any(axis=1)
                    for i in rows
                ]
            ).astype("float64")
            if per_factor:
                spread = np.take(present, coded.codes, axis=0, mode="wrap")
                part = spread[:, :, None] * weights[rows]
                if scaled:
                    part *= pain_scale[:, None, None]
                terms[:, rows, :] = part
                continue
            np.take(present @ weights[rows], coded.codes, axis=0, out=buffer, mode="wrap")
            if scaled:
                buffer *= pain_scale[:, None]
            scores += buffer
    return terms if per_factor else scores


def score_parsed(parsed: ParsedCheckins, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Scores of already-validated check-ins (see score_checkins)."""
    kb = kb or knowledge_base()
    conditions = kb.condition_ids
    scores = _points(parsed, kb, per_factor=False)
    np.minimum(scores, SCORE_MAX, out=scores)
    bands = band_codes(scores, kb)
    out = pd.DataFrame(scores, index=parsed.index, columns=conditions, copy=False)
    categories = pd.CategoricalDtype(BANDS, ordered=True)
    extra: dict[str, Any] = {
        f"{cid}_band": pd.Categorical.from_codes(bands[:, i], dtype=categories)
        for i, cid in enumerate(conditions)
    }
    extra["needs_clinician"] = _needs_clinician(parsed, kb)
    return pd.concat([out, pd.DataFrame(extra, index=parsed.index)], axis=1)


def score_checkins(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Risk per condition for every check-in, on the input's index.

    Returns one float column 0-100 per condition id, `<id>_band` (low/moderate/high) per
    condition, and `needs_clinician`. Invalid rows raise one CheckinValidationError that
    lists every problem.
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


def explain_checkin(
    checkin: Mapping[str, Any] | pd.Series, kb: KnowledgeBase | None = None
) -> pd.DataFrame:
    """Why each condition scored what it did: one row per contributing factor.

    Columns: condition, name, factor, label, points, section, section_title, root_cause.
    A condition whose baseline (data/conditions.toml) is above 0 also gets a row with factor
    BASELINE_FACTOR, in the condition's own section and without a root cause. The rows come
    from the same terms as the score, so a condition's points add up to its score, except that
    a score is capped at 100.
    """
    kb = kb or knowledge_base()
    parsed = parse_checkins(checkin_frame([dict(checkin)]), kb=kb)
    terms = _points(parsed, kb, per_factor=True)[0]  # (factors + baseline) x conditions
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
            "root_cause": [f.root_cause for f in kb.factors.values()] + [None],
        }
    )
    out = rows.merge(factors, on="factor", how="left")
    out["section"] = [
        kb.conditions[c].section if f == BASELINE_FACTOR else kb.factor_section(f, c)
        for f, c in zip(out["factor"], out["condition"], strict=True)
    ]
    out["name"] = out["condition"].map({k: c.name for k, c in kb.conditions.items()})
    out["section_title"] = out["section"].map({k: s.title for k, s in kb.sections.items()})
    out["_order"] = out["condition"].map({c: i for i, c in enumerate(conditions)})
    out = out.sort_values(["_order", "points"], ascending=[True, False], kind="stable")
    cols = [
        "condition",
        "name",
        "factor",
        "label",
        "points",
        "section",
        "section_title",
        "root_cause",
    ]
    return out[cols].reset_index(drop=True)
