"""Clickable body map (Altair) of the six upper-leg pain regions.

Two outlines side by side, "Front" and "Back", from the waist to just below
the knees. Each region is a GeoJSON polygon drawn with ``mark_geoshape`` and an
identity projection (plain x/y units, y pointing down), so the shapes are real
SVG paths that render crisply at any width and can be clicked.

Both legs carry the same region ids, and ``outer_hip`` / ``outer_knee`` appear
on both views: clicking any copy selects the region.

Streamlit usage. ``selected`` becomes the selection's initial value, but
Streamlit's frontend restores a chart's last *clicked* selection whenever the
spec changes under the same key, which then wins over ``selected``. So keep
the key while the chart itself drives the selection, and give the chart a new
key whenever something else (a multiselect, a reset) changes the regions;
otherwise the map shows stale highlights and the next click toggles against the
stale set, undoing the other widget's change. Pattern (full version in
``scripts/demo_charts.py``, ``body_map_in_sync``)::

    ss.setdefault("regions", []); ss.setdefault("map_version", 0)
    map_key = f"body_map_{ss.map_version}"
    st.altair_chart(
        body_map_chart(labels, ss.regions),
        on_select=lambda: ss.update(regions=regions_from_event(ss[map_key])),
        selection_mode=[REGION_PARAM], key=map_key, width="stretch",
    )
    st.multiselect(..., key="regions",
                   on_change=lambda: ss.update(map_version=ss.map_version + 1))

In a browser every region copy is an SVG ``path`` whose ``aria-label`` is
``"<label> (<region id>), <view> view, <side> leg"`` (see ``region_aria_label``),
e.g. ``svg path[aria-label*="(front_knee)"]``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import altair as alt

from logic.charts.base import BAND_LABELS, BANDS, band_legend, band_scale, ink
from logic.charts.risk import band_for_score

__all__ = [
    "GEOMETRY",
    "HIGHLIGHT_COLOR",
    "REGIONS",
    "REGION_PARAM",
    "REGION_VIEWS",
    "SIDES",
    "TILE_MIN_PX",
    "body_map_chart",
    "body_map_tiles",
    "region_aria_label",
    "regions_from_event",
    "side_from_event",
    "tile_selection",
]

#: Canonical region order (same order as data/checkin.toml).
REGIONS: tuple[str, ...] = (
    "front_knee",
    "outer_knee",
    "outer_hip",
    "front_hip",
    "buttock",
    "back_thigh",
)

#: Name of the point-selection parameter (and of the selection in the event).
REGION_PARAM = "region"

#: Which regions are drawn on which view.
REGION_VIEWS: Mapping[str, tuple[str, ...]] = {
    "front": ("front_hip", "outer_hip", "front_knee", "outer_knee"),
    "back": ("buttock", "outer_hip", "back_thigh", "outer_knee"),
}

HIGHLIGHT_COLOR = "#0072B2"  # Okabe-Ito blue: not one of the band colours
_REGION_IDLE = "#C9D4DF"
_REGION_STROKE = "#5C6B7A"
_BODY_FILL = "#F3EEE8"
_BODY_STROKE = "#6F7B87"
_DETAIL_STROKE = "#A7A29C"
_NO_SCORE = "#E4E8EC"
_REGION_VIEW_NAME = "body_map_regions"

# ----------------------------------------------------------------------------- geometry
# Units: one view is 200 wide, waist at y=0, bottom cut at y=295, y grows downwards.
# The back view is shifted right by _BACK_DX. Points are listed for the viewer's
# left half and mirrored for the right half.

_VIEW_W = 200.0
_BACK_DX = 230.0
_CX = 100.0

# Viewer-left outer contour, waist to bottom cut.
_OUTER = [
    (45, 0), (38, 14), (30, 34), (25.5, 58), (25, 82), (27.5, 112), (32, 145),
    (38, 178), (42, 200), (43.5, 218), (42.5, 236), (40.5, 254), (40.5, 274), (42, 295),
]  # fmt: skip
# Viewer-left inner contour, bottom cut up to the crotch.
_INNER = [
    (84, 295), (86.5, 274), (87.5, 254), (86, 237), (88, 218), (89, 196), (91, 162),
    (93.5, 128), (96.5, 108), (100, 101),
]  # fmt: skip

Point = tuple[float, float]


def _catmull_rom(points: Sequence[Point], steps: int = 6) -> list[Point]:
    """Smooth open polyline through ``points`` (end points kept)."""
    pts = [tuple(map(float, p)) for p in points]
    if len(pts) < 3:
        return list(pts)  # type: ignore[arg-type]
    ext = [pts[0], *pts, pts[-1]]
    out: list[Point] = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        for s in range(steps):
            t = s / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3
                    )
                    for k in (0, 1)
                )  # type: ignore[arg-type]
            )
    out.append(pts[-1])  # type: ignore[arg-type]
    return out


def _mirror(points: Sequence[Point]) -> list[Point]:
    return [(2 * _CX - x, y) for x, y in points]


def _shift(points: Sequence[Point], dx: float) -> list[Point]:
    return [(round(x + dx, 2), round(y, 2)) for x, y in points]


def _ring(points: Sequence[Point], dx: float = 0.0) -> list[list[float]]:
    pts = _shift(points, dx)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return [list(p) for p in pts]


def _outline() -> list[Point]:
    left_outer = _catmull_rom(_OUTER)
    left_inner = _catmull_rom(_INNER)
    right_inner = _mirror(left_inner[::-1])
    right_outer = _mirror(left_outer[::-1])
    # waist (left) -> down the left leg -> crotch -> down the right leg -> waist (right)
    return [*left_outer, *left_inner, *right_inner[1:], *right_outer]


def _ellipse(
    cx: float, cy: float, rx: float, ry: float, angle_deg: float = 0.0, n: int = 28
) -> list[Point]:
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


# Region shapes for the viewer-left leg of a view (mirrored for the other leg).
_SHAPES: Mapping[str, list[Point]] = {
    # Kneecap, a little above the widest point of the knee.
    "front_knee": _ellipse(67, 213, 10.5, 14),
    # Outer side of the knee, hugging the outline.
    "outer_knee": _ellipse(47.5, 217, 6.5, 17),
    # Outer hip over the bony point, straddling the outline.
    "outer_hip": _ellipse(30.5, 64, 8.5, 19),
    # Hip crease, running down and in towards the crotch.
    "front_hip": _ellipse(68, 86, 23, 5.5, 33),
    # Seat, from the outer hip to the gluteal cleft.
    "buttock": _ellipse(71, 62, 24, 27, -8),
    # Hamstring, from below the seat fold to above the back of the knee.
    "back_thigh": _ellipse(63, 152, 15, 42, -4),
}

# Decorative lines (LineStrings), per view, in view units.
_DETAILS: Mapping[str, list[list[Point]]] = {
    "front": [],
    "back": [
        [(100, 10), (100, 80)],  # gluteal cleft
        [(52, 94), (70, 100), (92, 98)],  # seat folds
        [(148, 94), (130, 100), (108, 98)],
        [(56, 226), (66, 229), (77, 226)],  # back-of-knee creases
        [(144, 226), (134, 229), (123, 226)],
    ],
}

_VIEW_DX: Mapping[str, float] = {"front": 0.0, "back": _BACK_DX}
_VIEW_TITLES: Mapping[str, str] = {"front": "Front", "back": "Back"}
# Which of the *person's* legs is drawn on the viewer's left in each view.
_LEFT_SIDE: Mapping[str, str] = {"front": "right", "back": "left"}
_OTHER = {"right": "left", "left": "right"}


def _feature(geometry_type: str, coordinates: Any, **props: Any) -> dict[str, Any]:
    # The fields live at the top level (GeoJSON "foreign members") so Vega-Lite
    # encodings and the selection can use plain field names such as "region".
    return {
        "type": "Feature",
        "geometry": {"type": geometry_type, "coordinates": coordinates},
        "properties": {},
        **props,
    }


def _build_geometry() -> tuple[dict[str, Any], ...]:
    features: list[dict[str, Any]] = []
    outline = _outline()
    for view, dx in _VIEW_DX.items():
        features.append(
            _feature("Polygon", [_ring(outline, dx)], kind="outline", view=view, region=None)
        )
        for line in _DETAILS[view]:
            features.append(
                _feature(
                    "LineString",
                    [list(p) for p in _shift(line, dx)],
                    kind="detail",
                    view=view,
                    region=None,
                )
            )
    for view, dx in _VIEW_DX.items():
        for region in REGION_VIEWS[view]:
            shape = _SHAPES[region]
            for side, pts in ((_LEFT_SIDE[view], shape), (_OTHER[_LEFT_SIDE[view]], None)):
                ring = _ring(pts if pts is not None else _mirror(shape), dx)
                features.append(
                    _feature("Polygon", [ring], kind="region", view=view, side=side, region=region)
                )
    return tuple(features)


#: The constant geometry table: GeoJSON Features with top-level fields
#: ``kind`` ("outline" / "detail" / "region"), ``view`` ("front" / "back"),
#: ``region`` (region id or None) and, for regions, ``side`` ("left" / "right",
#: the person's leg). Built once at import.
GEOMETRY: tuple[dict[str, Any], ...] = _build_geometry()

_TITLE_ROWS = tuple({"x": _VIEW_DX[v] + _CX, "y": -14.0, "text": _VIEW_TITLES[v]} for v in _VIEW_DX)


# ----------------------------------------------------------------------------- chart


def region_aria_label(label: str, region: str, view: str, side: str) -> str:
    """The accessible name of one drawn region (the SVG path's ``aria-label``)."""
    return f"{label} ({region}), {view} view, {side} leg"


def _region_rows(
    labels: Mapping[str, str],
    selected: Collection[str],
    risk: Mapping[str, float] | None,
    thresholds: Mapping[str, float] | None,
    side: str | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for f in GEOMETRY:
        if f["kind"] != "region":
            continue
        region = f["region"]
        if side in ("left", "right") and f["side"] != side:
            # The other leg did not hurt: drawn, but neither selected nor scored.
            label = str(labels.get(region, region))
            aria = region_aria_label(label, region, f["view"], f["side"])
            rows.append({**f, "label": label, "selected": False, "aria": aria})
            if risk is not None:
                rows[-1].update(score=None, band=None, band_label="No score")
            continue
        label = str(labels.get(region, region))
        row = {
            **f,
            "label": label,
            "selected": region in selected,
            "aria": region_aria_label(label, region, f["view"], f["side"]),
        }
        if risk is not None:
            score = risk.get(region)
            if score is None or (isinstance(score, float) and math.isnan(score)):
                row.update(score=None, band=None, band_label="No score")
            else:
                score = float(score)
                band = band_for_score(score, thresholds or {})
                row.update(score=round(score, 1), band=band, band_label=BAND_LABELS[band])
            row["aria"] += f", {row['band_label']}"
        rows.append(row)
    return rows


def body_map_chart(
    labels: Mapping[str, str],
    selected: Collection[str] = (),
    *,
    risk: Mapping[str, float] | None = None,
    thresholds: Mapping[str, float] | None = None,
    selectable: bool = True,
    height: int = 360,
    side: str | None = None,
) -> alt.LayerChart:
    """Front and back body map with the six pain regions.

    Select mode (``risk`` is None): regions in ``selected`` are filled with
    ``HIGHLIGHT_COLOR``, the others light grey. With ``selectable`` (default)
    the chart has a point selection ``REGION_PARAM`` ("region") on field
    ``region`` that toggles on plain clicks (``toggle="true"``), starts with
    ``selected`` as its value, ignores clicks outside the regions, and drives
    the highlight; read it back with ``regions_from_event``.

    Risk mode (``risk`` = region id -> 0-100 score): regions are filled with the
    band colour of their score (``thresholds`` is required, e.g.
    ``{"moderate": 30, "high": 55}``), a region without a score is light grey;
    the tooltip shows label, score and band; there is no selection parameter.

    ``side`` ("left" / "right", the check-in's ``pain_side``) colours that
    leg only; "both" or None colours both.

    The chart follows the container width (``width="container"``) and is
    ``height`` pixels tall; the drawing keeps its aspect ratio inside.
    """
    unknown = sorted(set(selected) - set(REGIONS))
    if unknown:
        raise ValueError(f"body_map_chart: unknown region id(s) {unknown}")
    risk_mode = risk is not None
    if risk_mode:
        if thresholds is None:
            raise ValueError("body_map_chart: thresholds are required with risk")
        bad = sorted(set(risk) - set(REGIONS))
        if bad:
            raise ValueError(f"body_map_chart: unknown region id(s) in risk {bad}")
    selected_set = set(selected)
    rows = _region_rows(labels, selected_set, risk, thresholds, side)
    body_rows = [f for f in GEOMETRY if f["kind"] == "outline"]
    detail_rows = [f for f in GEOMETRY if f["kind"] == "detail"]

    # The drawing's rows go in as named datasets, attached once at the end: Altair deep-copies
    # a chart's inline data at every layer and property call (most of the build time).
    datasets = {
        "body_outline": body_rows,
        "body_details": detail_rows,
        "body_titles": list(_TITLE_ROWS),
        "body_regions": rows,
    }
    body = alt.Chart(alt.Data(name="body_outline")).mark_geoshape(
        fill=_BODY_FILL, stroke=_BODY_STROKE, strokeWidth=1.5, aria=False
    )
    details = alt.Chart(alt.Data(name="body_details")).mark_geoshape(
        filled=False, stroke=_DETAIL_STROKE, strokeWidth=1.2, strokeCap="round", aria=False
    )
    titles = (
        alt.Chart(alt.Data(name="body_titles"))
        .mark_text(fontSize=14, fontWeight="bold", baseline="bottom", aria=False)
        .encode(longitude="x:Q", latitude="y:Q", text="text:N")
    )
    titles = ink(titles, "views")  # black "Front"/"Back" vanished on the dark theme

    regions = alt.Chart(alt.Data(name="body_regions")).mark_geoshape(
        stroke=_REGION_STROKE, strokeWidth=1, cursor="pointer" if selectable else "default"
    )
    if risk_mode:
        regions = regions.encode(
            fill=alt.condition(
                "datum.band == null",
                alt.value(_NO_SCORE),
                alt.Fill("band:N", scale=band_scale(BANDS), legend=band_legend("Risk")),
            ),
            description=alt.Description("aria:N"),
            tooltip=[
                alt.Tooltip("label:N", title="Area"),
                alt.Tooltip("score:Q", title="Score", format=".0f"),
                alt.Tooltip("band_label:N", title="Band"),
            ],
        )
    else:
        tooltip = [alt.Tooltip("label:N", title="Area")]
        if selectable:
            param = alt.selection_point(
                name=REGION_PARAM,
                fields=["region"],
                toggle="true",
                # Only clicks on a region count: a click on the body outline,
                # a title or the background leaves the selection alone.
                on="click[event.item && event.item.datum && event.item.datum.region]",
                clear=False,
                value=[{"region": r} for r in REGIONS if r in selected_set] or alt.Undefined,
            )
            regions = regions.encode(
                fill=alt.condition(
                    param, alt.value(HIGHLIGHT_COLOR), alt.value(_REGION_IDLE), empty=False
                ),
                strokeWidth=alt.condition(param, alt.value(2), alt.value(1), empty=False),
                description=alt.Description("aria:N"),
                tooltip=tooltip,
            ).add_params(param)
        else:
            regions = regions.encode(
                fill=alt.condition(
                    "datum.selected", alt.value(HIGHLIGHT_COLOR), alt.value(_REGION_IDLE)
                ),
                description=alt.Description("aria:N"),
                tooltip=tooltip,
            )

    regions = regions.properties(name=_REGION_VIEW_NAME)
    extra = {"title": f"Front and back, {side} leg"} if side in ("left", "right") else {}
    chart = (
        alt.layer(body, details, regions, titles)
        .project(type="identity", reflectY=False)
        .properties(
            width="container",
            height=height,
            usermeta={"embedOptions": {"renderer": "svg"}},
            **extra,
        )
        .configure_view(stroke=None)
    )
    chart.datasets = datasets
    return chart


# ----------------------------------------------------------------------------- tiles

#: The person's legs, as the check-in's ``pain_side`` names them.
SIDES: tuple[str, ...] = ("left", "right")
#: The smallest tap target the tiles give at a 300 px wide chart (WCAG 2.5.5 asks 44 px).
TILE_MIN_PX = 48
# Top to bottom, the way the areas sit on the leg.
_TILE_ORDER = ("outer_hip", "front_hip", "buttock", "back_thigh", "front_knee", "outer_knee")
_SIDE_TITLES = {"left": "Left leg", "right": "Right leg"}
_TILE_AXIS_PX = 40


def tile_selection(regions: Collection[str], side: str | None) -> list[dict[str, str]]:
    """The tiles to show selected for a list of regions and one ``pain_side``: both legs
    unless the side says one."""
    legs = [side] if side in SIDES else list(SIDES)
    return [{"region": r, "side": s} for r in _TILE_ORDER if r in regions for s in legs]


def body_map_tiles(
    labels: Mapping[str, str],
    regions: Collection[str] = (),
    side: str | None = None,
) -> alt.LayerChart:
    """The body map for tapping on a phone: one tile per area and leg, its name written on
    it, left and right leg in their own columns, hip at the top and knee at the bottom.

    Each tile is at least ``TILE_MIN_PX`` tall and half the chart wide, so a 390 px phone
    gets targets well over 44×44 px, which the outline figure cannot give (its kneecap is
    17×23 px there). The point selection ``REGION_PARAM`` holds ``region`` and ``side``
    fields; read it back with ``regions_from_event`` and ``side_from_event``.
    """
    unknown = sorted(set(regions) - set(REGIONS))
    if unknown:
        raise ValueError(f"body_map_tiles: unknown region id(s) {unknown}")
    rows = [
        {
            "region": r,
            "side": s,
            "leg": _SIDE_TITLES[s],
            "label": str(labels.get(r, r)),
            "aria": f"{labels.get(r, r)} ({r}), {s} leg",
        }
        for r in _TILE_ORDER
        for s in SIDES
    ]
    param = alt.selection_point(
        name=REGION_PARAM,
        fields=["region", "side"],
        toggle="true",
        on="click[event.item && event.item.datum && event.item.datum.region]",
        clear=False,
        value=tile_selection(regions, side) or alt.Undefined,
    )
    x = alt.X(
        "leg:N",
        sort=[_SIDE_TITLES[s] for s in SIDES],
        title=None,
        scale=alt.Scale(paddingInner=0.06, paddingOuter=0),
        axis=alt.Axis(
            labelAngle=0,
            orient="top",
            labelFontSize=14,
            labelFontWeight="bold",
            ticks=False,
            domain=False,
            labelPadding=6,
        ),
    )
    y = alt.Y(
        "label:N",
        sort=[str(labels.get(r, r)) for r in _TILE_ORDER],
        title=None,
        axis=None,
        scale=alt.Scale(paddingInner=0.1, paddingOuter=0),
    )
    base = alt.Chart(alt.Data(values=rows)).encode(x=x, y=y)
    tiles = (
        base.mark_rect(cornerRadius=8, stroke=_REGION_STROKE, cursor="pointer")
        .encode(
            fill=alt.condition(
                param, alt.value(HIGHLIGHT_COLOR), alt.value(_REGION_IDLE), empty=False
            ),
            description=alt.Description("aria:N"),
        )
        .add_params(param)
        .properties(name=_REGION_VIEW_NAME)
    )
    names = base.mark_text(fontSize=13, cursor="pointer").encode(
        text="label:N",
        color=alt.condition(param, alt.value("#FFFFFF"), alt.value("#1F2A36"), empty=False),
    )
    # A row is the tile plus its 10 % padding; the leg names on top and the chart's own
    # padding come out of the same height when the chart fits its container.
    height = len(_TILE_ORDER) * math.ceil(TILE_MIN_PX / 0.9) + _TILE_AXIS_PX
    return (
        alt.layer(tiles, names)
        .properties(
            width="container", height=height, usermeta={"embedOptions": {"renderer": "svg"}}
        )
        .configure_view(stroke=None)
    )


# ----------------------------------------------------------------------------- events


def _selection_items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        # A raw Vega-Lite store such as {"vlPoint": {"or": [...]}}, or a single item.
        vl = value.get("vlPoint")
        if isinstance(vl, Mapping):
            return list(vl.get("or") or [])
        return [value] if REGION_PARAM in value else []
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    try:
        return obj[key]
    except (KeyError, TypeError, IndexError):
        return getattr(obj, key, None)


def side_from_event(event: Any) -> str | None:
    """The check-in's ``pain_side`` from a tile selection: one leg, both, or None."""
    selection = _get(event, "selection")
    items = _selection_items(_get(selection, REGION_PARAM))
    sides = {_get(item, "side") for item in items} & set(SIDES)
    if not sides:
        return None
    return sides.pop() if len(sides) == 1 else "both"


def regions_from_event(event: Any) -> list[str]:
    """Region ids selected in a Streamlit chart event, in canonical order.

    Accepts the ``VegaLiteState`` returned by ``st.altair_chart(...,
    on_select="rerun")``, the same as a plain dict
    (``{"selection": {"region": [{"region": "front_knee"}, ...]}}``), the
    ``selection`` mapping itself, or None. Unknown ids and malformed items are
    ignored; duplicates collapse.
    """
    selection = _get(event, "selection")
    if selection is None and isinstance(event, Mapping) and REGION_PARAM in event:
        selection = event
    items = _selection_items(_get(selection, REGION_PARAM))
    chosen = set()
    for item in items:
        region = _get(item, "region") if not isinstance(item, str) else item
        if isinstance(region, str):
            chosen.add(region)
    return [r for r in REGIONS if r in chosen]
