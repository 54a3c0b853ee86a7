"""The recommended routine: one merged weekly plan from the exercises of data/exercises.toml.

An exercise that serves several of the runner's conditions appears once, with all of them
listed, and exercises are ordered by how much of the runner's risk they address.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import pandas as pd

from logic.knowledge import KnowledgeBase, knowledge_base

MAX_EXERCISES = 10
ROUTINE_COLUMNS = [
    "exercise",
    "name",
    "kind",
    "how_to",
    "frequency",
    "conditions",
    "serves",
    "priority",
]


def focus_conditions(scores: Mapping[str, float], kb: KnowledgeBase | None = None) -> list[str]:
    """Conditions at moderate risk or above; all of them when none is (a prevention plan)."""
    kb = kb or knowledge_base()
    moderate = kb.rules.bands.moderate
    flagged = [c for c in kb.condition_ids if float(scores.get(c, 0.0)) >= moderate]
    return flagged or kb.condition_ids


def weekly_routine(
    scores: Mapping[str, float],
    kb: KnowledgeBase | None = None,
    *,
    limit: int = MAX_EXERCISES,
) -> pd.DataFrame:
    """Exercises for the focus conditions, each once, highest summed risk first.

    `priority` is the sum of the runner's scores over the focus conditions an exercise serves.
    `conditions` holds the ids (;-joined), `serves` the display names.
    """
    kb = kb or knowledge_base()
    focus = focus_conditions(scores, kb)
    risk = pd.Series({c: float(scores.get(c, 0.0)) for c in focus})
    table = pd.DataFrame(
        {
            "exercise": list(kb.exercises),
            "name": [e.name for e in kb.exercises.values()],
            "kind": [e.kind for e in kb.exercises.values()],
            "how_to": [e.how_to for e in kb.exercises.values()],
            "frequency": [kb.frequencies[e.kind] for e in kb.exercises.values()],
            "served": [[c for c in e.conditions if c in risk.index] for e in kb.exercises.values()],
            "order": range(len(kb.exercises)),
        }
    )
    table = table[table["served"].str.len() > 0]
    exploded = table[["exercise", "served"]].explode("served")
    priority = exploded["served"].map(risk).groupby(exploded["exercise"]).sum()
    table = table.assign(
        priority=table["exercise"].map(priority).round(1),
        n_served=table["served"].str.len(),
        conditions=table["served"].str.join(";"),
        serves=table["served"].map(lambda ids: ", ".join(kb.conditions[c].name for c in ids)),
    )
    table = table.sort_values(
        ["priority", "n_served", "order"], ascending=[False, False, True], kind="stable"
    )
    return table.head(limit)[ROUTINE_COLUMNS].reset_index(drop=True)


def routine_markdown(routine: pd.DataFrame, *, runner: str, week: str, disclaimer: str) -> str:
    """The routine as a Markdown page a runner can print or keep in their notes."""
    lines = [f"# Stride Check routine for {runner}", "", f"Week of {week}", ""]
    for i, row in enumerate(routine.itertuples(index=False), start=1):
        lines += [
            f"## {i}. {row.name}",
            "",
            f"- **How:** {row.how_to}",
            f"- **How often:** {row.frequency}",
            f"- **Helps with:** {row.serves}",
            "",
        ]
    lines += ["---", "", f"_{disclaimer}_", ""]
    return "\n".join(lines)


def routine_csv(routine: pd.DataFrame) -> str:
    """The routine as CSV (text from our own knowledge base, so no user input to neutralise)."""
    return routine[["name", "how_to", "frequency", "serves", "conditions", "priority"]].to_csv(
        index=False
    )


def routine_filename(runner: str, day: dt.date) -> str:
    """A download name without characters that trip file systems (names are free text)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", runner).strip("-")[:40] or "runner"
    return f"stride-check-routine-{safe}-{day:%Y-%m-%d}"


def routine_list_markdown(routine: pd.DataFrame) -> str:
    """The routine as a numbered list that fits a phone (a wide table does not)."""
    items = (
        (pd.RangeIndex(1, len(routine) + 1).astype(str) + ". **" + routine["name"] + "** · ")
        .str.cat(routine["frequency"])
        .str.cat("  \n   " + routine["how_to"])
        .str.cat("  \n   _Helps with: " + routine["serves"] + "_")
    )
    return "\n\n".join(items)
