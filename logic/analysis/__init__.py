"""Scoring and what is computed from scored check-ins:
load, OSTRC, routine, trends, results, team."""
