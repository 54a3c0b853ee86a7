"""What every chart shares: the palette, the bands, sizes, legends and the week axis.

Band colours come from the Okabe-Ito colour-blind-safe palette: bluish green / orange /
vermillion stay distinguishable for the common forms of colour blindness, and every chart also
shows the band *name* (legend, tooltip, threshold labels) so colour is never the only cue.
The band ids themselves are logic.knowledge's. Plain Python, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import altair as alt
import pandas as pd

from logic.knowledge import BANDS
from logic.weeks import DAY_D3, WEEK

__all__ = [
    "BANDS",
    "BAND_COLORS",
    "BAND_LABELS",
    "BREAK",
    "CONDITION_COLORS",
    "CONDITION_PALETTE",
    "FIT_X",
    "INK",
    "LABEL_LIMIT",
    "MUTED",
    "NOTE_FONT",
    "SECTION_COLORS",
    "WEEK",
    "band_legend",
    "band_scale",
    "condition_colors",
    "condition_legend",
    "finish",
    "ink",
    "kind_color",
    "require_columns",
    "week_axis",
    "week_ticks",
    "week_tooltip",
    "week_x",
]

#: One colour per band (Okabe-Ito: bluish green, orange, vermillion).
BAND_COLORS: Mapping[str, str] = {
    "low": "#009E73",
    "moderate": "#E69F00",
    "high": "#D55E00",
}

#: Display names of the bands (legend labels, tooltips, threshold labels).
BAND_LABELS: Mapping[str, str] = {"low": "Low", "moderate": "Moderate", "high": "High"}

#: Categorical colours for article sections in the factor chart. Chosen to stay
#: clear of the band colours (no green/orange/red) so they are not read as bands.
SECTION_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#88CCEE",  # light cyan
    "#AA4499",  # purple
    "#332288",  # indigo
    "#CC79A7",  # pink
    "#999933",  # olive
    "#DDCC77",  # sand
    "#882255",  # wine
    "#BBBBBB",  # grey
)

#: One fixed colour per condition id, wherever a condition is a line: the same condition keeps
#: its colour when others are shown or hidden. Paul Tol's colour-blind-safe "vibrant" set
#: without its orange and red (the band colours), plus an olive and a grey; every one is a
#: middle tone, so a line reads on the light and on the dark background alike.
CONDITION_PALETTE: Mapping[str, str] = {
    "patellofemoral": "#0077BB",  # blue
    "gluteal_tendinopathy": "#EE3377",  # magenta
    "hip_flexor": "#009988",  # teal
    "piriformis": "#999933",  # olive
    "it_band": "#33BBEE",  # cyan
    "hamstring": "#9A8FA8",  # grey violet
}
#: For an id the palette does not know (a knowledge base grown by a coach), in order.
CONDITION_COLORS: tuple[str, ...] = tuple(CONDITION_PALETTE.values())

# Marks that are neither a band nor a condition: a middle grey that reads on both themes.
# Text marks carry no colour of their own: they take the Streamlit theme's (dark on light,
# light on dark), so labels stay legible in either theme.
INK = "#8A94A0"
MUTED = "#8A94A0"  # lines out of focus, drawn faint
NOTE_FONT = 11  # px: labels of rules and thresholds
LABEL_LIMIT = 320  # px; text above bars and legend labels may use nearly the whole width
# Width follows the container, height is the plot height (legends and axes are
# added on top of it). Streamlit's default ("fit") would squeeze legends and
# axes *into* the height and crush the plot.
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
BREAK = "break-paths-show-domains"  # a null value breaks a line instead of bridging the gap


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise ``ValueError`` naming every column of ``columns`` that ``df`` lacks."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(f"{what}: missing required column(s) {names}")


def band_scale(bands: Sequence[str] = BANDS) -> alt.Scale:
    """A colour scale mapping band ids to ``BAND_COLORS`` (fixed domain and order)."""
    unknown = [b for b in bands if b not in BAND_COLORS]
    if unknown:
        raise ValueError(f"band_scale: unknown band(s) {unknown}")
    return alt.Scale(domain=list(bands), range=[BAND_COLORS[b] for b in bands])


def _band_label_expr() -> str:
    """Vega expression turning a band id (``datum.label``) into its display name."""
    parts = " : ".join(f"datum.label === '{b}' ? '{BAND_LABELS[b]}'" for b in BANDS)
    return f"{parts} : datum.label"


def band_legend(title: str | None = "Band") -> alt.Legend:
    """Horizontal legend for band colours, placed above the chart (phone friendly)."""
    return alt.Legend(
        title=title,
        orient="top",
        direction="horizontal",
        labelExpr=_band_label_expr(),
        symbolType="square",
        symbolStrokeWidth=0,
    )


def condition_legend(
    label_expr: str | None = None, orient: str = "bottom", **extra: object
) -> alt.Legend:
    """The legend of condition lines: one name per row, below the chart or beside it (`extra`:
    more alt.Legend properties, or ones replacing these, e.g. sizes that follow the container)."""
    props: dict[str, object] = {
        "title": None,
        "orient": orient,
        "direction": "vertical",
        "columns": 1,
        "labelLimit": LABEL_LIMIT,
        "symbolType": "stroke",
        "symbolStrokeWidth": 3,
    }
    if label_expr is not None:
        props["labelExpr"] = label_expr
    return alt.Legend(**(props | extra))


def condition_colors(conditions: Sequence[str]) -> list[str]:
    """The colours of `conditions` (ids), from CONDITION_PALETTE; an unknown id takes the
    palette's colours in turn."""
    spare = iter(CONDITION_COLORS * (len(conditions) // len(CONDITION_COLORS) + 1))
    return [CONDITION_PALETTE.get(c) or next(spare) for c in conditions]


def kind_color(kinds: Mapping[str, str], title: str = "", columns: int | None = None) -> alt.Color:
    """Colour by the `kind` field with a fixed key (label -> colour), the legend on top, its
    labels whole (Vega-Lite cuts them at 160 px: "Problem that limited trai…")."""
    extra = {"columns": columns} if columns is not None else {}
    return alt.Color(
        "kind:N",
        scale=alt.Scale(domain=list(kinds), range=list(kinds.values())),
        legend=alt.Legend(
            title=title or None,
            orient="top",
            direction="horizontal",
            labelLimit=LABEL_LIMIT,
            **extra,
        ),
    )


def week_tooltip(field: str = "week_start") -> alt.Tooltip:
    return alt.Tooltip(f"{field}:T", title="Week of", format=DAY_D3)


#: At most this many dates on a week axis: six short labels fit a phone's 390 px.
MAX_TICKS = 6


def week_ticks(weeks: pd.Series) -> list[alt.DateTime]:
    """Mondays to label on a short span: every week, or every second, third ... week so that
    no more than MAX_TICKS labels share the axis (a phone keeps its dates)."""
    mondays = sorted(pd.Series(weeks).dropna().unique())
    step = max(1, -(-len(mondays) // MAX_TICKS))
    return [alt.DateTime(year=t.year, month=t.month, date=t.day) for t in mondays[::step]]


def week_axis(weeks: pd.Series) -> alt.Axis:
    """A week axis: a tick per Monday (or every few Mondays) on short spans, months (or
    years) on long ones."""
    weeks = weeks.dropna()
    span = (weeks.max() - weeks.min()) / WEEK if len(weeks) else 0
    style = {"labelAngle": 0, "labelOverlap": "greedy", "grid": False}
    if span <= 26:  # Vega's own week ticks fall on Sundays: put them on the Mondays
        return alt.Axis(format="%-d %b", values=week_ticks(weeks) or alt.Undefined, **style)
    return alt.Axis(format="%b %Y" if span > 52 else "%-d %b", tickCount=MAX_TICKS, **style)


def week_x(weeks: pd.Series, field: str = "week_start", title: str | None = None) -> alt.X:
    """The week axis (week_axis) on `field`."""
    return alt.X(f"{field}:T", title=title, axis=week_axis(weeks))


INK_CLASS = "ink"


def ink(chart: alt.Chart, name: str) -> alt.Chart:
    """A text layer drawn in the theme's text colour: Vega names its SVG group after the
    layer ("ink_…"), and the app's CSS (pages/shared/common.py STYLE) fills text there with
    the page's own colour, dark on the light theme and light on the dark one. Vega-Lite
    itself cannot know the theme, and no one grey reads on both backgrounds."""
    return chart.properties(name=f"{INK_CLASS}_{name}")


def finish(*layers: alt.Chart, height: int, description: str = "") -> alt.LayerChart:
    """The layers as one chart as wide as its container, `height` px of plot, with the
    `description` a screen reader reads for it (Vega-Lite's aria description)."""
    extra = {"description": description} if description else {}
    return alt.layer(*layers).properties(width="container", height=height, autosize=FIT_X, **extra)
