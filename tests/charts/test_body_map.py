"""Spec-level tests of the body map (no browser): ``chart.to_dict()`` only."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from logic.charts.base import BAND_COLORS, BANDS, INK_CLASS
from logic.charts.body_map import (
    GEOMETRY,
    HIGHLIGHT_COLOR,
    REGION_PARAM,
    REGION_VIEWS,
    REGIONS,
    TILE_MIN_PX,
    body_map_chart,
    body_map_tiles,
    region_aria_label,
    regions_from_event,
    side_from_event,
    tile_selection,
)

ROOT = Path(__file__).resolve().parents[2]
THRESHOLDS = {"moderate": 30.0, "high": 55.0}


@pytest.fixture(scope="module")
def labels() -> dict[str, str]:
    with open(ROOT / "data" / "checkin.toml", "rb") as fh:
        values = tomllib.load(fh)["columns"]["pain_locations"]["values"]
    return {rid: spec["label"] for rid, spec in values.items()}


# ----------------------------------------------------------------------------- helpers


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["layer"]


def _values(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    data = layer["data"]
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def _region_layer(spec: dict[str, Any]) -> dict[str, Any]:
    found = [
        layer
        for layer in _layers(spec)
        if layer["mark"]["type"] == "geoshape"
        and any(row.get("kind") == "region" for row in _values(spec, layer))
    ]
    assert len(found) == 1
    return found[0]


def _region_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return _values(spec, _region_layer(spec))


def _point_in_polygon(x: float, y: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    pts = ring[:-1]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


# ----------------------------------------------------------------------------- geometry


def test_checkin_toml_regions_match_canonical_order(labels: dict[str, str]) -> None:
    assert tuple(labels) == REGIONS


@pytest.mark.parametrize("view", ["front", "back"])
def test_every_region_of_a_view_is_drawn_on_both_legs(view: str) -> None:
    drawn: dict[str, set[str]] = {}
    for f in GEOMETRY:
        if f["kind"] == "region" and f["view"] == view:
            drawn.setdefault(f["region"], set()).add(f["side"])
    assert set(drawn) == set(REGION_VIEWS[view])
    assert all(sides == {"left", "right"} for sides in drawn.values())


def test_region_views_cover_all_regions_as_specified() -> None:
    assert set(REGION_VIEWS["front"]) == {"front_knee", "outer_knee", "outer_hip", "front_hip"}
    assert set(REGION_VIEWS["back"]) == {"buttock", "back_thigh", "outer_hip", "outer_knee"}
    assert set(REGION_VIEWS["front"]) | set(REGION_VIEWS["back"]) == set(REGIONS)


def test_geometry_is_closed_polygons_inside_their_outline() -> None:
    outlines = {
        f["view"]: f["geometry"]["coordinates"][0] for f in GEOMETRY if f["kind"] == "outline"
    }
    assert set(outlines) == {"front", "back"}
    regions = [f for f in GEOMETRY if f["kind"] == "region"]
    assert len(regions) == 2 * (len(REGION_VIEWS["front"]) + len(REGION_VIEWS["back"]))
    for f in [*regions, *(g for g in GEOMETRY if g["kind"] == "outline")]:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] == "Polygon"
        ring = f["geometry"]["coordinates"][0]
        assert len(ring) >= 4
        assert ring[0] == ring[-1]
    for f in regions:
        cx, cy = _centroid(f["geometry"]["coordinates"][0])
        assert _point_in_polygon(cx, cy, outlines[f["view"]]), (f["region"], f["view"], f["side"])


def test_region_centres_are_not_covered_by_other_regions() -> None:
    # A browser test clicks the centre of a region's bounding box: it must hit that region.
    regions = [f for f in GEOMETRY if f["kind"] == "region"]
    for f in regions:
        ring = f["geometry"]["coordinates"][0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        assert _point_in_polygon(cx, cy, ring), f["region"]
        for other in regions:
            if other is not f:
                assert not _point_in_polygon(cx, cy, other["geometry"]["coordinates"][0]), (
                    f["region"],
                    other["region"],
                )


def test_left_and_right_legs_are_mirror_images() -> None:
    for view in ("front", "back"):
        for region in REGION_VIEWS[view]:
            rings = {
                f["side"]: f["geometry"]["coordinates"][0]
                for f in GEOMETRY
                if f["kind"] == "region" and f["view"] == view and f["region"] == region
            }
            (lx, ly), (rx, ry) = _centroid(rings["left"]), _centroid(rings["right"])
            assert ly == pytest.approx(ry, abs=0.05)
            view_mid = 100.0 if view == "front" else 330.0
            assert lx + rx == pytest.approx(2 * view_mid, abs=0.1)


# ----------------------------------------------------------------------------- select mode


def test_select_mode_has_region_point_selection_with_toggle(labels: dict[str, str]) -> None:
    spec = body_map_chart(labels).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [REGION_PARAM] == ["region"]
    select = params[0]["select"]
    assert select["type"] == "point"
    assert select["fields"] == ["region"]
    assert select["toggle"] == "true"
    assert select["clear"] is False
    assert "event.item.datum.region" in select["on"]
    assert "value" not in params[0]  # nothing pre-selected
    # The selection is attached to the region layer only (not the outline).
    assert params[0]["views"] == [_region_layer(spec)["name"]]


def test_selected_regions_are_the_initial_selection_and_highlighted(
    labels: dict[str, str],
) -> None:
    spec = body_map_chart(labels, ["back_thigh", "front_knee"]).to_dict()
    # Canonical order, one item per region.
    assert spec["params"][0]["value"] == [{"region": "front_knee"}, {"region": "back_thigh"}]
    fill = _region_layer(spec)["encoding"]["fill"]
    assert fill["condition"] == {"param": "region", "value": HIGHLIGHT_COLOR, "empty": False}
    assert fill["value"] != HIGHLIGHT_COLOR
    rows = _region_rows(spec)
    assert {r["region"] for r in rows if r["selected"]} == {"front_knee", "back_thigh"}
    assert all(not r["selected"] for r in rows if r["region"] not in {"front_knee", "back_thigh"})


def test_region_rows_carry_labels_tooltip_and_aria(labels: dict[str, str]) -> None:
    spec = body_map_chart(labels).to_dict()
    rows = _region_rows(spec)
    for r in rows:
        assert r["label"] == labels[r["region"]]
        assert r["aria"] == region_aria_label(
            labels[r["region"]], r["region"], r["view"], r["side"]
        )
    knee = next(r for r in rows if r["region"] == "front_knee" and r["side"] == "left")
    assert knee["aria"] == "Front of the knee (front_knee), front view, left leg"
    enc = _region_layer(spec)["encoding"]
    assert enc["description"]["field"] == "aria"
    assert [t["field"] for t in enc["tooltip"]] == ["label"]
    assert {r["region"] for r in rows} == set(REGIONS)


def test_chart_size_and_svg_renderer(labels: dict[str, str]) -> None:
    spec = body_map_chart(labels, height=300).to_dict()
    assert spec["width"] == "container"
    assert spec["height"] == 300
    assert spec["usermeta"] == {"embedOptions": {"renderer": "svg"}}
    assert spec["projection"] == {"type": "identity", "reflectY": False}


def test_not_selectable_has_no_params_but_still_highlights(labels: dict[str, str]) -> None:
    spec = body_map_chart(labels, ["buttock"], selectable=False).to_dict()
    assert "params" not in spec
    fill = _region_layer(spec)["encoding"]["fill"]
    assert fill["condition"] == {"test": "datum.selected", "value": HIGHLIGHT_COLOR}
    assert {r["region"] for r in _region_rows(spec) if r["selected"]} == {"buttock"}


def test_unknown_selected_region_is_rejected(labels: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="calf"):
        body_map_chart(labels, ["calf"])


def test_labels_missing_fall_back_to_ids() -> None:
    rows = _region_rows(body_map_chart({}).to_dict())
    assert {r["label"] for r in rows} == set(REGIONS)


# ----------------------------------------------------------------------------- risk mode


def test_risk_mode_colours_regions_by_band(labels: dict[str, str]) -> None:
    risk = {
        "front_knee": 62.0,  # high
        "outer_knee": 30.0,  # moderate (at the threshold)
        "outer_hip": 29.4,  # low (shown as 29)
        "buttock": 55.0,  # high (at the threshold)
        "back_thigh": 0.0,  # low
    }  # front_hip: no score
    spec = body_map_chart(labels, risk=risk, thresholds=THRESHOLDS).to_dict()
    assert "params" not in spec
    rows = _region_rows(spec)
    bands = {r["region"]: r["band"] for r in rows}
    assert bands == {
        "front_knee": "high",
        "outer_knee": "moderate",
        "outer_hip": "low",
        "buttock": "high",
        "back_thigh": "low",
        "front_hip": None,
    }
    scores = {r["region"]: r["score"] for r in rows}
    assert scores["front_knee"] == 62.0
    assert scores["front_hip"] is None
    fill = _region_layer(spec)["encoding"]["fill"]
    assert fill["field"] == "band"
    assert fill["scale"]["domain"] == list(BANDS)
    assert fill["scale"]["range"] == [BAND_COLORS[b] for b in BANDS]
    assert fill["condition"]["test"] == "datum.band == null"
    # The resulting colour of a region: scale lookup of its band.
    colour = dict(zip(fill["scale"]["domain"], fill["scale"]["range"], strict=True))
    assert colour[bands["front_knee"]] == BAND_COLORS["high"] == "#D55E00"
    assert colour[bands["outer_knee"]] == BAND_COLORS["moderate"]
    tooltip_fields = [t["field"] for t in _region_layer(spec)["encoding"]["tooltip"]]
    assert tooltip_fields == ["label", "score", "band_label"]
    knee = next(r for r in rows if r["region"] == "front_knee")
    assert knee["aria"].endswith(", High")


def test_risk_mode_needs_thresholds_and_known_regions(labels: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="thresholds"):
        body_map_chart(labels, risk={"front_knee": 10.0})
    with pytest.raises(ValueError, match="shin"):
        body_map_chart(labels, risk={"shin": 10.0}, thresholds=THRESHOLDS)


def test_chart_is_an_altair_chart(labels: dict[str, str]) -> None:
    chart = body_map_chart(labels)
    assert isinstance(chart, alt.LayerChart)
    json.dumps(chart.to_dict())  # serialisable as Streamlit sends it


# ----------------------------------------------------------------------------- events


def test_regions_from_event_handles_empty_inputs() -> None:
    assert regions_from_event(None) == []
    assert regions_from_event({}) == []
    assert regions_from_event({"selection": {}}) == []
    assert regions_from_event({"selection": {"region": {}}}) == []
    assert regions_from_event({"selection": {"region": []}}) == []
    assert regions_from_event({"selection": None}) == []


def test_regions_from_event_sorts_dedupes_and_filters() -> None:
    event = {
        "selection": {
            "region": [
                {"region": "back_thigh"},
                {"region": "front_knee"},
                {"region": "back_thigh"},
                {"region": "not_a_region"},
                {"other": 1},
                "junk",
            ]
        }
    }
    assert regions_from_event(event) == ["front_knee", "back_thigh"]


def test_regions_from_event_accepts_streamlit_state_objects() -> None:
    from streamlit.elements.vega_charts import VegaLiteStateSerde

    serde = VegaLiteStateSerde([REGION_PARAM])
    # What the frontend sends after two clicks.
    raw = json.dumps({"selection": {"region": [{"region": "buttock"}, {"region": "outer_hip"}]}})
    state = serde.deserialize(raw)
    assert state.selection.region[0]["region"] == "buttock"  # attribute access works
    assert regions_from_event(state) == ["outer_hip", "buttock"]
    assert regions_from_event(serde.deserialize(None)) == []


def test_regions_from_event_accepts_selection_or_raw_store() -> None:
    assert regions_from_event({"region": [{"region": "front_hip"}]}) == ["front_hip"]
    raw_store = {"selection": {"region": {"vlPoint": {"or": [{"region": "outer_knee"}]}}}}
    assert regions_from_event(raw_store) == ["outer_knee"]


# ----------------------------------------------------------------------------- side, tiles


def test_risk_mode_with_a_side_colours_that_leg_only(labels: dict[str, str]) -> None:
    spec = body_map_chart(
        labels, risk={"front_knee": 62.0}, thresholds=THRESHOLDS, selectable=False, side="left"
    ).to_dict()
    knees = {r["side"]: r["band"] for r in _region_rows(spec) if r["region"] == "front_knee"}
    assert knees == {"left": "high", "right": None}
    assert spec["title"] == "Front and back, left leg"
    both = body_map_chart(labels, risk={"front_knee": 62.0}, thresholds=THRESHOLDS, side="both")
    rows = _region_rows(both.to_dict())
    assert {r["band"] for r in rows if r["region"] == "front_knee"} == {"high"}


def test_tiles_have_one_named_tile_per_area_and_leg(labels: dict[str, str]) -> None:
    spec = body_map_tiles(labels, ["front_knee"], "right").to_dict()
    layers = _layers(spec)
    rows = _values(spec, spec if "data" in spec else layers[0])
    assert len(rows) == 2 * len(REGIONS)
    assert {(r["region"], r["side"]) for r in rows} == {
        (region, side) for region in REGIONS for side in ("left", "right")
    }
    assert {r["leg"] for r in rows} == {"Left leg", "Right leg"}
    # The names are written on the tiles, not only in a tooltip.
    assert layers[1]["mark"]["type"] == "text" and layers[1]["encoding"]["text"]["field"] == "label"
    param = (spec.get("params") or layers[0]["params"])[0]
    assert param["name"] == REGION_PARAM and param["select"]["fields"] == ["region", "side"]
    assert param["value"] == [{"region": "front_knee", "side": "right"}]
    # Rows of at least TILE_MIN_PX (padding aside): a 44 px tap target on any phone.
    assert spec["height"] >= len(REGIONS) * TILE_MIN_PX and TILE_MIN_PX >= 44


def test_tile_selection_and_the_side_read_back() -> None:
    assert tile_selection(["buttock"], None) == [
        {"region": "buttock", "side": "left"},
        {"region": "buttock", "side": "right"},
    ]
    assert tile_selection(["buttock"], "both") == tile_selection(["buttock"], None)
    event = {"selection": {"region": [{"region": "buttock", "side": "left"}]}}
    assert side_from_event(event) == "left"
    assert regions_from_event(event) == ["buttock"]
    event["selection"]["region"].append({"region": "front_knee", "side": "right"})
    assert side_from_event(event) == "both"
    assert side_from_event({"selection": {"region": []}}) is None


@pytest.mark.parametrize("risk", [None, {"front_knee": 62.0}])
def test_view_titles_take_the_theme_text_colour(labels: dict[str, str], risk: Any) -> None:
    """The "Front" and "Back" titles are an ink layer: Vega's default black vanished on the
    dark theme (the app's CSS fills ink_ layers with the page's text colour)."""
    kwargs = {"risk": risk, "thresholds": THRESHOLDS} if risk else {}
    spec = body_map_chart(labels, **kwargs).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and all(layer["name"].startswith(f"{INK_CLASS}_") for layer in texts)
