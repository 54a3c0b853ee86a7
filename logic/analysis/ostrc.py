"""OSTRC-style weekly severity (0-100) from the four optional ostrc_* check-in answers.

After the OSTRC Overuse Injury Questionnaire: each answer is an option index 0-3 scored by
data/rules.toml [ostrc]; severity is their sum. The questionnaire's short-cuts apply: full
participation without problems ends it (severity 0) and not being able to take part ends it
too (severity 100), so the other answers are not needed then. Everything is vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from logic.knowledge import KnowledgeBase, knowledge_base

PARTICIPATION = "ostrc_participation"
TRAINING = "ostrc_training"
PERFORMANCE = "ostrc_performance"
PAIN = "ostrc_pain"
OSTRC_COLUMNS = (PARTICIPATION, TRAINING, PERFORMANCE, PAIN)
SEVERITY_MAX = 100.0
#: What a runner or coach reads for a "substantial problem": the questionnaire's term is jargon.
LIMITED_TRAINING = "Problem that limited training"


def _answers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Option indexes as float (NaN = not answered); an absent column is all unanswered."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def severity(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.Series:
    """0-100 per check-in; NaN when participation is unanswered, or when it says "some
    problem" (the remaining questions apply) and one of them is unanswered."""
    cfg = (kb or knowledge_base()).rules.ostrc
    points = np.asarray(cfg.option_scores, dtype="float64")
    answers = np.column_stack([_answers(frame, c) for c in OSTRC_COLUMNS])
    answered = ~np.isnan(answers)
    codes = np.clip(np.where(answered, answers, 0), 0, len(points) - 1).astype("int64")
    total = np.where(answered.all(axis=1), points[codes].sum(axis=1), np.nan)
    participation = answers[:, 0]
    total = np.where(participation == cfg.no_problem_option, 0.0, total)
    total = np.where(participation == cfg.cannot_participate_option, SEVERITY_MAX, total)
    total = np.where(np.isnan(participation), np.nan, total)
    return pd.Series(np.minimum(total, SEVERITY_MAX), index=frame.index, name="severity")


def substantial(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.Series:
    """A substantial problem: cannot take part, or training or performance changed at least
    `substantial_from_option`. A "no problem" participation answer rules it out (short-cut)."""
    cfg = (kb or knowledge_base()).rules.ostrc
    participation = _answers(frame, PARTICIPATION)
    reduced = (_answers(frame, TRAINING) >= cfg.substantial_from_option) | (
        _answers(frame, PERFORMANCE) >= cfg.substantial_from_option
    )
    out = (participation == cfg.cannot_participate_option) | (
        reduced & (participation != cfg.no_problem_option)
    )
    return pd.Series(out, index=frame.index, name="substantial")


def any_problem(frame: pd.DataFrame, kb: KnowledgeBase | None = None) -> pd.Series:
    """Any problem at all this week: participation above "no problem", or severity above 0."""
    cfg = (kb or knowledge_base()).rules.ostrc
    participation = _answers(frame, PARTICIPATION)
    out = (participation > cfg.no_problem_option) | (severity(frame, kb).to_numpy() > 0)
    return pd.Series(out, index=frame.index, name="any_problem")
