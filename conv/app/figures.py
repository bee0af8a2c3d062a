"""Plotly figures of inputs, filters and outputs: arrays in, figures out.

Every heatmap is drawn the way a matrix is printed (row 0 at the top, square
cells) on a diverging, colour-blind-safe scale centred at zero, so the sign
of a value reads at a glance. Figures have a pixel size, from
:mod:`conv.app.figure_size`: cells are at most ``max_cell`` pixels wide, so a 5x5
array is drawn compactly, and larger arrays fill ``max_width``. Arrays larger
than ``max_cells`` are drawn by
taking every n-th row and column (the title says so); the numbers behind
them are never changed.

Examples
--------
>>> import numpy as np
>>> fig = array_figure(np.arange(6.0).reshape(2, 3), title="x")
>>> fig.data[0].type, fig.layout.yaxis.range  # reversed: row 0 on top
('heatmap', (1.5, -0.5))
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from conv.app import figure_size as sizing
from conv.app.figure_size import MAX_PANELS, drawn_step
from conv.app.limits import MAX_DRAWN_CELLS

__all__ = [
    "COLORSCALE",
    "MAX_PANELS",
    "array_figure",
    "drawn_step",
    "kernel_figure",
    "output_figure",
    "products_table",
]

#: ColorBrewer's red-blue, reversed so that positive is red; safe for the
#: common colour-vision deficiencies and symmetric about its midpoint.
COLORSCALE = "RdBu_r"

# Printing values in cells helps up to roughly this many per panel; beyond it
# the digits overlap.
TEXT_CELLS = 400
# ... and only when a cell is at least this many pixels wide.
MIN_TEXT_PIXELS = 26
# Most clickable points per output figure; beyond it they are spread out.
MAX_CLICK_TARGETS = 10_000
# Most kernel taps outlined one by one; bigger windows get one outline.
MAX_TAP_OUTLINES = 150

# Spelled out, because figures skip plotly's validation that would expand the name.
_COLORS = get_colorscale(COLORSCALE)
_HATCH = {"shape": "/", "fgcolor": "rgba(60,60,60,0.55)", "bgcolor": "rgba(190,190,190,0.45)"}
_TAP_COLOR = "#111111"
_PADDING_TAP_COLOR = "#e69f00"  # Okabe-Ito orange: distinct from red and blue


def array_figure(
    x: np.ndarray,
    *,
    title: str = "input",
    padded: np.ndarray | None = None,
    padding: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    window: object | None = None,
    max_cells: int = MAX_DRAWN_CELLS,
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.MAX_CELL_PIXELS,
) -> go.Figure:
    """Heatmaps of an (H, W) or (H, W, C) array, one panel per channel.

    Parameters
    ----------
    x : numpy.ndarray
        The array as the user gave it.
    title : str
        Figure title; the drawing step is appended when downsampled.
    padded : numpy.ndarray, optional
        ``x`` padded by ``padding`` (e.g. :func:`conv.pad`); its border is
        drawn hatched so padding cells are never mistaken for input.
    padding : ((top, bottom), (left, right))
        How much of ``padded`` is border.
    window : conv.CellExplanation, optional
        Outlines the taps of one output cell: black on input cells, orange on
        padding cells, at their dilated positions in every channel.
    max_cells : int
        Most cells drawn in the whole figure.
    max_width, max_cell : float
        Widest the figure and its cells may be, in pixels; channels wrap
        to further rows when that draws them larger (:func:`panels_per_row`).
    """
    (top, bottom), (left, right) = padding
    values = x if padded is None else padded
    values = values if values.ndim == 3 else values[:, :, None]
    h, w = x.shape[:2]
    rows = np.arange(-top, values.shape[0] - top)
    cols = np.arange(-left, values.shape[1] - left)
    channels = min(values.shape[2], MAX_PANELS)
    names = [_channel_name(c, x.ndim) for c in range(channels)]
    grid = _Grid(
        [values[:, :, c] for c in range(channels)], rows, cols, names, max_cells,
        per_row=None, max_width=max_width, max_cell=max_cell,
    )  # fmt: skip
    for panel in range(channels):
        if padded is not None and any((top, bottom, left, right)):
            grid.add(_padding_band(h, w, padding), panel)
        if window is not None:
            _outline_window(grid, window, panel, thin=grid.cell < 14)
    return grid.figure(title, values.shape[2], "channels")


def kernel_figure(
    kernel: np.ndarray,
    *,
    title: str = "filter",
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.KERNEL_CELL_PIXELS,
) -> go.Figure:
    """Heatmaps of a kernel: one column of panels per filter, one row per channel.

    Cells are at most ``max_cell`` pixels, smaller than an input's, so the
    filter takes little room next to the output.

    Examples
    --------
    >>> import numpy as np
    >>> fig = kernel_figure(np.ones((3, 3, 2, 4)))
    >>> len(fig.data)
    8
    """
    k = kernel.reshape(kernel.shape[:2] + (1,) * (4 - kernel.ndim) + kernel.shape[2:])
    if kernel.ndim == 3:
        k = kernel[:, :, :, None]
    channels, filters = min(k.shape[2], MAX_PANELS), min(k.shape[3], MAX_PANELS)
    panels, names = [], []
    for c in range(channels):
        for f in range(filters):
            panels.append(k[:, :, c, f])
            names.append(_filter_name(f, kernel.ndim) + _channel_name(c, kernel.ndim))
    rows, cols = np.arange(k.shape[0]), np.arange(k.shape[1])
    grid = _Grid(
        panels, rows, cols, names, MAX_DRAWN_CELLS, per_row=filters, max_width=max_width,
        max_cell=max_cell,
    )  # fmt: skip
    return grid.figure(title, k.shape[2] * k.shape[3], "panels")


def output_figure(
    out: np.ndarray,
    *,
    title: str = "output",
    selected: tuple[int, int] | None = None,
    filled: int | None = None,
    max_cells: int = MAX_DRAWN_CELLS,
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.MAX_CELL_PIXELS,
) -> go.Figure:
    """Heatmaps of an (OH, OW) or (OH, OW, F) output, one panel per filter.

    Each panel carries a near-transparent scatter point at every drawn cell
    centre (every n-th beyond :data:`MAX_CLICK_TARGETS`): clicks on a plotly
    heatmap report no point (plotly.js #7685), clicks on these do, with the
    filter index and value as ``customdata``.

    Parameters
    ----------
    selected : (row, col), optional
        Cell to outline (the one being explained).
    filled : int, optional
        Show only the first ``filled`` cells in row-major order, as while
        stepping the window through the input.
    max_width, max_cell : float
        Widest the figure and its cells may be, in pixels (see
        :func:`output_width`); filters wrap as channels do in :func:`array_figure`.

    Examples
    --------
    >>> import numpy as np
    >>> fig = output_figure(np.zeros((2, 3)), filled=4)
    >>> [t.type for t in fig.data], int(np.isnan(np.array(fig.data[0].z, float)).sum())
    (['heatmap', 'scatter'], 2)
    """
    values = out if out.ndim == 3 else out[:, :, None]
    filters = min(values.shape[2], MAX_PANELS)
    if filled is not None:
        values = values.astype(float)
        values.reshape(-1, values.shape[2])[filled:] = np.nan
    oh, ow = values.shape[:2]
    rows, cols = np.arange(oh), np.arange(ow)
    names = [_filter_name(f, out.ndim + 1) for f in range(filters)]
    grid = _Grid(
        [values[:, :, f] for f in range(filters)], rows, cols, names, max_cells,
        per_row=None, max_width=max_width, max_cell=max_cell,
    )  # fmt: skip
    # Click targets are SVG markers, far slower for the browser than heatmap
    # cells, so large outputs get them on a coarser grid.
    step = max(grid.step, drawn_step((oh, ow), MAX_CLICK_TARGETS // filters))
    grid_r, grid_c = np.meshgrid(rows[::step], cols[::step], indexing="ij")
    for f in range(filters):
        cells = values[::step, ::step, f]
        label = names[f] and f", {names[f]}"
        size = grid.cell * step / grid.step
        grid.add(_click_targets(grid_r, grid_c, cells, f, label, size), f)
        if selected is not None:
            _outline(grid, [selected], _TAP_COLOR, f, width=3)
    return grid.figure(title, values.shape[2], "filters")


def products_table(explanation: object) -> pd.DataFrame:
    """The arithmetic of one output cell, one row per (tap, channel).

    ``explanation`` is a :class:`conv.CellExplanation`; the ``x·w`` column
    sums to its ``value``.

    Examples
    --------
    >>> import numpy as np, conv
    >>> e = conv.explain_cell(np.arange(9.0).reshape(3, 3), np.ones((2, 2)), 0, 1)
    >>> t = products_table(e)
    >>> list(t["input (row, col)"]), float(t["x·w"].sum()) == e.value
    (['(0, 1)', '(0, 2)', '(1, 1)', '(1, 2)'], True)
    """
    e = explanation
    kh, kw, channels = e.window.shape
    m, n, c = np.meshgrid(np.arange(kh), np.arange(kw), np.arange(channels), indexing="ij")
    m, n, c = m.ravel(), n.ravel(), c.ravel()
    src = [
        "" if not e.is_padding[i, j] else
        ("padding (zero)" if e.source_rows[i, j] < 0 else
         f"padding, copies ({e.source_rows[i, j]}, {e.source_cols[i, j]})")
        for i, j in zip(m, n, strict=True)
    ]  # fmt: skip
    return pd.DataFrame(
        {
            "tap (m, n)": [f"({i}, {j})" for i, j in zip(m, n, strict=True)],
            "input (row, col)": [f"({e.rows[i]}, {e.cols[j]})" for i, j in zip(m, n, strict=True)],
            "channel": c,
            "note": src,
            "x": e.window.ravel(),
            "w": e.weights.ravel(),
            "x·w": e.products.ravel(),
        }
    )


class _Grid:
    """Heatmap panels on a grid, sharing one colour scale; built in one go.

    Collecting plain traces and axes and making the figure once is several
    times faster than ``make_subplots`` plus ``add_trace`` per panel, which
    matters for the app's re-run time. Sizes are in pixels: every cell is
    ``cell`` pixels square, and the figure is as large as its cells need.
    """

    def __init__(self, panels, rows, cols, names, max_cells, *, per_row, max_width, max_cell):
        self.step = drawn_step((len(rows), len(cols)), max(max_cells // len(panels), 1))
        self.traces: list[dict] = []
        self.layout: dict = {}
        self.panels = len(panels)
        r, c = rows[:: self.step], cols[:: self.step]
        if per_row is None:
            per_row = sizing.panels_per_row(
                (len(r), len(c)), self.panels, max_width=max_width, max_cell=max_cell
            )
        self.per_row = min(per_row, len(panels))
        self.n_rows = math.ceil(len(panels) / self.per_row)
        self.cell = sizing.cell_pixels(
            (len(r), len(c)), self.panels, self.per_row, max_width=max_width, max_cell=max_cell
        )
        self.panel_px = (len(r) * self.cell, len(c) * self.cell)
        # nanmin/nanmax scan without copies; NaN marks cells not yet computed.
        extremes = [abs(v) for p in panels if not np.isnan(p).all()
                    for v in (np.nanmin(p), np.nanmax(p))]  # fmt: skip
        zmax = float(max(extremes, default=0.0)) or 1.0
        # Fewer digits for large values so they still fit in their cells.
        digits = 2 if zmax < 10 else 1 if zmax < 100 else 0
        for i, (values, name) in enumerate(zip(panels, names, strict=True)):
            z = values[:: self.step, :: self.step]
            label = f", {name.split()[-1]}" if name else ""
            small = z.size <= TEXT_CELLS and self.cell >= MIN_TEXT_PIXELS
            trace = {
                "type": "heatmap",
                "z": z,
                "x": c,
                "y": r,
                "coloraxis": "coloraxis",
                "hovertemplate": f"(%{{y}}, %{{x}}{label}) = %{{z:.4g}}<extra></extra>",
                "xgap": 1 if small else 0,
                "ygap": 1 if small else 0,
            }
            if small:
                size = 12 if self.cell >= 44 else 10
                trace.update(texttemplate=f"%{{z:.{digits}f}}", textfont={"size": size})
            self.add(trace, i)
            # Fixed ranges: scatter overlays must not widen the view, and a
            # reversed y range puts row 0 at the top.
            half = self.step / 2
            x_range = [float(c[0] - half), float(c[-1] + half)]
            y_range = [float(r[-1] + half), float(r[0] - half)]
            self._axes(i, name if self.panels > 1 else "", x_range, y_range)
            dtick = sizing.tick_step(self.cell / self.step)
            self.layout[f"xaxis{'' if i == 0 else i + 1}"]["dtick"] = dtick
            self.layout[f"yaxis{'' if i == 0 else i + 1}"]["dtick"] = dtick
        self.layout["coloraxis"] = {
            "colorscale": _COLORS, "cmin": -zmax, "cmax": zmax, "cmid": 0.0,
            "colorbar": {"thickness": 12, "xpad": 8},
        }  # fmt: skip

    def add(self, trace: dict, panel: int) -> None:
        suffix = "" if panel == 0 else str(panel + 1)
        self.traces.append({**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})

    @property
    def plot_px(self) -> tuple[float, float]:
        """(height, width) of the area holding all panels and the gaps between them."""
        ph, pw = self.panel_px
        return (
            self.n_rows * ph + (self.n_rows - 1) * sizing.GAP_Y,
            self.per_row * pw + (self.per_row - 1) * sizing.GAP_X,
        )

    def _axes(self, i: int, name: str, x_range: list, y_range: list) -> None:
        row, col = divmod(i, self.per_row)
        (ph, pw), (height, width) = self.panel_px, self.plot_px
        x0 = col * (pw + sizing.GAP_X) / width
        # Row 0 of the grid at the top of the figure.
        y1 = 1 - row * (ph + sizing.GAP_Y) / height
        suffix = "" if i == 0 else str(i + 1)
        common = {"constrain": "domain", "showgrid": False, "zeroline": False}
        self.layout[f"xaxis{suffix}"] = {
            **common, "domain": [x0, min(x0 + pw / width, 1)], "anchor": f"y{suffix}",
            "side": "top", "range": x_range,
        }  # fmt: skip
        self.layout[f"yaxis{suffix}"] = {
            **common, "domain": [max(y1 - ph / height, 0), y1], "anchor": f"x{suffix}",
            "range": y_range, "scaleanchor": f"x{suffix}",
        }  # fmt: skip
        if name:
            self.layout[f"xaxis{suffix}"]["title"] = {"text": name.strip(), "font": {"size": 12}}

    def figure(self, title: str, total: int, what: str) -> go.Figure:
        notes = []
        if self.step > 1:
            notes.append(f"1 in {self.step} rows and columns drawn")
        if self.panels < total:
            notes.append(f"first {self.panels} of {total} {what}")
        height, width = self.plot_px
        outer = max(sizing.LEFT + width + sizing.RIGHT, sizing.MIN_WIDTH)
        # Plotly does not wrap titles; about 8 px per character at this size.
        lines = textwrap.wrap(title + (f" ({'; '.join(notes)})" if notes else ""),
                              max(int((outer - 20) / 8), 16))  # fmt: skip
        top = sizing.TOP + sizing.TITLE_LINE * len(lines) + (sizing.NAME if self.panels > 1 else 0)
        # A colour bar as short as a 3x3 filter crowds its numbers: it keeps
        # a minimum length, centred on the cells, with room made below.
        bar = max(height, sizing.MIN_BAR)
        bottom = sizing.BOTTOM + (bar - height) / 2
        self.layout["coloraxis"]["colorbar"].update(lenmode="pixels", len=bar)
        layout = {
            **self.layout,
            "title": {
                "text": "<br>".join(lines),
                "yref": "container",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": 12},
            },
            # Fixed margins (no auto-expanding): the cells keep the size computed.
            "margin": {
                "l": sizing.LEFT, "r": outer - sizing.LEFT - width, "t": top, "b": bottom,
                "autoexpand": False,
            },
            "width": round(outer),
            "height": round(top + height + bottom),
            "plot_bgcolor": "white",
            "showlegend": False,
        }  # fmt: skip
        # The traces are built here from known-good values; validating them
        # again would cost more than drawing them.
        return go.Figure(data=self.traces, layout=layout, _validate=False)


def _channel_name(c: int, ndim: int) -> str:
    return f" channel {c}" if ndim >= 3 else ""


def _filter_name(f: int, ndim: int) -> str:
    return f"filter {f}" if ndim >= 4 else ""


def _padding_band(h, w, padding):
    (top, bottom), (left, right) = padding
    r0, r1, c0, c1 = -top - 0.5, h + bottom - 0.5, -left - 0.5, w + right - 0.5
    # The frame between the outer (padded) and inner (input) rectangles,
    # drawn as four bands so the hatch never covers input cells.
    bands = [
        (r0, -0.5, c0, c1),
        (h - 0.5, r1, c0, c1),
        (-0.5, h - 0.5, c0, -0.5),
        (-0.5, h - 0.5, w - 0.5, c1),
    ]
    xs, ys = [], []
    for a, b, c, d in bands:
        if b > a and d > c:
            xs += [c, d, d, c, c, None]
            ys += [a, a, b, b, a, None]
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillpattern": _HATCH,
        "line": {"width": 0},
        "hoverinfo": "skip",
        "name": "padding",
    }


def _outline_window(grid, window, panel, thin=False):
    taps = [(int(r), int(c)) for r in window.rows for c in window.cols]
    pad = window.is_padding.ravel()
    if len(taps) > MAX_TAP_OUTLINES:
        _outline(grid, [taps[0], taps[-1]], _TAP_COLOR, panel, width=2, box=True)
        return
    # On small cells thick outlines would merge into a solid block.
    width = 1 if thin else 2
    inside = [t for t, p in zip(taps, pad, strict=True) if not p]
    padding = [t for t, p in zip(taps, pad, strict=True) if p]
    _outline(grid, inside, _TAP_COLOR, panel, width)
    _outline(grid, padding, _PADDING_TAP_COLOR, panel, width + 1)


def _outline(grid, cells, color, panel, width, box=False):
    """Square outlines round ``cells`` (or one box spanning two corners), as one trace.

    One line trace with gaps is far cheaper for plotly than a shape per cell.
    """
    if not cells:
        return
    if box:
        (r0, c0), (r1, c1) = cells
        rects = [(r0 - 0.5, r1 + 0.5, c0 - 0.5, c1 + 0.5)]
    else:
        rects = [(r - 0.45, r + 0.45, c - 0.45, c + 0.45) for r, c in cells]
    xs, ys = [], []
    for a, b, c, d in rects:
        xs += [c, d, d, c, c, None]
        ys += [a, a, b, b, a, None]
    trace = {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip"}
    grid.add({**trace, "line": {"color": color, "width": width}}, panel)


def _click_targets(grid_r, grid_c, values, f, label, cell):
    # A click anywhere near a cell centre is enough. These points sit on top
    # of the heatmap, so they carry the hover text too ("skip" would also drop
    # the clicks). Overlapping markers would add up to a visible grey veil, so
    # each stays inside its ``cell`` pixels.
    size = max(3, min(40, int(cell * 0.9)))
    return {
        "type": "scatter",
        "x": grid_c.ravel(),
        "y": grid_r.ravel(),
        "customdata": np.column_stack([np.full(grid_r.size, f), values.ravel()]),
        "mode": "markers",
        "marker": {"symbol": "square", "size": size, "color": "rgba(0,0,0,0.01)"},
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
        "hovertemplate": f"(%{{y}}, %{{x}}{label}) = %{{customdata[1]:.4g}}<extra></extra>",
        "name": "cells",
    }
