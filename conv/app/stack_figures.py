"""Plotly figures of the Layer stack page: the shapes through the stack, a map to click, fields.

Examples
--------
>>> import conv
>>> from conv.layers import Conv2d, MaxPool2d
>>> t = conv.trace_layers([Conv2d(1, 4, 3, padding=1), MaxPool2d(2)], (1, 8, 8))
>>> [bar.y for bar in shapes_figure(t).data][0]
('input', '0 Conv2d', '1 MaxPool2d')
>>> f = conv.receptive_field(t, 1, 0, 0)
>>> field_figure(f.maps[0], "input").layout.xaxis.range
(-1.5, 7.5)
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from conv._layers import SPATIAL, Flatten, Linear
from conv.app import limits
from conv.app.figures import click_marker

__all__ = ["field_figure", "pick_figure", "shapes_figure"]

RED, PALE, GREY, PAD = "#d62728", "#f4b6b6", "#e6e6e6", "#ff7f0e"
MAX_CLICK_TARGETS = 10_000


def _label(shape: tuple[int, ...]) -> str:
    return " × ".join(map(str, shape[1:]))


def shapes_figure(trace) -> go.Figure:
    """One bar per map, as wide as its H (an hourglass for an encoder-decoder), labelled C × H × W.

    Only the input and the layers that change a shape get a bar; the first
    failing layer gets a red bar saying so.
    """
    rows = [r for r in trace.rows if isinstance(r.layer, (*SPATIAL, Flatten, Linear))]
    names = ["input"] + [f"{r.index} {r.name}" for r in rows]
    shapes = [(1, *trace.input_shape)] + [r.out_shape for r in rows]
    widest = max(s[2] if len(s) == 4 else 1 for s in shapes)
    sizes = [s[2] if len(s) == 4 else widest * 0.04 for s in shapes]
    colors = ["#1f77b4" if len(s) == 4 else "#7f7f7f" for s in shapes]
    texts = [_label(s) for s in shapes]
    if trace.failure is not None:
        names.append(f"{trace.failure.index} {type(trace.failure.layer).__name__}")
        sizes.append(widest)
        colors.append(RED)
        texts.append("✗ cannot run: see below")
    fig = go.Figure(
        go.Bar(
            y=tuple(names),
            x=sizes,
            base=[-v / 2 for v in sizes],
            orientation="h",
            marker_color=colors,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        height=80 + 26 * len(names),
        margin=dict(l=10, r=10, t=30, b=10),
        bargap=0.25,
        title=dict(text="bar width ∝ H", font_size=12),
        xaxis=dict(visible=False, range=[-widest * 0.55, widest * 1.6]),
        yaxis=dict(autorange="reversed", automargin=True),
        showlegend=False,
    )
    return fig


def pick_figure(h: int, w: int, cell: tuple[int, int]) -> go.Figure:
    """A map's H x W grid, the chosen cell in red: click a cell to choose it."""
    z = np.zeros((h, w), dtype=np.int8)
    z[cell] = 1
    gap = 1 if max(h, w) <= 64 else 0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=np.arange(w),
            y=np.arange(h),
            colorscale=[[0, GREY], [1, RED]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=gap,
            ygap=gap,
            hoverinfo="skip",
        )
    )
    side = min(320, max(160, 8 * max(h, w)))
    # Clicks on a plotly heatmap report no point (plotly.js #7685): clicks on these
    # near-transparent markers do; beyond MAX_CLICK_TARGETS they are spread out.
    step = max(1, math.ceil(math.sqrt(h * w / MAX_CLICK_TARGETS)))
    rows, cols = np.meshgrid(np.arange(0, h, step), np.arange(0, w, step), indexing="ij")
    size = max(3, min(30, int(0.9 * side / max(h, w) * step)))
    fig.add_trace(
        go.Scatter(
            x=cols.ravel(),
            y=rows.ravel(),
            mode="markers",
            marker=click_marker(size),
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=1)),
            hovertemplate="row %{y}, col %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        height=side + 40,
        margin=dict(l=40, r=10, t=30, b=10),
        showlegend=False,
        xaxis=dict(constrain="domain", side="top"),
        yaxis=dict(autorange="reversed", scaleanchor="x", constrain="domain"),
    )
    return fig


