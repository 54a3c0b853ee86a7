"""Scratch demo of the chart builders, for visual checks.

    streamlit run scripts/demo_charts.py --server.port 8599 --server.headless true

Shows the body map in select mode (chart clicks and a multiselect kept in sync),
the body map in risk mode, the risk bars, the factor chart and the trend chart,
all with fake data. It also shows the recommended way to keep the body map and
a multiselect in sync (see ``body_map_in_sync``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from logic.analysis.results import checkin_result, why_factors, why_parts
from logic.charts.body_map import REGION_PARAM, REGIONS, body_map_chart, regions_from_event
from logic.charts.risk import (
    band_for_score,
    factor_chart,
    risk_bar_chart,
    risk_trend_chart,
)

ROOT = Path(__file__).resolve().parent.parent

THRESHOLDS = {"moderate": 30.0, "high": 55.0}
CONDITIONS = {
    "patellofemoral": "Patellofemoral pain (runner's knee)",
    "gluteal_tendinopathy": "Gluteal tendinopathy (outer hip pain)",
    "hip_flexor": "Hip flexor strain or tendinopathy",
    "piriformis": "Piriformis syndrome (deep buttock pain)",
    "it_band": "Iliotibial band syndrome (outer knee)",
    "hamstring": "High hamstring tendinopathy",
}


@st.cache_data
def region_labels() -> dict[str, str]:
    with open(ROOT / "data" / "checkin.toml", "rb") as fh:
        values = tomllib.load(fh)["columns"]["pain_locations"]["values"]
    return {rid: spec["label"] for rid, spec in values.items()}


def body_map_in_sync(labels: dict[str, str]) -> list[str]:
    """Body map + multiselect showing the same regions; returns the regions.

    ``st.session_state.regions`` is the single source of truth (it is also the
    multiselect's key). A chart click updates it in the chart's callback. When
    the multiselect changes it, the chart gets a new key (``map_version`` + 1):
    Streamlit's frontend restores a chart's last clicked selection whenever the
    spec changes under the same key, which would otherwise override the new
    ``selected`` value.
    """
    ss = st.session_state
    ss.setdefault("regions", [])
    ss.setdefault("map_version", 0)
    chart_key = f"body_map_{ss.map_version}"

    def on_chart() -> None:
        ss.regions = regions_from_event(ss[chart_key])

    def on_multiselect() -> None:
        ss.map_version += 1

    event = st.altair_chart(
        body_map_chart(labels, ss.regions),
        on_select=on_chart,
        selection_mode=[REGION_PARAM],
        key=chart_key,
        width="stretch",
    )
    st.multiselect(
        "Where does it hurt?",
        options=list(REGIONS),
        format_func=lambda r: labels.get(r, r),
        key="regions",
        on_change=on_multiselect,
    )
    with st.expander("Raw chart event"):
        st.json(dict(event))
    return list(ss.regions)


def fake_scores(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    scores = rng.uniform(5, 90, len(CONDITIONS)).round(1)
    return pd.DataFrame(
        {
            "condition": list(CONDITIONS),
            "name": list(CONDITIONS.values()),
            "score": scores,
            "band": [band_for_score(s, THRESHOLDS) for s in scores],
        }
    )


def sample_why() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Why chart's data for a sample check-in (an aching knee after more hills): scored by
    the app, since its bars must add up to the parts the scoring gives."""
    result = checkin_result(
        {
            "runner": "Demo",
            "date": "2025-09-01",
            "pain_locations": "front_knee;outer_knee",
            "pain_level": 5,
            "pain_triggers": "stairs;downhill",
            "training_changes": "more_hills;more_mileage",
            "limitations": "tight_quads;weak_glutes",
            "sitting_hours": 8,
            "strength_sessions": 0,
            "mobility_sessions": 1,
        }
    )
    return why_factors(result), why_parts(result)


def fake_history(weeks: int = 10, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-09-01")  # a Monday
    rows = []
    for i, (cid, name) in enumerate(CONDITIONS.items()):
        level = 15 + 10 * i
        for w in range(weeks):
            if w in (4, 7) or (cid == "hamstring" and w == 1):
                continue  # missed check-ins: must show as gaps
            level = float(np.clip(level + rng.normal(0, 8), 0, 100))
            rows.append((start + pd.Timedelta(weeks=w), cid, name, round(level, 1)))
    return pd.DataFrame(rows, columns=["week_start", "condition", "name", "score"])


def main() -> None:
    st.set_page_config(page_title="Chart demo", layout="centered")
    labels = region_labels()
    st.title("Chart demo")

    st.subheader("Body map: select")
    regions = body_map_in_sync(labels)
    st.write("Selected:", ", ".join(regions) or "nothing")

    st.subheader("Body map: risk")
    # front_hip is left out on purpose: it shows as "no score".
    risk = {
        "front_knee": 62.0,
        "outer_knee": 41.0,
        "outer_hip": 18.0,
        "buttock": 33.0,
        "back_thigh": 71.0,
    }
    st.altair_chart(body_map_chart(labels, risk=risk, thresholds=THRESHOLDS, height=300))

    st.subheader("Risk by condition")
    st.altair_chart(risk_bar_chart(fake_scores(), THRESHOLDS))

    st.subheader("What drives the scores")
    st.altair_chart(factor_chart(*sample_why()))

    st.subheader("Trend")
    focus = st.selectbox(
        "Focus",
        [None, *CONDITIONS],
        format_func=lambda c: "All conditions" if c is None else CONDITIONS[c],
    )
    st.altair_chart(risk_trend_chart(fake_history(), THRESHOLDS, focus=focus))


if __name__ == "__main__":  # streamlit runs the script as __main__
    main()
