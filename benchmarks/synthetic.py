"""Synthetic check-ins typed as the database returns them: numbers as numbers, sets as ;-strings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from logic.knowledge import knowledge_base


def subset_strings(members: list[str], picks: np.ndarray, sep: str = ";") -> np.ndarray:
    """Each row's picked members joined by `sep` (rows x members booleans in, strings out).

    Every subset is joined once and picked by the row's bit mask: no Python per row.
    """
    k = len(members)
    table = np.array(
        [sep.join(m for b, m in enumerate(members) if mask >> b & 1) for mask in range(2**k)],
        dtype=object,
    )
    return table[picks @ (1 << np.arange(k))]


def synthetic_checkins(n: int, *, seed: int = 0, runners: int = 5000) -> pd.DataFrame:
    """n plausible check-ins; each set member is present with probability 0.15."""
    kb = knowledge_base()
    rng = np.random.default_rng(seed)
    cols = kb.checkin.columns
    out: dict[str, object] = {
        "runner": pd.array(
            np.char.add("runner-", rng.integers(0, runners, n).astype(str)), dtype="str"
        ),
        "date": pd.Timestamp("2022-01-03") + pd.to_timedelta(rng.integers(0, 5 * 365, n), "D"),
        "team": pd.array(np.where(rng.random(n) < 0.5, "Trail Club", None), dtype="str"),
    }
    sep = kb.checkin.set_separator
    for name in kb.checkin.set_columns:
        members = list(cols[name].values)
        bits = rng.random((n, len(members))) < 0.15
        out[name] = pd.array(subset_strings(members, bits, sep), dtype="str")
    out["pain_level"] = rng.integers(0, 11, n)
    out["weekly_km"] = rng.gamma(4, 10, n).round(1)
    out["longest_run_km"] = (out["weekly_km"] * rng.uniform(0.2, 0.5, n)).round(1)
    out["sitting_hours"] = rng.uniform(0, 14, n).round(1)
    out["strength_sessions"] = rng.integers(0, 5, n)
    out["mobility_sessions"] = rng.integers(0, 5, n)
    out["sex"] = pd.array(rng.choice(list(cols["sex"].values), n), dtype="str")
    for name in ("ostrc_participation", "ostrc_training", "ostrc_performance", "ostrc_pain"):
        answer = rng.integers(0, 4, n).astype("float64")
        out[name] = pd.array(np.where(rng.random(n) < 0.3, np.nan, answer)).astype("Int64")
    # Drawn last, so the other columns stay as they were for a given seed.
    sides = np.array([*cols["pain_side"].values, None], dtype=object)
    out["pain_side"] = pd.array(sides[rng.integers(0, len(sides), n)], dtype="str")
    return pd.DataFrame(out)[list(cols)]


def export_shaped_checkins(
    n: int, *, seed: int = 0, runners: int = 5000, combinations: int = 400
) -> pd.DataFrame:
    """n check-ins typed as a real export reaches score_checkins: the shape users hand over.

    Whole numbers are numpy int64 (every answer given), other numbers float64, `date` is
    datetime64, and every text, set and choice column holds plain Python strings (object
    dtype). Each set column holds at most `combinations` distinct ;-strings, drawn once and
    spread over the rows, as a real team's answers repeat.
    """
    kb = knowledge_base()
    rng = np.random.default_rng(seed)
    cols = kb.checkin.columns
    sep = kb.checkin.set_separator
    names = np.array([f"runner-{i}" for i in range(runners)], dtype=object)
    out: dict[str, np.ndarray] = {
        "runner": names[rng.integers(0, runners, n)],
        "date": (
            pd.Timestamp("2022-01-03").to_datetime64()
            + rng.integers(0, 5 * 365, n).astype("timedelta64[D]")
        ).astype("datetime64[ns]"),
        "team": np.array(["Trail Club", None], dtype=object)[(rng.random(n) < 0.5).view("u1")],
    }
    for name in kb.checkin.set_columns:
        members = list(cols[name].values)
        k = min(combinations, 2 ** len(members))
        masks = rng.choice(2 ** len(members), size=k, replace=False)
        bits = (masks[:, None] >> np.arange(len(members))) & 1
        table = subset_strings(members, bits.astype(bool), sep)
        out[name] = table[rng.integers(0, k, n)]
    out["pain_level"] = rng.integers(0, 11, n)
    out["weekly_km"] = rng.gamma(4, 10, n).round(1)
    out["longest_run_km"] = (out["weekly_km"] * rng.uniform(0.2, 0.5, n)).round(1)
    out["sitting_hours"] = rng.uniform(0, 14, n).round(1)
    out["strength_sessions"] = rng.integers(0, 5, n)
    out["mobility_sessions"] = rng.integers(0, 5, n)
    out["sex"] = np.array(list(cols["sex"].values), dtype=object)[rng.integers(0, 4, n)]
    for name in ("ostrc_participation", "ostrc_training", "ostrc_performance", "ostrc_pain"):
        out[name] = rng.integers(0, 4, n)
    sides = np.array([*cols["pain_side"].values, None], dtype=object)
    out["pain_side"] = sides[rng.integers(0, len(sides), n)]
    # dtype=object explicitly: pandas would otherwise infer its own string dtype for text.
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in out.items()}
    )
    return frame[list(cols)]