def _rect(rows: range, cols: range, **kwargs) -> dict:
    return dict(
        type="rect",
        x0=cols.start - 0.5,
        x1=cols.stop - 0.5,
        y0=rows.start - 0.5,
        y1=rows.stop - 0.5,
        **kwargs,
    )


def field_figure(m, title: str, cell: tuple[int, int] | None = None) -> go.Figure:
    """One map with the receptive field: reached cells red, the rest of the rectangle pale,
    padding the windows use as a dashed orange frame beyond the map's edge.

    Maps over ``MAX_FIELD_GRID_CELLS`` cells are drawn as rectangles, not cell by cell.
    """
    h, w = m.shape
    fig = go.Figure()
    shapes = []
    if h * w <= limits.MAX_FIELD_GRID_CELLS:
        z = np.zeros((h, w), dtype=np.int8)
        if m.rows and m.cols:
            z[m.rows.start : m.rows.stop, m.cols.start : m.cols.stop] = 1
            # Only cells of this map: a Linear reads along its last axis, whose
            # reached indices need not fit the map's (H, W) drawing.
            rows = [r for r in m.reached_rows if 0 <= r < h]
            cols = [c for c in m.reached_cols if 0 <= c < w]
            z[np.ix_(rows, cols)] = 2
        gap = 1 if max(h, w) <= 48 else 0
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=np.arange(w),
                y=np.arange(h),
                zmin=0,
                zmax=2,
                showscale=False,
                xgap=gap,
                ygap=gap,
                colorscale=[[0, GREY], [0.5, PALE], [1, RED]],
                hovertemplate="row %{y}, col %{x}<extra></extra>",
            )
        )
    else:
        shapes.append(_rect(range(h), range(w), fillcolor=GREY, line_width=0, layer="below"))
        if m.rows and m.cols:
            fill = RED if m.dense else PALE
            shapes.append(_rect(m.rows, m.cols, fillcolor=fill, line_width=0, layer="below"))
    if m.rows and m.cols:
        shapes.append(_rect(m.rows, m.cols, line=dict(color=RED, width=2)))
    padded = m.padded_rows.start < 0 or m.padded_cols.start < 0
    padded = padded or m.padded_rows.stop > h or m.padded_cols.stop > w
    if padded and m.padded_rows and m.padded_cols:
        shapes.append(
            _rect(m.padded_rows, m.padded_cols, line=dict(color=PAD, width=2, dash="dot"))
        )
    if cell is not None:
        shapes.append(
            _rect(
                range(cell[0], cell[0] + 1),
                range(cell[1], cell[1] + 1),
                line=dict(color="black", width=2),
            )
        )
    x0 = min(0, m.padded_cols.start) - 0.5 if m.padded_cols else -0.5
    x1 = max(w, m.padded_cols.stop) - 0.5 if m.padded_cols else w - 0.5
    y0 = min(0, m.padded_rows.start) - 0.5 if m.padded_rows else -0.5
    y1 = max(h, m.padded_rows.stop) - 0.5 if m.padded_rows else h - 0.5
    fig.update_layout(
        shapes=shapes,
        title=dict(text=title, font_size=12),
        height=250,
        margin=dict(l=30, r=10, t=50, b=20),
        plot_bgcolor="white",
        xaxis=dict(
            range=(x0, x1),
            constrain="domain",
            showgrid=False,
            zeroline=False,
            nticks=min(6, math.ceil(x1 - x0)),
        ),
        yaxis=dict(
            range=(y1, y0), scaleanchor="x", constrain="domain", showgrid=False, zeroline=False
        ),
    )
    return fig
