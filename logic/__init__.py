"""Stride Check's logic: plain Python the pages call. No Streamlit in here."""

from logic.analysis.scoring import explain_checkin, score_checkins, score_one, scores_long
from logic.checkins import CheckinValidationError, Problem, parse_checkins, validate_checkins
from logic.knowledge import KnowledgeBaseError, knowledge_base, load_knowledge_base

__all__ = [
    "CheckinValidationError",
    "KnowledgeBaseError",
    "Problem",
    "explain_checkin",
    "knowledge_base",
    "load_knowledge_base",
    "parse_checkins",
    "score_checkins",
    "score_one",
    "scores_long",
    "validate_checkins",
]
