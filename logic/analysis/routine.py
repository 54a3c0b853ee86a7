"""The weekly routine: the runner's concerns first, then the root causes flagged this week.

Each concern (a condition at moderate or above) first gets at least two of its own article
exercises, in turn from the highest score down, so one condition cannot take every slot; the
root causes flagged this week then add theirs. An exercise that serves several concerns
appears once. While a warning sign is raised the routine gives way to what to do until the
runner is seen (data/rules.toml [until_seen]): only a few gentle, non-loading moves stay, and
none at all when urgent care is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from logic.analysis.advice import advice_markdown, concern_scores
from logic.knowledge import MIN_OWN_EXERCISES, Dose, KnowledgeBase, knowledge_base
from logic.texts import escape_markdown

MAX_EXERCISES = 8
ROUTINE_COLUMNS = [
    "exercise",
    "name",
    "kind",
    "how_to",
    "dose",
    "how_often",
    "caution",
    "loading",
    "conditions",
    "root_causes",
    "serves",
]
# The downloaded CSV: plain headers, no internal ids or ranking numbers.
CSV_COLUMNS = {
    "name": "Exercise",
    "how_to": "How to do it",
    "dose": "Sets",
    "how_often": "How often",
    "caution": "Caution",
    "serves": "Helps with",
}
TIMES = {1: "once a week", 2: "twice a week", 7: "every day"}
NBSP = "\u00a0"  # keeps "3 × 12" on one line on a phone


def dose_text(dose: Dose) -> str:
    """'3 × 10 each side' or '2 × 30 s': sets of reps or of seconds."""
    amount = f"{dose.reps}" if dose.reps is not None else f"{dose.seconds} s"
    return f"{dose.sets} × {amount}" + (" each side" if dose.per_side else "")


def how_often_text(dose: Dose) -> str:
    """'3 times a week', '2–3 times a week', 'every day'."""
    if isinstance(dose.per_week, tuple):
        low, high = dose.per_week
        return f"{low}–{high} times a week"
    return TIMES.get(dose.per_week, f"{dose.per_week} times a week")


def exercise_table(kb: KnowledgeBase | None = None) -> pd.DataFrame:
    """Every exercise of data/exercises.toml with its dose in words, in file order."""
    kb = kb or knowledge_base()
    ex = kb.exercises.values()
    return pd.DataFrame(
        {
            "exercise": list(kb.exercises),
            "name": [e.name for e in ex],
            "kind": [e.kind for e in ex],
            "how_to": [e.how_to for e in ex],
            "dose": [dose_text(e.dose) for e in ex],
            "how_often": [how_often_text(e.dose) for e in ex],
            "loading": [e.loading for e in ex],
        }
    )


def _ranked(kb: KnowledgeBase, concerns: pd.Series, allowed: set[str]) -> list[str]:
    """Exercise ids, best first: no caution about a current concern, then the most concern
    served (summed scores), then file order."""
    ids = [e for e in kb.exercises if e in allowed]

    def key(eid: str) -> tuple[bool, float, int]:
        e = kb.exercises[eid]
        warned = any(c in concerns.index for c in e.caution_when)
        served = sum(float(concerns[c]) for c in e.conditions if c in concerns.index)
        return (warned, -served, ids.index(eid))

    return sorted(ids, key=key)


def pick_exercises(
    concerns: pd.Series,
    root_causes: list[str],
    kb: KnowledgeBase,
    *,
    allowed: set[str],
    limit: int,
    strict_limit: bool,
) -> list[str]:
    """The chosen exercise ids, in the order the routine lists them.

    Rounds: each concern, highest first, is brought up to one, then two exercises of its own
    (an exercise already chosen for another concern counts for each it serves); then every
    flagged root cause gets one; then further rounds fill up to `limit`, leaving out the
    exercises with a caution about a current concern (picked earlier only when a concern has
    nothing else). Without
    `strict_limit` the guaranteed part may exceed `limit` (six concerns need their two each).
    """
    ranked = _ranked(kb, concerns, allowed)
    warned = {e for e in ranked if set(kb.exercises[e].caution_when) & set(concerns.index)}
    chosen: list[str] = []

    def room() -> bool:
        return len(chosen) < limit

    def add_for(has: str, target: int, of: str, *, filling: bool = False) -> None:
        field = "conditions" if of == "condition" else "root_causes"
        served = [e for e in chosen if has in getattr(kb.exercises[e], field)]
        if len(served) >= target:
            return
        skip = set(chosen) | (warned if filling else set())  # cautioned: only when needed
        pick = next(
            (e for e in ranked if e not in skip and has in getattr(kb.exercises[e], field)),
            None,
        )
        if pick is not None:
            chosen.append(pick)

    for target in range(1, MIN_OWN_EXERCISES + 1):
        for cid in concerns.index:
            if room() or not strict_limit:
                add_for(cid, target, "condition")
    for rid in root_causes:
        if room() or not strict_limit:
            add_for(rid, 1, "root cause")
    target = MIN_OWN_EXERCISES + 1
    while room():
        before = len(chosen)
        for cid in concerns.index:
            if room():
                add_for(cid, target, "condition", filling=True)
        for rid in root_causes:
            if room():
                add_for(rid, target - 1, "root cause", filling=True)
        if len(chosen) == before:
            break
        target += 1
    return chosen


def weekly_routine(
    scores: Mapping[str, float],
    kb: KnowledgeBase | None = None,
    *,
    root_causes: Iterable[str] = (),
    needs_clinician: bool = False,
    needs_emergency: bool = False,
    limit: int = MAX_EXERCISES,
) -> pd.DataFrame:
    """This week's exercises, most pressing first (columns: ROUTINE_COLUMNS).

    `scores` are the combined 0-100 scores by condition id; `root_causes` the root-cause ids
    flagged this week (when no condition is a concern and none is flagged, all four: a
    prevention plan). needs_clinician keeps only a few gentle moves, never a loading one nor one
    cautioned against for a current concern; needs_emergency keeps none.
    """
    kb = kb or knowledge_base()
    table = exercise_table(kb)
    if needs_emergency:
        return table.head(0).assign(caution="", conditions="", root_causes="", serves="")[
            ROUTINE_COLUMNS
        ]
    concerns = concern_scores(scores, kb)
    flagged = set(root_causes)
    causes = [r for r in kb.root_causes if r in flagged]
    if concerns.empty and not causes:
        causes = list(kb.root_causes)
    allowed = set(kb.exercises)
    if needs_clinician:
        until = kb.rules.until_seen
        allowed = {  # gentle: no loading, none cautioned against for a current concern
            e
            for e, x in kb.exercises.items()
            if not x.loading
            and x.kind in until.gentle_kinds
            and not set(x.caution_when) & set(concerns.index)
        }
        limit = min(limit, until.gentle_max)
    chosen = pick_exercises(
        concerns, causes, kb, allowed=allowed, limit=limit, strict_limit=needs_clinician
    )
    rows = table.set_index("exercise").loc[chosen].reset_index()
    ex = [kb.exercises[e] for e in chosen]
    served = [[c for c in e.conditions if c in concerns.index] for e in ex]
    roots = [[r for r in e.root_causes if r in causes] for e in ex]
    names = {c: kb.conditions[c].short_name for c in kb.condition_ids}
    names |= {r: kb.root_causes[r].name for r in kb.root_causes}
    return rows.assign(
        caution=[
            e.caution
            if e.caution and (not e.caution_when or set(e.caution_when) & set(concerns.index))
            else ""
            for e in ex
        ],
        conditions=[";".join(s) for s in served],
        root_causes=[";".join(r) for r in roots],
        serves=[", ".join(names[i] for i in s + r) for s, r in zip(served, roots, strict=True)],
    )[ROUTINE_COLUMNS]


def until_seen_steps(
    *, needs_clinician: bool, needs_emergency: bool, kb: KnowledgeBase | None = None
) -> list[str]:
    """What to do until the runner is seen (empty when no flag is raised)."""
    until = (kb or knowledge_base()).rules.until_seen
    if needs_emergency:
        return list(until.emergency)
    return list(until.clinician) if needs_clinician else []


def _exercise_markdown(routine: pd.DataFrame, heading: str) -> list[str]:
    lines: list[str] = []
    for i, row in enumerate(routine.to_dict("records"), start=1):
        lines += [
            f"{heading} {i}. {row['name']}",
            "",
            f"**{row['dose']} · {row['how_often']}**",
            "",
        ]
        lines += [f"- How: {row['how_to']}"]
        if row["caution"]:
            lines += [f"- Caution: {row['caution']}"]
        if row["serves"]:
            lines += [f"- Helps with: {row['serves']}"]
        lines += [""]
    return lines


def routine_markdown(
    routine: pd.DataFrame,
    *,
    runner: str,
    week: str,
    disclaimer: str,
    advice: pd.DataFrame | None = None,
    until_seen: list[str] | None = None,
    gentle_heading: str = "",
) -> str:
    """The week's plan as a page a runner can print: who and which week, the running advice,
    then the exercises (or, while a warning sign is raised, what to do until seen)."""
    lines = [f"# Stride Check routine for {escape_markdown(runner)}", "", week, ""]
    if advice is not None and len(advice):
        lines += ["## Your running this week", "", advice_markdown(advice), ""]
    if until_seen:
        lines += ["## Until you are seen", ""]
        lines += [f"{i}. {step}" for i, step in enumerate(until_seen, start=1)] + [""]
        if len(routine):
            lines += [f"## {gentle_heading or 'Exercises'}", ""]
            lines += _exercise_markdown(routine, "###")
    elif len(routine):
        lines += ["## Your exercises", "", *_exercise_markdown(routine, "###")]
    lines += ["---", "", f"_{disclaimer}_", ""]
    return "\n".join(lines)


def routine_csv(routine: pd.DataFrame) -> str:
    """The exercises as CSV with plain headers (our own text, so no user input to neutralise)."""
    return routine[list(CSV_COLUMNS)].rename(columns=CSV_COLUMNS).to_csv(index=False)


def routine_filename(runner: str, day: dt.date) -> str:
    """A download name without characters that trip file systems (names are free text)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", runner).strip("-")[:40] or "runner"
    return f"stride-check-routine-{safe}-{day:%Y-%m-%d}"


def routine_list_markdown(routine: pd.DataFrame) -> str:
    """The routine as a numbered list that fits a phone (a wide table does not): the dose on a
    line of its own, its numbers kept together."""
    numbers = pd.RangeIndex(1, len(routine) + 1).astype(str)
    dose = routine["dose"].str.replace(" ", NBSP, regex=False)
    items = (
        (numbers + ". **" + routine["name"] + "**  \n   " + dose + " · ")
        .str.cat(routine["how_often"])
        .str.cat("  \n   " + routine["how_to"])
    )
    caution = routine["caution"].where(
        routine["caution"] == "", "  \n   ⚠️ **Caution:** " + routine["caution"]
    )
    helps = routine["serves"].where(
        routine["serves"] == "", "  \n   _Helps with: " + routine["serves"] + "_"
    )
    return "\n\n".join(items + caution + helps)
