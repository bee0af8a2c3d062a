"""Plotly figures of inputs, filters and outputs: arrays in, figures out.

Every heatmap is drawn the way a matrix is printed (row 0 at the top, square
cells). Signed data gets a diverging, colour-blind-safe scale centred at zero,
so the sign of a value reads at a glance; non-negative data (images) a
sequential one (:func:`color_axis`). Values are printed at 3 significant
digits, in a font that scales with the cell, and left out when they do not
fit. Figures have a pixel size, from
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
from conv.app.figure_size import MAX_FILTERS, MAX_PANELS, drawn_step
from conv.app.lazy_figure import LazyFigure
from conv.app.limits import MAX_DRAWN_CELLS
from conv.app.texts import line_runs

__all__ = [
    "COLORS",
    "COLORSCALE",
    "MAX_FILTERS",
    "MAX_PANELS",
    "array_figure",
    "channel_columns",
    "channel_sums",
    "click_marker",
    "clicked",
    "color_axis",
    "drawn_step",
    "kernel_figure",
    "output_figure",
    "product_columns",
    "products_table",
]

#: ColorBrewer's red-blue, reversed so that positive is red; safe for the
#: common colour-vision deficiencies and symmetric about its midpoint.
COLORSCALE = "RdBu_r"
#: The colour choices a visitor has: "auto" is red-blue for signed data and
#: viridis for non-negative data; cividis is built for colour-vision deficiency.
COLORS = {
    "auto": None,
    "red–blue": COLORSCALE,
    "viridis": "Viridis",
    "cividis": "Cividis",
    "greys": "Greys_r",
}
#: Rows of the products table built at once; larger explanations are paged.
PAGE_ROWS = 2000
#: A zoomed input panel shows about this many cells across, window included.
ZOOM_CELLS = 7

# Printing values in cells helps up to roughly this many per panel; beyond it
# the digits overlap.
TEXT_CELLS = 400
# ... and only when a cell is at least this many pixels wide.
MIN_TEXT_PIXELS = 26
# Most clickable points per output figure; beyond it they are spread out.
MAX_CLICK_TARGETS = 10_000
# Most kernel taps outlined one by one; bigger windows get one outline.
MAX_TAP_OUTLINES = 150

# Spelled out once, because figures skip plotly's validation that would expand
# the name (and plotly lists every named scale at each lookup: 0.4 ms a figure).
_SCALES = {s: get_colorscale(s) for s in {*COLORS.values(), COLORSCALE, "Viridis"} - {None}}
_HATCH = {"shape": "/", "fgcolor": "rgba(60,60,60,0.55)", "bgcolor": "rgba(190,190,190,0.45)"}
# Crossed lines, unlike padding's single hatch: rows and columns no window reads.
_UNREAD_HATCH = {"shape": "x", "fgcolor": "rgba(40,40,40,0.6)", "bgcolor": "rgba(255,255,255,0.35)"}
_TAP_COLOR = "#111111"
_PADDING_TAP_COLOR = "#e69f00"  # Okabe-Ito orange: distinct from red and blue


def array_figure(
    x: np.ndarray,
    *,
    title: str = "input",
    padded: np.ndarray | None = None,
    padding: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    window: object | None = None,
    zoom: int | None = None,
    unread: tuple[np.ndarray, np.ndarray] | None = None,
    colors: str = "auto",
    max_cells: int = MAX_DRAWN_CELLS,
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.MAX_CELL_PIXELS,
    max_height: float = sizing.MAX_CELLS_HEIGHT,
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
    zoom : int, optional
        With ``window``: draw only about ``zoom`` rows and columns round the
        window (more when the window is larger), so its values stay legible
        on a large input; the title says which part is shown.
    unread : (rows, cols), optional
        Input rows and columns no window reads (:func:`conv.unread`): crossed
        out, so a dropped row is seen where it is.
    colors : str
        A key of :data:`COLORS`.
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
    scale = [values[:, :, c] for c in range(channels)]  # the whole array's colours
    if zoom and window is not None:
        r, c = _around(window.rows, rows, zoom), _around(window.cols, cols, zoom)
        if (r.stop - r.start, c.stop - c.start) != values.shape[:2]:
            values, rows, cols = values[r, c], rows[r], cols[c]
            title += f": rows {rows[0]}–{rows[-1]}, cols {cols[0]}–{cols[-1]}"
    grid = _Grid(
        [values[:, :, c] for c in range(channels)], rows, cols, names, max_cells,
        per_row=None, max_width=max_width, max_cell=max_cell, max_height=max_height,
        colors=colors, full=scale,
    )  # fmt: skip
    for panel in range(channels):
        if padded is not None and any((top, bottom, left, right)):
            grid.add(_padding_band(h, w, padding), panel)
        if unread is not None and (len(unread[0]) or len(unread[1])):
            grid.add(_unread_band(*unread, rows, cols), panel)
        if window is not None:
            _outline_window(grid, window, panel, thin=grid.cell < 14)
    return grid.figure(title, values.shape[2], "channels")


def kernel_figure(
    kernel: np.ndarray,
    *,
    title: str = "filter",
    flip: bool = False,
    filter_index: int = 0,
    colors: str = "auto",
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.KERNEL_CELL_PIXELS,
    max_height: float = sizing.MAX_CELLS_HEIGHT,
) -> go.Figure:
    """Heatmaps of a kernel: one column of panels per filter, one row per channel.

    Cells are at most ``max_cell`` pixels, smaller than an input's, so the
    filter takes little room next to the output. With ``flip`` (true
    convolution) each panel is drawn as used, turned 180°, with the kernel as
    given beside it, so the taps match the products table. A bank with more
    filters than fit ``max_width`` at legible cells is drawn a page of filters
    at a time: the page holding ``filter_index``, and the title says which.

    Examples
    --------
    >>> import numpy as np
    >>> fig = kernel_figure(np.ones((3, 3, 2, 4)))
    >>> len(fig.data)
    8
    >>> fig = kernel_figure(np.ones((3, 3, 3, 16)), filter_index=5, max_width=300)
    >>> [a.title.text for a in (fig.layout.xaxis, fig.layout.xaxis2)]
    ['f4 c0', 'f5 c0']
    """
    k = kernel.reshape(kernel.shape[:2] + (1,) * (4 - kernel.ndim) + kernel.shape[2:])
    if kernel.ndim == 3:
        k = kernel[:, :, :, None]
    channels, bank = min(k.shape[2], MAX_PANELS), k.shape[3]
    # A bank: as many filters as fit with legible cells, the page holding the
    # explained one; the "filter" box or a click on the output turns the page.
    # Each panel at least as wide as its name ("f15 c2 given"), so names never
    # run into a neighbour or the colour bar.
    name = len(f"f{bank - 1} c{channels - 1}" + (" given" if flip else ""))
    min_cell = max(sizing.MIN_KERNEL_CELL, name * sizing.NAME_CHAR / k.shape[1])
    shown = sizing.kernel_columns(k.shape[1], bank * (1 + flip), max_width, min_cell)
    shown = max(shown // (1 + flip), 1)
    first = min(max(filter_index, 0), bank - 1) // shown * shown
    picked = range(first, min(first + shown, bank))
    panels, names = [], []
    for c in range(channels):
        for f in picked:
            # Short names ("f3 c1"): a bank's panels are narrow, and long
            # names would run into their neighbours.
            name = f"f{f} c{c}" if kernel.ndim >= 4 else _channel_name(c, kernel.ndim).strip()
            if flip:
                panels += [k[::-1, ::-1, c, f], k[:, :, c, f]]
                names += [f"{name} used".strip(), f"{name} given".strip()]
            else:
                panels.append(k[:, :, c, f])
                names.append(name)
    rows, cols = np.arange(k.shape[0]), np.arange(k.shape[1])
    # A bank stacks its channels: room for them at legible cells, even when
    # that is taller than ``max_height`` (a short row would shrink them to specks).
    if bank > 1 or flip:
        stacked = channels * k.shape[0] * min_cell + (channels - 1) * sizing.GAP_Y
        max_height = max(max_height, stacked)
    grid = _Grid(
        panels, rows, cols, names, MAX_DRAWN_CELLS,
        # One filter: its channels side by side; a bank: a column per filter.
        per_row=len(picked) * (1 + flip) if bank > 1 or flip else channels,
        max_width=max_width, max_cell=max_cell, max_height=max_height, colors=colors,
    )  # fmt: skip
    if len(picked) < bank:
        title += f" (filters {picked[0]}–{picked[-1]} of {bank}; change “filter” for others)"
    total = k.shape[2] * len(picked) * (1 + flip)
    return grid.figure(title, total, "panels")


def output_figure(
    out: np.ndarray,
    *,
    title: str = "output",
    selected: tuple[int, int] | None = None,
    filled: int | None = None,
    filter_index: int | None = None,
    region: tuple[slice, slice] | None = None,
    max_filters: int = MAX_FILTERS,
    colors: str = "auto",
    max_cells: int = MAX_DRAWN_CELLS,
    max_width: float = sizing.WIDTH,
    max_cell: float = sizing.MAX_CELL_PIXELS,
    max_height: float = sizing.MAX_CELLS_HEIGHT,
) -> go.Figure:
    """Heatmaps of an (OH, OW) or (OH, OW, F) output, one panel per filter.

    Each panel carries a near-transparent scatter point at every drawn cell
    centre (every n-th beyond :data:`MAX_CLICK_TARGETS`): clicks on a plotly
    heatmap report no point (plotly.js #7685), clicks on these do, with the
    value as ``customdata`` and the filter index as the trace's ``legendgroup``
    (Streamlit copies it into each selected point: :func:`clicked`).

    Parameters
    ----------
    selected : (row, col), optional
        Cell to outline (the one being explained).
    filled : int, optional
        Show only the first ``filled`` cells in row-major order, as while
        stepping the window through the input. Colours and printed digits
        stay those of the whole output, so they do not change as cells fill.
    filter_index : int, optional
        The explained filter: its panel's name is bold, and of a bank larger
        than ``max_filters`` the panels drawn are the ones round it.
    region : (rows, cols) slices, optional
        Draw only these cells (a zoom into a large output), numbered as in
        the whole output and coloured on the whole output's scale.
    max_width, max_cell : float
        Widest the figure and its cells may be, in pixels (see
        :func:`output_width`); filters wrap as channels do in :func:`array_figure`.

    Examples
    --------
    >>> import numpy as np
    >>> fig = output_figure(np.zeros((2, 3)), filled=4)
    >>> [t.type for t in fig.data], int(np.isnan(np.array(fig.data[0].z, float)).sum())
    (['heatmap', 'scatter'], 2)
    >>> fig = output_figure(np.arange(100.0).reshape(10, 10), region=np.s_[4:6, 7:9])
    >>> fig.data[0].z.tolist(), fig.data[0].y.tolist(), fig.data[0].x.tolist()
    ([[47.0, 48.0], [57.0, 58.0]], [4, 5], [7, 8])
    """
    values = out if out.ndim == 3 else out[:, :, None]
    bank = values.shape[2]
    # Every filter the app makes is drawn; of a larger bank, the run of
    # MAX_FILTERS that holds the explained filter, so it is always in sight.
    explained = min(max(filter_index or 0, 0), bank - 1)
    first = min(max(explained - max_filters // 2, 0), max(bank - max_filters, 0))
    picked = range(first, min(first + max_filters, bank))
    full = [values[:, :, f] for f in picked]
    if filled is not None:
        values = values.astype(float)
        values.reshape(-1, values.shape[2])[filled:] = np.nan
    rows, cols = np.arange(values.shape[0]), np.arange(values.shape[1])
    if region is not None:
        values, rows, cols = values[region], rows[region[0]], cols[region[1]]
        title += f": rows {rows[0]}–{rows[-1]}, cols {cols[0]}–{cols[-1]}"
    oh, ow = values.shape[:2]
    names = [_filter_name(f, out.ndim + 1) for f in picked]
    if len(picked) > 1:  # small multiples, never a row of specks
        step = drawn_step((oh, ow), max(max_cells // len(picked), 1))
        drawn = (math.ceil(oh / step), math.ceil(ow / step))
        max_height = max(max_height, sizing.small_multiples_height(drawn, len(picked), max_width))
    if filter_index is not None and bank > 1:  # the explained filter's name in bold
        names[explained - first] = f"<b>{names[explained - first]}</b>"
    grid = _Grid(
        [values[:, :, f] for f in picked], rows, cols, names, max_cells,
        per_row=None, max_width=max_width, max_cell=max_cell, max_height=max_height,
        colors=colors, full=full,
    )  # fmt: skip
    # Every click target's position and value travel with each rerun, and
    # plotly searches them on each hover: large outputs get a coarser grid.
    step = max(grid.step, drawn_step((oh, ow), MAX_CLICK_TARGETS // len(picked)))
    grid_r, grid_c = np.meshgrid(rows[::step], cols[::step], indexing="ij")
    for panel, f in enumerate(picked):
        cells = values[::step, ::step, f]
        label = f", filter {f}" if bank > 1 else ""
        size = grid.cell * step / grid.step
        grid.add(_click_targets(grid_r, grid_c, cells, f, label, size), panel)
        if selected is not None:
            _outline(grid, [selected], _TAP_COLOR, panel, width=3)
    title += f" (filters {picked[0]}–{picked[-1]} of {bank})" if len(picked) < bank else ""
    return grid.figure(title, len(picked), "filters")


def products_table(explanation: object, start: int = 0, rows: int | None = None) -> pd.DataFrame:
    """The arithmetic of one output cell, one row per (tap, channel).

    ``explanation`` is a :class:`conv.CellExplanation`; the ``x·w`` column
    sums to its ``value``. Only rows ``start`` to ``start + rows`` (all by
    default) are built: a 63x63 filter over 4096 channels has 16 million
    products, and a page of them is what is shown (:data:`PAGE_ROWS`). The
    ``note`` column (which padding a tap reads) is there only when a tap
    reads padding.

    Examples
    --------
    >>> import numpy as np, conv
    >>> e = conv.explain_cell(np.arange(9.0).reshape(3, 3), np.ones((2, 2)), 0, 1)
    >>> t = products_table(e)
    >>> list(t["input (row, col)"]), float(t["x·w"].sum()) == e.value
    (['(0, 1)', '(0, 2)', '(1, 1)', '(1, 2)'], True)
    """
    return pd.DataFrame(product_columns(explanation, start, rows))


def product_columns(explanation: object, start: int = 0, rows: int | None = None) -> dict:
    """:func:`products_table`'s columns as a dict of lists and arrays.

    What the page hands ``st.dataframe`` as a pyarrow table: made from these
    directly it costs a fifth of making and converting the DataFrame.
    """
    e = explanation
    total = e.window.size
    index = np.arange(min(start, total), total if rows is None else min(start + rows, total))
    m, n, c = np.unravel_index(index, e.window.shape)
    taps = list(zip(m.tolist(), n.tolist(), strict=True))
    rows_, cols_ = e.rows.tolist(), e.cols.tolist()
    columns = {
        "tap (m, n)": [f"({i}, {j})" for i, j in taps],
        "input (row, col)": [f"({rows_[i]}, {cols_[j]})" for i, j in taps],
        "channel": c,
    }
    if e.is_padding.any():
        columns["note"] = [
            "" if not e.is_padding[i, j] else
            ("padding (zero)" if e.source_rows[i, j] < 0 else
             f"padding, copies ({e.source_rows[i, j]}, {e.source_cols[i, j]})")
            for i, j in taps
        ]  # fmt: skip
    columns["x"] = e.window.reshape(-1)[index]
    columns["w"] = e.weights.reshape(-1)[index]
    columns["x·w"] = e.products.reshape(-1)[index]
    return columns


def channel_sums(explanation: object) -> pd.DataFrame:
    """One row per input channel: its products' sum, and how many taps read padding.

    The per-channel view of :func:`products_table` for windows too large to
    list; the ``Σ x·w`` column sums to the cell's value.

    Examples
    --------
    >>> import numpy as np, conv
    >>> e = conv.explain_cell(np.ones((3, 3, 2)), np.ones((2, 2, 2)), 0, 0)
    >>> channel_sums(e)["Σ x·w"].tolist()
    [4.0, 4.0]
    """
    return pd.DataFrame(channel_columns(explanation))


def channel_columns(explanation: object) -> dict:
    """The columns of :func:`channel_sums` as equal-length arrays (for ``pyarrow.table``)."""
    e = explanation
    products = e.products.reshape(-1, e.products.shape[-1])
    channels = products.shape[1]
    return {
        "channel": np.arange(channels),
        "products": np.full(channels, products.shape[0]),
        "on padding": np.full(channels, int(e.is_padding.sum())),
        "Σ x·w": products.sum(axis=0),
    }


def color_axis(panels: list[np.ndarray], colors: str = "auto") -> dict:
    """A plotly colour axis for ``panels``: diverging at 0 for signed data, else sequential.

    ``colors`` is a key of :data:`COLORS`; NaN (cells not yet computed) and
    infinities are left out of the range.

    Examples
    --------
    >>> import numpy as np
    >>> a = color_axis([np.array([[-1.0, 3.0]])])
    >>> a["cmin"], a["cmax"], a["cmid"]
    (-3.0, 3.0, 0.0)
    >>> b = color_axis([np.array([[0.0, 0.5]])])
    >>> b["cmin"], b["cmax"], b["colorscale"][0][1]
    (0.0, 0.5, '#440154')
    """
    if colors not in COLORS:
        raise ValueError(f"colors must be one of {', '.join(COLORS)}; got {colors!r}")
    lo, hi = math.inf, -math.inf
    for p in panels:
        if not p.size:
            continue
        a, b = p.min(), p.max()
        if not (np.isfinite(a) and np.isfinite(b)):  # NaN or inf there: leave them out
            p = p[np.isfinite(p)]
            if not p.size:
                continue
            a, b = p.min(), p.max()
        lo, hi = min(lo, float(a)), max(hi, float(b))
    if lo > hi:  # nothing finite
        lo = hi = 0.0
    name = COLORS[colors] or (COLORSCALE if lo < 0 else "Viridis")
    bar = {"thickness": 12, "xpad": 8}
    scale = _SCALES[name]
    if name == COLORSCALE:
        zmax = max(abs(lo), abs(hi)) or 1.0
        return {"colorscale": scale, "cmin": -zmax, "cmax": zmax, "cmid": 0.0, "colorbar": bar}
    if hi <= lo:
        hi = lo + 1.0
    return {"colorscale": scale, "cmin": lo, "cmax": hi, "colorbar": bar}


class _Grid:
    """Heatmap panels on a grid, sharing one colour scale; built in one go.

    Collecting plain traces and axes and making the figure once is several
    times faster than ``make_subplots`` plus ``add_trace`` per panel, which
    matters for the app's re-run time. Sizes are in pixels: every cell is
    ``cell`` pixels square, and the figure is as large as its cells need.
    """

    def __init__(
        self, panels, rows, cols, names, max_cells, *, per_row, max_width, max_cell,
        max_height=sizing.MAX_CELLS_HEIGHT, colors="auto", full=None,
    ):  # fmt: skip
        self.step = drawn_step((len(rows), len(cols)), max(max_cells // len(panels), 1))
        self.traces: list[dict] = []
        self.layout: dict = {}
        self.panels = len(panels)
        r, c = rows[:: self.step], cols[:: self.step]
        sizes = {"max_width": max_width, "max_cell": max_cell, "max_height": max_height}
        if per_row is None:
            per_row = sizing.panels_per_row((len(r), len(c)), self.panels, **sizes)
        self.per_row = min(per_row, len(panels))
        self.n_rows = math.ceil(len(panels) / self.per_row)
        self.cell = sizing.cell_pixels((len(r), len(c)), self.panels, self.per_row, **sizes)
        self.panel_px = (len(r) * self.cell, len(c) * self.cell)
        full = panels if full is None else full
        # One font for all panels, fitted to the longest label of the whole
        # array (``full``), so digits do not change while cells fill in.
        font = None
        if all(p[:: self.step, :: self.step].size <= TEXT_CELLS for p in panels):
            font = sizing.label_font(self.cell, max(_label_chars(p) for p in full))
        for i, (values, name) in enumerate(zip(panels, names, strict=True)):
            # float32 halves the bytes sent; the hover and labels show 3-6 digits.
            with np.errstate(over="ignore"):  # beyond float32: drawn as the extreme colour
                z = values[:: self.step, :: self.step].astype(np.float32)
            plain = name.replace("<b>", "").replace("</b>", "").strip()
            last = plain.split()[-1] if plain else ""
            label = f", {last if last.isdigit() else plain}" if plain else ""
            trace = {
                "type": "heatmap",
                "z": z,
                "x": c,
                "y": r,
                "coloraxis": "coloraxis",
                "hovertemplate": f"(%{{y}}, %{{x}}{label}) = %{{z:.6g}}<extra></extra>",
                "xgap": 1 if font else 0,
                "ygap": 1 if font else 0,
            }
            if font:
                trace.update(texttemplate="%{z:.3~g}", textfont={"size": font})
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
        self.layout["coloraxis"] = color_axis(full, colors)

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
            # Streamlit's theme styles the chart in the browser; plotly's own
            # template would add 3.6 kB to every figure sent.
            "template": {},
        }  # fmt: skip
        # The traces are built here from known-good values; validating them
        # again would cost more than drawing them, and so would plotly's objects.
        return LazyFigure(self.traces, layout)


def _label_chars(values: np.ndarray) -> int:
    """Characters of the longest 3-significant-digit label among ``values``."""
    flat = values.ravel()
    if values.size > TEXT_CELLS:  # the extremes and a sample are enough to size a font
        # Sampled before filtering, without a copy: a mask of a million cells costs
        # more than the font is worth.
        step = math.isqrt(values.size // TEXT_CELLS) + 1
        sample = values[::step, ::step].ravel() if values.ndim == 2 else flat[:: step * step]
        flat = np.concatenate([sample, [values.min(), values.max()]])
    finite = flat[np.isfinite(flat)]
    return max((len(f"{v:.3g}") for v in finite.tolist()), default=1)


def _around(taps: np.ndarray, labels: np.ndarray, zoom: int) -> slice:
    """Indices into ``labels`` of about ``zoom`` cells centred on the ``taps`` span."""
    lo, hi = int(np.min(taps)), int(np.max(taps))
    size = max(zoom, hi - lo + 3)
    start = lo - labels[0] - (size - (hi - lo + 1)) // 2
    start = int(min(max(start, 0), max(len(labels) - size, 0)))
    return slice(start, min(start + size, len(labels)))


def _channel_name(c: int, ndim: int) -> str:
    return f" channel {c}" if ndim >= 3 else ""


def _filter_name(f: int, ndim: int) -> str:
    return f"filter {f}" if ndim >= 4 else ""


def _unread_band(unread_rows, unread_cols, rows, cols):
    """Crossed-out strips over the unread input rows and columns within the drawn area."""
    r0, r1, c0, c1 = rows[0] - 0.5, rows[-1] + 0.5, cols[0] - 0.5, cols[-1] + 0.5
    xs, ys = [], []
    for lines, across in ((unread_rows, True), (unread_cols, False)):
        low, high = (rows[0], rows[-1]) if across else (cols[0], cols[-1])
        for a, b in line_runs(lines[(lines >= low) & (lines <= high)]):
            if across:
                xs += [c0, c1, c1, c0, c0, None]
                ys += [a - 0.5, a - 0.5, b + 0.5, b + 0.5, a - 0.5, None]
            else:
                xs += [a - 0.5, b + 0.5, b + 0.5, a - 0.5, a - 0.5, None]
                ys += [r0, r0, r1, r1, r0, None]
    return {
        "type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
        "fillpattern": _UNREAD_HATCH, "line": {"width": 0}, "hoverinfo": "skip",
        "name": "read by no window",
    }  # fmt: skip


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

    Open square markers, one per cell: two small integers a cell, where line
    squares would be ten coordinates, and these are resent on every click.
    """
    if not cells:
        return
    if box:
        (r0, c0), (r1, c1) = cells
        xs = [c0 - 0.5, c1 + 0.5, c1 + 0.5, c0 - 0.5, c0 - 0.5]
        ys = [r0 - 0.5, r0 - 0.5, r1 + 0.5, r1 + 0.5, r0 - 0.5]
        trace = {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip"}
        grid.add({**trace, "line": {"color": color, "width": width}}, panel)
        return
    rows, cols = np.array(cells, dtype=np.int32).T
    dtype = np.int16 if np.abs(cells).max() < 2**15 else np.int32
    size = max(grid.cell / grid.step * 0.9, 3)
    # A white halo under the line keeps it seen on dark cells (viridis' purple).
    for name, line, halo in (("outline halo", width + 2, "white"), ("outline", width, color)):
        grid.add(
            {
                "type": "scatter", "x": cols.astype(dtype), "y": rows.astype(dtype),
                "mode": "markers", "hoverinfo": "skip", "name": name,
                "marker": {"symbol": "square-open", "size": size, "color": halo,
                           "line": {"width": line}},
                # A click elsewhere selects points: outlines must not fade with the rest.
                "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
            },
            panel,
        )  # fmt: skip


def click_marker(size: float) -> dict:
    """Marker of invisible click targets: ``size`` px squares that plotly draws only one of.

    Plotly hovers and selects points from their data, not from their drawn
    shapes, so every target stays hoverable and clickable. Drawing hundreds
    of SVG squares nobody sees (they are 1 % opaque) cost 30–60 ms of each
    stride change in Chromium (``benchmarks/bench_redraw.py --against``).

    Examples
    --------
    >>> click_marker(30)["maxdisplayed"]
    1
    """
    return {"symbol": "square", "size": size, "color": "rgba(0,0,0,0.01)", "maxdisplayed": 1}


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
        # The value alone per point: the filter is one string per trace, not
        # one float64 per point (half of a large output's rerun bytes).
        "customdata": values.ravel(),
        "legendgroup": str(f),
        "mode": "markers",
        "marker": click_marker(size),
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
        "hovertemplate": f"(%{{y}}, %{{x}}{label}) = %{{customdata:.4g}}<extra></extra>",
        "name": "cells",
    }


def clicked(selection: dict | None) -> tuple[tuple[int, int], int] | None:
    """``((row, col), filter)`` of the click target clicked, from a chart's selection state.

    ``selection`` is what Streamlit keeps under the chart's key; None when no
    point was clicked. The filter is the target trace's ``legendgroup``,
    which Streamlit copies into each selected point.
    """
    points = (selection or {}).get("selection", {}).get("points", [])
    if not points:
        return None
    point = points[0]
    group = point.get("legendgroup")
    f = int(group) if isinstance(group, str) and group.isdigit() else 0
    return (round(float(point["y"])), round(float(point["x"]))), f
