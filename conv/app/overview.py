"""The whole of a large array at a glance, with a box round the part drawn zoomed.

A large input or output is drawn twice: zoomed round the explained cell as
heatmaps with their values (:mod:`conv.app.figures`), and whole as an image
(:mod:`conv.app.images`) with a box showing where the zoom is. The image
travels as a URL, so the figure is a few kilobytes however large the array
is, and a click moving the box resends only those. On an output a coarse
grid of invisible click targets lets a click move the zoom there; the zoom's
own cells are then exactly clickable.

Examples
--------
>>> fig = overview_figure(["data:,"], (1000, 500), box=(10, 20, 30, 40), targets=True)
>>> fig.layout.width, len(fig.layout.images), [t.name for t in fig.data]
(202, 1, ['overview', 'zoomed part'])
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from conv.app import figure_size as sizing
from conv.app.figures import click_marker
from conv.app.lazy_figure import LazyFigure

__all__ = ["MAX_TARGETS", "overview_figure"]

#: Most click targets on an overview: a click there only moves the zoom.
MAX_TARGETS = 1_600
_BOX = {"color": "#111111", "width": 2}


def overview_figure(
    sources: list[str],
    shape: tuple[int, int],
    *,
    title: str = "",
    names: list[str] | None = None,
    box: tuple[int, int, int, int] | None = None,
    targets: bool = False,
    max_width: float = 300,
    max_height: float = 300,
) -> go.Figure:
    """Images of (H, W) panels side by side, with a box over rows r0–r1, cols c0–c1.

    Parameters
    ----------
    sources : list of str
        One image URL per panel (:func:`conv.app.images.url`), drawn
        stretched over the panel's cells.
    shape : (H, W)
        Cells of each panel: axes are numbered in cells, not image pixels.
    box : (r0, r1, c0, c1), optional
        First and last row and column of the zoomed part, inclusive; at
        least 6 px wide, so it stays visible on a thousand-cell panel.
    targets : bool
        Lay a grid of at most :data:`MAX_TARGETS` invisible points over the
        first panel, named ``"overview"``, so a click reports where it fell.
    """
    h, w = shape
    n = len(sources)
    room = max_width - sizing.LEFT - 12 - (n - 1) * sizing.GAP_X
    scale = min(room / (n * w), max_height / h)
    ph, pw = h * scale, w * scale
    width = n * pw + (n - 1) * sizing.GAP_X
    traces, images, layout = [], [], {}
    for i, source in enumerate(sources):
        suffix = "" if i == 0 else str(i + 1)
        x0 = i * (pw + sizing.GAP_X) / width
        common = {"showgrid": False, "zeroline": False, "fixedrange": True}
        ticks = sizing.tick_step(scale)
        layout[f"xaxis{suffix}"] = {
            **common, "domain": [x0, min(x0 + pw / width, 1)], "anchor": f"y{suffix}",
            "range": [-0.5, w - 0.5], "side": "top", "dtick": ticks,
            **({"title": {"text": names[i], "font": {"size": 12}}} if names else {}),
        }  # fmt: skip
        layout[f"yaxis{suffix}"] = {
            **common, "domain": [0, 1], "anchor": f"x{suffix}", "range": [h - 0.5, -0.5],
            "dtick": ticks,
        }  # fmt: skip
        images.append({
            "source": source, "xref": f"x{suffix}", "yref": f"y{suffix}", "x": -0.5, "y": -0.5,
            "sizex": w, "sizey": h, "sizing": "stretch", "xanchor": "left", "yanchor": "top",
            "layer": "below",
        })  # fmt: skip
        if targets and i == 0:
            traces.append(_targets(h, w, scale))
        if box is not None:
            traces.append({**_box(box, 3 / scale), "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    top = sizing.TOP + sizing.TITLE_LINE + (sizing.NAME if names else 0)
    outer = sizing.LEFT + width + 12
    layout.update(
        title={"text": title, "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
        images=images,
        margin={"l": sizing.LEFT, "r": 12, "t": top, "b": 8, "autoexpand": False},
        width=round(outer),
        height=round(top + ph + 8),
        plot_bgcolor="white",
        showlegend=False,
        dragmode=False,
        template={},  # Streamlit's theme styles it in the browser
    )
    return LazyFigure(traces, layout)


def _targets(h: int, w: int, scale: float) -> dict:
    """Invisible squares at the centres of a coarse grid of blocks, for clicks and hover."""
    step = max(1, math.ceil(math.sqrt(h * w / MAX_TARGETS)))
    # Two bytes a coordinate where they fit: these are resent with every click.
    dtype = np.uint16 if max(h, w) < 2**16 else np.int32
    rows = np.arange(step // 2, h, step, dtype=dtype)
    cols = np.arange(step // 2, w, step, dtype=dtype)
    r, c = np.meshgrid(rows, cols, indexing="ij")
    return {
        "type": "scatter", "x": c.ravel(), "y": r.ravel(), "mode": "markers", "name": "overview",
        "marker": click_marker(max(3, min(40, step * scale))),
        "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
        "hovertemplate": "near (%{y}, %{x}): click to zoom here<extra></extra>",
    }  # fmt: skip


def _box(box: tuple[int, int, int, int], min_cells: float) -> dict:
    r0, r1, c0, c1 = box
    # Grown about its centre to a visible size; the zoom title gives the exact rows.
    grow_r = max(0.0, (min_cells - (r1 - r0 + 1)) / 2)
    grow_c = max(0.0, (min_cells - (c1 - c0 + 1)) / 2)
    top, bottom = r0 - 0.5 - grow_r, r1 + 0.5 + grow_r
    left, right = c0 - 0.5 - grow_c, c1 + 0.5 + grow_c
    return {
        "type": "scatter", "x": [left, right, right, left, left],
        "y": [top, top, bottom, bottom, top], "mode": "lines", "line": _BOX,
        "hoverinfo": "skip", "name": "zoomed part",
    }  # fmt: skip
