"""Altair chart builders: plain functions that return alt.Chart."""
